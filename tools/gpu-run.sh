#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The GPU checks of jkernels, in order of value, under one deadline. It is run.sh of the GPU bundle
# (tools/gpu-bundle.sh copies it there; the machine has a GPU, the driver, compute-sanitizer and
# PyTorch, but no Java) and runs straight from the source tree as well (target/jkernels.jar,
# target/test-classes, src/test/resources/golden, $JAVA_HOME or java on the PATH):
#
#   OUT=DIR target/gpu-bundle/run.sh          # the GPU run (OUT defaults to ./gpu-out)
#   JK_REHEARSAL=1 OUT=DIR tools/gpu-run.sh   # the dress rehearsal (below)
#
#   step               cap   min  what
#   info                60     5  jkernels info (ffm binding): the device, or why there is none
#   conformance-ffm    120    20  conformance on every golden case, --backend cuda, ffm binding
#   gpu-tests-ffm      150    20  the gpu-tagged tests (JUnit console launcher), ffm
#   torch-peer         120    30  benchmarks/torch_peer.py: PyTorch on the same ops and sizes (--table: the
#                                 bundle's optable.json, or the jar's `info --json` in the source tree)
#   bench-ffm          240    45  jkernels bench --backend cuda, ffm, with the ratio to torch-peer
#   conformance-jcuda   90    20  conformance on cuda with the jcuda binding
#   gpu-tests-jcuda    120    20  the gpu-tagged tests, jcuda
#   memcheck            90    30  compute-sanitizer memcheck on a few golden cases, one per family
#   racecheck           90    30  ... racecheck
#   synccheck           60    20  ... synccheck
#
# Time: the run has JK_DEADLINE_S seconds (default 480) from its start. A step may take
# min(cap, what is left - the minimums of the steps after it), but never less than its minimum;
# it is skipped when what is left is below its minimum, and killed (TIMEOUT) when it overruns.
# torch-peer and bench-ffm run every bench op when what they may take together is at least
# JK_BENCH_FULL_S (default 240, a guess until a GPU run has measured it), else the ops of
# JK_BENCH_SHORT_OPS (a few per family); JK_BENCH_OPS forces a regex. PyTorch runs without its
# torch.compile variants (they take minutes) unless JK_TORCH_COMPILE=1.
#
# Output in $OUT, written as the run goes: summary.txt (commit, card, driver, bindings, then one
# line per step: status PASS/FAIL/SKIP/TIMEOUT, seconds used/allowed, a one-line result, then a
# total), NN-<step>.log per step, nvidia-smi.txt, junit-<binding>/ (JUnit XML), torch.json,
# bench-ffm.json and bench-ffm.md (draw the chart where Java has java.desktop:
# jkernels chart --json bench-ffm.json --peer torch.json --png ratio.png), hs_err_pid*.log after
# a JVM crash. Exit status 0 when no step failed or timed out, else 1.
#
# Rehearsal (JK_REHEARSAL=1): the same steps against whatever libcuda.so.1 the library path gives
# (from the source tree, target/native/cudaemu/libcuda.so.1, the emulated driver, is put first on
# LD_LIBRARY_PATH when it exists and the path has no libcuda.so.1), with a host-scale bench of a
# few ops (JK_REHEARSAL_OPS), and without PyTorch or compute-sanitizer.
#
# Other settings: JK_ONLY=REGEX runs only the steps whose name matches (info always runs), e.g.
# for a second call after a cut-off one; JK_SANITIZER_CASES lists the case directories (relative
# to the golden root) that the sanitizer steps run.
#
# Files: this script holds the settings, the layout (bundle or source tree), the header lines and
# the order of the steps; it sources, from gpu-run/ beside it (tools/gpu-run/ here, copied into the
# bundle by tools/gpu-bundle.sh), lib.sh (summary lines, signal handling, helpers, the time budget
# and running a step's command) and steps.sh (the steps and the parsers of their logs).
set -uo pipefail

DEADLINE=${JK_DEADLINE_S:-480}
REHEARSAL=${JK_REHEARSAL:-0}
BENCH_FULL_S=${JK_BENCH_FULL_S:-240}
BENCH_SHORT_OPS=${JK_BENCH_SHORT_OPS:-'^(copy_f32|relu_f32|gelu_f32|gelu_backward_f32|swiglu_f32|swiglu_bf16|adamw_f32|adamw_gpt2_small_f32|pixel_shuffle_f32|upsample_bilinear2d_f32|upsample_bilinear2d_backward_f32|vq_nearest_d256_k8192_f32|vq_ema_update_d64_k1024_f32|gae_f32|gae_long_f32|td0_update_f32)$'}
REHEARSAL_OPS=${JK_REHEARSAL_OPS:-'^(copy_f32|gelu_f32|swiglu_bf16|adamw_f32|upsample_bilinear2d_f32|vq_ema_update_d64_k1024_f32|gae_f32)$'}
SANITIZER_CASES=${JK_SANITIZER_CASES:-activations/swiglu_backward_randn_1000 optimizers/adamw_amsgrad_129 resample/upsample_bilinear2d_backward_scale_2p3 rl/gae_wide_multi_tile vq/vq_nearest_randn_130x4_k129 vq/vq_ema_update_200x16_k9_skew_decay_0p5_eps_0p001}

STEPS=(info conformance-ffm gpu-tests-ffm torch-peer bench-ffm conformance-jcuda gpu-tests-jcuda memcheck racecheck synccheck)
declare -A CAP=([info]=60 [conformance-ffm]=120 [gpu-tests-ffm]=150 [torch-peer]=120 [bench-ffm]=240
                [conformance-jcuda]=90 [gpu-tests-jcuda]=120 [memcheck]=90 [racecheck]=90 [synccheck]=60)
declare -A MIN=([info]=5 [conformance-ffm]=20 [gpu-tests-ffm]=20 [torch-peer]=30 [bench-ffm]=45
                [conformance-jcuda]=20 [gpu-tests-jcuda]=20 [memcheck]=30 [racecheck]=30 [synccheck]=20)
declare -A OFF=()        # step -> why it does not run in this run
declare -A COUNT=([PASS]=0 [FAIL]=0 [SKIP]=0 [TIMEOUT]=0)

case "$DEADLINE" in '' | *[!0-9]*) echo "gpu-run: JK_DEADLINE_S must be a number of seconds, not '$DEADLINE'" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=gpu-run/lib.sh
. "$HERE/gpu-run/lib.sh" || { echo "gpu-run: cannot read $HERE/gpu-run/lib.sh" >&2; exit 2; }
# shellcheck source=gpu-run/steps.sh
. "$HERE/gpu-run/steps.sh" || { echo "gpu-run: cannot read $HERE/gpu-run/steps.sh" >&2; exit 2; }
OUT=${OUT:-./gpu-out}
if ! mkdir -p "$OUT" || ! OUT=$(cd "$OUT" && pwd); then echo "gpu-run: cannot make OUT=$OUT" >&2; exit 2; fi
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jkernels-gpu.XXXXXX") || { echo "gpu-run: no temporary directory" >&2; exit 2; }
IDX=0 CHILD="" LIMIT=0 LOG="" RC=0 DUR=0 STEP_T0=0

trap 'rm -rf "$WORK"' EXIT
trap 'interrupted TERM' TERM
trap 'interrupted INT' INT
trap 'interrupted HUP' HUP

# ---------------------------------------------------------------- the layout: bundle or source tree

SETUP=""   # why nothing can run, if so
if [ -f "$HERE/lib/jkernels.jar" ]; then
  LAYOUT="bundle $HERE"
  JAR=$HERE/lib/jkernels.jar
  CONSOLE=$HERE/lib/junit-console.jar
  TEST_CLASSES=$HERE/test-classes
  PEER_PY=$HERE/benchmarks/torch_peer.py
  OPTABLE=$HERE/optable.json   # written by tools/gpu-bundle.sh
  COMMIT=$(cat "$HERE/COMMIT" 2> /dev/null || echo "unknown (no COMMIT file in the bundle)")
  if [ -x "$HERE/jre/bin/java" ]; then
    JAVA=$HERE/jre/bin/java
  elif unpack "$HERE/jre.tar.xz" "$WORK"; then
    JAVA=$WORK/jre/bin/java
  else
    JAVA="" SETUP="cannot unpack $HERE/jre.tar.xz (neither tar with xz nor python3 worked)"
  fi
  if unpack "$HERE/golden.tar.gz" "$WORK"; then
    GOLDEN=$WORK/golden GOLDEN_CP=$WORK
  else
    GOLDEN="" SETUP="${SETUP:+$SETUP; }cannot unpack $HERE/golden.tar.gz"
  fi
else
  ROOT=$(cd "$HERE/.." && pwd)
  LAYOUT="source tree $ROOT"
  JAR=$ROOT/target/jkernels.jar
  TEST_CLASSES=$ROOT/target/test-classes
  PEER_PY=$ROOT/benchmarks/torch_peer.py
  OPTABLE=$WORK/optable.json   # written by step_torch from the jar
  GOLDEN=$ROOT/src/test/resources/golden GOLDEN_CP=$ROOT/src/test/resources
  CONSOLE=${JK_JUNIT_CONSOLE:-$(printf '%s\n' "$HOME"/.m2/repository/org/junit/platform/junit-platform-console-standalone/*/junit-platform-console-standalone-*.jar | sort -V | tail -n 1)}
  COMMIT="$(git -C "$ROOT" rev-parse HEAD 2> /dev/null || echo unknown)"
  [ -z "$(git -C "$ROOT" status --porcelain 2> /dev/null)" ] || COMMIT="$COMMIT dirty"
  COMMIT="$COMMIT (source tree; jar built $(date -u -r "$JAR" +%Y-%m-%dT%H:%MZ 2> /dev/null || echo never))"
  JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
  if [ -z "$JAVA" ] || [ ! -x "$JAVA" ]; then JAVA=$(command -v java); fi
  [ -n "$JAVA" ] || SETUP="no Java (set JAVA_HOME or put java on the PATH)"
  [ -f "$JAR" ] || SETUP="${SETUP:+$SETUP; }no $JAR (mvn -B -q package -DskipTests)"
  if [ "$REHEARSAL" = 1 ] && [ -z "$(libcuda)" ] && [ -e "$ROOT/target/native/cudaemu/libcuda.so.1" ]; then
    export LD_LIBRARY_PATH="$ROOT/target/native/cudaemu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  # the emulated driver presents two devices, so the two-device tests run too (a GPU driver ignores it)
  export JK_CUDAEMU_DEVICES=${JK_CUDAEMU_DEVICES:-2}
fi
# bench writes the commit into its JSON: from here, as the GPU machine's copy may have no .git.
if [ -z "${JKERNELS_COMMIT:-}" ]; then
  JKERNELS_COMMIT=${COMMIT:0:7}
  [[ "$COMMIT" != *" dirty"* ]] || JKERNELS_COMMIT="$JKERNELS_COMMIT-dirty"
  export JKERNELS_COMMIT
fi
JOPTS=(--enable-native-access=ALL-UNNAMED "-XX:ErrorFile=$OUT/hs_err_pid%p.log")
CLASS_PATH="$JAR:$GOLDEN_CP:$TEST_CLASSES"

# ---------------------------------------------------------------- header

if [ "$REHEARSAL" = 1 ]; then MODE="rehearsal (JK_REHEARSAL=1)"; else MODE="GPU run"; fi
say "jkernels $MODE, $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) ($(nproc) cores), $LAYOUT, deadline $DEADLINE s"
say "commit    $COMMIT"
if command -v nvidia-smi > /dev/null; then
  timeout -k 5 30 nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
  say "card      $(timeout -k 5 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | paste -sd';' -)"
  say "driver    $(timeout -k 5 30 nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>&1 | head -n 1), $(grep -o 'CUDA Version: [0-9.]*' "$OUT/nvidia-smi.txt" || echo 'CUDA version not shown by nvidia-smi')"
else
  say "card      none seen (nvidia-smi not found)"
  say "driver    none seen (nvidia-smi not found); the device of libcuda.so.1 is in the info line"
fi
LIBCUDA=$(libcuda)
say "libcuda   ${LIBCUDA:-not found (LD_LIBRARY_PATH: ${LD_LIBRARY_PATH:-empty}; ldconfig -p)}"
JAVA_VERSION=$([ -n "$JAVA" ] && timeout -k 5 30 "$JAVA" -version 2>&1 | head -n 1)
say "java      ${JAVA:-none} ${JAVA_VERSION:+($JAVA_VERSION)}"
say "bindings  ffm (-Djkernels.cuda.binding=ffm: info, conformance, tests, bench, sanitizers) and jcuda (conformance, tests)"
printf '%-18s %-7s %9s  %s\n' step status "s/limit" result | tee -a "$SUMMARY"

# ---------------------------------------------------------------- what does not run here

if [ -n "$SETUP" ]; then
  for s in "${STEPS[@]}"; do OFF[$s]="setup failed: $SETUP"; done
fi
if [ "$REHEARSAL" = 1 ]; then
  OFF[torch-peer]=${OFF[torch-peer]:-"rehearsal: no PyTorch"}
  for s in memcheck racecheck synccheck; do OFF[$s]=${OFF[$s]:-"rehearsal: no compute-sanitizer"}; done
fi
if [ ! -f "$CONSOLE" ]; then
  for s in gpu-tests-ffm gpu-tests-jcuda; do OFF[$s]=${OFF[$s]:-"no JUnit console launcher (set JK_JUNIT_CONSOLE)"}; done
fi
if [ -n "${JK_ONLY:-}" ]; then
  for s in "${STEPS[@]}"; do
    [ "$s" = info ] || [[ "$s" =~ $JK_ONLY ]] || OFF[$s]=${OFF[$s]:-"not in JK_ONLY=$JK_ONLY"}
  done
fi
SANITIZER=""
if [ -z "${OFF[memcheck]:-}${OFF[racecheck]:-}${OFF[synccheck]:-}" ]; then
  SANITIZER=$(find_sanitizer)
fi

# ---------------------------------------------------------------- the steps (gpu-run/steps.sh), in order

for ((IDX = 0; IDX < ${#STEPS[@]}; IDX++)); do
  step=${STEPS[IDX]}
  if [ -n "${OFF[$step]:-}" ]; then
    record "$step" SKIP 0 - "${OFF[$step]}"
    continue
  fi
  plan "$step" || continue
  case "$step" in
    info) step_info ;;
    conformance-*) step_conformance "${step#conformance-}" ;;
    gpu-tests-*) step_tests "${step#gpu-tests-}" ;;
    torch-peer) step_torch ;;
    bench-ffm) step_bench ;;
    memcheck | racecheck | synccheck) step_sanitizer "$step" ;;
  esac
done
finish
[ "${COUNT[FAIL]}" = 0 ] && [ "${COUNT[TIMEOUT]}" = 0 ]

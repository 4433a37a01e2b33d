#!/usr/bin/env bash
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
#   torch-peer         120    30  benchmarks/torch_peer.py: PyTorch on the same ops and sizes
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
set -uo pipefail

DEADLINE=${JK_DEADLINE_S:-480}
REHEARSAL=${JK_REHEARSAL:-0}
BENCH_FULL_S=${JK_BENCH_FULL_S:-240}
BENCH_SHORT_OPS=${JK_BENCH_SHORT_OPS:-'^(copy_f32|relu_f32|gelu_f32|gelu_backward_f32|swiglu_f32|swiglu_bf16|adamw_f32|adamw_gpt2_small_f32|pixel_shuffle_f32|upsample_bilinear2d_f32|upsample_bilinear2d_backward_f32|vq_nearest_d256_k8192_f32|vq_ema_update_d64_k1024_f32|gae_f32|gae_long_f32|td0_update_f32)$'}
REHEARSAL_OPS=${JK_REHEARSAL_OPS:-'^(copy_f32|gelu_f32|swiglu_bf16|adamw_f32|upsample_bilinear2d_f32|vq_ema_update_d64_k1024_f32|gae_f32)$'}
SANITIZER_CASES=${JK_SANITIZER_CASES:-activations/swiglu_backward_randn_1000 optimizers/adamw_amsgrad_129 resample/upsample_bilinear2d_backward_scale_2p3 rl/gae/wide_multi_tile vq/vq_nearest_randn_130x4_k129 vq/vq_ema_update_200x16_k9_skew_decay_0p5_eps_0p001}

STEPS=(info conformance-ffm gpu-tests-ffm torch-peer bench-ffm conformance-jcuda gpu-tests-jcuda memcheck racecheck synccheck)
declare -A CAP=([info]=60 [conformance-ffm]=120 [gpu-tests-ffm]=150 [torch-peer]=120 [bench-ffm]=240
                [conformance-jcuda]=90 [gpu-tests-jcuda]=120 [memcheck]=90 [racecheck]=90 [synccheck]=60)
declare -A MIN=([info]=5 [conformance-ffm]=20 [gpu-tests-ffm]=20 [torch-peer]=30 [bench-ffm]=45
                [conformance-jcuda]=20 [gpu-tests-jcuda]=20 [memcheck]=30 [racecheck]=30 [synccheck]=20)
declare -A OFF=()        # step -> why it does not run in this run
declare -A COUNT=([PASS]=0 [FAIL]=0 [SKIP]=0 [TIMEOUT]=0)

case "$DEADLINE" in '' | *[!0-9]*) echo "gpu-run: JK_DEADLINE_S must be a number of seconds, not '$DEADLINE'" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-./gpu-out}
if ! mkdir -p "$OUT" || ! OUT=$(cd "$OUT" && pwd); then echo "gpu-run: cannot make OUT=$OUT" >&2; exit 2; fi
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jkernels-gpu.XXXXXX") || { echo "gpu-run: no temporary directory" >&2; exit 2; }
IDX=0 CHILD="" LIMIT=0 LOG="" RC=0 DUR=0 STEP_T0=0

# ---------------------------------------------------------------- summary lines

say() { # a line of summary.txt (and of stdout)
  printf '%s\n' "$*" | tee -a "$SUMMARY"
}

record() { # STEP STATUS SECONDS LIMIT RESULT
  COUNT[$2]=$((COUNT[$2] + 1))
  printf '%-18s %-7s %9s  %s\n' "$1" "$2" "$3/$4" "$5" | tee -a "$SUMMARY"
}

finish() {
  say "total              ${COUNT[PASS]} PASS, ${COUNT[FAIL]} FAIL, ${COUNT[SKIP]} SKIP, ${COUNT[TIMEOUT]} TIMEOUT in $SECONDS s (deadline $DEADLINE s); logs in $OUT"
}

# A signal ends the run cleanly: the running step is stopped and marked, the others skipped.
interrupted() {
  trap '' TERM INT HUP
  if [ -n "$CHILD" ]; then
    kill -TERM "$CHILD" 2> /dev/null
    wait "$CHILD" 2> /dev/null
    record "${STEPS[IDX]}" TIMEOUT $((SECONDS - STEP_T0)) "$LIMIT" "stopped: the run got SIG$1"
    IDX=$((IDX + 1))
  fi
  for ((; IDX < ${#STEPS[@]}; IDX++)); do
    record "${STEPS[IDX]}" SKIP 0 - "the run got SIG$1"
  done
  finish
  exit 1
}
trap 'rm -rf "$WORK"' EXIT
trap 'interrupted TERM' TERM
trap 'interrupted INT' INT
trap 'interrupted HUP' HUP

# ---------------------------------------------------------------- helpers

last_line() { # the last non-empty line of a log, or its first exception when it ends in a stack trace
  local l
  l=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
  if [[ "$l" =~ ^[[:space:]]+at\  ]] || [[ "$l" =~ ^[[:space:]]*\.\.\.\ [0-9]+\ more ]]; then
    l=$(grep -m 1 -E 'Exception|Error' "$1")
  fi
  printf '%s' "${l:0:240}"
}

unpack() { # ARCHIVE DIR: tar, else Python's tarfile (xz may be missing where python3 is not)
  tar -xf "$1" -C "$2" 2> /dev/null && return 0
  python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))' "$1" "$2"
}

libcuda() { # the libcuda.so.1 the dynamic loader would give, as far as LD_LIBRARY_PATH and ldconfig tell
  local d dirs
  IFS=: read -ra dirs <<< "${LD_LIBRARY_PATH:-}"
  for d in ${dirs[@]+"${dirs[@]}"}; do
    if [ -n "$d" ] && [ -e "$d/libcuda.so.1" ]; then
      readlink -f "$d/libcuda.so.1"
      return
    fi
  done
  { /sbin/ldconfig -p 2> /dev/null || ldconfig -p 2> /dev/null; } | awk '/libcuda\.so\.1 /{print $NF; exit}'
}

find_sanitizer() {
  local p
  for p in "$(command -v compute-sanitizer)" /usr/local/cuda/bin/compute-sanitizer \
           /usr/local/cuda/compute-sanitizer/compute-sanitizer /usr/local/cuda-*/bin/compute-sanitizer \
           /opt/cuda/bin/compute-sanitizer; do
    if [ -n "$p" ] && [ -x "$p" ]; then
      printf '%s' "$p"
      return
    fi
  done
}

# The sum of the minimums of the steps after step $1 that will run.
reserve_after() {
  local i seen=0 sum=0
  for i in "${STEPS[@]}"; do
    if [ "$seen" = 1 ] && [ -z "${OFF[$i]:-}" ]; then
      sum=$((sum + MIN[$i]))
    fi
    [ "$i" = "$1" ] && seen=1
  done
  echo "$sum"
}

# Sets LIMIT for step $1, or records it as skipped (status 1).
plan() {
  local left=$((DEADLINE - SECONDS)) reserve
  reserve=$(reserve_after "$1")
  if [ "$left" -lt "${MIN[$1]}" ]; then
    record "$1" SKIP 0 - "$((left < 0 ? 0 : left)) s of the $DEADLINE s deadline left, the step needs ${MIN[$1]} s"
    return 1
  fi
  LIMIT=$((left - reserve))
  [ "$LIMIT" -ge "${MIN[$1]}" ] || LIMIT=${MIN[$1]}
  [ "$LIMIT" -le "${CAP[$1]}" ] || LIMIT=${CAP[$1]}
  LOG=$(printf '%s/%02d-%s.log' "$OUT" $((IDX + 1)) "$1")
}

# Runs a command for step ${STEPS[IDX]} under LIMIT, output into LOG; sets RC and DUR.
run() {
  STEP_T0=$SECONDS
  printf '# %s\n# limit %s s, started at %s s of the run\n' "$*" "$LIMIT" "$STEP_T0" > "$LOG"
  timeout -k 5 "$LIMIT" "$@" >> "$LOG" 2>&1 < /dev/null &
  CHILD=$!
  wait "$CHILD"
  RC=$?
  CHILD=""
  DUR=$((SECONDS - STEP_T0))
}

status() { # the status of the last run, given whether its result was good (0) or not
  if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then
    echo TIMEOUT
  elif [ "$RC" = 0 ] && [ "$1" = 0 ]; then
    echo PASS
  else
    echo FAIL
  fi
}

# ---------------------------------------------------------------- the layout: bundle or source tree

SETUP=""   # why nothing can run, if so
if [ -f "$HERE/lib/jkernels.jar" ]; then
  LAYOUT="bundle $HERE"
  JAR=$HERE/lib/jkernels.jar
  CONSOLE=$HERE/lib/junit-console.jar
  TEST_CLASSES=$HERE/test-classes
  PEER_PY=$HERE/benchmarks/torch_peer.py
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

# ---------------------------------------------------------------- the steps

step_info() {
  run "$JAVA" "${JOPTS[@]}" -Djkernels.cuda.binding=ffm -jar "$JAR" info
  local cuda
  cuda=$(sed -n 's/^  cuda   //p' "$LOG")
  if [ "${cuda#ok}" = "$cuda" ]; then
    CUDA_WHY=${cuda#*: }
    CUDA_WHY=${CUDA_WHY:-$(last_line "$LOG")}
    record info "$(status 1)" "$DUR" "$LIMIT" "cuda ${cuda:-unknown: $(last_line "$LOG")}"
  else
    record info "$(status 0)" "$DUR" "$LIMIT" "cuda $cuda"
  fi
  if [ -n "${CUDA_WHY:-}" ]; then
    OFF[torch-peer]=${OFF[torch-peer]:-"jkernels sees no CUDA device (info): no bench to compare with"}
  fi
}

conformance_result() { # LOG: "N passed, N failed" (+ the first failure), or how far it got, or why not
  local tally first p f
  tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  first=$(grep -m 1 '^FAIL' "$1" | awk '{print $2}')
  if [ -n "$tally" ]; then
    printf '%s' "$tally${first:+ (first failure: $first)}"
    return
  fi
  p=$(grep -c '^PASS' "$1")
  f=$(grep -c '^FAIL' "$1")
  if [ $((p + f)) -gt 0 ]; then
    printf '%s' "cut short after $((p + f)) cases: $p passed, $f failed${first:+ (first failure: $first)}"
  else
    last_line "$1"
  fi
}

step_conformance() { # BINDING
  run "$JAVA" "${JOPTS[@]}" -Djkernels.cuda.binding="$1" -jar "$JAR" conformance "$GOLDEN" --backend cuda
  record "conformance-$1" "$(status 0)" "$DUR" "$LIMIT" "$(conformance_result "$LOG")"
}

junit_count() { # LOG WHAT: the number on JUnit's "[ N WHAT ]" summary line (0 when absent)
  local n
  n=$(sed -n "s/^\[ *\([0-9]*\) $2 *\]$/\1/p" "$1" | tail -n 1)
  echo "${n:-0}"
}

step_tests() { # BINDING
  run "$JAVA" "${JOPTS[@]}" -Djkernels.cuda.binding="$1" -jar "$CONSOLE" execute \
    --class-path "$CLASS_PATH" --scan-class-path "$TEST_CLASSES" --include-tag gpu --include-engine junit-jupiter \
    --details=tree --disable-banner --disable-ansi-colors --fail-if-no-tests --reports-dir "$OUT/junit-$1"
  local found ok failed cfailed notrun why="" good=1 result
  found=$(junit_count "$LOG" "tests found")
  ok=$(junit_count "$LOG" "tests successful")
  failed=$(junit_count "$LOG" "tests failed")
  cfailed=$(junit_count "$LOG" "containers failed")
  notrun=$((found - ok - failed))
  if [ "$notrun" -gt 0 ]; then
    why=$(grep -m 1 -o 'Assumption failed: .*' "$LOG" | cut -c 1-200)
  fi
  if grep -q 'tests found' "$LOG"; then
    result="$ok passed, $failed failed, $notrun not run of $found${why:+ ($why)}"
    [ "$cfailed" = 0 ] || result="$result; $cfailed test classes failed"
    [ "$failed" = 0 ] || result="$result; first failure: $(grep -m 1 '✘' "$LOG" | sed 's/^[│├└─ ]*//' | cut -c 1-120)"
  else
    result=$(last_line "$LOG")
  fi
  [ "$ok" -gt 0 ] && [ "$failed" = 0 ] && [ "$cfailed" = 0 ] && good=0
  record "gpu-tests-$1" "$(status "$good")" "$DUR" "$LIMIT" "$result"
}

# The ops of torch-peer and bench-ffm, decided once, at the first of the two that runs.
choose_bench_ops() {
  [ -z "${BENCH_WHY:-}" ] || return 0
  local pair=$((DEADLINE - SECONDS - $(reserve_after bench-ffm)))
  if [ -n "${JK_BENCH_OPS:-}" ]; then
    BENCH_OPS=$JK_BENCH_OPS BENCH_WHY="ops of JK_BENCH_OPS"
  elif [ "$REHEARSAL" = 1 ]; then
    BENCH_OPS=$REHEARSAL_OPS BENCH_WHY="rehearsal ops, host scale"
  elif [ "$pair" -ge "$BENCH_FULL_S" ]; then
    BENCH_OPS="" BENCH_WHY="every op"
  else
    BENCH_OPS=$BENCH_SHORT_OPS BENCH_WHY="short list: $((pair < 0 ? 0 : pair)) s left for torch-peer + bench, every op needs ~$BENCH_FULL_S s"
  fi
}

step_torch() {
  choose_bench_ops
  local args=(--json "$OUT/torch.json") result good=1
  [ -z "$BENCH_OPS" ] || args+=(--ops "$BENCH_OPS")
  [ "${JK_TORCH_COMPILE:-0}" = 1 ] || args+=(--no-compile)
  rm -f "$OUT/torch.json"
  run python3 "$PEER_PY" "${args[@]}"
  if [ -s "$OUT/torch.json" ] && python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if any(o.get("status") == "ok" for o in r["ops"]) else 1)' "$OUT/torch.json" 2> /dev/null; then
    PEER=$OUT/torch.json
  fi
  result=$(grep -E '^[0-9]+ rows \([0-9]+ ok\)' "$LOG" | tail -n 1)
  if [ -z "$result" ]; then
    result=$(last_line "$LOG")
    [ "$RC" != 124 ] && [ "$RC" != 137 ] || result="cut short at $(grep -o '^\[[0-9]*/[0-9]*\] [^ ]*' "$LOG" | tail -n 1)"
  fi
  [ -n "${PEER:-}" ] && [ "$RC" = 0 ] && good=0
  [ -n "${PEER:-}" ] || result="$result; no usable torch.json: bench without the ratio"
  record torch-peer "$(status "$good")" "$DUR" "$LIMIT" "$BENCH_WHY$([ "${JK_TORCH_COMPILE:-0}" = 1 ] || echo ', no torch.compile'): $result"
}

bench_result() { # LOG: ops ok/FAILED, the ratio to torch, the launch overhead of one op call
  awk '
    /^\| op \|/ { table = 1; n = split($0, h, "|"); for (i = 1; i <= n; i++) { g = h[i]; gsub(/ /, "", g); if (g == "ratio") rc = i }; next }
    table && /^\|---/ { next }
    table && /^\| / { ops++; if ($0 ~ /FAILED/) { failed++; if (!first) { split($0, f, "|"); first = f[2]; gsub(/ /, "", first) } }
                      else if (rc) { split($0, f, "|"); v = f[rc]; gsub(/ /, "", v); if (v ~ /^[0-9.]+$/ && (v += 0) > 0) { k++; s += log(v); if (!lo || v < lo) lo = v; if (v > hi) hi = v } }
                      next }
    table { table = 0; done = 1 }
    done && / op call, 1 element \|/ { split($0, f, "|"); call = f[5]; gsub(/ /, "", call) }
    END {
      if (!ops) exit 1
      printf "%d ops, %d FAILED%s", ops, failed, first ? " (first: " first ")" : ""
      if (k) printf "; ratio to torch: geomean %.2f (%.2f-%.2f) over %d ops", exp(s / k), lo, hi, k
      if (call != "") printf "; op call %s us", call
    }' "$1"
}

step_bench() {
  choose_bench_ops
  local args=(--backend cuda --json "$OUT/bench-ffm.json" --md "$OUT/bench-ffm.md") result good=1
  [ -z "$BENCH_OPS" ] || args+=(--ops "$BENCH_OPS")
  [ "$REHEARSAL" != 1 ] || args+=(--scale host --repeat 20)
  [ -z "${PEER:-}" ] || args+=(--peer "$PEER")
  run "$JAVA" "${JOPTS[@]}" -Djkernels.cuda.binding=ffm -jar "$JAR" bench "${args[@]}"
  local ran
  ran=$(sed -n 's/^### jkernels bench: //p' "$LOG" | head -n 1)
  if [ "${ran%% *}" = cuda ] && result=$(bench_result "$LOG"); then
    good=0
  elif [ -n "$ran" ]; then
    result="ran on $ran, not on cuda"
  else
    result=$(last_line "$LOG")
    [ "$RC" != 124 ] && [ "$RC" != 137 ] || result="cut short before the tables (bench prints them at the end); see JK_BENCH_OPS"
  fi
  record bench-ffm "$(status "$good")" "$DUR" "$LIMIT" "$BENCH_WHY${PEER:+, with torch}: $result"
}

step_sanitizer() { # TOOL
  if [ -z "$SANITIZER" ]; then
    record "$1" FAIL 0 - "compute-sanitizer not found (PATH, /usr/local/cuda*/bin)"
    return
  fi
  local sub=$WORK/sanitize missing=() cases c
  if [ ! -d "$sub" ]; then
    read -ra cases <<< "$SANITIZER_CASES"
    for c in ${cases[@]+"${cases[@]}"}; do
      if [ -f "$GOLDEN/$c/case.json" ] || [ -d "$GOLDEN/$c" ]; then
        mkdir -p "$sub/$(dirname "$c")" && cp -r "$GOLDEN/$c" "$sub/$c"
      else
        missing+=("$c")
      fi
    done
    mkdir -p "$sub"
    MISSING_CASES=${missing[*]:-}
  fi
  run "$SANITIZER" --tool "$1" --error-exitcode 99 --launch-timeout 60 --print-limit 20 \
    "$JAVA" "${JOPTS[@]}" -Djkernels.cuda.binding=ffm -jar "$JAR" conformance "$sub" --backend cuda
  local summary
  summary=$(grep -o 'ERROR SUMMARY: .*' "$LOG" | tail -n 1)
  record "$1" "$(status 0)" "$DUR" "$LIMIT" "$(conformance_result "$LOG")${summary:+; $summary}${MISSING_CASES:+; missing cases: $MISSING_CASES}"
}

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

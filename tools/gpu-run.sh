#!/usr/bin/env bash
# run.sh of the GPU bundle (built by tools/gpu-bundle.sh). On a machine with an NVIDIA GPU, the
# CUDA driver, compute-sanitizer and (for the peer numbers) PyTorch, but no Java:
#   OUT=/some/dir ./run.sh        (default OUT: ./gpu-out)
# Runs info; benchmarks/torch_peer.py (the PyTorch figures); per binding (ffm, then jcuda) the
# gpu-tagged tests, conformance --backend cuda on the golden cases and bench (with the PyTorch
# ratio); last the golden cases under compute-sanitizer memcheck (limit MEMCHECK_S, default 300 s).
# Each step has a time limit so the whole run fits a short GPU lease. Writes summary.txt (one line
# per step with its exit status), bench-<binding>.json/.md, torch.json and logs.tar.gz (every log)
# into $OUT; exits non-zero when a step failed. Charts are drawn afterwards, on a machine with
# java.desktop: jkernels chart --json bench-ffm.json --peer torch.json --png ratio.png
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-./gpu-out}"
mkdir -p "$OUT"
LOGS="$(mktemp -d)"
# The golden cases travel packed; unpacked here once.
GOLD="$(mktemp -d)"
tar -xzf "$HERE/golden.tar.gz" -C "$GOLD"
JAVA="$HERE/jre/bin/java --enable-native-access=ALL-UNNAMED"
JAR="$HERE/lib/jkernels.jar"
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
failed=0

step() { # step NAME TIMEOUT_S COMMAND...
  local name="$1" limit="$2"; shift 2
  local t0=$(date +%s)
  timeout "$limit" "$@" > "$LOGS/$name.log" 2>&1
  local rc=$?
  local line="$name: rc=$rc ($(( $(date +%s) - t0 )) s) | $(tail -n 1 "$LOGS/$name.log")"
  echo "$line" | tee -a "$SUMMARY"
  [ $rc -eq 0 ] || failed=1
}

step info 120 $JAVA -jar "$JAR" info
nvidia-smi > "$LOGS/nvidia-smi.log" 2>&1 || true
# PyTorch first, so each bench run can put the ratio beside its own numbers.
peer=()
if command -v python3 >/dev/null 2>&1 && [ -f "$HERE/benchmarks/torch_peer.py" ]; then
  step torch-peer "${TORCH_S:-420}" python3 "$HERE/benchmarks/torch_peer.py" --json "$OUT/torch.json"
  [ -s "$OUT/torch.json" ] && peer=(--peer "$OUT/torch.json")
fi
# Per binding: the gpu-tagged tests, the golden cases on cuda, the benchmarks.
for b in ffm jcuda; do
  step "gpu-tests-$b" 300 $JAVA -Djkernels.cuda.binding=$b -jar "$HERE/lib/junit-console.jar" execute \
    --class-path "$JAR:$HERE/test-classes:$GOLD" --scan-class-path "$HERE/test-classes" \
    --include-tag gpu --details=tree --disable-banner --disable-ansi-colors
  step "conformance-cuda-$b" 300 $JAVA -Djkernels.cuda.binding=$b -jar "$JAR" conformance "$GOLD/golden" --backend cuda
  step "bench-$b" 300 $JAVA -Djkernels.cuda.binding=$b -jar "$JAR" bench --backend cuda \
    --json "$OUT/bench-$b.json" --md "$OUT/bench-$b.md" "${peer[@]}"
done
# Last, as it is the slowest: the golden cases under compute-sanitizer memcheck.
if command -v compute-sanitizer >/dev/null 2>&1; then
  step memcheck "${MEMCHECK_S:-300}" compute-sanitizer --tool memcheck --error-exitcode 99 --target-processes all \
    $HERE/jre/bin/java --enable-native-access=ALL-UNNAMED -jar "$JAR" conformance "$GOLD/golden" --backend cuda
else
  echo "memcheck: compute-sanitizer not found" | tee -a "$SUMMARY"; failed=1
fi
tar -czf "$OUT/logs.tar.gz" -C "$LOGS" .
echo "logs: $OUT/logs.tar.gz" >> "$SUMMARY"
exit $failed

#!/usr/bin/env bash
# run.sh of the GPU bundle (built by tools/gpu-bundle.sh). On a machine with an NVIDIA GPU, the
# CUDA driver, compute-sanitizer and (for the peer numbers) PyTorch, but no Java:
#   OUT=/some/dir ./run.sh        (default OUT: ./gpu-out)
# Runs info; the gpu-tagged tests under both bindings (ffm, jcuda); conformance --backend cuda on
# the golden cases under both bindings; the same conformance under compute-sanitizer memcheck;
# bench (when the jar has it) and benchmarks/torch_peer.py. Writes summary.txt (one line per step
# with its exit status) and logs.tar.gz (every log) into $OUT; exits non-zero when a step failed.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-./gpu-out}"
mkdir -p "$OUT"
LOGS="$(mktemp -d)"
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
for b in ffm jcuda; do
  step "gpu-tests-$b" 600 $JAVA -Djkernels.cuda.binding=$b -jar "$HERE/lib/junit-console.jar" execute \
    --class-path "$JAR:$HERE/test-classes:$HERE/golden/.." --scan-class-path "$HERE/test-classes" \
    --include-tag gpu --details=tree --disable-banner --disable-ansi-colors
  step "conformance-cuda-$b" 600 $JAVA -Djkernels.cuda.binding=$b -jar "$JAR" conformance "$HERE/golden" --backend cuda
done
if command -v compute-sanitizer >/dev/null 2>&1; then
  step memcheck 900 compute-sanitizer --tool memcheck --error-exitcode 99 --target-processes all \
    $HERE/jre/bin/java --enable-native-access=ALL-UNNAMED -jar "$JAR" conformance "$HERE/golden/activations" --backend cuda
else
  echo "memcheck: compute-sanitizer not found" | tee -a "$SUMMARY"; failed=1
fi
# PyTorch first, so each bench run can put the ratio beside its own numbers.
peer=()
if command -v python3 >/dev/null 2>&1 && [ -f "$HERE/benchmarks/torch_peer.py" ]; then
  step torch-peer 900 python3 "$HERE/benchmarks/torch_peer.py" --json "$OUT/torch.json"
  [ -s "$OUT/torch.json" ] && peer=(--peer "$OUT/torch.json")
fi
for b in ffm jcuda; do
  step "bench-$b" 900 $JAVA -Djkernels.cuda.binding=$b -Djava.awt.headless=true -jar "$JAR" bench --backend cuda \
    --json "$OUT/bench-$b.json" --md "$OUT/bench-$b.md" "${peer[@]}"
done
tar -czf "$OUT/logs.tar.gz" -C "$LOGS" .
echo "logs: $OUT/logs.tar.gz" >> "$SUMMARY"
exit $failed

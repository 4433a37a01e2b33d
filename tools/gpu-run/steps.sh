# shellcheck shell=bash
# Sourced by tools/gpu-run.sh (the bundle's run.sh, which finds it in gpu-run/ beside itself): the
# steps of the run, each a function that runs its command with run (gpu-run/lib.sh) under the
# LIMIT that plan gave it and records one summary line: step_info, step_conformance BINDING,
# step_tests BINDING, step_torch, step_bench, step_sanitizer TOOL, with the parsers of their logs
# (conformance_result, junit_count, bench_result) and the choice of bench ops (choose_bench_ops).
# Defines functions only; the run's variables (JAVA, JOPTS, JAR, CONSOLE, CLASS_PATH, GOLDEN, ...)
# are set in gpu-run.sh.
# shellcheck disable=SC2034,SC2154  # the run's variables, set and read across gpu-run.sh and its parts

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
  # the op table of the jar under test (torch_peer.py checks its entries against it): the bundle's
  # optable.json, else (the source tree) what the jar writes now
  if [ ! -s "$OPTABLE" ] && [ -n "$JAVA" ]; then
    timeout -k 5 60 "$JAVA" -jar "$JAR" info --json > "$OPTABLE" 2> /dev/null || rm -f "$OPTABLE"
  fi
  [ ! -s "$OPTABLE" ] || args+=(--table "$OPTABLE")
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

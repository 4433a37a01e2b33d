# shellcheck shell=bash
# Sourced by tools/gpu-run.sh (the bundle's run.sh, which finds it in gpu-run/ beside itself): the
# run's bookkeeping, in the shell of the run and on its variables (SUMMARY, COUNT, STEPS, IDX,
# CAP, MIN, OFF, DEADLINE, LIMIT, LOG, CHILD, RC, DUR, STEP_T0). The summary lines (say, record,
# finish) and the signal handler (interrupted); the helpers: last_line, unpack, libcuda,
# find_sanitizer; the time budget (reserve_after, plan) and a step's command under its limit (run,
# status). Defines functions only.
# shellcheck disable=SC2034,SC2154  # the run's variables, set and read across gpu-run.sh and its parts

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
      # shellcheck disable=SC2004  # MIN is an associative array (gpu-run.sh): its key needs the $
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

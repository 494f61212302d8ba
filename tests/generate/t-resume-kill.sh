#!/usr/bin/env bash
# A run killed with SIGKILL midway, then resumed, ends with every sample exactly once and with
# values identical to an uninterrupted run (same inputs, outputs and iteration counts, bitwise).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
args=(-family darcy -n 64 -count 300 -seed 3 -quiet)
"$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/reference.h5"
for attempt in 1 2 3; do
  rm -f "$work/run.h5"
  "$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/run.h5" & pid=$!
  done_count=-1
  for _ in $(seq 1 400); do
    sleep 0.02
    done_count=$("$SOLACE_PYTHON" "$here/check_dataset.py" done "$work/run.h5" 2>/dev/null || echo -1)
    [ "$done_count" -ge 20 ] && break
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  killed_at=$("$SOLACE_PYTHON" "$here/check_dataset.py" done "$work/run.h5")
  echo "attempt $attempt: killed with $killed_at of 300 samples on disk"
  [ "$killed_at" -ge 1 ] && [ "$killed_at" -lt 300 ] && break
done
[ "$killed_at" -ge 1 ] && [ "$killed_at" -lt 300 ] || { echo "could not interrupt the run"; exit 1; }
# without -resume or -force the interrupted file is refused and left as it is
before=$(md5sum < "$work/run.h5")
if "$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/run.h5" 2> "$work/err"; then exit 1; fi
grep -q "exists" "$work/err"
[ "$before" = "$(md5sum < "$work/run.h5")" ]
"$SOLACE_BIN/solace-generate" "${args[@]}" -o "$work/run.h5" -resume > /dev/null
"$SOLACE_BIN/solace-generate" -family darcy -n 64 -count 300 -seed 3 -o "$work/run.h5" -resume > "$work/again"
grep -q "(0 solved now, 300 already on disk)" "$work/again"
"$SOLACE_PYTHON" "$here/check_dataset.py" same "$work/reference.h5" "$work/run.h5" --rtol 0
echo "generate-resume-kill: passed"

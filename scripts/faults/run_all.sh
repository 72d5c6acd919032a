#!/usr/bin/env bash
# Runs the four fault scripts one after the other (they share the database macnss_faults and Redis DB 11)
# and prints a summary with each script's duration. Exit status 1 if any script fails.
# Extra arguments go to redis_outage.py (e.g. --assume-fix).
# Usage: scripts/faults/run_all.sh [--assume-fix]
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
status=0
summary=()
start_all=$(date +%s)
for script in redis_outage worker_kill postgres_restart sms_provider_errors storage_outage; do
  echo "=== $script ==="
  start=$(date +%s)
  if [ "$script" = redis_outage ]; then
    "$PY" "scripts/faults/$script.py" "$@"
  else
    "$PY" "scripts/faults/$script.py"
  fi
  rc=$?
  took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then summary+=("PASS $script (${took} s)"); else summary+=("FAIL $script (${took} s)"); status=1; fi
done
echo "=== summary ($(( $(date +%s) - start_all )) s) ==="
printf '%s\n' "${summary[@]}"
exit $status

#!/usr/bin/env bash
# Run pytest and report its result faithfully. Exit code 5 ("no tests collected") is a failure
# here: a suite that runs nothing must never look green.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing on purpose." >&2
  exit 1
fi
exit "$status"

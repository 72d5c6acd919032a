#!/usr/bin/env bash
# Start a ClamAV daemon for the tests (used by .ci/run): Debian's clamav-daemon, installed if missing (as root),
# listening on a unix socket only, with the repository's signature database (deploy/clamav/signatures/).
# Waits, bounded, until the socket answers PING. Prints the socket path on the last line of stdout.
#   scripts/clamav/start-clamd.sh [RUN_DIR]     (default: test-artifacts/clamd)
#   CLAMD_WAIT_SECONDS (default 120): how long to wait for the first PONG.
set -euo pipefail
cd "$(dirname "$0")/../.."
run_dir="$(realpath -m "${1:-test-artifacts/clamd}")"
wait_seconds="${CLAMD_WAIT_SECONDS:-120}"
signatures="$(realpath deploy/clamav/signatures)"

if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing clamav-daemon" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends clamav-daemon clamdscan >&2
  else
    echo "clamd is missing: sudo apt-get install clamav-daemon clamdscan" >&2
    exit 1
  fi
fi
clamd_bin="$(command -v clamd || echo /usr/sbin/clamd)"

mkdir -p "$run_dir"
socket="$run_dir/clamd.sock"
config="$run_dir/clamd.conf"
# A clamd from an earlier run in the same directory is stopped first.
if [ -f "$run_dir/clamd.pid" ] && kill -0 "$(cat "$run_dir/clamd.pid")" 2>/dev/null; then
  kill "$(cat "$run_dir/clamd.pid")" && sleep 1
fi
rm -f "$socket"
sed -e "s|@SIGNATURES@|$signatures|" -e "s|@SOCKET@|$socket|" -e "s|@RUN_DIR@|$run_dir|" \
  deploy/clamav/clamd-ci.conf.in > "$config"

"$clamd_bin" --config-file="$config" >&2

python3 - "$socket" "$wait_seconds" <<'PY'
import socket, sys, time
path, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(path)
            s.sendall(b"zPING\0")
            if s.recv(16).startswith(b"PONG"):
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(f"clamd did not answer PING on {path} within {sys.argv[2]} s")
    time.sleep(0.5)
PY
echo "$socket"

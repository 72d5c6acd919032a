#!/usr/bin/env bash
# PgBouncer in transaction mode on loopback, in front of PostgreSQL at 127.0.0.1:5432 (Debian's pgbouncer).
#   scripts/services/pgbouncer.sh start | stop | env
# Installs the package when root and missing. Every database name is passed through (wildcard entry).
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${PGBOUNCER_DIR:-${TMPDIR:-/tmp}/macnss-pgbouncer}"
PORT="${PGBOUNCER_PORT:-6432}"

case "${1:-}" in
  start)
    if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
      if [ "$(id -u)" = "0" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
      else
        echo "pgbouncer is missing: sudo apt-get install pgbouncer" >&2; exit 1
      fi
    fi
    bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
    mkdir -p "$DIR"
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      echo '"postgres" ""' > "$DIR/users.txt"
      cat > "$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 40
ignore_startup_parameters = extra_float_digits,options
server_reset_query =
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
      # pgbouncer refuses to run as root: hand it to the postgres (or nobody) user.
      runas=""
      if [ "$(id -u)" = "0" ]; then
        owner="$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)"
        chown -R "$owner" "$DIR"
        runas="-u $owner"
      fi
      "$bin" -d $runas "$DIR/pgbouncer.ini"
      for _ in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        sleep 0.2
      done
    fi
    psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "select 1" >/dev/null
    echo "PgBouncer (transaction mode) on 127.0.0.1:$PORT"
    ;;
  stop)
    [ -f "$DIR/pgbouncer.pid" ] && kill "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null || true
    ;;
  env)
    echo "PGBOUNCER_PORT=$PORT"
    echo "DB_BEHIND_PGBOUNCER=true"
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac

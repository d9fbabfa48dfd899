#!/usr/bin/env bash
# The object-store tests of certify-batch (embedded) and certify-cluster (scheduler and
# executors) against a real S3 protocol server: moto's (PyPI,
# installed by scripts/setup.sh into .deps/venv-s3) on a free loopback port, with a bucket
# made for the test; the job reads s3:// inputs through the same client a province's run
# would use (object_store's AmazonS3, configured from AWS_* variables).
#
# With arguments, runs that command with the store's variables set instead (CI runs the
# whole `cargo test` so: the two tests run with the rest, nothing is built twice).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="$(mktemp /tmp/certify-s3.XXXXXX.log)"
.deps/venv-s3/bin/moto_server -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
ENDPOINT="http://127.0.0.1:$PORT"
python3 - "$ENDPOINT" <<'PY'
import sys, time, urllib.request
url = sys.argv[1] + "/certify-test"
for _ in range(100):
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="PUT"), timeout=2)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the S3 test server did not start")
PY
export AWS_ACCESS_KEY_ID=certify-test AWS_SECRET_ACCESS_KEY=certify-test AWS_REGION=us-east-1
export AWS_ENDPOINT="$ENDPOINT" AWS_ALLOW_HTTP=true CERTIFY_TEST_S3_ENDPOINT="$ENDPOINT"
if [ "$#" -gt 0 ]; then
  "$@"
  exit
fi
# --workspace: the features the workspace build unified, so nothing is rebuilt (selecting the
# two packages alone rebuilt DataFusion with a narrower feature set: 5 minutes of CI).
cargo test --locked --workspace --test object_store --test cluster -- --nocapture 2>&1 | grep -v "^\s*$"

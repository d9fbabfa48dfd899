#!/usr/bin/env bash
# Set up, build and start the reference server on SQLite with the demo roster and staff
# accounts (examples/reference-server/config/demo.toml), printing where to point a client.
# Pass another config file as the first argument (e.g. one with a postgres:// URL).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh run >/dev/null
export ORT_DYLIB_PATH="$PWD/.deps/onnxruntime/libonnxruntime.so"
cargo build --quiet --release --locked -p certify-server --bin certify-server
CONFIG="${1:-examples/reference-server/config/demo.toml}"
cat <<'HELP'
Point a client at the address below. Try:
  curl -s -X POST http://127.0.0.1:8080/api/login/card -H 'content-type: application/json' \
       -d '{"id_number":"610526195503011236","pin":"123456"}'
Staff console: /staff/review (reviewer1 / review-demo-1; admin / admin-demo-1).
SMS codes are printed here by the demo sender, marked [DEMO SMS].
HELP
exec ./target/release/certify-server "$CONFIG"

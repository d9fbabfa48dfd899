#!/usr/bin/env bash
# A Ballista cluster of certify-cluster processes on this machine (loopback), for trying
# the distributed comparison:
#   scripts/cluster.sh start [EXECUTORS]   scheduler on 127.0.0.1:50050, executors from :50061
#   scripts/cluster.sh stop
# Then: certify-cluster compare --cluster df://127.0.0.1:50050 --config … --roster … \
#         --certifications … --events … --date … --out …
# On real machines run `certify-cluster scheduler --bind <ip>:50050` on one and
# `certify-cluster executor --scheduler <ip>:50050 --bind-host <own ip>` on each of the
# others, with the input files on a filesystem every machine mounts at the same path.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/cluster
BIN=target/release/certify-cluster
case "${1:-}" in
  start)
    N="${2:-2}"
    cargo build --release --locked -p certify-cluster --bin certify-cluster
    mkdir -p "$DIR"
    "$BIN" scheduler --bind 127.0.0.1:50050 > "$DIR/scheduler.log" 2>&1 &
    echo $! > "$DIR/scheduler.pid"
    for i in $(seq 1 "$N"); do
      mkdir -p "$DIR/work$i"
      "$BIN" executor --scheduler 127.0.0.1:50050 --port $((50059 + 2 * i)) --grpc-port $((50060 + 2 * i)) \
        --work-dir "$DIR/work$i" > "$DIR/executor$i.log" 2>&1 &
      echo $! > "$DIR/executor$i.pid"
    done
    echo "scheduler df://127.0.0.1:50050 and $N executors; logs in $DIR"
    ;;
  stop)
    for p in "$DIR"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; rm -f "$p"; done
    ;;
  *) echo "usage: $0 start [EXECUTORS] | stop" >&2; exit 2 ;;
esac

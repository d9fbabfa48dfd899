#!/usr/bin/env bash
# Data comparison benchmark: certify-batch (DataFusion) vs DuckDB vs Polars, side by side.
#   benches/compare/run.sh [PEOPLE] [EVENTS_PER_PERSON] [csv|parquet]
# Defaults: 1,000,000 people × 20 events (about 20M event rows), Parquet.
# Generates the data once per size under target/compare-data/, installs duckdb and polars
# from PyPI into .deps/venv-bench, builds certify-batch in release mode (in $CARGO_TARGET_DIR if set).
set -euo pipefail
cd "$(dirname "$0")/../.."
PEOPLE="${1:-1000000}"
EVENTS="${2:-20}"
FORMAT="${3:-parquet}"
RUN_DATE="2026-11-02"
DATA="target/compare-data/${PEOPLE}x${EVENTS}"
. benches/python-venv.sh
cargo build --release --locked -p certify-batch --bin certify-batch
# CARGO_TARGET_DIR: a separate directory lets the release build run beside a debug one.
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/certify-batch"
if [ ! -f "$DATA/events.parquet" ]; then
  "$BIN" generate --people "$PEOPLE" --events-per-person "$EVENTS" --date "$RUN_DATE" --seed 1 --out "$DATA" --parquet
fi
echo "== $PEOPLE people, $(($(wc -l < "$DATA/events.csv") - 1)) event rows ($FORMAT); $(nproc) cores"
"$VENV/bin/python" benches/compare/bench.py "$DATA" "$RUN_DATE" "$BIN" "$FORMAT"

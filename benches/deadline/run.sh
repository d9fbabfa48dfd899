#!/usr/bin/env bash
# Deadline run benchmark: the streaming `certify cycle run` vs DuckDB vs Polars, side by side.
#   benches/deadline/run.sh [PEOPLE]      (default 5,000,000)
# Generates a roster and certification records (CSV, no events) once per size under
# target/compare-data/, installs duckdb and polars from PyPI into .deps/venv-bench, builds
# `certify` and `certify-batch` (the generator) in release mode (in $CARGO_TARGET_DIR if set),
# and runs benches/compare/bench.py in its deadline mode at 1 and 2 threads.
set -euo pipefail
cd "$(dirname "$0")/../.."
PEOPLE="${1:-5000000}"
RUN_DATE="2026-11-02"
DATA="target/compare-data/${PEOPLE}x0"
. benches/python-venv.sh
cargo build --release --locked -p certify-cli --bin certify -p certify-batch --bin certify-batch
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
if [ ! -f "$DATA/roster.csv" ]; then
  "$BIN/certify-batch" generate --people "$PEOPLE" --events-per-person 0 --date "$RUN_DATE" --seed 1 --out "$DATA"
fi
echo "== $PEOPLE people, $(($(wc -l < "$DATA/certifications.csv") - 1)) certification rows (csv); $(nproc) cores"
"$VENV/bin/python" benches/compare/bench.py "$DATA" "$RUN_DATE" "$BIN/certify" csv deadline

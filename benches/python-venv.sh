# Sourced by the side-by-side benchmarks (benches/compare/run.sh, benches/deadline/run.sh):
# DuckDB and Polars from PyPI, at the versions the README's tables name, in .deps/venv-bench.
VENV=.deps/venv-bench
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb, polars" 2>/dev/null || "$VENV/bin/pip" install --quiet duckdb==2.0.1 polars==2.1.0

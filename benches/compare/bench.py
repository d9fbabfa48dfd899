"""Data comparison, side by side in one run: certify-batch (DataFusion, embedded) against
DuckDB and Polars doing the same joins on the same files, at 1 and 2 threads: wall time,
peak memory, and the counts, which must agree.

DuckDB and Polars cannot call certify's core, so here (and only here) the rule is written
out for the one policy benchmarked, Inner Mongolia's natural year (deadline October 31):
an event counts from January 1 of the run year, or for a person suspended for a lapse from
the first unpaid month if earlier; it certifies those not yet certified this year; the
uncertified active are suspended after the deadline; the lapsed who certified since their
suspension are resumed. Roster rows of other schemes and unreadable amounts are skipped,
as certify does. Identity numbers are compared as text (the generator's unreadable ones
never equal a roster number).

DuckDB runs twice: `duckdb` computes only the three counts (left joins, the newest event's
day alone, nothing written), the baseline of the issue's target; `duckdb-lists` does what
certify-batch's run does — full joins that keep unknown people, the newest event's texts,
the roster's text columns, the lists written as CSV ([`duckdb_lists`]) — with list sizes
that can be compared with certify-batch's (unknown people differ by the numbers of valid
shape that the core refuses).

Usage: python3 benches/compare/bench.py DATA_DIR RUN_DATE CERTIFY_BATCH_BINARY [csv|parquet]
(run by benches/compare/run.sh, which generates the data and installs duckdb and polars).

Deadline-run mode (benches/deadline/run.sh): CERTIFY_BATCH_BINARY is the `certify` CLI, the
data has no events, and certify's side is the streaming `certify cycle run` (with
`--threads`), against the same DuckDB and Polars queries (whose event side is then empty):
python3 benches/compare/bench.py DATA_DIR RUN_DATE CERTIFY_BINARY csv deadline
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "..", "..", "examples", "regions", "inner-mongolia.toml")


def duckdb_counts(data, run_date, threads, fmt):
    import duckdb

    con = duckdb.connect(config={"threads": threads, "memory_limit": "2GB"})
    read = (lambda n: f"read_parquet('{data}/{n}.parquet')") if fmt == "parquet" else (
        lambda n: f"read_csv('{data}/{n}.csv', all_varchar=true, header=true)"
    )
    sql = f"""
    WITH r AS (
      SELECT trim(id_number) AS id, TRY_CAST(monthly_pension AS DECIMAL(12,2)) AS amount,
             coalesce(status, '') AS status, suspended_from,
             coalesce(nullif(suspension_reason, ''), 'certification_lapse') AS reason
      FROM {read('roster')} WHERE coalesce(scheme, '') IN ('', 'enterprise')
    ), c AS (
      SELECT trim(id_number) AS id, max(TRY_CAST(date AS DATE)) AS last
      FROM {read('certifications')}
      WHERE coalesce(outcome, '') IN ('', 'passed') AND TRY_CAST(date AS DATE) <= DATE '{run_date}'
      GROUP BY 1
    ), e AS (
      SELECT trim(id_number) AS id, max(TRY_CAST(date AS DATE)) AS ev
      FROM {read('events')} WHERE TRY_CAST(date AS DATE) <= DATE '{run_date}' GROUP BY 1
    ), j AS (
      SELECT r.*, c.last, e.ev,
             make_date(year(DATE '{run_date}'), 1, 1) AS counts_from,
             make_date(year(DATE '{run_date}'), 10, 31) AS deadline,
             CAST(r.suspended_from || '-01' AS DATE) AS susp
      FROM r LEFT JOIN c USING (id) LEFT JOIN e USING (id) WHERE r.amount > 0
    ), d AS (
      SELECT *,
        CASE
          WHEN status = 'suspended' AND reason <> 'certification_lapse' THEN false
          WHEN status = 'suspended' THEN ev >= least(susp, counts_from)
          ELSE coalesce(last >= counts_from, false) = false AND ev >= counts_from
        END AS by_event
      FROM j
    ), f AS (
      SELECT *, CASE WHEN by_event THEN greatest(coalesce(last, ev), ev) ELSE last END AS last2 FROM d
    )
    SELECT
      count(*) FILTER (WHERE by_event) AS certified_by_events,
      count(*) FILTER (WHERE status <> 'suspended' AND coalesce(last2 >= counts_from, false) = false
                        AND DATE '{run_date}' > deadline) AS suspended,
      count(*) FILTER (WHERE status = 'suspended' AND reason = 'certification_lapse'
                        AND (coalesce(last2 >= counts_from, false) OR coalesce(last2 >= susp, false))) AS resumed
    FROM f
    """
    row = con.execute(sql).fetchone()
    return {"certified_by_events": row[0], "suspended": row[1], "resumed": row[2]}


def duckdb_lists(data, run_date, threads, fmt):
    """DuckDB doing the job certify-batch does, not only its counts: full joins (unknown
    people kept), the newest event's day, source, reference and kind packed as certify packs
    them (greatest day, then greatest texts), the roster's text columns carried through, and
    the lists written as CSV (new certification records, suspensions and resumptions with
    back pay, the uncertified per person and per unit, unknown people). Back pay here is the
    months since suspension times the amount; certify also splits off the months to review.
    Returns the three counts and each list's row count."""
    import duckdb

    con = duckdb.connect(config={"threads": threads, "memory_limit": "2GB"})
    read = (lambda n: f"read_parquet('{data}/{n}.parquet')") if fmt == "parquet" else (
        lambda n: f"read_csv('{data}/{n}.csv', all_varchar=true, header=true)"
    )
    run = f"DATE '{run_date}'"
    con.execute(f"""
    CREATE TEMP TABLE f AS
    WITH r AS (
      SELECT trim(id_number) AS id, name, unit, TRY_CAST(monthly_pension AS DECIMAL(12,2)) AS amount,
             coalesce(status, '') AS status, suspended_from,
             coalesce(nullif(suspension_reason, ''), 'certification_lapse') AS reason,
             coalesce(scheme, '') IN ('', 'enterprise') AS in_scheme
      FROM {read('roster')}
    ), c AS (
      SELECT trim(id_number) AS id, count(*) AS cert_rows,
             max(TRY_CAST(date AS DATE)) FILTER (WHERE coalesce(outcome, '') IN ('', 'passed')
                                                   AND TRY_CAST(date AS DATE) <= {run}) AS last
      FROM {read('certifications')} GROUP BY 1
    ), e AS (
      SELECT id, count(*) AS events,
             max(CAST(d AS VARCHAR) || chr(31) || source || chr(31) || reference || chr(31) || kind)
                 FILTER (WHERE d <= {run}) AS newest
      FROM (SELECT trim(id_number) AS id, TRY_CAST(date AS DATE) AS d, source, reference, kind
            FROM {read('events')}) GROUP BY 1
    ), side AS (
      SELECT coalesce(c.id, e.id) AS id, c.cert_rows, c.last, e.events, e.newest,
             CAST(split_part(e.newest, chr(31), 1) AS DATE) AS ev
      FROM c FULL JOIN e ON c.id = e.id
    ), j AS (
      SELECT r.id IS NOT NULL AS on_roster, coalesce(r.id, side.id) AS id, r.name, r.unit, r.amount,
             r.status, r.reason, side.cert_rows, side.events, side.last, side.ev, side.newest,
             make_date(year({run}), 1, 1) AS counts_from,
             make_date(year({run}), 10, 31) AS deadline,
             CAST(r.suspended_from || '-01' AS DATE) AS susp
      FROM r FULL JOIN side ON r.id = side.id
      WHERE r.id IS NULL OR (r.in_scheme AND r.amount > 0)
    ), d AS (
      SELECT *,
        CASE
          WHEN NOT on_roster THEN false
          WHEN status = 'suspended' AND reason <> 'certification_lapse' THEN false
          WHEN status = 'suspended' THEN ev >= least(susp, counts_from)
          ELSE coalesce(last >= counts_from, false) = false AND ev >= counts_from
        END AS by_event
      FROM j
    )
    SELECT *, CASE WHEN by_event THEN greatest(coalesce(last, ev), ev) ELSE last END AS last2 FROM d
    """)
    con.execute(f"""
    CREATE TEMP VIEW v AS SELECT *,
      on_roster AND status <> 'suspended' AND coalesce(last2 >= counts_from, false) = false
        AND {run} > deadline AS suspend,
      on_roster AND status = 'suspended' AND reason = 'certification_lapse'
        AND (coalesce(last2 >= counts_from, false) OR coalesce(last2 >= susp, false)) AS resume
    FROM f""")
    out = tempfile.mkdtemp()
    queries = {
        "certifications": "SELECT id, ev AS date, 'data_comparison' AS method, split_part(newest, chr(31), 2) AS source, "
        "split_part(newest, chr(31), 3) AS reference, split_part(newest, chr(31), 4) AS kind FROM v WHERE by_event",
        "run": f"SELECT id, name, CASE WHEN suspend THEN 'suspend' ELSE 'resume' END AS action, "
        f"strftime(CASE WHEN suspend THEN deadline + INTERVAL 1 DAY ELSE susp END, '%Y-%m') AS from_month, "
        f"CASE WHEN suspend THEN deadline END AS deadline, "
        f"CASE WHEN resume THEN strftime({run}, '%Y-%m') END AS resume_from, "
        f"CASE WHEN resume THEN date_diff('month', susp, date_trunc('month', {run})) END AS back_pay_months, "
        f"CASE WHEN resume THEN date_diff('month', susp, date_trunc('month', {run})) * amount END AS back_pay_yuan, "
        f"CASE WHEN resume THEN last2 END AS certified_on FROM v WHERE suspend OR resume",
        "uncertified": "SELECT unit, id, name, CASE WHEN suspend THEN 'suspended_now' ELSE 'still_suspended' END AS standing "
        "FROM v WHERE suspend OR (on_roster AND status = 'suspended' AND reason = 'certification_lapse' AND NOT resume)",
        "unknown_people": "SELECT id, events, cert_rows FROM v WHERE NOT on_roster AND regexp_full_match(id, '[0-9]{17}[0-9X]')",
    }
    rows = {}
    for name, sql in queries.items():
        rows[name] = con.execute(f"COPY ({sql}) TO '{out}/{name}.csv' (HEADER)").fetchone()[0]
    rows["units"] = con.execute(
        f"COPY (SELECT unit, count(*) AS uncertified FROM read_csv('{out}/uncertified.csv') GROUP BY unit ORDER BY unit) "
        f"TO '{out}/units.csv' (HEADER)"
    ).fetchone()[0]
    row = con.execute("SELECT count(*) FILTER (WHERE by_event), count(*) FILTER (WHERE suspend), "
                      "count(*) FILTER (WHERE resume) FROM v").fetchone()
    import shutil

    shutil.rmtree(out)
    return {"certified_by_events": row[0], "suspended": row[1], "resumed": row[2]}, rows


def polars_counts(data, run_date, threads, fmt):
    # POLARS_MAX_THREADS is read at import: set by the caller's environment.
    import datetime

    import polars as pl

    rd = datetime.date.fromisoformat(run_date)
    if fmt == "parquet":
        scan = lambda n: pl.scan_parquet(f"{data}/{n}.parquet")
    else:
        scan = lambda n: pl.scan_csv(f"{data}/{n}.csv", infer_schema=False)
    day = lambda c: pl.col(c).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    r = (
        scan("roster")
        .filter(pl.col("scheme").fill_null("").is_in(["", "enterprise"]))
        .with_columns(
            pl.col("id_number").str.strip_chars().alias("id"),
            pl.col("monthly_pension").cast(pl.Decimal(12, 2), strict=False).alias("amount"),
            pl.col("status").fill_null(""),
            pl.when(pl.col("suspension_reason").fill_null("") == "")
            .then(pl.lit("certification_lapse"))
            .otherwise(pl.col("suspension_reason"))
            .alias("reason"),
            (pl.col("suspended_from") + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("susp"),
        )
        .filter(pl.col("amount") > 0)
        .select("id", "status", "reason", "susp")
    )
    c = (
        scan("certifications")
        .with_columns(day("date").alias("d"), pl.col("id_number").str.strip_chars().alias("id"))
        .filter(pl.col("outcome").fill_null("").is_in(["", "passed"]) & (pl.col("d") <= rd))
        .group_by("id")
        .agg(pl.col("d").max().alias("last"))
    )
    e = (
        scan("events")
        .with_columns(day("date").alias("d"), pl.col("id_number").str.strip_chars().alias("id"))
        .filter(pl.col("d") <= rd)
        .group_by("id")
        .agg(pl.col("d").max().alias("ev"))
    )
    counts_from = datetime.date(rd.year, 1, 1)
    deadline = datetime.date(rd.year, 10, 31)
    j = r.join(c, on="id", how="left").join(e, on="id", how="left")
    lapsed = (pl.col("status") == "suspended") & (pl.col("reason") == "certification_lapse")
    other = (pl.col("status") == "suspended") & (pl.col("reason") != "certification_lapse")
    since = pl.min_horizontal(pl.col("susp"), pl.lit(counts_from))
    by_event = (
        pl.when(other)
        .then(False)
        .when(lapsed)
        .then((pl.col("ev") >= since).fill_null(False))
        .otherwise(~(pl.col("last") >= counts_from).fill_null(False) & (pl.col("ev") >= counts_from).fill_null(False))
    )
    j = j.with_columns(by_event.alias("by_event"))
    j = j.with_columns(
        pl.when(pl.col("by_event")).then(pl.max_horizontal("last", "ev")).otherwise(pl.col("last")).alias("last2")
    )
    certified_now = (pl.col("last2") >= counts_from).fill_null(False)
    out = j.select(
        pl.col("by_event").sum().alias("certified_by_events"),
        ((pl.col("status") != "suspended") & ~certified_now & pl.lit(rd > deadline)).sum().alias("suspended"),
        (lapsed & (certified_now | (pl.col("last2") >= pl.col("susp")).fill_null(False))).sum().alias("resumed"),
    ).collect(engine="streaming")
    return {k: int(out[k][0]) for k in out.columns}


def one(engine, data, run_date, threads, fmt, binary):
    """Run one engine in this (fresh) process; print seconds, peak RSS and counts."""
    t = time.perf_counter()
    if engine == "certify-cycle-run":
        with tempfile.TemporaryDirectory() as out:
            summary = os.path.join(out, "summary.json")
            subprocess.run(
                [binary, "cycle", "run", "--config", CONFIG, "--roster", f"{data}/roster.csv",
                 "--certifications", f"{data}/certifications.csv", "--date", run_date,
                 "--output", os.path.join(out, "run.csv"), "--summary", summary, "--threads", str(threads)],
                check=True, stderr=subprocess.DEVNULL,
            )
            s = json.load(open(summary))
        counts = {"certified_by_events": 0, "suspended": s["suspended"], "resumed": s["resumed"]}
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    elif engine.startswith("certify-batch"):
        # certify-batch-sort-merge: the same job with the joins that spill, beside the
        # automatic choice (hash joins when the roster fits).
        joins = "sort-merge" if engine.endswith("sort-merge") else "auto"
        inputs = []
        ext = "parquet" if fmt == "parquet" else "csv"
        for flag, name in (("--roster", "roster"), ("--certifications", "certifications"), ("--events", "events")):
            inputs += [flag, f"{data}/{name}.{ext}"]
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [binary, "compare", "--config", CONFIG, *inputs, "--date", run_date, "--out", out,
                 "--threads", str(threads), "--memory", "2G", "--joins", joins],
                check=True, stderr=subprocess.DEVNULL,
            )
            s = json.load(open(os.path.join(out, "summary.json")))
        counts = {"certified_by_events": s["certified_by_events"], "suspended": s["suspended"], "resumed": s["resumed"]}
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    elif engine == "duckdb":
        counts = duckdb_counts(data, run_date, threads, fmt)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elif engine == "duckdb-lists":
        counts, lists = duckdb_lists(data, run_date, threads, fmt)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    else:
        counts = polars_counts(data, run_date, threads, fmt)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {"seconds": time.perf_counter() - t, "peak_mib": rss / 1024, "counts": counts}
    if engine == "duckdb-lists":
        result["list_rows"] = lists
    print(json.dumps(result))


def main():
    if sys.argv[1] == "one":
        engine, data, run_date, threads, fmt, binary = sys.argv[2:8]
        one(engine, data, run_date, int(threads), fmt, binary)
        return
    data, run_date, binary = sys.argv[1:4]
    fmt = sys.argv[4] if len(sys.argv) > 4 else "parquet"
    ours = "certify-cycle-run" if len(sys.argv) > 5 and sys.argv[5] == "deadline" else "certify-batch"
    results = {}
    engines = (ours, "duckdb", "polars")
    if ours == "certify-batch":
        engines = (ours, "certify-batch-sort-merge", "duckdb", "duckdb-lists", "polars")
    for threads in (1, 2):
        for engine in engines:
            env = dict(os.environ, POLARS_MAX_THREADS=str(threads))
            best = None
            for _ in range(2):
                out = subprocess.run(
                    [sys.executable, __file__, "one", engine, data, run_date, str(threads), fmt, binary],
                    check=True, capture_output=True, text=True, env=env,
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                if best is None or r["seconds"] < best["seconds"]:
                    best = r
            results[(engine, threads)] = best
            print(f"{fmt} threads={threads} {engine:24} {best['seconds']:8.2f} s  peak {best['peak_mib']:8.1f} MiB  {best['counts']}",
                  best.get("list_rows", ""), flush=True)
    counts = {json.dumps(r["counts"], sort_keys=True) for r in results.values()}
    if len(counts) != 1:
        print("COUNTS DIFFER:", counts)
        sys.exit(1)
    print("counts agree:", counts.pop())
    for threads in (1, 2):
        mine = results[(ours, threads)]["seconds"]
        duck = results[("duckdb", threads)]["seconds"]
        print(f"threads={threads}: {ours} / DuckDB = {mine / duck:.2f}")
        if ours == "certify-batch":
            merge = results[("certify-batch-sort-merge", threads)]["seconds"]
            print(f"threads={threads}: certify-batch --joins sort-merge / DuckDB = {merge / duck:.2f}")
            lists = results[("duckdb-lists", threads)]["seconds"]
            print(f"threads={threads}: {ours} / DuckDB writing the same lists = {mine / lists:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark of full-text search: index build, one-document update, query latency.

    python bench/search_bench.py --db WAREHOUSE [--build-from SRC] [--repeat 5]

``--build-from SRC`` copies warehouse SRC (any earlier run's; its index is dropped) to
``--db`` and builds the index as a run would (a private build, published), timing it
in wall and CPU seconds.  Then, on ``--db``:

* query latency of ``search()`` on one open read-only connection (wall, and the CPU
  seconds of the process, which a busy machine does not inflate), over a fixed set of
  queries: analyst-style phrases plus words with a letter drawn (seeded) from the
  index's own vocabulary in three bands of document frequency (rare, middle, the most
  common),
  each run ``--repeat`` times; medians, p90 and max, overall and per band; the phrases
  again with a ``family_filter``;
* ``ingest search`` end to end (a new process each time) for a few of them;
* ``--update``: one document re-indexed as a one-file run would (its ``run_id``
  changed in a private build, then published), the index step's seconds.

Numbers are printed and written as JSON to ``--out`` (default
``bench/results/search-<n>docs.json``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from ingest import search_index
from ingest.search import COLUMNS
from ingest.sql import literal
from ingest.warehouse import Warehouse

PHRASES = [
    "CYP3A4",
    "grapefruit interaction",
    "renal impairment dose",
    "hepatic impairment",
    "IC50 cardiomyocytes",
    "pregnancy",
    "QT prolongation",
    "monoclonal antibody",
    "once daily",
    "patients",
]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def build(src: Path, db: Path) -> dict[str, Any]:
    """Copy ``src`` to ``db`` and publish it once: the index is built from scratch (any
    index the copy holds is dropped first, so the warehouse of any earlier run will do)."""
    shutil.copyfile(src, db)
    with duckdb.connect(str(db)) as con:
        search_index.drop(con)
    t0, c0 = time.perf_counter(), _cpu()
    with Warehouse(db) as wh:
        wh.publish()
    return {
        "wall_s": time.perf_counter() - t0,
        "cpu_s": _cpu() - c0,
        "timings_s": dict(wh.timings),
        "mb_before": src.stat().st_size / 1e6,
        "mb_after": db.stat().st_size / 1e6,
    }


def update_one(db: Path) -> dict[str, Any]:
    """One document reloaded (new run_id) and published: the index step's seconds."""
    with Warehouse(db) as wh:
        wh.query("UPDATE documents SET run_id = 'bench-update' WHERE doc_id = "
                 "(SELECT min(doc_id) FROM documents)")  # fmt: skip
        wh.publish()
    return {k: v for k, v in wh.timings.items() if k.startswith(("search", "checkpoint"))}


def queries(con: duckdb.DuckDBPyConnection, seed: int = 7) -> list[tuple[str, str]]:
    """(band, query) pairs: the phrases, then words of the index by document frequency."""
    df = con.execute(
        "SELECT w.word, d.df FROM (SELECT term_id, count(*) AS df FROM search_postings "
        "GROUP BY term_id) d JOIN (SELECT term_id, min(word) AS word FROM search_words "
        # Words with a letter: most of the vocabulary is numbers from table cells, which
        # hit table rows only (the cheapest case), and analysts type words.
        "WHERE regexp_matches(word, '[a-z]') GROUP BY term_id) w USING (term_id) "
        "ORDER BY d.df, w.word"
    ).fetchall()
    rng = random.Random(seed)
    n = len(df)
    rare = [w for w, f in df[: n // 3]]
    middle = [w for w, f in df[n // 3 : 2 * n // 3]]
    common = [w for w, f in df[-20:]]
    out = [("phrase", q) for q in PHRASES]
    out += [("rare", q) for q in rng.sample(rare, min(10, len(rare)))]
    out += [("middle", q) for q in rng.sample(middle, min(10, len(middle)))]
    out += [("common", q) for q in rng.sample(common, min(5, len(common)))]
    out += [
        ("two words", f"{a} {b}")
        for a, b in zip(rng.sample(middle, 5), rng.sample(rare, 5), strict=True)
    ]
    return out


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {
        "median_ms": 1000 * statistics.median(xs),
        "p90_ms": 1000 * xs[int(0.9 * (len(xs) - 1))],
        "max_ms": 1000 * xs[-1],
        "n": len(xs),
    }


def latency(db: Path, qs: list[tuple[str, str]], repeat: int, family: str | None) -> dict[str, Any]:
    """Median of ``repeat`` runs of each query; then statistics over the queries."""
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": "256MB"})
    per: list[dict[str, Any]] = []
    for band, q in qs:
        sql = (f"SELECT {', '.join(COLUMNS)} FROM search({literal(q)}, max_hits := 20, "
               f"family_filter := {literal(family)})")  # fmt: skip
        times, cpus, hits = [], [], 0
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), _cpu()
            hits = len(con.execute(sql).fetchall())
            times.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
        per.append({"band": band, "query": q, "hits": hits, "first_s": times[0],
                    "median_s": statistics.median(times),
                    "median_cpu_s": statistics.median(cpus)})  # fmt: skip
    con.close()
    bands = {b for b, _ in qs}
    return {
        "all": _stats([p["median_s"] for p in per]),
        "first_run": _stats([p["first_s"] for p in per]),
        # CPU seconds of this process (DuckDB's threads included): what the query costs
        # whatever else the machine runs; wall time on a busy machine is larger.
        "cpu": _stats([p["median_cpu_s"] for p in per]),
        "bands": {b: _stats([p["median_s"] for p in per if p["band"] == b]) for b in bands},
        "queries": per,
    }


def cli_latency(db: Path, qs: list[str]) -> dict[str, float]:
    times = []
    for q in qs:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ingest.cli", "search", q, "--db", str(db)],
                       check=True, capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - t0)
    return _stats(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--build-from", type=Path)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--no-queries", action="store_true", help="skip the latency runs")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    result: dict[str, Any] = {}
    if args.build_from:
        result["build"] = build(args.build_from, args.db)
        print("build:", json.dumps(result["build"], indent=1))
    with duckdb.connect(str(args.db), read_only=True) as con:
        qs = queries(con)
        n_docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]  # type: ignore[index]
        result["index"] = dict(zip(("n_units", "total_len", "postings"), con.execute(
            "SELECT n_units, total_len, (SELECT count(*) FROM search_postings) FROM search_stats"
        ).fetchone() or (), strict=False))  # fmt: skip
    result["documents"] = n_docs
    if not args.no_queries:
        result["latency"] = latency(args.db, qs, args.repeat, None)
        result["latency_family_guide"] = latency(args.db, qs[: len(PHRASES)], args.repeat, "guide")
        result["cli"] = cli_latency(args.db, [q for _, q in qs[:5]])
    if args.update:
        result["update_one"] = update_one(args.db)
    _report(result)
    out = args.out or Path(__file__).parent / "results" / f"search-{n_docs}docs.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print("written:", out)


def _report(r: dict[str, Any]) -> None:
    print(f"documents {r['documents']:,}; index {r['index']}")
    for key in ("latency", "latency_family_guide"):
        if key not in r:
            continue
        lat = r[key]
        print(f"{key}: all {_fmt(lat['all'])}; first runs {_fmt(lat['first_run'])}")
        print(f"  cpu: {_fmt(lat['cpu'])}")
        for band, s in sorted(lat["bands"].items()):
            print(f"  {band:>10}: {_fmt(s)}")
    if "cli" in r:
        print(f"ingest search end to end: {_fmt(r['cli'])}")
    if "update_one" in r:
        print("one document re-indexed:", {k: round(v, 3) for k, v in r["update_one"].items()})


def _fmt(s: dict[str, float]) -> str:
    return (
        f"median {s['median_ms']:.1f} ms, p90 {s['p90_ms']:.1f}, max {s['max_ms']:.1f} (n={s['n']})"
    )


if __name__ == "__main__":
    main()

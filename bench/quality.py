"""What quality metrics cost a run: ``python bench/quality.py WAREHOUSE [--corpus DIR]``.

Works on a copy of an existing warehouse (e.g. one ``bench/bench.py --work DIR`` kept)
and prints, in seconds:

* ``backfill``: counting every document of a warehouse written before
  ``document_counts`` existed (what the first run after upgrading pays, once);
* ``measure``: a run's metrics once ``document_counts`` is filled (what every
  publishing run pays), best and worst of ``--repeat``;
* ``full scan``: the same measures computed by scanning every table, the design
  ``document_counts`` replaced, for comparison;
* with ``--corpus``, ``document_counts`` per batch: its share of a batch's
  parse+validate time on up to 200 of the corpus's files (one process).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from ingest import metrics, schema


class _Build:
    """The slice of ``ingest.warehouse.Warehouse`` that ``ingest.metrics`` uses (64 MB, the
    loader's limit; a run measures under its bulk budget, 32 MB + 96 MB per million files)."""

    def __init__(self, path: Path) -> None:
        self.con = duckdb.connect(str(path), config={"memory_limit": "64MB"})

    def query(self, sql: str, params: Any = None) -> list[Any]:
        return self.con.execute(sql, params or []).fetchall()

    def connection(self) -> duckdb.DuckDBPyConnection:
        return self.con


def _full_scan(wh: _Build, names: str) -> float:
    t0 = time.perf_counter()
    docs = f"SELECT doc_id, source, family FROM documents WHERE source IN ({names})"
    for name in schema.document_tables():
        if name in ("documents", metrics.COUNTS):
            continue
        wh.query(
            f"SELECT m.source, m.family, count(*) FROM {name} t JOIN ({docs}) m USING (doc_id) "
            "GROUP BY GROUPING SETS ((m.source, m.family), (m.source))"
        )
    return time.perf_counter() - t0


def _per_batch(corpus: Path) -> str:
    from ingest.batch import process_batch
    from ingest.discover import SourceFile

    files = []
    for p in sorted(corpus.rglob("*.md"))[:200]:
        st = p.stat()
        files.append(SourceFile(str(p), p.relative_to(corpus).as_posix(), st.st_size, "b"))
    spent = [0.0]
    real = metrics.document_counts

    def timed(frames: Any) -> Any:
        t0 = time.perf_counter()
        out = real(frames)
        spent[0] += time.perf_counter() - t0
        return out

    metrics.document_counts = timed
    t0 = time.perf_counter()
    process_batch(files, "bench", to_arrow=False)
    total = time.perf_counter() - t0
    metrics.document_counts = real
    return f"{spent[0]:.3f}s of {total:.1f}s for {len(files)} files ({spent[0] / total:.1%})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.warehouse.parent) as tmp:
        copy = Path(tmp) / "w.duckdb"
        shutil.copyfile(args.warehouse, copy)
        wh = _Build(copy)
        wh.con.execute(f"DROP TABLE IF EXISTS {metrics.COUNTS}")
        wh.con.execute(schema.ddl(metrics.COUNTS))
        sources = [r[0] for r in wh.query("SELECT DISTINCT source FROM documents")]
        names = ", ".join(metrics.source_literal(s) for s in sources)
        n_docs = wh.query("SELECT count(*) FROM documents")[0][0]
        t0 = time.perf_counter()
        metrics.backfill(wh, names)  # type: ignore[arg-type]
        print(f"{n_docs:,} documents; backfill {time.perf_counter() - t0:.2f}s (once)")
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            metrics.measure(wh, "bench", sources)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
        print(f"measure {min(times):.3f}s best, {max(times):.3f}s worst of {args.repeat}")
        print(f"full scan (the design replaced) {_full_scan(wh, names):.2f}s")
        wh.con.close()
    if args.corpus:
        print("document_counts per batch: " + _per_batch(args.corpus))


if __name__ == "__main__":
    main()

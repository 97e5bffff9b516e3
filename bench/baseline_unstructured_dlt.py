"""Baseline: what a team would glue together instead of ingest.

Unstructured's ``partition_md`` turns each file into elements, and a dlt pipeline
loads them into DuckDB: one process, one core.  Neither library is a dependency
of ingest, so this script runs under another interpreter that has them::

    python -m venv /tmp/ub && /tmp/ub/bin/pip install "unstructured[md]" "dlt[duckdb]"
    /tmp/ub/bin/python bench/baseline_unstructured_dlt.py CORPUS --limit 1000

``bench/bench.py --baseline-python /tmp/ub/bin/python`` runs it on the same
files as ingest, in the same session.  Prints one JSON object: documents, wall
seconds, documents per second, elements loaded, and how many elements
Unstructured typed as tables.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# dlt reports telemetry by default; with no network that only costs time.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=0, help="first N files (sorted); 0 = all")
    ap.add_argument("--db", default=None, help="DuckDB file to load (default: a temp file)")
    args = ap.parse_args()

    import dlt
    from unstructured.partition.md import partition_md

    root = Path(args.corpus)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if args.limit:
        files = files[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="baseline-"))
    db = Path(args.db) if args.db else work / "glue.duckdb"
    counts = {"elements": 0, "tables": 0, "failed": 0}

    def elements() -> Iterator[dict[str, Any]]:
        for f in files:
            try:
                els = partition_md(filename=str(f))
            except Exception:  # a glue pipeline skips what it cannot read
                counts["failed"] += 1
                continue
            for i, el in enumerate(els):
                counts["elements"] += 1
                counts["tables"] += el.category == "Table"
                yield {
                    "source_path": f.relative_to(root).as_posix(),
                    "position": i,
                    "type": el.category,
                    "text": el.text,
                }

    t0 = time.perf_counter()
    pipeline = dlt.pipeline(
        pipeline_name="glue",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="documents",
        pipelines_dir=str(work / "pipelines"),
    )
    pipeline.run(elements(), table_name="elements")
    wall = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "docs": len(files),
                "wall_s": wall,
                "docs_per_s": len(files) / wall,
                **counts,
            }
        )
    )


if __name__ == "__main__":
    main()

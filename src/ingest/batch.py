"""Process one batch of files: read, extract, validate.  Pure and picklable.

This is the unit of parallel work.  A batch travels to a worker process (or a
Dask worker) as a list of :class:`~ingest.discover.SourceFile` and comes back as a
:class:`BatchResult` whose tables are Arrow tables, which cross process
boundaries as raw buffers instead of millions of pickled Python objects.
Validation runs here too, so it is parallel along with parsing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .discover import SourceFile
from .errors import Issue
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from .document import DocResult


@dataclass(slots=True)
class DocOutcome:
    """What the loader needs to know about one processed file."""

    source_path: str
    doc_id: str
    content_sha256: str
    family: str | None
    error: Issue | None
    warnings: list[Issue]
    n_repairs: int
    repair_rules: dict[str, int]
    size: int | None = None
    mtime_ns: int | None = None
    seen_before: bool = False  # the warehouse holds rows of this document to replace
    source: str = ""


@dataclass(slots=True)
class BatchResult:
    outcomes: list[DocOutcome]
    tables: dict[str, Any]  # table name -> pyarrow.Table (rows of valid documents only)
    timings: dict[str, float] = field(default_factory=dict)
    n_bytes: int = 0

    def release(self) -> None:
        """Drop rows and outcomes once loaded.  Orchestrators may keep a reference to a
        task's return value for the whole run (Prefect does, for dependency tracking);
        emptying it keeps the loader's memory flat however many batches a run has."""
        self.tables = {}
        self.outcomes = []


def process_batch(
    files: list[SourceFile], run_id: str, limits: Limits = DEFAULT_LIMITS, to_arrow: bool = True
) -> BatchResult:
    """Extract and validate ``files``; invalid documents carry their error, nothing raises."""
    # Imported here: the loader unpickles BatchResults and must not pay for the parsers,
    # pandas and pandera (workers import them once, in the fork server).
    from .document import process_file
    from .validate import validate_batch

    timings: dict[str, float] = {}
    results: list[DocResult] = []
    t0 = time.perf_counter()
    for f in files:
        r = process_file(Path(f.path), f.source_path, limits, source=f.source)
        results.append(r)
        for stage, secs in r.timings.items():
            timings[stage] = timings.get(stage, 0.0) + secs
    t1 = time.perf_counter()
    frames = validate_batch(results, run_id)
    t2 = time.perf_counter()
    timings["validate"] = t2 - t1
    timings["read"] = (t1 - t0) - sum(v for k, v in timings.items() if k not in ("validate",))
    tables: dict[str, Any] = frames
    if to_arrow:
        import pyarrow as pa

        tables = {
            name: pa.Table.from_pandas(df, preserve_index=False) for name, df in frames.items()
        }
        timings["to_arrow"] = time.perf_counter() - t2
    outcomes = []
    for f, r in zip(files, results, strict=True):
        rules: dict[str, int] = {}
        for row in r.rows.get("repairs", []) if r.ok else []:
            rules[row["rule"]] = rules.get(row["rule"], 0) + 1
        outcomes.append(
            DocOutcome(
                r.source_path,
                r.doc_id,
                r.content_sha256,
                r.family,
                r.error,
                r.warnings,
                sum(rules.values()),
                rules,
                f.size,
                f.mtime_ns or None,
                f.seen_before,
                f.source,
            )
        )
    return BatchResult(outcomes, tables, timings, sum(r.n_bytes for r in results))

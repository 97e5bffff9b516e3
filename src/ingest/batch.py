"""Process one batch of files: read, extract, validate, and write the rows.  Pure and picklable.

This is the unit of parallel work.  A batch travels to a worker process (or a
Dask worker) as a list of :class:`~ingest.discover.SourceFile`.  The worker
builds every row the warehouse will hold for it, the documents' own tables and
the bookkeeping (``source_files``, ``quarantine``), validates them, and
converts them to Arrow.  Given a *stage* folder (the run's, beside its private
build, on this machine) it writes them there as one Parquet file per table and
returns only outcomes and paths: the loader then takes every batch's files in
one bulk ``INSERT`` per table (:mod:`ingest.load`) and never holds row data.
Without one (a remote Dask worker) the Arrow tables come back instead, and the
loader writes them.  Validation runs here too, so it is parallel along with
parsing.  An odd entry of the walk (a FIFO, a broken link...) becomes its
quarantine reason here, like any bad file, without being opened.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import PARSER_VERSION
from .discover import SourceFile
from .errors import Issue
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from .budgets import Watch
    from .document import DocResult


@dataclass(slots=True)
class DocOutcome:
    """What the run summary needs to know about one processed file."""

    source_path: str
    doc_id: str
    content_sha256: str
    family: str | None
    error: Issue | None
    warnings: list[Issue]
    n_repairs: int
    repair_rules: dict[str, int]
    source: str = ""


@dataclass(slots=True)
class BatchResult:
    """What a parse batch sends back to the leader: one outcome per file for the run summary,
    the rows of the documents that passed (Arrow tables, or Parquet files in ``staged`` when
    the worker could write to the run's stage folder), stage timings, bytes read and the
    number of document rows."""

    outcomes: list[DocOutcome]
    tables: dict[str, Any]  # table name -> pyarrow.Table (or DataFrame), when not staged
    timings: dict[str, float] = field(default_factory=dict)
    n_bytes: int = 0
    staged: dict[str, str] = field(default_factory=dict)  # table name -> Parquet file
    rows: int = 0  # document rows (bookkeeping excluded)

    def release(self) -> None:
        """Drop rows and outcomes once taken.  Orchestrators may keep a reference to a
        task's return value for the whole run (Prefect does, for dependency tracking);
        emptying it keeps the loader's memory flat however many batches a run has."""
        self.tables = {}
        self.outcomes = []


@dataclass(frozen=True, slots=True)
class Guarding:
    """How a batch is watched (see :mod:`ingest.budgets` and :mod:`ingest.supervise`).

    ``hard``: the process is a parse worker that may die, so the kernel's backstops
    apply too.  ``trail``: a file the index of the document being parsed is written
    to, so that whoever sees this process die knows which document killed it.
    ``verdicts``: documents (by index) already known to kill a worker, given their
    error without being read.  ``key``: the prefix of the batch's staged files, so a
    dead attempt's files can be removed before it is retried."""

    hard: bool = False
    trail: str | None = None
    verdicts: dict[int, Issue] = field(default_factory=dict)
    key: str | None = None


UNGUARDED = Guarding()


def process_batch(
    files: list[SourceFile],
    run_id: str,
    limits: Limits = DEFAULT_LIMITS,
    to_arrow: bool = True,
    stage: str | None = None,
    guarding: Guarding = UNGUARDED,
) -> BatchResult:
    """Extract and validate ``files``; invalid documents carry their error, nothing raises.
    With ``stage``, the rows are written there as Parquet and not returned.  Each
    document is parsed within ``limits``' time and memory budgets."""
    # Imported here: the loader unpickles BatchResults and must not pay for the parsers,
    # pandas and pandera (workers import them once, in the fork server).
    from .metrics import COUNTS, document_counts
    from .validate import validate_batch

    timings: dict[str, float] = {}
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    results = _parse_all(files, limits, guarding)
    for r in results:
        for step, secs in r.timings.items():
            timings[step] = timings.get(step, 0.0) + secs
    t1 = time.perf_counter()
    frames: dict[str, Any] = validate_batch(results, run_id)
    frames[COUNTS] = document_counts(frames)  # rows per document, for run_metrics
    t2 = time.perf_counter()
    timings["validate"] = t2 - t1
    timings["read"] = (t1 - t0) - sum(v for k, v in timings.items() if k != "validate")
    outcomes = [_outcome(f, r) for f, r in zip(files, results, strict=True)]
    n_rows = sum(len(df) for df in frames.values())
    frames.update(_bookkeeping(files, results, run_id))
    res = BatchResult(outcomes, frames, timings, sum(r.n_bytes for r in results), rows=n_rows)
    if to_arrow or stage:
        import pyarrow as pa

        res.tables = {
            name: pa.Table.from_pandas(df, preserve_index=False)
            for name, df in frames.items()
            if len(df)
        }
        timings["to_arrow"] = time.perf_counter() - t2
    if stage:
        t3 = time.perf_counter()
        res.staged = write_parquet(res.tables, stage, guarding.key)
        res.tables = {}
        timings["stage"] = time.perf_counter() - t3
    # CPU seconds of the process that parsed, whatever else the machine ran meanwhile.
    timings["worker_cpu"] = time.process_time() - cpu0
    return res


def _parse_all(files: list[SourceFile], limits: Limits, guarding: Guarding) -> list[DocResult]:
    """Each file's result, in order, every parse under the budgets."""
    from .budgets import watching

    results: list[DocResult] = []
    with watching(limits, hard=guarding.hard) as watch, _Trail(guarding.trail) as trail:
        for i, f in enumerate(files):
            verdict = guarding.verdicts.get(i)
            if verdict is not None:
                results.append(_decided(f, verdict))
                continue
            trail.mark(i)
            results.append(_parse_one(f, limits, watch))
        trail.mark(None)  # past the last document: validating and staging
    return results


def _parse_one(f: SourceFile, limits: Limits, watch: Watch | None) -> DocResult:
    """One file's result; a budget exceeded while parsing is its ``resource_limit`` error."""
    from .budgets import BudgetExceeded
    from .document import process_file

    if f.kind:
        return _odd_entry(f)
    if watch is None:
        return process_file(Path(f.path), f.source_path, limits, source=f.source)
    try:
        with watch.document():
            r = process_file(Path(f.path), f.source_path, limits, source=f.source)
    except BudgetExceeded as exc:
        return _decided(f, exc.issue(f.source_path))
    if (
        r.error is not None
        and r.error.code == "internal_error"
        and "MemoryError" in (r.error.message)
    ):
        r.error = watch.hard_memory_issue(f.source_path)
    return r


class _Trail:
    """Where a worker writes the index of the document it is on (a few bytes, rewritten
    in place: one ``pwrite`` per document)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> _Trail:
        if self.path:
            try:
                self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            except OSError:  # no trail: a death is then blamed on no document
                self.fd = -1
        return self

    def mark(self, index: int | None) -> None:
        """On document ``index`` now; None: past the documents (no one to blame)."""
        if self.fd >= 0:
            at = "done" if index is None else str(index)
            os.pwrite(self.fd, f"{at:>12} {os.getpid():>10}".encode(), 0)

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)


def read_trail(path: str) -> int | None:
    """The index a dead worker's trail says it was on, or None (not started)."""
    try:
        with open(path, "rb") as fh:
            text = fh.read().split()
    except OSError:
        return None
    return int(text[0]) if text and text[0].isdigit() else None


def _decided(f: SourceFile, error: Issue) -> DocResult:
    """The result of a file whose error is known without parsing it (again): only its
    bytes are hashed, as for any quarantined file."""
    from .document import DocResult, doc_id_for
    from .entries import read_regular

    try:
        data = read_regular(Path(f.path))
    except OSError:
        data = b""
    sha = hashlib.sha256(data).hexdigest() if data else ""
    res = DocResult(
        f.source_path, doc_id_for(f.source, f.source_path), sha, len(data), source=f.source
    )
    res.error = dataclasses.replace(error, path=f.source_path)
    return res


def write_parquet(tables: dict[str, Any], stage: str, key: str | None = None) -> dict[str, str]:
    """Each non-empty Arrow table as ``<stage>/<key>-<table>.parquet`` (``key``: the
    batch's, a fresh one by default); returns the paths."""
    import pyarrow.parquet as pq

    key = key or uuid.uuid4().hex
    out = {}
    for name, table in tables.items():
        if table.num_rows:
            path = str(Path(stage) / f"{key}-{name}.parquet")
            pq.write_table(table, path, compression="snappy")
            out[name] = path
    return out


def _odd_entry(f: SourceFile) -> DocResult:
    """The result of an entry that is not a regular file: its reason, nothing read."""
    from .document import DocResult, doc_id_for
    from .entries import entry_issue

    res = DocResult(f.source_path, doc_id_for(f.source, f.source_path), "", 0, source=f.source)
    res.error = entry_issue(f.kind, f.path, f.source_path)
    return res


def _outcome(f: SourceFile, r: DocResult) -> DocOutcome:
    rules: dict[str, int] = {}
    for row in r.rows.get("repairs", []) if r.ok else []:
        rules[row["rule"]] = rules.get(row["rule"], 0) + 1
    return DocOutcome(
        r.source_path,
        r.doc_id,
        r.content_sha256,
        r.family,
        r.error,
        r.warnings,
        sum(rules.values()),
        rules,
        f.source,
    )


def _bookkeeping(files: list[SourceFile], results: list[DocResult], run_id: str) -> dict[str, Any]:
    """The ``source_files`` row of every file and the ``quarantine`` row of every bad one."""
    from . import schema

    kept: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for f, r in zip(files, results, strict=True):
        e = r.error
        kept.append(
            {
                "source": f.source,
                "source_path": r.source_path,
                "doc_id": r.doc_id,
                "content_sha256": r.content_sha256,
                "status": "quarantined" if e else "loaded",
                "parser_version": PARSER_VERSION,
                "run_id": run_id,
                "size": f.size,
                "mtime_ns": f.mtime_ns or None,
                "error_stage": e.stage if e else None,
                "error_code": e.code if e else None,
                "message": e.message if e else None,
                "line_start": e.line if e else None,
            }
        )
        if e is not None:
            bad.append(
                {
                    "run_id": run_id,
                    "source": f.source,
                    "source_path": r.source_path,
                    "content_sha256": r.content_sha256 or None,
                    "stage": e.stage,
                    "error_code": e.code,
                    "message": e.message,
                    "line_start": e.line,
                }
            )
    return {
        "source_files": schema.frame("source_files", kept),
        "quarantine": schema.frame("quarantine", bad),
    }

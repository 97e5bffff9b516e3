"""Runs that changed nothing, recorded without rewriting the warehouse.

A scheduled run usually finds every file as it was.  Recording it the usual way
means copying the whole warehouse to a private build, adding one row and
publishing it: at 100k documents that is gigabytes copied and flushed to disk for
one row.  So a run that would change nothing but its own record (no file to
parse, re-stat or remove, every source at the root it had) appends that record
to a small journal beside the warehouse, under the run lock, and the next run
that publishes folds the journal into ``ingest_runs`` (and re-reports those
runs' quarantined files, which were exactly the ones the warehouse lists then:
nothing changed in between, or that run would have published).  Folding skips
runs already present, so a crash between publishing and clearing the journal
records nothing twice.

Until then the journal is what ``ingest sources`` reads for a source's latest run.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .sql import literal

if TYPE_CHECKING:
    from .warehouse import Warehouse


def path_for(db: str | Path) -> Path:
    """The journal file of warehouse ``db``: ``.<name>.runs``, hidden, in the same folder
    (like the lock file), so each warehouse has its own."""
    db = Path(db)
    return db.with_name(f".{db.name}.runs")


def record(db: str | Path, run: dict[str, Any]) -> None:
    """Append one run (``ingest_runs`` columns, JSON-able) durably.  Hold the run lock."""
    line = json.dumps(run, default=_iso) + "\n"
    fd = os.open(path_for(db), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def pending(db: str | Path) -> list[dict[str, Any]]:
    """The journal's runs, oldest first (a torn last line from a crash is skipped)."""
    try:
        text = path_for(db).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    runs = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            runs.append(json.loads(line))
    return runs


def fold(wh: Warehouse) -> int:
    """Write the journal's runs into the build (once each); returns how many."""
    runs = [r for r in pending(wh.path) if not wh.query(_has_run(r["run_id"]))]
    for run in runs:
        names = json.loads(run["source_names"])
        in_sources = "source IN (" + ", ".join(literal(n) for n in names) + ")"
        wh.append(
            "ingest_runs",
            [{**run, "started_at": _ts(run["started_at"]), "finished_at": _ts(run["finished_at"])}],
        )
        wh.query(
            f"""INSERT INTO quarantine BY NAME
            SELECT {literal(run["run_id"])} AS run_id, source, source_path, content_sha256,
                   error_stage AS stage, error_code, message, line_start
            FROM source_files WHERE status = 'quarantined' AND {in_sources}"""
        )
        wh.query(
            f"UPDATE sources SET last_run_id = {literal(run['run_id'])}, "
            f"last_run_at = {literal(run['finished_at'])}::TIMESTAMPTZ "
            f"WHERE {in_sources} AND last_run_at < {literal(run['finished_at'])}::TIMESTAMPTZ"
        )
    return len(runs)


def clear(db: str | Path) -> None:
    """Forget the journal once a published warehouse holds its runs."""
    with contextlib.suppress(FileNotFoundError):
        path_for(db).unlink()


def _has_run(run_id: str) -> str:
    return f"SELECT 1 FROM ingest_runs WHERE run_id = {literal(run_id)}"


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON-able: {value!r}")


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)

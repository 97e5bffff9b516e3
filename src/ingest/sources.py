"""The warehouse's named sources: guarding their names and listing them.

A run's default source names come from folder names, and two teams' folders are
easily both called ``docs``.  Had the second run simply taken the name, it would
have replaced every document of the first.  So a *derived* name that the
warehouse already holds for another root is refused with a one-line message;
an explicit ``NAME=PATH`` with another root is taken as the source having moved.

:func:`list_sources` is what ``ingest sources`` prints: each source with its
documents, current quarantine and last run, plus what the file was written with
(see :mod:`ingest.storage`).  It opens the warehouse read-only, as analysts do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .compare import source_literal
from .config import ConfigError, Source


class SourceConflict(ConfigError):
    """A derived source name already belongs to another root in this warehouse."""


class UnknownSource(ConfigError):
    """``remove-source`` of a name the warehouse does not hold."""


def check_names(con: duckdb.DuckDBPyConnection, sources: Sequence[Source]) -> None:
    """Raise :class:`SourceConflict` for a derived name held by another root."""
    unnamed = [s for s in sources if not s.named]
    if not unnamed or not _has_table(con, "sources"):
        return
    names = ", ".join(source_literal(s.name) for s in unnamed)  # no bound parameters:
    roots = dict(  # DuckDB 1.5 would import pandas (0.4 s) for the first one
        con.execute(f"SELECT source, root FROM sources WHERE source IN ({names})").fetchall()
    )
    for s in unnamed:
        held = roots.get(s.name)
        if held is not None and held != s.root:
            raise SourceConflict(
                f"source name {s.name!r} (derived from {s.root}) already belongs to {held} in "
                f"this warehouse; give this folder its own name, e.g. {s.name}-2={s.root}, "
                f"or write {s.name}={s.root} if the source has moved there"
            )


def _open_read_only(db: str | Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only; a read-write session holding it is a busy warehouse."""
    try:
        return duckdb.connect(str(db), read_only=True, config={"memory_limit": "64MB"})
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        from .lock import WarehouseBusy

        raise WarehouseBusy(
            f"{db} is open read-write by another process; read-only readers must wait "
            "until it closes (DuckDB allows no reader beside a writer)"
        ) from None


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{name}' "
        "AND database_name = current_database()"
    ).fetchone()
    return bool(row and row[0])


@dataclass
class SourceInfo:
    """One line of ``ingest sources``: a source, its root, its documents, the files its
    last run quarantined, and that run (a journaled no-op run counts as the last)."""

    name: str
    root: str
    documents: int
    quarantined: int
    last_run_id: str | None
    last_run_at: Any


@dataclass
class WarehouseInfo:
    """What :func:`list_sources` found in a warehouse: its sources, its ``ingest_meta``
    (what wrote the file) and whether it predates named sources."""

    path: str
    sources: list[SourceInfo] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    legacy: bool = False  # written before named sources; the next run migrates it


def list_sources(db: str | Path) -> WarehouseInfo:
    """The sources of warehouse ``db`` (opened read-only) and what wrote it."""
    from .storage import check_readable

    check_readable(db)
    with _open_read_only(db) as con:
        info = read_sources(con, str(db))
    _latest_journaled(info, db)  # nothing to add when there is no sources table
    return info


def read_sources(con: duckdb.DuckDBPyConnection, label: str) -> WarehouseInfo:
    """The sources and ``ingest_meta`` of the warehouse that is ``con``'s current database
    (a file, or a lake attached and used)."""
    info = WarehouseInfo(label)
    if _has_table(con, "ingest_meta"):
        info.meta = dict(con.execute("SELECT key, value FROM ingest_meta").fetchall())
    if not _has_table(con, "sources"):
        info.legacy = _has_table(con, "documents")
        return info
    rows = con.execute(
        """
            SELECT s.source, s.root,
                   (SELECT count(*) FROM documents d WHERE d.source = s.source),
                   (SELECT count(*) FROM quarantine q
                     WHERE q.source = s.source AND q.run_id = s.last_run_id),
                   s.last_run_id, s.last_run_at
            FROM sources s ORDER BY s.source
            """
    ).fetchall()
    info.sources = [SourceInfo(*r) for r in rows]
    return info


def _latest_journaled(info: WarehouseInfo, db: str | Path) -> None:
    """Runs that changed nothing are journaled until the next change: show them too."""
    import json
    from datetime import datetime

    from . import journal

    for run in journal.pending(db):
        at = datetime.fromisoformat(run["finished_at"])
        names = json.loads(run["source_names"])
        for s in info.sources:
            if s.name in names and (s.last_run_at is None or at > s.last_run_at):
                s.last_run_id, s.last_run_at = run["run_id"], at

"""One run's writer into a lake: the file warehouse's interface, one transaction, one snapshot.

The run loop talks to :class:`ingest.warehouse.Warehouse` (connection, transaction,
bulk memory, append, publish).  :class:`LakeWarehouse` is that interface over a
DuckLake, so the plan, loader, bookkeeping and metrics run unchanged:

* The connection is an in-memory DuckDB with the lake attached and made its default
  database, so the loop's unqualified table names are the lake's tables.
* The whole run is **one transaction**, begun on entry and committed by
  :meth:`publish`: DuckLake turns a commit into one snapshot, so a reader sees the
  lake before the run or after it, never a mix, and is never blocked (it reads the
  snapshot it started on).  The loop's own ``transaction()`` blocks become plain
  steps of that transaction; any failure rolls the whole run back, which is what the
  file target's discarded build amounts to.
* The plan's work tables are TEMP tables: a DuckDB transaction may write to one
  attached database only, and the temporary catalog is allowed beside it (checked).
* No copy, no checkpoint, no search index: a one-file change writes that file's rows
  as new small Parquet files plus delete files, whatever the lake's size.
* The commit is tagged with the run id (``set_commit_message``), so
  ``ducklake_snapshots()`` says which snapshot each run made
  (:func:`ingest.lake.snapshots.run_snapshots`).

A commit that conflicts with another writer's raises :class:`LakeConflict`; the
target retries the run (:mod:`ingest.lake.target`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from .. import interrupts
from ..failures import UNCHANGED, disk_full
from ..migrate import views_sql
from ..sql import literal
from ..storage import StorageError
from ..warehouse import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV, Warehouse
from . import migrate, remote
from .spec import ALIAS, LakeSpec, attach


class LakeConflict(RuntimeError):
    """Another writer committed a change this run's commit conflicts with."""


# What a commit says when another writer got there first: DuckLake's logical conflict
# ("Transaction conflict - attempting to delete from table ... in the same data file"),
# a SQLite catalog held by another commit ("database is locked"), PostgreSQL's
# serialization failures, and two first runs creating the same new lake on PostgreSQL
# ("duplicate key", or "relation ... already exists" from DuckLake's initialisation,
# when both attach the empty catalog at once).  All mean: nothing was committed, the
# run may be tried again.
_CONFLICTS = (
    "conflict",
    "database is locked",
    "could not serialize",
    "deadlock detected",
    "duplicate key",
)
_FIRST_RUN_RACE = ("failed to initialize ducklake", "already exists")


def is_conflict(exc: BaseException) -> bool:
    """Whether a commit failed because another writer committed first (see above)."""
    text = str(exc).lower()
    if not isinstance(exc, duckdb.Error):
        return False
    return any(c in text for c in _CONFLICTS) or all(c in text for c in _FIRST_RUN_RACE)


def unreadable(spec: LakeSpec, exc: BaseException) -> StorageError:
    """The one line for a lake that cannot be attached (no password of a DSN in it)."""
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    first = re.sub(r"password=\S+", "password=...", first)
    return StorageError(
        f"lake {spec.label} cannot be opened ({type(exc).__name__}: {first}); {UNCHANGED}"
    )


class LakeWarehouse(Warehouse):
    """Context manager around one run's transaction on a lake (see the module doc)."""

    work_table = "TEMP TABLE"
    retries_statements = False  # one transaction: an insert gets its largest limit at once

    def __init__(self, spec: LakeSpec, run_id: str) -> None:
        self.spec = spec
        self.run_id = run_id
        self.path = Path(spec.where)
        self.folder = Path(tempfile.mkdtemp(prefix="ingest-lake-"))
        self.build = self.folder / "build"  # the loader's stage is beside it
        self.con: duckdb.DuckDBPyConnection | None = None
        self._own_lock = False
        self.memory_limit = DEFAULT_MEMORY_LIMIT
        self.timings: dict[str, float] = {}
        self.copy_method = "lake"
        self.snapshot_id: int | None = None
        self._predicted: int | None = None  # what next_snapshot() told the run's record
        self._stops = contextlib.ExitStack()

    def __enter__(self) -> LakeWarehouse:
        try:
            t0 = time.perf_counter()
            self.memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
            self.con = duckdb.connect(
                config={"memory_limit": self.memory_limit, "temp_directory": str(self.folder)}
            )
            attach(self.con, self.spec)
            self._stops.enter_context(interrupts.on_stop(self._interrupt))
            self.timings["copy"] = time.perf_counter() - t0  # attach: the lake is not copied
            t1 = time.perf_counter()
            self._migrate()
            self.timings["migrate"] = time.perf_counter() - t1
            self.con.execute("BEGIN TRANSACTION")
        except BaseException as exc:
            failure = self._failure(exc, opening=True)
            if failure is exc or failure is None:
                raise
            raise failure from exc
        return self

    def _migrate(self) -> None:
        """Bring the schema up to the contract in a commit of its own, when it is not:
        the plan reads ``source_files`` through a cursor of its own (another
        transaction), which must see the tables."""
        con = self.connection()
        con.execute("BEGIN TRANSACTION")
        if migrate.migrate(con, views_sql()):
            con.execute(
                f"CALL {ALIAS}.set_commit_message('ingest', 'schema', extra_info => ?)",
                [json.dumps({"schema": True})],
            )
        con.execute("COMMIT")

    def _failure(self, exc: BaseException | None, *, opening: bool) -> BaseException | None:
        """Roll back and let go; return what the user must hear instead of ``exc``."""
        data = Path(self.spec.data) if "://" not in self.spec.data else self.folder
        full = disk_full(exc, data) if isinstance(exc, Exception) else None
        self._discard()
        if full is not None:
            return full
        if opening and isinstance(exc, duckdb.Error) and not is_conflict(exc):
            said = remote.explain(exc) if remote.is_remote(self.spec.data) else None
            return remote.LakeDataError(said) if said else unreadable(self.spec, exc)
        if isinstance(exc, duckdb.Error) and is_conflict(exc):
            return LakeConflict(str(exc).strip().splitlines()[0][:300])
        return exc

    def _discard(self) -> None:
        self._stops.close()
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.execute("ROLLBACK")
            with contextlib.suppress(Exception):
                self.con.close()
            self.con = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def next_snapshot(self) -> int | None:
        """The snapshot this run's commit will make if no other writer commits first: the
        latest one plus one.  :meth:`publish` checks it and corrects the record if not."""
        row = (
            self.connection()
            .execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots({literal(ALIAS)})")
            .fetchone()
        )
        self._predicted = int(row[0]) + 1 if row and row[0] is not None else None
        return self._predicted

    def publish(self) -> None:
        """Commit the run's one transaction: the lake's next snapshot, tagged with the run."""
        interrupts.check()
        t0 = time.perf_counter()
        con = self.connection()
        # Literals, not parameters: DuckDB's Python binding imports pandas (~0.4 s) the
        # first time it binds one, and a small run would pay it here.
        info = literal(json.dumps({"run_id": self.run_id}))
        message = literal(f"run {self.run_id}")
        con.execute(f"CALL {ALIAS}.set_commit_message('ingest', {message}, extra_info => {info})")
        interrupts.check()  # the last moment a stop leaves the lake as it was
        try:
            con.execute("COMMIT")
        except duckdb.Error as exc:
            if is_conflict(exc):
                raise LakeConflict(str(exc).strip().splitlines()[0][:300]) from exc
            raise
        row = con.execute(
            f"SELECT max(snapshot_id) FROM ducklake_snapshots({literal(ALIAS)}) "
            f"WHERE commit_extra_info = {info}"
        ).fetchone()
        self.snapshot_id = int(row[0]) if row and row[0] is not None else None
        interrupts.note_published(self.spec.label)
        self._correct_record()
        self.timings["publish"] = time.perf_counter() - t0
        self._discard()

    def _correct_record(self) -> None:
        """When another writer committed between the run's reading of the latest snapshot
        and its commit (DuckLake retries such a commit itself, under a later id), write the
        id the commit really got into the run's ``ingest_runs`` row, in a commit of its own.
        The run is published either way; a failure here only leaves the id to
        ``ingest lake snapshots``, which reads it from the commit's tag."""
        if self.snapshot_id is None or self._predicted in (None, self.snapshot_id):
            return
        con = self.connection()
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"UPDATE ingest_runs SET snapshot_id = {self.snapshot_id} "
                f"WHERE run_id = {literal(self.run_id)}"
            )
            # Not tagged ``run_id``: that tag marks the run's own commit (run_snapshots).
            info = literal(json.dumps({"record_of_run": self.run_id}))
            con.execute(
                f"CALL {ALIAS}.set_commit_message('ingest', 'run record', extra_info => {info})"
            )
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")

    def checkpoint(self) -> float:
        """Nothing to checkpoint: the lake's files are written as rows go in.  (DuckLake's
        own CHECKPOINT is maintenance, left to ``ingest lake maintain``.)"""
        return 0.0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A step of the run's one transaction (see the module doc)."""
        yield self.connection()

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[Any]:
        """All rows of one statement, inside the run's transaction."""
        return self.connection().execute(sql, params or []).fetchall()

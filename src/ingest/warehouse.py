"""The single writer's view of the DuckDB warehouse: a private build, published atomically.

Readers must never see a half-loaded run nor make a run fail, and DuckDB lets a
file be open read-write by one process only while nobody else holds it.  So a
run never writes the live file: it clones it to a private build file beside it
(copy-on-write where the file system can, see :mod:`ingest.storage`), migrates
and loads into that, checkpoints, and publishes with an atomic ``os.replace``.  A
reader that had the old file open keeps a consistent old snapshot; the next
connection sees the new one.  A run killed at any point leaves the live file
exactly as it was; its stale build is removed by the next run.  Concurrent runs
are serialised by an advisory lock with a bounded, configurable wait
(:mod:`ingest.lock`).

This module owns that lifecycle and a few generic helpers over the build's
connection; what is written lives elsewhere: :mod:`ingest.plan` (the run's work
tables), :mod:`ingest.load` (document rows), :mod:`ingest.finish` (bookkeeping).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from . import interrupts, journal, schema, search_index, sql
from .failures import UNCHANGED, disk_full
from .lock import WarehouseBusy, WarehouseLock
from .migrate import migrate, views_sql
from .plan import WORK_TABLES
from .sessions import begin_wal_handover, end_wal_handover
from .storage import StorageError, check_readable, clone, keep_ownership, record_storage

__all__ = ["Warehouse", "WarehouseBusy", "WarehouseLock"]


# DuckDB's default memory limit is 80% of RAM, and its buffer pool fills up to the
# limit as the warehouse grows: that was the loader's growth from 10k to 100k
# documents.  Loading needs little, so it runs under a small fixed limit.  The
# set-based steps whose working set grows with the corpus (planning,
# re-quarantine, removal: joins over every file) get a budget scaled to the number
# of files for their duration; DuckDB uses whatever limit it is given, so a fixed
# large one would cost the loader memory at every size.  Measured on the plan's
# join: 96MB per million rows held 1M and 2M; a re-run at 100k files (200k rows:
# discovered + known) ran out at 32MB once the plan also compared stat columns, so
# the budget is a fixed base plus the per-file share.
MEMORY_LIMIT_ENV = "INGEST_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "64MB"
BULK_MEMORY_LIMIT_ENV = "INGEST_DUCKDB_BULK_MEMORY_LIMIT"
CHECKPOINT_MEMORY_LIMIT = os.environ.get("INGEST_DUCKDB_CHECKPOINT_MEMORY_LIMIT", "128MB")
LITERAL_ROWS = 256  # up to this many rows per insert are written as literals (see sql)
BULK_BASE_MB = 32
BULK_MB_PER_MILLION_FILES = 96


def megabytes(limit: str) -> int:
    """'32MB' / '1GB' / '512KiB' -> whole megabytes (at least 1)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)I?B?\s*", limit.upper())
    if not m:
        raise ValueError(f"not a memory size: {limit!r} (use e.g. 64MB or 1GB)")
    scale = {"": 1 / 1e6, "K": 1e-3, "M": 1, "G": 1e3, "T": 1e6}[m.group(2)]
    return max(1, int(float(m.group(1)) * scale))


class Warehouse:
    """Context manager around one run's private build of the warehouse."""

    work_table = "TABLE"  # what the plan's work tables are created as (a lake: TEMP TABLE)
    snapshot_id: int | None = None  # a lake's snapshot of the published run (a file: none)
    # Whether a statement that failed (out of memory) can be tried again: a file's build
    # commits step by step; a lake run is one transaction, which a failure aborts.
    retries_statements = True

    def __init__(
        self,
        db_path: str | Path,
        *,
        lock_timeout: float = 60.0,
        lock: WarehouseLock | None = None,
    ) -> None:
        """``lock``: a lock the caller already holds (and keeps); else one is taken."""
        self.path = Path(db_path)
        self.build = self.path.with_name(f".{self.path.name}.build-{os.getpid()}")
        self.con: duckdb.DuckDBPyConnection | None = None
        self._own_lock = lock is None
        self.lock = lock or WarehouseLock(self.path, timeout=lock_timeout)
        self.memory_limit = DEFAULT_MEMORY_LIMIT
        self.timings: dict[str, float] = {}  # copy, migrate, publish (seconds)
        self.copy_method = ""  # "reflink", "copy", or "" for a new warehouse
        self._stops = contextlib.ExitStack()  # what a Ctrl-C does while the build is open

    # -- lifecycle ------------------------------------------------------------------
    def __enter__(self) -> Warehouse:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self._own_lock:
            self.lock.acquire()
        try:
            self._remove_stale_builds()
            t0 = time.perf_counter()
            if self.path.exists():
                check_readable(self.path)
                self.copy_method = clone(self.path, self.build)
                wal = Path(str(self.path) + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, str(self.build) + ".wal")
            self.timings["copy"] = time.perf_counter() - t0
            self.memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
            self.con = duckdb.connect(
                str(self.build),
                config={
                    "memory_limit": self.memory_limit,
                    # One checkpoint, at publish (see checkpoint()): DuckDB's automatic
                    # ones, every 16 MB of WAL, rewrote the build again and again, and
                    # could run out of the small memory limit.
                    "checkpoint_threshold": "1TB",
                },
            )
            self._stops.enter_context(interrupts.on_stop(self._interrupt))
            t1 = time.perf_counter()
            migrate(self.con, views_sql())
            record_storage(self.con)
            journal.fold(self)
            self.timings["migrate"] = time.perf_counter() - t1
        except BaseException as exc:
            failure = self._failure(exc, opening=True)
            if failure is exc or failure is None:
                raise
            raise failure from exc
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        failure = self._failure(exc, opening=False)
        if failure is not exc and failure is not None:
            raise failure from exc

    def _failure(self, exc: BaseException | None, *, opening: bool) -> BaseException | None:
        """Discard the build; return what the user must hear instead of ``exc``: a full
        disk (measured before the build's space is given back), or a live file DuckDB
        cannot open."""
        full = disk_full(exc, self.path.parent) if isinstance(exc, Exception) else None
        self._discard()
        if full is not None:
            return full
        if opening and isinstance(exc, duckdb.Error):
            return StorageError(
                f"{self.path} cannot be opened as a warehouse ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[0][:200]}); {UNCHANGED}. Restore it from a "
                "backup, or move it aside and run again to build a new one"
            )
        return exc

    def _interrupt(self) -> None:
        """From the stopper thread: abort the statement the build is running."""
        con = self.con
        if con is not None:
            con.interrupt()

    def _discard(self) -> None:
        self._stops.close()
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.close()
            self.con = None
        for p in (self.build, Path(str(self.build) + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        if self._own_lock:
            self.lock.release()

    def _remove_stale_builds(self) -> None:
        # We hold the lock, so any build file left here belongs to a dead run.
        # (DuckDB may also have left a ``.tmp`` spill folder beside it.)
        for p in glob.glob(str(self.path.with_name(f".{self.path.name}.build-*"))):
            if os.path.isdir(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(p)

    def publish(self) -> None:
        """Make this run's build the live warehouse, atomically."""
        interrupts.check()
        t0 = time.perf_counter()
        con = self.connection()
        for name in WORK_TABLES:  # the plan's work tables never reach readers
            con.execute(f"DROP TABLE IF EXISTS {name}")
        # The search index follows every change in the build, so it is never stale.
        self.timings["search_index"] = search_index.sync(self)
        self.timings["checkpoint"] = self.checkpoint()
        con.close()
        self.con = None
        fd = os.open(self.build, os.O_RDONLY)
        try:
            keep_ownership(self.path, fd)
            os.fsync(fd)
        finally:
            os.close(fd)
        # A live WAL (a dead read-write session's, see ingest.sessions) was replayed
        # into the build; it belongs to the file being replaced.
        handover = begin_wal_handover(self.path, self.build)
        interrupts.check()  # the last moment a stop leaves the live file as it was
        os.replace(self.build, self.path)
        if handover:
            end_wal_handover(self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        interrupts.note_published(str(self.path))
        journal.clear(self.path)  # its runs are in the published file now
        self.timings["publish"] = time.perf_counter() - t0

    # -- the build's connection ---------------------------------------------------------
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The open DuckDB connection; RuntimeError when the warehouse is not open."""
        if self.con is None:
            raise RuntimeError("warehouse is not open")
        return self.con

    @contextlib.contextmanager
    def bulk_memory(self, n_files: int, *, at_least_mb: int = 0) -> Iterator[None]:
        """Raise DuckDB's memory limit for one set-based step over ``n_files`` files (and
        to ``at_least_mb``)."""
        con = self.connection()
        load_mb = megabytes(self.memory_limit)
        scaled = BULK_BASE_MB - (-n_files * BULK_MB_PER_MILLION_FILES // 1_000_000)
        bulk = os.environ.get(BULK_MEMORY_LIMIT_ENV) or f"{max(load_mb, scaled, at_least_mb)}MB"
        con.execute(f"SET memory_limit = '{bulk}'")
        try:
            yield
        except BaseException:
            # The step's error is the one to tell: on a lake (one transaction, which the
            # error aborted) lowering the limit fails "transaction is aborted" too.
            with contextlib.suppress(duckdb.Error):
                self._lower_limit(con)
            raise
        self._lower_limit(con)

    def _lower_limit(self, con: duckdb.DuckDBPyConnection) -> None:
        """Back to the usual limit after a bulk step.  An index the step built (the
        search units' key) is memory DuckDB cannot evict until a checkpoint writes it
        out; when it holds more than the usual limit, lowering fails, so the build is
        checkpointed first."""
        try:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
        except duckdb.OutOfMemoryException:
            con.execute("CHECKPOINT")
            con.execute(f"SET memory_limit = '{self.memory_limit}'")

    def checkpoint(self) -> float:
        """Write what is committed into the build file and empty the WAL, with a raised
        memory limit (a checkpoint ran out of 32 MB); returns the seconds it took."""
        t0 = time.perf_counter()
        con = self.connection()
        # Never below the limit in force: key indexes DuckDB cannot evict may hold more
        # than the checkpoint's own limit (a 98k-document load, at 192 MB, failed to
        # lower it to 128 MB), and the checkpoint is what lets them go.
        limit = max(megabytes(CHECKPOINT_MEMORY_LIMIT), megabytes(self.memory_limit))
        con.execute(f"SET memory_limit = '{limit}MB'")
        try:
            con.execute("CHECKPOINT")
        finally:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")
        return time.perf_counter() - t0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on the build: committed on success, rolled back on any error."""
        con = self.connection()
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            # DuckDB may have aborted the transaction itself (a failed write); the
            # original error is the one to report, not "no transaction is active".
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        try:
            con.execute("COMMIT")
        except duckdb.Error:  # e.g. no memory to merge a key's index: end it either way
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise

    def insert_columns(self, name: str, columns: dict[str, list[Any]]) -> None:
        """Insert rows given as equally long Python lists, one per column.

        A few rows go in as literals (:mod:`ingest.sql`: no parameter binding, so no
        pandas import for a run that writes little).  More are bound as one LIST
        parameter per column and zipped back into rows by ``unnest``, in C++.  Not
        Arrow: pyarrow imports pandas too, the first time it converts Python objects."""
        if not columns or not next(iter(columns.values())):
            return
        names = list(columns)
        target = f"{name} ({', '.join(names)})"
        if len(next(iter(columns.values()))) <= LITERAL_ROWS:
            rows = list(zip(*columns.values(), strict=True))
            self.connection().execute(f"INSERT INTO {target} {sql.values(rows)}")
            return
        select = ", ".join(f"unnest(${i + 1})" for i in range(len(names)))
        self.connection().execute(f"INSERT INTO {target} SELECT {select}", list(columns.values()))

    def append(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Append rows (dicts keyed by the contract's column names) in one insert;
        missing keys are nulls."""
        if rows:
            cols = schema.tables()[name].names
            self.insert_columns(name, {c: [r.get(c) for r in rows] for c in cols})

    def next_snapshot(self) -> int | None:
        """The snapshot id publishing will make, for the run's record: a file has none."""
        return None

    def query(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> list[Any]:
        """All rows of one statement on the build (``$1``-style or ``?`` parameters)."""
        return self.connection().execute(sql, params or []).fetchall()

    def count(self, table: str) -> int:
        """The number of rows in ``table``."""
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

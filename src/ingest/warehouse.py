"""Load: the single writer of the DuckDB warehouse.

Readers must never see a half-loaded run nor make a run fail, and DuckDB lets a
file be open read-write by one process only while nobody else holds it.  So a
run never writes the live file: it copies it to a private build file beside it,
loads into that (bulk Arrow inserts, each batch one transaction, each document's
old rows deleted and new rows inserted together), checkpoints, and then
publishes with an atomic ``os.replace``.  A reader that had the old file open
keeps a consistent old snapshot; the next connection sees the new one.  A run
killed at any point leaves the live file exactly as it was; its stale build file
is removed by the next run.  Concurrent runs are serialised by an advisory lock
with a bounded, configurable wait.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from . import PARSER_VERSION, schema
from .batch import BatchResult
from .errors import Issue
from .plan import PLAN, WORK_TABLES

_HERE = Path(__file__).resolve().parent
# The repository's warehouse/views.sql, or the copy packaged into a wheel.
_VIEWS = next(
    (
        p
        for p in (_HERE.parents[1] / "warehouse" / "views.sql", _HERE / "_warehouse" / "views.sql")
        if p.exists()
    ),
    _HERE / "_warehouse" / "views.sql",
)


# DuckDB's default memory limit is 80% of RAM, and its buffer pool fills up to the
# limit as the warehouse grows: that was the loader's growth from 10k to 100k
# documents.  Loading batches needs little, so it runs under a small fixed limit.
# The set-based steps whose working set grows with the corpus (planning,
# re-quarantine, removal: joins over every file) get a budget scaled to the number
# of files for their duration; DuckDB uses whatever limit it is given, so a fixed
# large one would cost the loader memory at every size.  Measured on the plan's
# join: 96MB per million rows held 1M and 2M; a re-run at 100k files (200k rows:
# discovered + known) ran out at 32MB once the plan also compared stat columns, so
# the budget is a fixed base plus the per-file share.
MEMORY_LIMIT_ENV = "INGEST_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "32MB"
BULK_MEMORY_LIMIT_ENV = "INGEST_DUCKDB_BULK_MEMORY_LIMIT"
BULK_BASE_MB = 32
BULK_MB_PER_MILLION_FILES = 96


def _megabytes(limit: str) -> int:
    """'32MB' / '1GB' / '512KiB' -> whole megabytes (at least 1)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)I?B?\s*", limit.upper())
    if not m:
        raise ValueError(f"not a memory size: {limit!r} (use e.g. 64MB or 1GB)")
    scale = {"": 1 / 1e6, "K": 1e-3, "M": 1, "G": 1e3, "T": 1e6}[m.group(2)]
    return max(1, int(float(m.group(1)) * scale))


class WarehouseBusy(Exception):
    """Another run holds the warehouse lock for longer than we are willing to wait."""


class Warehouse:
    """Context manager around one run's private build of the warehouse."""

    def __init__(self, db_path: str | Path, *, lock_timeout: float = 60.0) -> None:
        self.path = Path(db_path)
        self.lock_timeout = lock_timeout
        self.build = self.path.with_name(f".{self.path.name}.build-{os.getpid()}")
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock_fd: int | None = None
        self.load_seconds = 0.0
        self.memory_limit = DEFAULT_MEMORY_LIMIT

    # -- lifecycle ------------------------------------------------------------------
    def __enter__(self) -> Warehouse:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._acquire_lock()
        try:
            self._remove_stale_builds()
            if self.path.exists():
                shutil.copyfile(self.path, self.build)
                wal = Path(str(self.path) + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, str(self.build) + ".wal")
            self.memory_limit = os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
            self.con = duckdb.connect(str(self.build), config={"memory_limit": self.memory_limit})
            self._migrate()
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self._discard()

    def _discard(self) -> None:
        if self.con is not None:
            with contextlib.suppress(Exception):
                self.con.close()
            self.con = None
        for p in (self.build, Path(str(self.build) + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        self._release_lock()

    def _acquire_lock(self) -> None:
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise WarehouseBusy(
                        f"another ingest run is writing {self.path} (lock held by {holder}); "
                        f"waited {self.lock_timeout:.0f}s. Retry later or raise --lock-timeout."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z".encode(), 0)
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def _remove_stale_builds(self) -> None:
        # We hold the lock, so any build file left here belongs to a dead run.
        # (DuckDB may also have left a ``.tmp`` spill folder beside it.)
        for p in glob.glob(str(self.path.with_name(f".{self.path.name}.build-*"))):
            if os.path.isdir(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(p)

    def _migrate(self) -> None:
        con = self._con()
        con.execute(
            "CREATE TABLE IF NOT EXISTS ingest_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        views = _VIEWS.read_text(encoding="utf-8") if _VIEWS.exists() else ""
        digest = hashlib.sha256((schema.fingerprint() + views).encode()).hexdigest()
        row = con.execute("SELECT value FROM ingest_meta WHERE key = 'schema'").fetchone()
        if row and row[0] == digest:
            return  # tables, comments and views are current
        for name, table in schema.tables().items():
            con.execute(schema.ddl(name))
            have = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [name]
                ).fetchall()
            }
            for col in table.columns:
                if col.name not in have:  # additive migration: new nullable column
                    con.execute(
                        f"ALTER TABLE {name} ADD COLUMN {col.name} {schema.DUCKDB_TYPES[col.type]}"
                    )
            for stmt in schema.comments(name):
                con.execute(stmt)
        if _VIEWS.exists():
            con.execute(views)
        con.execute("INSERT OR REPLACE INTO ingest_meta VALUES ('schema', ?)", [digest])

    def _con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise RuntimeError("warehouse is not open")
        return self.con

    @contextlib.contextmanager
    def bulk_memory(self, n_files: int) -> Iterator[None]:
        """Raise DuckDB's memory limit for one set-based step over ``n_files`` files."""
        con = self._con()
        load_mb = _megabytes(self.memory_limit)
        scaled = BULK_BASE_MB - (-n_files * BULK_MB_PER_MILLION_FILES // 1_000_000)
        bulk = os.environ.get(BULK_MEMORY_LIMIT_ENV) or f"{max(load_mb, scaled)}MB"
        con.execute(f"SET memory_limit = '{bulk}'")
        try:
            yield
        finally:
            con.execute(f"SET memory_limit = '{self.memory_limit}'")

    # -- plan support -----------------------------------------------------------------
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The build's connection, for the plan's work tables (see :mod:`ingest.plan`)."""
        return self._con()

    def insert_columns(self, name: str, columns: dict[str, list[Any]]) -> None:
        """Insert rows given as equally long Python lists, one per column.

        DuckDB binds each list as one LIST parameter and ``unnest`` zips them back
        into rows, in C++.  Not Arrow: pyarrow imports pandas (+60 MB, ~1 s) the first
        time it converts Python objects, and the loader has no other use for it."""
        if not columns or not next(iter(columns.values())):
            return
        names = list(columns)
        select = ", ".join(f"unnest(${i + 1})" for i in range(len(names)))
        self._con().execute(
            f"INSERT INTO {name} ({', '.join(names)}) SELECT {select}", list(columns.values())
        )

    def query(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        """All rows of one statement on the build (``$1``-style or ``?`` parameters)."""
        return self._con().execute(sql, params or []).fetchall()

    # -- writing ----------------------------------------------------------------------------
    def load_batch(self, batch: BatchResult, run_id: str) -> None:
        """Replace the rows of every document in ``batch`` in one transaction."""
        t0 = time.perf_counter()
        con = self._con()
        replace = [o.doc_id for o in batch.outcomes if o.seen_before]
        con.execute("BEGIN TRANSACTION")
        try:
            if replace:
                self._delete_docs(replace)
            for name, tbl in batch.tables.items():
                if tbl.num_rows:
                    con.register("_batch", tbl)
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _batch")
                    con.unregister("_batch")
            q_rows, s_rows = [], []
            for o in batch.outcomes:
                e = o.error
                s_rows.append(
                    {
                        "source_path": o.source_path,
                        "doc_id": o.doc_id,
                        "content_sha256": o.content_sha256,
                        "status": "quarantined" if e else "loaded",
                        "parser_version": PARSER_VERSION,
                        "run_id": run_id,
                        "size": o.size,
                        "mtime_ns": o.mtime_ns,
                        "error_stage": e.stage if e else None,
                        "error_code": e.code if e else None,
                        "message": e.message if e else None,
                        "line_start": e.line if e else None,
                    }
                )
                if e is not None:
                    q_rows.append(
                        {
                            "run_id": run_id,
                            "source_path": o.source_path,
                            "content_sha256": o.content_sha256 or None,
                            "stage": e.stage,
                            "error_code": e.code,
                            "message": e.message,
                            "line_start": e.line,
                        }
                    )
            self._upsert_source_files(s_rows, replace=bool(replace))
            self.append("quarantine", q_rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        # Arrow keeps freed buffers pooled; hand them back so the loader stays flat.
        # (Imported here: a run with nothing to load never needs pyarrow.)
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
        self.load_seconds += time.perf_counter() - t0

    def requarantine(self, run_id: str) -> list[Issue]:
        """Report the plan's unchanged, still-bad files again for this run without
        re-parsing them; returns their stored reasons, for the run summary."""
        con = self._con()
        bad = f"SELECT source_path FROM {PLAN} WHERE action = 'requarantine'"
        with self.bulk_memory(self.count("source_files")):
            con.execute(
                f"""
                INSERT INTO quarantine BY NAME
                SELECT ? AS run_id, source_path, content_sha256, error_stage AS stage,
                       error_code, message, line_start
                FROM source_files WHERE source_path IN ({bad})""",
                [run_id],
            )
            con.execute(
                f"UPDATE source_files SET run_id = ? WHERE source_path IN ({bad})", [run_id]
            )
            rows = con.execute(
                "SELECT error_stage, error_code, source_path, message, line_start "
                f"FROM source_files WHERE source_path IN ({bad}) ORDER BY source_path"
            ).fetchall()
        return [
            Issue(stage, code, path, message, line) for stage, code, path, message, line in rows
        ]

    def remove_missing(self) -> int:
        """Delete documents whose files are no longer in any source (not in the plan);
        returns how many of them were loaded."""
        con = self._con()
        gone = (
            "SELECT source_path FROM source_files "
            f"WHERE source_path NOT IN (SELECT source_path FROM {PLAN})"
        )
        ids = f"SELECT doc_id FROM source_files WHERE source_path IN ({gone})"
        with self.bulk_memory(self.count("source_files")):
            n_gone, n_loaded = con.execute(
                "SELECT count(*), count(*) FILTER (status = 'loaded') FROM source_files "
                f"WHERE source_path IN ({gone})"
            ).fetchall()[0]
            if not n_gone:
                return 0  # the usual case: spare a DELETE over every document table
            con.execute("BEGIN TRANSACTION")
            try:
                for name in schema.document_tables():
                    con.execute(f"DELETE FROM {name} WHERE doc_id IN ({ids})")
                con.execute(f"DELETE FROM source_files WHERE source_path IN ({gone})")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(n_loaded)

    def record_run(self, row: dict[str, Any]) -> None:
        self.append("ingest_runs", [row])

    def publish(self) -> None:
        """Make this run's build the live warehouse, atomically."""
        con = self._con()
        for name in WORK_TABLES:  # the plan's work tables never reach readers
            con.execute(f"DROP TABLE IF EXISTS {name}")
        con.execute("CHECKPOINT")
        con.close()
        self.con = None
        fd = os.open(self.build, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        stale_wal = Path(str(self.path) + ".wal")
        os.replace(self.build, self.path)
        with contextlib.suppress(FileNotFoundError):
            stale_wal.unlink()
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def count(self, table: str) -> int:
        return int(self._con().execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    # -- helpers -------------------------------------------------------------------------------
    def _delete_docs(self, doc_ids: list[str]) -> None:
        if not doc_ids:
            return
        con = self._con()
        for name in schema.document_tables():
            con.execute(f"DELETE FROM {name} WHERE doc_id IN (SELECT unnest(?))", [doc_ids])

    def _upsert_source_files(self, rows: list[dict[str, Any]], *, replace: bool = True) -> None:
        if not rows:
            return
        if replace:  # only files seen before have a row to replace
            self._con().execute(
                "DELETE FROM source_files WHERE source_path IN (SELECT unnest(?))",
                [[r["source_path"] for r in rows]],
            )
        self.append("source_files", rows)

    def append(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Append rows (dicts keyed by the contract's column names) in one insert;
        missing keys are nulls."""
        if rows:
            cols = schema.tables()[name].names
            self.insert_columns(name, {c: [r.get(c) for r in rows] for c in cols})

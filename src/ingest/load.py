"""Load a run's rows into its private build at DuckDB's bulk speed.

Inserting each batch as it arrived cost a statement per table per batch, a WAL
entry for every row, and checkpoints that rewrote the build again and again,
all on the loader while the parse workers wanted the same cores (~86k rows/s on
100k documents; 0.6M rows/s after buffering, still the run's serial step).  Now
the workers write their rows as Parquet files into the run's *stage* folder
beside the build (:mod:`ingest.batch`), and the loader keeps nothing but the
list of files.  When parsing is done, each table is loaded with one statement,
``INSERT ... SELECT * FROM read_parquet(<stage>/*-<table>.parquet)``: DuckDB's
own parallel Parquet reader, one transaction per table, full row groups written
compressed straight into the file.  Before that, the old rows of every document
the run re-parsed are deleted (all tables, and their ``source_files`` rows), so
documents are replaced whole.

The build is private until published, so nothing is lost by loading at the end:
a killed run leaves a stale build and stage, which the next run removes.  Batches
that come back as Arrow tables (a remote Dask worker cannot write here) are
written to the stage by the loader.  Memory is one batch's outcomes plus DuckDB's
limit, however large the run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import duckdb

from . import interrupts, keys, schema
from .batch import BatchResult, write_parquet
from .warehouse import megabytes

if TYPE_CHECKING:
    from .warehouse import Warehouse

_RETRY_FACTORS = (1, 2, 4, 8)  # the insert's memory limit, as multiples of the loader's


def _tables() -> list[str]:
    """Loading order: bookkeeping last.  (A function: parsing the contract at import
    would cost every run ~40 ms, runs that load nothing included.)"""
    return [*schema.document_tables(), "source_files", "quarantine"]


class Loader:
    """``with Loader(wh) as load: load.add(batch) ...``; the rows go in on exit."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self.stage = str(wh.build) + ".stage"
        self.seconds = 0.0  # time spent writing into the build
        self.cpu = 0.0  # CPU seconds of this process (DuckDB's threads included) meanwhile
        self.rows = 0  # document rows inserted

    def __enter__(self) -> Loader:
        os.makedirs(self.stage, exist_ok=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.load()
        finally:
            shutil.rmtree(self.stage, ignore_errors=True)

    def add(self, batch: BatchResult) -> None:
        """Take one parsed batch: its files are in the stage already, or written now."""
        if batch.tables:
            t0 = time.perf_counter()
            write_parquet(batch.tables, self.stage)
            self.seconds += time.perf_counter() - t0

    def load(self) -> None:
        """Replace the re-parsed documents' rows and insert every staged row."""
        interrupts.check()
        t0, cpu0 = time.perf_counter(), time.process_time()
        con = self.wh.connection()
        files = {t: self._files(t) for t in _tables()}
        if files["source_files"]:
            new = f"read_parquet({_sql_list(files['source_files'])})"
            with self.wh.bulk_memory(self.wh.count("source_files")):
                for name in schema.document_tables():
                    con.execute(f"DELETE FROM {name} WHERE doc_id IN (SELECT doc_id FROM {new})")
                con.execute(
                    "DELETE FROM source_files WHERE (source, source_path) IN "
                    f"(SELECT source, source_path FROM {new})"
                )
        con.execute("SET preserve_insertion_order = false")  # lets the insert run in parallel
        try:
            with self._index_room():
                for name in _tables():
                    if files[name]:
                        n = self._insert(name, files[name])
                        if name not in ("source_files", "quarantine"):
                            self.rows += n
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a lake's aborted transaction refuses it
                con.execute("RESET preserve_insertion_order")
            raise
        con.execute("RESET preserve_insertion_order")
        self.seconds += time.perf_counter() - t0
        self.cpu += time.process_time() - cpu0

    @contextlib.contextmanager
    def _index_room(self) -> Iterator[None]:
        """The loader's memory limit raised by the keys' index budget while rows go in;
        after, the index is checkpointed out when it holds more than DuckDB could keep
        under the usual limit (it cannot be evicted, so the limit could not go back)."""
        con = self.wh.connection()
        usual = self.wh.memory_limit
        self.wh.memory_limit = f"{megabytes(usual) + keys.INSERT_HEADROOM_MB}MB"
        con.execute(f"SET memory_limit = '{self.wh.memory_limit}'")
        try:
            yield
        except BaseException:
            self.wh.memory_limit = usual
            with contextlib.suppress(duckdb.Error):  # the build is discarded anyway
                con.execute(f"SET memory_limit = '{usual}'")
            raise
        if keys.index_mb(con) > megabytes(usual) // 4:
            self.wh.checkpoint()  # under the raised limit; after it, the index is let go
        self.wh.memory_limit = usual
        con.execute(f"SET memory_limit = '{usual}'")

    def _insert(self, name: str, files: list[str]) -> int:
        """One table's staged rows, in chunks of about a million rows (see
        :mod:`ingest.keys`: the primary key's index is checkpointed out between them)."""
        con = self.wh.connection()
        sizes = dict(
            con.execute(
                f"SELECT file_name, num_rows FROM parquet_file_metadata({_sql_list(files)})"
            ).fetchall()
        )
        statements = [
            f"INSERT INTO {name} BY NAME "
            f"SELECT * FROM read_parquet({_sql_list(chunk)}, union_by_name = true)"
            for chunk in keys.chunks({f: int(sizes.get(f, 0)) for f in files})
        ]
        return keys.insert_in_chunks(con, statements, self._insert_chunk, self.wh.checkpoint)

    def _insert_chunk(self, sql: str) -> int:
        """One chunk in one transaction.  The loader's small memory limit holds any
        number of ordinary rows, but several multi-megabyte values read in parallel (8 MB
        documents of one long section each) can need more pinned at once: DuckDB then
        refuses the statement ("failed to pin block"), the transaction rolls back, and
        the insert is tried again under a doubled limit, up to 8x.  A commit that could
        not merge the chunk's key index is not retried (see keys.commit_out_of_memory)."""
        base = megabytes(self.wh.memory_limit)
        # A lake run is one transaction, which a failed insert aborts: no second try, so
        # each insert gets the limit the last try would have had (measured at 98k
        # documents: a chunk of table cells ran out of the first try's 183 MB).
        factors = _RETRY_FACTORS if self.wh.retries_statements else _RETRY_FACTORS[-1:]
        for factor in factors:
            try:
                with self.wh.bulk_memory(0, at_least_mb=base * factor), self.wh.transaction():
                    n = self.wh.connection().execute(sql).fetchone()
                return int(n[0]) if n else 0
            except duckdb.Error as exc:
                if keys.commit_out_of_memory(exc):
                    raise keys.index_out_of_memory(base * factor) from exc
                if not keys.out_of_memory(exc) or factor == factors[-1]:
                    raise
        raise AssertionError("unreachable")

    def _files(self, table: str) -> list[str]:
        """The stage's files of ``table``."""
        return sorted(glob.glob(str(Path(self.stage) / f"*-{table}.parquet")))


def _sql_list(paths: list[str]) -> str:
    """``paths`` as a SQL list literal."""
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in paths) + "]"

"""Load parse results into the run's private build at DuckDB's bulk speed.

Batches come back from the workers as Arrow tables of a few hundred documents.
Inserting each as it arrives costs a statement per table per batch and a commit
per batch, which is what made the loader the slowest stage (~86k rows/s on 100k
documents).  The build is private until it is published, so per-batch commits buy
no durability: a killed run discards the build whole.  So the loader

* buffers batches until about ``FLUSH_ROWS`` rows or ``FLUSH_BYTES`` bytes are
  waiting, then writes them with one ``INSERT`` per table (``concat`` of the
  buffered Arrow tables, read by DuckDB without a copy);
* lets each statement commit on its own: one table's pending rows are pinned at
  a time, so DuckDB stays within a small memory limit (a transaction spanning all
  tables held ~1 GB at 10k documents, or ran out of a 32 MB limit), and the WAL is
  only checkpointed once, at publish (``checkpoint_threshold`` of the build);
* replaces documents whole: the old rows of every re-parsed document (all
  tables, and its ``source_files`` row) are deleted in the flush that inserts its
  new rows, before them.

Only the published end state is ever seen, so commits in between need not be
atomic per document.  Memory stays bounded by the flush size plus DuckDB's
limit, however many batches a run has.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from . import PARSER_VERSION, schema
from .batch import BatchResult

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from .warehouse import Warehouse

FLUSH_ROWS = 400_000
FLUSH_BYTES = 64 * 1024 * 1024

_SOURCE_FILE_COLUMNS = schema.tables()["source_files"].names
_QUARANTINE_COLUMNS = schema.tables()["quarantine"].names


class Loader:
    """``with Loader(wh, run_id) as load: load.add(batch) ...``; commits on exit."""

    def __init__(
        self,
        wh: Warehouse,
        run_id: str,
        *,
        flush_rows: int = FLUSH_ROWS,
        flush_bytes: int = FLUSH_BYTES,
    ) -> None:
        self.wh = wh
        self.run_id = run_id
        self.flush_rows = flush_rows
        self.flush_bytes = flush_bytes
        self.seconds = 0.0  # time spent loading (buffering excluded)
        self.rows = 0  # document rows inserted
        self._tables: dict[str, list[pa.Table]] = {}
        self._rows = 0
        self._bytes = 0
        self._replace: list[str] = []  # doc ids whose old rows go
        self._files: dict[str, list[Any]] = {c: [] for c in _SOURCE_FILE_COLUMNS}
        self._quarantine: dict[str, list[Any]] = {c: [] for c in _QUARANTINE_COLUMNS}

    def __enter__(self) -> Loader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.flush()

    def add(self, batch: BatchResult) -> None:
        """Take one batch's rows and outcomes; writes when enough is waiting."""
        for name, tbl in batch.tables.items():
            if tbl.num_rows:
                self._tables.setdefault(name, []).append(tbl)
                self._rows += tbl.num_rows
                self._bytes += tbl.nbytes
        for o in batch.outcomes:
            e = o.error
            if o.seen_before:
                self._replace.append(o.doc_id)
            for col, value in (
                ("source", o.source),
                ("source_path", o.source_path),
                ("doc_id", o.doc_id),
                ("content_sha256", o.content_sha256),
                ("status", "quarantined" if e else "loaded"),
                ("parser_version", PARSER_VERSION),
                ("run_id", self.run_id),
                ("size", o.size),
                ("mtime_ns", o.mtime_ns),
                ("error_stage", e.stage if e else None),
                ("error_code", e.code if e else None),
                ("message", e.message if e else None),
                ("line_start", e.line if e else None),
            ):
                self._files[col].append(value)
            if e is not None:
                for col, value in (
                    ("run_id", self.run_id),
                    ("source", o.source),
                    ("source_path", o.source_path),
                    ("content_sha256", o.content_sha256 or None),
                    ("stage", e.stage),
                    ("error_code", e.code),
                    ("message", e.message),
                    ("line_start", e.line),
                ):
                    self._quarantine[col].append(value)
        if self._rows >= self.flush_rows or self._bytes >= self.flush_bytes:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered: old rows of replaced documents out, new rows in."""
        t0 = time.perf_counter()
        self._write(self.wh.connection())
        self.seconds += time.perf_counter() - t0

    def _write(self, con: duckdb.DuckDBPyConnection) -> None:
        if self._replace:
            for name in schema.document_tables():
                con.execute(
                    f"DELETE FROM {name} WHERE doc_id IN (SELECT unnest(?))", [self._replace]
                )
            con.execute(
                "DELETE FROM source_files WHERE doc_id IN (SELECT unnest(?))", [self._replace]
            )
        if self._tables:
            import pyarrow as pa  # only a run that loads rows needs it

            for name, parts in self._tables.items():
                table = pa.concat_tables(parts, promote_options="default").combine_chunks()
                con.register("_batch", table)
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _batch")
                con.unregister("_batch")
            self._tables = {}
            # Arrow keeps freed buffers pooled; hand them back so the loader stays flat.
            pa.default_memory_pool().release_unused()
        self.wh.insert_columns("source_files", self._files)
        self.wh.insert_columns("quarantine", self._quarantine)
        self.rows += self._rows
        self._rows, self._bytes, self._replace = 0, 0, []
        for cols in (self._files, self._quarantine):
            for values in cols.values():
                values.clear()

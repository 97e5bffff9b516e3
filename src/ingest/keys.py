"""Bulk inserts into tables with a primary key, in bounded memory.

Every warehouse table declares its primary key, so that SQL clients show what
identifies a row.  DuckDB enforces a key with an ART index, and while rows are
being inserted that index lives in memory that cannot be evicted: loading the
cells of 10k documents (3.6M rows) held ~145 MB of index, which grows with the
corpus, and the loader runs under a 64 MB limit.  A checkpoint writes the index
to the file and lets it go.  So bulk inserts go in chunks, one transaction each,
and after a chunk the build is checkpointed when the index memory is over
:data:`ART_BUDGET_MB` (measured at 10k: ~24% slower than one statement per table,
with a peak RSS below a keyless load's instead of ~190 MB above it; BENCHMARKS.md).
The loader and the migration of older warehouses use the same chunking.

Foreign keys are not declared: see BENCHMARKS.md ("Keys").
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from .failures import RunFailure

ART_BUDGET_MB = 64  # index memory held before a checkpoint writes it out
CHUNK_ROWS = 500_000  # rows per insert transaction (a chunk's own index is built in memory)
# Memory a keyed insert needs beside DuckDB's usual: the index held up to its budget,
# and the chunk's own index merged into it at commit.
INSERT_HEADROOM_MB = 2 * ART_BUDGET_MB


class IndexOutOfMemory(RunFailure):
    """A chunk's key index could not be merged into its table's within the memory limit."""


def out_of_memory(exc: duckdb.Error) -> bool:
    """Whether ``exc`` is a statement that ran out of DuckDB's memory limit: nothing of
    it is kept, so it can be tried again under a larger limit."""
    return isinstance(exc, duckdb.OutOfMemoryException)


def commit_out_of_memory(exc: duckdb.Error) -> bool:
    """Whether ``exc`` is a commit that ran out of memory merging a chunk's key index.
    It is not tried again: DuckDB 1.5.5 keeps part of that index, and the retry fails
    with 'Duplicate key' for rows that are not in the table (seen loading 98k documents,
    and reproduced on 100k rows under a 16 MB limit)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.TransactionException) and (
        "failed to allocate" in text or "could not allocate" in text
    )


def index_out_of_memory(limit_mb: int) -> IndexOutOfMemory:
    """The one line for :func:`commit_out_of_memory`: what happened and what to do."""
    return IndexOutOfMemory(
        f"the warehouse's key index no longer fits DuckDB's memory limit while loading "
        f"({limit_mb} MB); nothing was published. Raise INGEST_DUCKDB_MEMORY_LIMIT "
        "(e.g. 512MB for ~100k documents) and run again"
    )


def index_mb(con: duckdb.DuckDBPyConnection) -> int:
    """Megabytes of ART index memory DuckDB holds now."""
    row = con.execute(
        "SELECT coalesce(sum(memory_usage_bytes), 0) // 1000000 FROM duckdb_memory() "
        "WHERE tag = 'ART_INDEX'"
    ).fetchone()
    return int(row[0]) if row else 0


def chunks(sizes: dict[str, int], limit: int | None = None) -> list[list[str]]:
    """Group the keys of ``sizes`` (in order) into runs of at most ``limit`` rows each
    (:data:`CHUNK_ROWS` by default; an item larger than that is a chunk of its own)."""
    limit = CHUNK_ROWS if limit is None else limit
    out: list[list[str]] = []
    rows = 0
    for name, n in sizes.items():
        if not out or rows + n > limit:
            out.append([])
            rows = 0
        out[-1].append(name)
        rows += n
    return out


def insert_in_chunks(
    con: duckdb.DuckDBPyConnection,
    statements: list[str],
    insert: Callable[[str], int],
    checkpoint: Callable[[], object],
) -> int:
    """Run each INSERT of ``statements`` through ``insert`` (one transaction each) and
    ``checkpoint`` whenever the index memory is over budget; returns the rows inserted."""
    total = 0
    for sql in statements:
        total += insert(sql)
        if index_mb(con) > ART_BUDGET_MB:
            checkpoint()
    return total

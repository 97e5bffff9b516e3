"""Compare a source's files on disk with what the warehouse knows, as one streaming merge.

Every run asks the same question of every file: is it new, gone, or the same as
last time?  Asking DuckDB per file (or sending every discovered path to it) made
the fixed cost of a run grow with the warehouse: ~50 ms per 2,048 files of
parameter binding and inserts, plus 0.3-0.4 s for the pandas import that DuckDB
1.5's Python binding performs on first use.  Instead, the walk yields files in
``source_path`` order (:mod:`ingest.discover`) and ``source_files`` is read in
the same order, a page at a time, with a query that binds no parameters; the two
streams are merged like sorted lists.  Memory is a page of each, whatever the
size of the source.

:func:`merge` yields one pair per path: on disk only (new), known only
(gone), or both (compare size, mtime, parser version; the hash only when the
stat differs).  Callers decide what a pair means: the read-only up-to-date check
(:mod:`ingest.freshness`) and the plan (:mod:`ingest.plan`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import duckdb

from . import PARSER_VERSION
from .config import NAME_RE, Source
from .discover import SourceFile, iter_files

PAGE = 4096  # stored rows fetched per round trip


class Known(NamedTuple):
    """What ``source_files`` holds for one path.  (A named tuple, like
    :class:`~ingest.discover.SourceFile`: a run makes one per file, and a frozen
    dataclass cost twice as much to build.)"""

    source_path: str
    size: int | None
    mtime_ns: int | None
    content_sha256: str | None
    status: str
    parser_version: str | None

    @property
    def current(self) -> bool:
        """Parsed by this parser version (rows predating versions count as current)."""
        return self.parser_version in (None, PARSER_VERSION)

    def same_stat(self, f: SourceFile) -> bool:
        """Same size and the same non-zero mtime: content assumed unchanged (as git and
        rsync assume); the hash is only compared when this fails or on ``--rehash``."""
        return f.size == self.size and f.mtime_ns != 0 and f.mtime_ns == self.mtime_ns


# One path: (file on disk or None when gone, what the warehouse knows or None when new).
Pair = tuple[SourceFile | None, Known | None]


def source_literal(name: str) -> str:
    """A source name as a SQL string literal; names are validated (no quotes possible)."""
    if not NAME_RE.fullmatch(name):
        raise ValueError(f"not a source name: {name!r}")
    return f"'{name}'"


def known(con: duckdb.DuckDBPyConnection, source: str) -> Iterator[Known]:
    """``source_files`` rows of ``source`` in ``source_path`` order, a page at a time.
    Read through a cursor of its own, so the caller may write meanwhile."""
    cur = con.cursor()
    try:
        cur.execute(
            "SELECT source_path, size, mtime_ns, content_sha256, status, parser_version "
            f"FROM source_files WHERE source = {source_literal(source)} ORDER BY source_path"
        )
        while rows := cur.fetchmany(PAGE):
            yield from map(Known._make, rows)
    finally:
        cur.close()


def merge(con: duckdb.DuckDBPyConnection, source: Source) -> Iterator[Pair]:
    """Every path of ``source`` on disk or in the warehouse, in order, as a pair."""
    disk = iter_files([source])
    stored = known(con, source.name)
    f = next(disk, None)
    k = next(stored, None)
    while f is not None or k is not None:
        if k is None or (f is not None and f.source_path < k.source_path):
            yield f, None
            f = next(disk, None)
        elif f is None or k.source_path < f.source_path:
            yield None, k
            k = next(stored, None)
        else:
            yield f, k
            f, k = next(disk, None), next(stored, None)

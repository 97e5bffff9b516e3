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
(gone), or both.  :func:`first_look` is the one rule both of its callers, the
read-only up-to-date check (:mod:`ingest.freshness`) and the plan
(:mod:`ingest.plan`), apply to a pair, so they cannot disagree: parse it, it is
the same, or hash it to know.  Size, mtime and parser version decide, the hash
only when the stat differs.  An odd entry (a FIFO, a broken link...) is never
hashed: it is the same when it is still that kind of entry with the same stat.
A file quarantined because it could not be read is the same only while it still
cannot be opened, so fixing its permissions takes effect on the next run.

The walk applies the run's include/exclude rules, so a file a narrower rule
leaves out is "known only": removed, like a deleted file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import duckdb

from . import PARSER_VERSION
from .config import NAME_RE, Source
from .discover import SourceFile, iter_files
from .entries import ENTRY_CODES, can_read
from .selection import Selection, Skipped

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
    error_code: str | None = None

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
PARSE, SAME, HASH = "parse", "same", "hash"
# Read errors that may pass without the file changing (a chmod changes no mtime).
_RETRY_READ = ("unreadable", "not_regular_file")


def first_look(f: SourceFile, k: Known | None, rehash: bool) -> str:
    """What an entry on disk needs, before any hash: ``parse``, ``same`` (unchanged,
    or still bad for the stored reason) or ``hash`` (compare hashes to know)."""
    if k is None or not k.current:
        return PARSE
    if f.kind or k.error_code in ENTRY_CODES:  # odd entries: never opened, never hashed
        still = f.kind == k.error_code and k.status == "quarantined"
        return SAME if still and (f.size < 0 or k.same_stat(f)) else PARSE
    if f.size < 0 or f.size != k.size:
        return PARSE
    if not k.same_stat(f) or rehash:
        return HASH
    if k.status == "quarantined" and k.error_code in _RETRY_READ and can_read(f.path):
        return PARSE  # readable again
    return SAME


def source_literal(name: str) -> str:
    """A source name as a SQL string literal; names are validated (no quotes possible)."""
    if not NAME_RE.fullmatch(name):
        raise ValueError(f"not a source name: {name!r}")
    return f"'{name}'"


def known(con: duckdb.DuckDBPyConnection, source: str) -> Iterator[Known]:
    """``source_files`` rows of ``source`` in ``source_path`` order, a page at a time.
    Read through a cursor of its own, so the caller may write meanwhile."""
    (db,) = con.execute("SELECT current_database()").fetchone() or ("memory",)
    cur = con.cursor()
    try:
        cur.execute(f'USE "{db}"')  # a new cursor's default is the first database: a lake's not
        cur.execute(
            "SELECT source_path, size, mtime_ns, content_sha256, status, parser_version, "
            f"error_code FROM source_files WHERE source = {source_literal(source)} ORDER BY source_path"
        )
        while rows := cur.fetchmany(PAGE):
            yield from map(Known._make, rows)
    finally:
        cur.close()


def merge(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    select: Selection | None = None,
    skipped: Skipped | None = None,
) -> Iterator[Pair]:
    """Every path of ``source`` on disk (as ``select`` takes them; the others counted
    in ``skipped``) or in the warehouse, in order, as a pair."""
    disk = iter_files([source], select, skipped)
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

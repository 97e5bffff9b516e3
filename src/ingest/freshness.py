"""Is there anything to parse?  A read-only check ``ingest run`` makes before it starts Prefect.

A run whose files are all unchanged parses nothing: its work is the plan, the
re-reporting of still-bad files, the removal of vanished ones and the run row,
about 0.3 s at 10k files.  Starting Prefect's temporary server for it would add
several seconds of server boot and imports to that.  So the CLI asks this module
first and, when nothing needs parsing, runs those same library steps in-process
(:func:`ingest.pipeline.run_pipeline`); the warehouse ends exactly as the flow
would leave it.

The check may say "something to parse" when nothing does (that only costs the
usual path), never the reverse.  A file needs parsing unless ``source_files`` of
the published warehouse has its source and relative path with the same size, the same
parser version, and the same content: the same non-zero mtime (the plan's own
shortcut, skipped with ``rehash``) or, failing that, the same SHA-256.  The walk
is streamed in chunks, each looked up with one query, and the check stops at the
first file that needs parsing, so its memory is flat and a changed corpus costs
little more than opening the warehouse.  The warehouse is opened read-only: runs
write to a private build, so the live file is only ever read.  Any failure to
read it (missing, locked by a writer, older schema) answers "something to parse".
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from . import PARSER_VERSION
from .config import Source, as_sources
from .discover import SourceFile, iter_files, sha256_file

if TYPE_CHECKING:
    import duckdb

CHUNK = 2048


def needs_parsing(
    sources: Sequence[Source | str | Path], db: str | Path, *, rehash: bool = False
) -> bool:
    """True unless every file of ``sources`` is known to ``db`` with the same content."""
    if not Path(db).is_file():
        return True
    import duckdb  # not at module level: a cold run never needs it here

    try:
        con = duckdb.connect(str(db), read_only=True, config={"memory_limit": "32MB"})
    except duckdb.Error:
        return True
    try:
        files = iter_files(as_sources(sources))
        while chunk := list(islice(files, CHUNK)):
            if _chunk_needs_parsing(con, chunk, rehash):
                return True
    except duckdb.Error:
        return True
    finally:
        con.close()
    return False


def _chunk_needs_parsing(
    con: duckdb.DuckDBPyConnection, chunk: list[SourceFile], rehash: bool
) -> bool:
    known = {
        (src, sp): (size, mtime, digest)
        for src, sp, size, mtime, digest in con.execute(
            "SELECT s.source, s.source_path, s.size, s.mtime_ns, s.content_sha256 "
            "FROM (SELECT unnest($1) AS source, unnest($2) AS source_path) p "
            "JOIN source_files s USING (source, source_path) "
            "WHERE s.content_sha256 IS NOT NULL AND coalesce(s.parser_version, $3) = $3",
            [[f.source for f in chunk], [f.source_path for f in chunk], PARSER_VERSION],
        ).fetchall()
    }
    for f in chunk:
        entry = known.get((f.source, f.source_path))
        if entry is None or f.size < 0 or entry[0] != f.size:
            return True
        if not rehash and f.mtime_ns and entry[1] == f.mtime_ns:
            continue
        if sha256_file(f.path) != entry[2]:
            return True
    return False

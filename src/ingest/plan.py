"""Plan a run inside the warehouse build: discover, hash, classify, then stream batches.

The plan is the one step whose size grows with the corpus, so it holds no
per-file list in Python.  Discovered files are streamed in chunks into a work
table of the run's private warehouse build (``ingest_plan``; dropped before the
build is published).  For each chunk, the files whose size and mtime match the
last run keep their stored hash (as git and rsync do), and the rest are read and
hashed on a few threads (hashlib releases the GIL).  One SQL statement then
classifies every file against ``source_files`` of the same source: ``parse``,
``unchanged``, or ``requarantine`` (unchanged and still bad).  Parse batches are
read back page by page.  A 100k-file plan thus costs the loader a few MB of
DuckDB pages instead of ~50 MB of Python objects, and the same code is flat at a
million files.  Files are keyed by (source, source_path) throughout: the plan
only ever compares a source with its own past.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING

from . import PARSER_VERSION
from .discover import SourceFile, iter_files, sha256_file

if TYPE_CHECKING:
    from .config import RunConfig
    from .warehouse import Warehouse

CHUNK = 2048  # files per discovery chunk: one lookup query and one insert each
MAX_BATCH_BYTES = 16 * 1024 * 1024

_DISCOVERED = "ingest_plan_discovered"
PLAN = "ingest_plan"
_PARSE = "ingest_plan_parse"
WORK_TABLES = (_DISCOVERED, PLAN, _PARSE)


@dataclass
class RunPlan:
    """Counts only: the files themselves stay in the build's ``ingest_plan`` table."""

    run_id: str
    started_at: datetime
    seen: int = 0
    to_parse: int = 0
    unchanged: int = 0
    requarantine: int = 0


def plan_run(cfg: RunConfig, wh: Warehouse, run_id: str) -> RunPlan:
    """Discover and hash the sources into ``ingest_plan`` and count what to do."""
    started = datetime.now(UTC)
    con = wh.connection()
    con.execute(
        f"CREATE OR REPLACE TABLE {_DISCOVERED} (source VARCHAR, path VARCHAR, "
        "source_path VARCHAR, size BIGINT, mtime_ns BIGINT, content_sha256 VARCHAR)"
    )
    files = iter_files(cfg.sources)
    n_files = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        while chunk := list(islice(files, CHUNK)):
            digests = _known_digests(wh, chunk) if not cfg.rehash else {}
            need = [f.path for f in chunk if f.path not in digests]
            digests.update(zip(need, pool.map(sha256_file, need), strict=True))
            wh.insert_columns(
                _DISCOVERED,
                {
                    "source": [f.source for f in chunk],
                    "path": [f.path for f in chunk],
                    "source_path": [f.source_path for f in chunk],
                    "size": [f.size for f in chunk],
                    "mtime_ns": [f.mtime_ns for f in chunk],
                    "content_sha256": [digests[f.path] for f in chunk],
                },
            )
            n_files += len(chunk)
    # No ORDER BY and no sorting window: sorting these wide rows is what runs out of
    # DuckDB's memory budget at a million files; joins and aggregates stay within it.
    with wh.bulk_memory(n_files + wh.count("source_files")):
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {PLAN} AS
            SELECT d.source, d.path, d.source_path, d.size, d.mtime_ns, d.content_sha256,
                   s.source_path IS NOT NULL AS seen_before,
                   s.size IS DISTINCT FROM d.size OR s.mtime_ns IS DISTINCT FROM d.mtime_ns
                     AS restat,
                   CASE
                     WHEN s.source_path IS NOT NULL AND d.content_sha256 IS NOT NULL
                          AND s.content_sha256 = d.content_sha256
                          AND coalesce(s.parser_version, $pv) = $pv
                       THEN CASE WHEN s.status = 'loaded' THEN 'unchanged' ELSE 'requarantine' END
                     ELSE 'parse'
                   END AS action
            FROM {_DISCOVERED} d
            LEFT JOIN source_files s ON s.source = d.source AND s.source_path = d.source_path
            """,
            {"pv": PARSER_VERSION},
        )
        # Dense numbers for the files to parse, so batches are read back a page at a time.
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {_PARSE} AS
            SELECT row_number() OVER () AS seq, source, path, source_path, size, mtime_ns,
                   seen_before
            FROM {PLAN} WHERE action = 'parse'
            """
        )
        con.execute(f"DROP TABLE {_DISCOVERED}")
        counts = dict.fromkeys(("parse", "unchanged", "requarantine"), 0)
        restat = 0
        for action, n, n_restat in con.execute(
            f"SELECT action, count(*), count(*) FILTER (WHERE restat) FROM {PLAN} GROUP BY action"
        ).fetchall():
            counts[action] = n
            restat += n_restat if action in ("unchanged", "requarantine") else 0
        if restat:
            # Same bytes, new size/mtime (a checkout, a copy, a touch): remember the new
            # stat, or every later run would read and hash these files again.
            con.execute(
                f"UPDATE source_files SET size = p.size, mtime_ns = p.mtime_ns FROM {PLAN} p "
                "WHERE p.source = source_files.source AND p.source_path = source_files.source_path "
                "AND p.restat "
                "AND p.action IN ('unchanged', 'requarantine')"
            )
    return RunPlan(
        run_id,
        started,
        seen=sum(counts.values()),
        to_parse=counts["parse"],
        unchanged=counts["unchanged"],
        requarantine=counts["requarantine"],
    )


def _known_digests(wh: Warehouse, chunk: list[SourceFile]) -> dict[str, str | None]:
    """Stored hashes (by absolute path) of the chunk's files whose size and mtime are
    unchanged since the last run."""
    rows = wh.query(
        "WITH p AS (SELECT unnest($1) AS path, unnest($2) AS source_path, unnest($3) AS size, "
        "unnest($4) AS mtime_ns, unnest($5) AS source) "
        "SELECT p.path, s.content_sha256 FROM p JOIN source_files s USING (source, source_path) "
        "WHERE s.size = p.size AND p.mtime_ns <> 0 AND s.mtime_ns = p.mtime_ns "
        "AND s.content_sha256 IS NOT NULL",
        [
            [f.path for f in chunk],
            [f.source_path for f in chunk],
            [f.size for f in chunk],
            [f.mtime_ns for f in chunk],
            [f.source for f in chunk],
        ],
    )
    return dict(rows)


def iter_batches(wh: Warehouse, batch_size: int) -> Iterator[list[SourceFile]]:
    """Files to parse in discovery order, in batches of at most ``batch_size`` files
    and about ``MAX_BATCH_BYTES`` bytes, read from ``ingest_plan`` a page at a time."""
    con = wh.connection()
    last = 0
    buf: list[SourceFile] = []
    exhausted = False
    while True:
        if not exhausted and len(buf) < batch_size:
            rows = con.execute(
                f"SELECT seq, source, path, source_path, size, mtime_ns, seen_before FROM {_PARSE} "
                "WHERE seq > ? AND seq <= ?",
                [last, last + batch_size],
            ).fetchall()
            rows.sort()
            exhausted = len(rows) < batch_size
            last += batch_size
            buf.extend(
                SourceFile(path, sp, size, source, mtime or 0, bool(seen))
                for _, source, path, sp, size, mtime, seen in rows
            )
        if not buf:
            return
        take, nbytes = 0, 0
        for f in buf[:batch_size]:
            if take and nbytes + max(f.size, 0) > MAX_BATCH_BYTES:
                break
            take += 1
            nbytes += max(f.size, 0)
        batch, buf = buf[:take], buf[take:]
        yield batch

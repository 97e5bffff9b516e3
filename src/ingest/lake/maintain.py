"""``ingest lake maintain``: DuckLake's own upkeep, in the order that frees the most.

A lake grows by small files: every run that changes a few documents adds a few
Parquet files per table (and delete files for the rows it replaced), and keeps every
earlier snapshot readable.  That is what makes a one-file change cheap and time
travel possible; upkeep keeps reads fast and the disk bounded.  Three of DuckLake's
functions, nothing of ingest's own:

1. ``ducklake_merge_adjacent_files``: small files of a table merged into larger ones
   (a new snapshot; readers of older ones keep reading the old files);
2. ``ducklake_expire_snapshots(older_than => now() - keep)``: snapshots older than
   the retention can no longer be travelled to (the default, 30 days, is documented in
   the README), which releases the files only they referenced;
3. ``ducklake_cleanup_old_files``: those released files deleted from the data folder;
   and ``ducklake_delete_orphaned_files`` for files no snapshot ever referenced (a run
   killed before its commit), only when older than :data:`ORPHAN_AGE_HOURS`, so a run
   still writing is never robbed of its files.

Each step is its own commit, safe beside readers and writers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import duckdb

from .spec import ALIAS, LakeSpec, attach

DEFAULT_KEEP_DAYS = 30.0
ORPHAN_AGE_HOURS = 24.0


@dataclass
class Maintenance:
    """What one maintenance pass did."""

    merged_tables: int = 0  # tables whose files were merged
    expired_snapshots: int = 0
    deleted_files: int = 0
    orphans_deleted: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def maintain(
    spec: LakeSpec, *, keep_days: float = DEFAULT_KEEP_DAYS, orphan_hours: float = ORPHAN_AGE_HOURS
) -> Maintenance:
    """Merge, expire (older than ``keep_days``), clean up; see the module doc."""
    if keep_days < 0 or orphan_hours < 0:
        from ..config import ConfigError

        raise ConfigError("--keep must be 0 or more days")
    out = Maintenance()
    con = duckdb.connect(config={"memory_limit": "512MB"})
    with con:
        attach(con, spec)
        out.merged_tables = _step(
            con, out, "merge", f"CALL ducklake_merge_adjacent_files('{ALIAS}')"
        )
        keep_s = int(keep_days * 86400)
        out.expired_snapshots = _step(
            con,
            out,
            "expire",
            f"CALL ducklake_expire_snapshots('{ALIAS}', "
            f"older_than => now() - INTERVAL {keep_s} SECOND)",
        )
        out.deleted_files = _step(
            con, out, "cleanup", f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)"
        )
        orphan_s = int(orphan_hours * 3600)
        out.orphans_deleted = _step(
            con,
            out,
            "orphans",
            f"CALL ducklake_delete_orphaned_files('{ALIAS}', "
            f"older_than => now() - INTERVAL {orphan_s} SECOND)",
        )
    return out


def _step(con: duckdb.DuckDBPyConnection, out: Maintenance, name: str, sql: str) -> int:
    """Run one maintenance call; returns how many rows it reported."""
    t0 = time.perf_counter()
    n = len(con.execute(sql).fetchall())
    out.seconds[name] = time.perf_counter() - t0
    return n

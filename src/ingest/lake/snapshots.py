"""Which lake snapshot each run committed: the handle for time travel and change feeds.

Every run commits once, tagged with its run id (:mod:`ingest.lake.warehouse`), and
records the snapshot id in its ``ingest_runs`` row (``snapshot_id``: the latest
snapshot plus one, read in the run's transaction; corrected by a small second
commit in the rare case another writer's commit came first).  :func:`run_snapshots`
reads the id from the tag, the commit's own word, which also tells which runs'
snapshots have been expired since.

:func:`open_lake` attaches a lake from the same options the commands take
(``--lake``/``--lake-data``, else the environment), optionally as of one snapshot,
read-only; a change feed reads ``table_changes`` between two of the ids it returns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ..config import ConfigError
from .spec import ALIAS, LakeSpec, attach, from_options, holds_warehouse
from .warehouse import unreadable


@dataclass(frozen=True)
class RunSnapshot:
    """A run of the lake and the snapshot its commit made."""

    run_id: str
    action: str
    finished_at: datetime
    snapshot_id: int


def spec_of(lake: str | None, lake_data: str | None) -> LakeSpec:
    """The lake of these options (or the environment); a ConfigError when none is named."""
    spec = from_options(lake, lake_data)
    if spec is None:
        raise ConfigError("no lake given: pass --lake CATALOG --lake-data DIR (or set INGEST_LAKE)")
    return spec


@contextlib.contextmanager
def open_lake(
    lake: str | None, lake_data: str | None, *, snapshot: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with the lake attached read-only as ``lake`` (its default database),
    at its latest snapshot or at ``snapshot``."""
    spec = spec_of(lake, lake_data)
    if spec.kind != "postgres":
        from pathlib import Path

        if not Path(spec.where).is_file():
            raise ConfigError(f"no lake at {spec.label} (run `ingest run --lake ...` first)")
    con = duckdb.connect(config={"memory_limit": "256MB"})
    with con:
        try:
            attach(con, spec, read_only=True, snapshot=snapshot)
        except duckdb.Error as exc:
            if "explicitly disabled" in str(exc):
                no_lake = f"no lake at {spec.label} (run `ingest run --lake ...` first)"
                raise ConfigError(no_lake) from None
            raise unreadable(spec, exc) from None
        if not holds_warehouse(con):  # created a moment ago: its first run has not committed
            at = "" if snapshot is None else f" at snapshot {snapshot}"
            raise ConfigError(
                f"no ingest warehouse in lake {spec.label}{at} yet (its first run has not "
                "committed: run `ingest run --lake ...` first)"
            )
        yield con


def run_snapshots(con: duckdb.DuckDBPyConnection) -> list[RunSnapshot]:
    """The runs of the lake attached to ``con`` as ``lake``, oldest first, each with the
    snapshot its commit made (runs whose snapshot was expired are left out)."""
    rows = con.execute(
        f"""
        SELECT r.run_id, r.action, r.finished_at, s.snapshot_id
        FROM {ALIAS}.ingest_runs r
        JOIN ducklake_snapshots('{ALIAS}') s
          ON json_extract_string(s.commit_extra_info, '$.run_id') = r.run_id
        ORDER BY s.snapshot_id
        """
    ).fetchall()
    return [RunSnapshot(*r) for r in rows]


def snapshot_ids(lake: str | None, lake_data: str | None) -> dict[str, int]:
    """run id -> snapshot id for every run of the lake these options name (what a change
    feed between two runs needs)."""
    with open_lake(lake, lake_data) as con:
        return {r.run_id: r.snapshot_id for r in run_snapshots(con)}

"""The commands' lake side: ``sources``, ``report``, ``lake maintain``, ``lake snapshots``.

Kept out of :mod:`ingest.commands` so that module only chooses the target; each
function here opens the lake read-only (maintenance read-write) and reuses the
file target's readers on the attached lake.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..config import ConfigError
from .maintain import maintain
from .snapshots import open_lake, run_snapshots, spec_of
from .target import LakeTarget


def lake_sources_info(target: LakeTarget) -> Any:
    """``ingest sources`` of a lake: what :func:`ingest.sources.read_sources` reads."""
    from ..sources import read_sources

    with target.reader() as con:
        if con is None:
            raise ConfigError(f"no lake at {target.spec.label} (run `ingest run --lake ...` first)")
        return read_sources(con, target.label)


def lake_report(target: LakeTarget, html: str, *, run: str | None, settings: Any) -> Any:
    """``ingest report`` of a lake: the same page, read from the attached lake."""
    from ..quality_report import page, read_from

    with target.reader() as con:
        if con is None:
            raise ConfigError(f"no lake at {target.spec.label} (run `ingest run --lake ...` first)")
        data = read_from(con, target.label, run=run, settings=settings)
    Path(html).write_text(page(data), encoding="utf-8")
    return data


def maintain_command(args: argparse.Namespace) -> int:
    """``ingest lake maintain``: one pass of upkeep, then one line of what it did."""
    spec = spec_of(args.lake, args.lake_data)
    if spec.kind != "postgres" and not Path(spec.where).is_file():
        raise ConfigError(f"no lake at {spec.label} (run `ingest run --lake ...` first)")
    done = maintain(spec, keep_days=args.keep)
    took = sum(done.seconds.values())
    print(
        f"ingest: lake {spec.label} maintained in {took:.1f}s: files of {done.merged_tables} "
        f"table(s) merged, {done.expired_snapshots} snapshot(s) older than {args.keep:g} days "
        f"expired, {done.deleted_files} old and {done.orphans_deleted} orphaned file(s) deleted"
    )
    return 0


def snapshots_command(args: argparse.Namespace) -> int:
    """``ingest lake snapshots``: every run with its snapshot, as a table or JSON."""
    with open_lake(args.lake, args.lake_data) as con:
        runs = run_snapshots(con)
    if args.format == "json":
        rows = [
            {
                "run_id": r.run_id,
                "action": r.action,
                "finished_at": str(r.finished_at),
                "snapshot_id": r.snapshot_id,
            }
            for r in runs
        ]
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'snapshot':>8}  {'finished (UTC)':<19}  {'action':<13}  run")
    for r in runs:
        print(f"{r.snapshot_id:>8}  {r.finished_at:%Y-%m-%d %H:%M:%S}  {r.action:<13}  {r.run_id}")
    return 0

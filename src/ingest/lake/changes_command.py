"""``ingest changes --since RUN``: the change feed of a lake, as text or JSON.

The feed itself is :func:`ingest.lake.changes.diff`; this module is the command around
it: which snapshot ``--since`` names (a run id or a unique prefix of one, through the
run-to-snapshot map of :mod:`ingest.lake.snapshots`), up to which snapshot (the lake's
latest when the command starts, pinned, so a run committing meanwhile cannot make the
document list and the item lists disagree), and the two output formats. The JSON shape
is documented in the README ("ingest changes").

On the DuckDB-file target there is nothing to compare with: the file keeps only the
latest rows (each run replaces them in a private copy), so the command says so in one
line and exits 2 (a usage error), pointing to the lake target; ``ingest_runs`` and
``source_files.run_id`` there tell which files later runs loaded, not what changed.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

import duckdb

from ..config import ConfigError
from ..sql import literal
from .changes import (
    DocumentChange,
    ItemChange,
    diff,
    lake_relations,
    mark_quarantined,
    value_name,
)
from .snapshots import RunSnapshot, open_lake, run_snapshots
from .spec import ALIAS, from_options

NOT_ON_FILE = (
    "changes needs a lake target (--lake CATALOG --lake-data DIR, or INGEST_LAKE): a DuckDB-file "
    "warehouse keeps only its latest rows, so there is nothing as of an earlier run to compare "
    "with (its ingest_runs and source_files.run_id say which files later runs loaded)"
)


@dataclass(frozen=True)
class Span:
    """The two ends of a feed: the run given and the lake's latest snapshot."""

    since: RunSnapshot
    until_snapshot: int
    until_run: str | None


def changes_command(args: argparse.Namespace) -> int:
    """Print what changed since ``args.since`` (0), or say why it cannot (ConfigError: 2)."""
    if from_options(args.lake, args.lake_data) is None:
        raise ConfigError(NOT_ON_FILE)
    with open_lake(args.lake, args.lake_data) as con:
        span = _span(con, args.since)
        if args.source is not None:
            _check_source(con, span, args.source)
        docs = diff(
            con,
            lake_relations(ALIAS, span.since.snapshot_id),
            lake_relations(ALIAS, span.until_snapshot),
            source=args.source,
        )
        mark_quarantined(con, lake_relations(ALIAS, span.until_snapshot), docs)
    print(as_json(span, args.source, docs) if args.format == "json" else as_text(span, docs))
    return 0


def _span(con: duckdb.DuckDBPyConnection, since: str) -> Span:
    """The run ``since`` names (exact id or unique prefix) and the latest snapshot."""
    runs = run_snapshots(con)
    exact = [r for r in runs if r.run_id == since]
    found = exact or [r for r in runs if r.run_id.startswith(since)]
    if not found:
        raise ConfigError(
            f"--since {since}: no run of the lake has that id (`ingest lake snapshots` lists "
            "the runs and their snapshots; runs whose snapshot was expired cannot be compared)"
        )
    if len(found) > 1:
        raise ConfigError(f"--since {since}: {len(found)} runs start so; give more of the id")
    row = con.execute(f"SELECT max(snapshot_id) FROM ducklake_snapshots('{ALIAS}')").fetchone()
    latest = int(row[0]) if row and row[0] is not None else found[0].snapshot_id
    last = [r.run_id for r in runs if r.snapshot_id <= latest]
    return Span(found[0], latest, last[-1] if last else None)


def _check_source(con: duckdb.DuckDBPyConnection, span: Span, source: str) -> None:
    """A ``--source`` that the lake never held at either end is a usage error."""
    sides = [
        lake_relations(ALIAS, s)("documents") for s in (span.since.snapshot_id, span.until_snapshot)
    ]
    union = " UNION ALL ".join(f"SELECT source FROM {s}" for s in sides)
    row = con.execute(f"SELECT count(*) FROM ({union}) WHERE source = {literal(source)}").fetchone()
    if not row or not row[0]:
        raise ConfigError(
            f"--source {source}: the lake holds no documents of that source, then or now "
            "(`ingest sources --lake ...` lists them)"
        )


def as_json(span: Span, source: str | None, docs: list[DocumentChange]) -> str:
    """The feed as one JSON document (shape: README, "ingest changes")."""
    counts = {c: sum(d.change == c for d in docs) for c in ("added", "changed", "removed")}
    out: dict[str, Any] = {
        "since": {"run_id": span.since.run_id, "snapshot_id": span.since.snapshot_id},
        "until": {"run_id": span.until_run, "snapshot_id": span.until_snapshot},
        "source": source,
        "documents_changed": counts,
        "documents": [d.as_json() for d in docs],
    }
    return json.dumps(out, indent=2, ensure_ascii=False)


_SIGN = {"added": "+", "removed": "-", "changed": "~"}
_KIND = {"faqs": "faq", "facts": "fact", "table_cells": "table cell", "citations": "citation"}


def as_text(span: Span, docs: list[DocumentChange]) -> str:
    """The feed for a terminal: one line per document, indented lines per item."""
    counts = ", ".join(
        f"{sum(d.change == c for d in docs)} {c}" for c in ("added", "changed", "removed")
    )
    head = (
        f"changes since run {span.since.run_id} (snapshot {span.since.snapshot_id}) "
        f"to snapshot {span.until_snapshot}: documents {counts}"
    )
    lines = [head]
    for d in docs:
        why = f" (quarantined: {d.quarantined})" if d.quarantined else ""
        lines.append(f"{_SIGN[d.change]} {d.source}:{d.source_path}  {d.title}{why}")
        lines += [f"    {_item_line(i)}" for i in d.items]
    return "\n".join(lines)


def _item_line(item: ItemChange) -> str:
    """One item change in words: what, which (its natural key), and the values."""
    what = f"{_KIND[item.kind]} {item.change}: {describe_key(item)}"
    if item.change == "changed":
        return f"{what}: {value_name(item.kind)} {_show(item.before)} -> {_show(item.after)}"
    value = item.after if item.change == "added" else item.before
    return f"{what}: {_show(value)}" if item.kind != "citations" else what


def describe_key(item: ItemChange) -> str:
    """An item's natural key in words, e.g. ``table "Results #1", row "Dose", column "Value"``."""
    k = item.key
    if item.kind == "faqs":
        text = _show(k["question"])
    elif item.kind == "facts":
        text = f"{_show(k['key'])} in section {_show(k['section'])}"
    elif item.kind == "table_cells":
        row = _show(k["row"]) + (f" ({k['row_occurrence']})" if k["row_occurrence"] > 1 else "")
        text = f"table {_show(k['table'])}, row {row}, column {_show(k['column'])}"
        return text + (f" ({k['column_occurrence']})" if k["column_occurrence"] > 1 else "")
    else:
        text = f"[{k['ref_number']}] in {k['where']}"
    return text + (f" ({k['occurrence']})" if k["occurrence"] > 1 else "")


def _show(value: Any, width: int = 80) -> str:
    """A value quoted on one line, long text shortened."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    text = " ".join(str(value).split())
    return json.dumps(text if len(text) <= width else text[: width - 3] + "...", ensure_ascii=False)

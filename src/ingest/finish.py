"""Finish a run in its build: re-report, remove, record.  Also ``remove-source``.

After the loader, a run still owes the warehouse its bookkeeping, all of it
set-based SQL over the plan's work tables (see :mod:`ingest.plan`) and all of it
scoped to the run's own sources, so a run never touches another source's rows:

* files that are unchanged and still bad are quarantined again for this run,
  from their stored reasons, without being parsed;
* documents of the run's sources whose files are gone are removed, every table;
* the ``sources`` rows of the run's sources are written (root, last run);
* the run's ``ingest_runs`` row is recorded.

:func:`remove_source` is the same removal for one whole source, recorded as a run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from . import PARSER_VERSION, schema
from .compare import source_literal
from .config import Source
from .errors import Issue
from .plan import GONE, PARSE
from .sql import literal, values
from .warehouse import Warehouse


def requarantine(wh: Warehouse, run_id: str, sources: Sequence[str]) -> list[Issue]:
    """Report the unchanged, still-bad files of ``sources`` again for this run (the
    stored reasons: they are not parsed again); returns them for the run summary."""
    bad = (
        f"source IN ({', '.join(source_literal(s) for s in sources)}) "
        "AND status = 'quarantined' "
        f"AND (source, source_path) NOT IN (SELECT source, source_path FROM {PARSE}) "
        f"AND (source, source_path) NOT IN (SELECT source, source_path FROM {GONE})"
    )
    run = literal(run_id)
    with wh.bulk_memory(wh.count("source_files")), wh.transaction() as con:
        con.execute(
            f"""
            INSERT INTO quarantine BY NAME
            SELECT {run} AS run_id, source, source_path, content_sha256, error_stage AS stage,
                   error_code, message, line_start
            FROM source_files WHERE {bad}"""
        )
        con.execute(f"UPDATE source_files SET run_id = {run} WHERE {bad}")
        rows = con.execute(
            "SELECT error_stage, error_code, source_path, message, line_start, source "
            f"FROM source_files WHERE {bad} ORDER BY source, source_path"
        ).fetchall()
    return [
        Issue(stage, code, path, message, line, source=source)
        for stage, code, path, message, line, source in rows
    ]


def remove_missing(wh: Warehouse) -> int:
    """Delete the documents whose files the plan found gone; returns how many of them
    were loaded (quarantined ones have no rows to remove)."""
    return _remove(wh, f"SELECT source, source_path FROM {GONE}")


def remove_source(wh: Warehouse, name: str) -> int:
    """Delete every document and file record of source ``name`` and its ``sources`` row;
    returns how many documents were loaded."""
    name_sql = source_literal(name)
    n = _remove(wh, f"SELECT source, source_path FROM source_files WHERE source = {name_sql}")
    wh.query(f"DELETE FROM sources WHERE source = {name_sql}")
    return n


def _remove(wh: Warehouse, gone: str) -> int:
    ids = f"SELECT doc_id FROM source_files WHERE (source, source_path) IN ({gone})"
    with wh.bulk_memory(wh.count("source_files")):
        n_gone, n_loaded = wh.query(
            "SELECT count(*), count(*) FILTER (status = 'loaded') FROM source_files "
            f"WHERE (source, source_path) IN ({gone})"
        )[0]
        if not n_gone:
            return 0  # the usual case: spare a DELETE over every document table
        with wh.transaction() as con:
            con.execute(f"CREATE TEMP TABLE gone_ids AS {ids}")
            for name in schema.document_tables():
                con.execute(f"DELETE FROM {name} WHERE doc_id IN (SELECT doc_id FROM gone_ids)")
            con.execute("DELETE FROM source_files WHERE doc_id IN (SELECT doc_id FROM gone_ids)")
            con.execute("DROP TABLE gone_ids")
    return int(n_loaded)


def record_sources(wh: Warehouse, sources: Sequence[Source], run_id: str) -> None:
    """Upsert the ``sources`` rows of the run's sources (first run kept)."""
    now = datetime.now(UTC)
    with wh.transaction() as con:
        for s in sources:
            name = source_literal(s.name)
            row = con.execute(f"SELECT first_run_id FROM sources WHERE source = {name}").fetchone()
            con.execute(f"DELETE FROM sources WHERE source = {name}")
            first = row[0] if row else run_id
            con.execute(
                "INSERT INTO sources (source, root, first_run_id, last_run_id, last_run_at) "
                + values([(s.name, s.root, first, run_id, now)])
            )


def record_run(
    wh: Warehouse,
    *,
    run_id: str,
    action: str,
    started_at: datetime,
    counts: dict[str, int],
    sources: Sequence[Source],
) -> None:
    """Append the run's ``ingest_runs`` row (action ``run`` or ``remove-source``, its counts,
    the sources' names and roots, the parser version, a lake's snapshot), finished now."""
    wh.append(
        "ingest_runs",
        [
            {
                "run_id": run_id,
                "action": action,
                "source_names": json.dumps([s.name for s in sources]),
                "started_at": started_at,
                "finished_at": datetime.now(UTC),
                "files_seen": counts.get("seen", 0),
                "loaded": counts.get("loaded", 0),
                "unchanged": counts.get("unchanged", 0),
                "quarantined": counts.get("quarantined", 0),
                "removed": counts.get("removed", 0),
                "parser_version": PARSER_VERSION,
                "sources": json.dumps([s.root for s in sources]),
                "snapshot_id": wh.next_snapshot(),
            }
        ],
    )

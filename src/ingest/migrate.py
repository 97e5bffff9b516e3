"""Bring a warehouse's tables, comments, views and metadata up to the declared contract.

Runs on every run's private build, before anything is loaded, so a reader never
sees a half-migrated warehouse and a failed migration leaves the live file as it
was (the build is discarded).  It is cheap when nothing changed (one lookup of the stored digest of
``schemas/warehouse.yaml`` + ``warehouse/views.sql``).

Tables are made to match the declaration: missing tables are created; a table
that lacks declared columns is rebuilt in the declared column order (rows carried
over by name, undeclared columns kept at the end), so a migrated warehouse looks
exactly like a fresh one to analysts' ``SELECT *``.

One migration is not additive: warehouses written before named sources keyed
documents by relative path alone.  :func:`_name_legacy_sources` gives each of their
files the source it came from (the roots of the last recorded run, matched on
disk; the first root when the file is gone), records those sources, and
re-keys every document row to the new ``doc_id`` (see the README).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any

import duckdb

from . import schema
from .config import default_name
from .sql import literal

META_DDL = "CREATE TABLE IF NOT EXISTS ingest_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"


def migrate(con: duckdb.DuckDBPyConnection, views_sql: str) -> bool:
    """Migrate the database of ``con``; returns whether anything had to change."""
    con.execute(META_DDL)
    digest = hashlib.sha256((schema.fingerprint() + views_sql).encode()).hexdigest()
    if _meta(con, "schema") == digest:
        return False
    # No transaction: the build is private, so a failure discards it whole (and DuckDB
    # refuses to commit an ALTER TABLE after an UPDATE of the same table in one).
    if "source" not in _columns(con, "source_files") and _columns(con, "source_files"):
        _name_legacy_sources(con)
    for name, table in schema.tables().items():
        have = _columns(con, name)
        if not have:
            con.execute(schema.ddl(name))
        elif [c for c in have if c in table.names] != table.names:
            _rebuild(con, name, have)
        for stmt in schema.comments(name):
            con.execute(stmt)
    if views_sql:
        con.execute(views_sql)
    con.execute(f"INSERT OR REPLACE INTO ingest_meta VALUES ('schema', {literal(digest)})")
    return True


def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute(f"SELECT value FROM ingest_meta WHERE key = {literal(key)}").fetchone()
    return None if row is None else str(row[0])


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = current_schema() AND database_name = current_database() "
            "ORDER BY column_index",
            [table],
        ).fetchall()
    ]


def _rebuild(con: duckdb.DuckDBPyConnection, name: str, have: list[str]) -> None:
    """Recreate ``name`` with the declared columns in order, rows carried over by name."""
    declared = schema.tables()[name].names
    extra = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
        "AND schema_name = current_schema() AND database_name = current_database() "
        "ORDER BY column_index",
        [name],
    ).fetchall()
    tmp = f"{name}__migrating"
    con.execute(f"DROP TABLE IF EXISTS {tmp}")
    con.execute(schema.ddl(name, as_name=tmp))
    for col, dtype in extra:
        if col not in declared:
            con.execute(f'ALTER TABLE {tmp} ADD COLUMN "{col}" {dtype}')
    con.execute(f"INSERT INTO {tmp} BY NAME SELECT {', '.join(_q(c) for c in have)} FROM {name}")
    con.execute(f"DROP TABLE {name}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {name}")


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


# -- the named-sources migration -------------------------------------------------------
def _name_legacy_sources(con: duckdb.DuckDBPyConnection) -> None:
    roots = _legacy_roots(con)
    names = _unique_names(roots)
    paths = [
        r[0]
        for r in con.execute(
            "SELECT source_path FROM source_files UNION SELECT source_path FROM quarantine"
        ).fetchall()
    ]
    owner = {p: _owner(p, roots, names) for p in paths}
    con.execute("CREATE TEMP TABLE legacy_owner (source_path VARCHAR, source VARCHAR)")
    if owner:
        con.execute(
            "INSERT INTO legacy_owner SELECT unnest($1), unnest($2)",
            [list(owner), list(owner.values())],
        )
    # Old id -> new id, for every document the warehouse knows.
    con.execute(
        """
        CREATE TEMP TABLE legacy_ids AS
        SELECT f.doc_id AS old_id, o.source,
               substr(sha256(o.source || ':' || f.source_path), 1, 16) AS new_id
        FROM (SELECT doc_id, source_path FROM source_files
              UNION SELECT doc_id, source_path FROM documents) f
        JOIN legacy_owner o USING (source_path)
        """
    )
    for name in schema.document_tables():
        if _columns(con, name):
            con.execute(
                f"UPDATE {name} SET doc_id = m.new_id FROM legacy_ids m "
                f"WHERE {name}.doc_id = m.old_id"
            )
    for table in ("documents", "source_files", "quarantine"):
        if _columns(con, table):
            con.execute(f"ALTER TABLE {table} ADD COLUMN source VARCHAR")
            con.execute(
                f"UPDATE {table} SET source = o.source FROM legacy_owner o "
                f"WHERE {table}.source_path = o.source_path"
            )
    con.execute(schema.ddl("sources"))
    last = con.execute(
        "SELECT run_id, finished_at FROM ingest_runs ORDER BY finished_at DESC LIMIT 1"
    ).fetchone()
    if last is not None:
        for name, root in zip(names, roots, strict=True):
            con.execute(
                "INSERT INTO sources BY NAME SELECT ? AS source, ? AS root, ? AS first_run_id, "
                "? AS last_run_id, ? AS last_run_at",
                [name, root, last[0], last[0], last[1]],
            )
    con.execute("DROP TABLE legacy_ids")
    con.execute("DROP TABLE legacy_owner")


def _legacy_roots(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The roots of the last run that recorded any (absolute paths, in run order)."""
    try:
        row = con.execute(
            "SELECT sources FROM ingest_runs WHERE sources IS NOT NULL "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        roots: Any = json.loads(row[0]) if row else []
    except (duckdb.Error, ValueError):
        roots = []
    return [str(r) for r in roots if isinstance(r, str)] or [os.path.abspath("legacy")]


def _unique_names(roots: Iterable[str]) -> list[str]:
    names: list[str] = []
    for root in roots:
        base = name = default_name(root)
        n = 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def _owner(source_path: str, roots: list[str], names: list[str]) -> str:
    """The first root holding ``source_path`` today (first-root-wins was the old rule);
    the first root when none does (the next run of that source removes it)."""
    for root, name in zip(roots, names, strict=True):
        if os.path.isdir(root):
            if os.path.exists(os.path.join(root, *source_path.split("/"))):
                return name
        elif os.path.basename(root) == source_path:
            return name
    return names[0]

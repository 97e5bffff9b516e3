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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from . import dates, keys, schema
from .config import default_name
from .sql import literal

META_DDL = "CREATE TABLE IF NOT EXISTS ingest_meta (key VARCHAR PRIMARY KEY, value VARCHAR)"
_HERE = Path(__file__).resolve().parent
# The repository's warehouse/views.sql, or the copy packaged into a wheel.
VIEWS = next(
    (
        p
        for p in (_HERE.parents[1] / "warehouse" / "views.sql", _HERE / "_warehouse" / "views.sql")
        if p.exists()
    ),
    _HERE / "_warehouse" / "views.sql",
)


def views_sql() -> str:
    """The analyst views' SQL ('' when the file is missing)."""
    return VIEWS.read_text(encoding="utf-8") if VIEWS.exists() else ""


def _digest(views: str) -> str:
    return hashlib.sha256((schema.fingerprint() + views).encode()).hexdigest()


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse of ``con`` (read-only is enough) has today's tables and
    views: a run that finds it otherwise must migrate it, even with nothing to load."""
    try:
        return _meta(con, "schema") == _digest(views_sql())
    except duckdb.Error:  # no ingest_meta: a warehouse older than it
        return False


def migrate(con: duckdb.DuckDBPyConnection, views_sql: str) -> bool:
    """Migrate the database of ``con``; returns whether anything had to change."""
    con.execute(META_DDL)
    digest = _digest(views_sql)
    if _meta(con, "schema") == digest:
        return False
    # No transaction: the build is private, so a failure discards it whole (and DuckDB
    # refuses to commit an ALTER TABLE after an UPDATE of the same table in one).
    if "source" not in _columns(con, "source_files") and _columns(con, "source_files"):
        _name_legacy_sources(con)
    for name in schema.tables():
        have = _columns(con, name)
        if not have:
            con.execute(schema.ddl(name))
        elif _differs(con, name, have):
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


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
            "AND schema_name = current_schema() AND database_name = current_database() "
            "ORDER BY column_index",
            [table],
        ).fetchall()
    )


def _primary_key(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    row = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
        "AND schema_name = current_schema() AND database_name = current_database() "
        "AND constraint_type = 'PRIMARY KEY'",
        [table],
    ).fetchone()
    return tuple(row[0]) if row else ()


def _differs(con: duckdb.DuckDBPyConnection, name: str, have: list[str]) -> bool:
    """Whether ``name`` lacks declared columns, has them in another order or type, or
    another primary key than declared."""
    table = schema.tables()[name]
    if [c for c in have if c in table.names] != table.names:
        return True
    types = _types(con, name)
    if any(types[c.name] != _duckdb_type(c.type) for c in table.columns):
        return True
    return _primary_key(con, name) != table.key


def _duckdb_type(kind: str) -> str:
    """The declared type as duckdb_columns() spells it."""
    t = schema.DUCKDB_TYPES[kind]
    return "TIMESTAMP WITH TIME ZONE" if t == "TIMESTAMPTZ" else t


def _rebuild(con: duckdb.DuckDBPyConnection, name: str, have: list[str]) -> None:
    """Recreate ``name`` as declared (columns in order, types, primary key), rows carried
    over by name (see :func:`_carried`), undeclared columns kept at the end."""
    declared = schema.tables()[name].names
    old = _types(con, name)
    tmp = f"{name}__migrating"
    con.execute(f"DROP TABLE IF EXISTS {tmp}")
    con.execute(schema.ddl(name, as_name=tmp))
    for col, dtype in old.items():
        if col not in declared:
            con.execute(f"ALTER TABLE {tmp} ADD COLUMN {_q(col)} {dtype}")
    select = ", ".join(_carried(name, old))
    n = int(con.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]
    # Numbering new key columns needs the whole table in one statement (a small one).
    step = keys.CHUNK_ROWS if not any(t == name for t, _ in _NEW_KEY_COLUMNS) else 1 << 62
    statements = [
        f"INSERT OR IGNORE INTO {tmp} BY NAME SELECT {select} FROM {name} "
        f"WHERE rowid >= {lo} AND rowid < {lo + step}"
        for lo in range(0, _max_rowid(con, name) + 1, step)
    ]
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]  # type: ignore[index]
    con.execute(f"SET memory_limit = '{_REBUILD_MEMORY}'")
    kept = keys.insert_in_chunks(con, statements, lambda sql: _run(con, sql), _checkpoint(con))
    con.execute(f"DROP TABLE {name}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {name}")
    con.execute("CHECKPOINT")  # lets the new key's index go before the limit comes back
    con.execute(f"SET memory_limit = '{limit}'")
    if kept < n:  # rows an older warehouse held twice under the key that is declared now
        con.execute(
            f"INSERT OR REPLACE INTO ingest_meta VALUES "
            f"({literal('migration_dropped_duplicates.' + name)}, {literal(str(n - kept))})"
        )
    if name == "documents" and "published" in old and old["published"] == "VARCHAR":
        _type_dates(con)


# Memory for rebuilding a table with a key: DuckDB's usual working set plus the index
# budget (the index is checkpointed out whenever it outgrows the budget).
_REBUILD_MEMORY_MB = 64 + keys.INSERT_HEADROOM_MB
_REBUILD_MEMORY = f"{_REBUILD_MEMORY_MB}MB"
_REBUILD_RETRY_FACTORS = (1, 2, 4, 8)
# Typed columns that older warehouses held as text: the text goes to its own column.
_RETYPED = {("documents", "published"), ("documents", "last_modified")}
# Key columns older warehouses lacked, and how to number their rows.
_NEW_KEY_COLUMNS = {
    ("document_warnings", "position"): "row_number() OVER (PARTITION BY doc_id ORDER BY rowid)"
}


def _carried(name: str, old: dict[str, str]) -> list[str]:
    """The SELECT list that carries ``name``'s old rows into the declared table."""
    out = []
    for col in old:
        if (name, col) in _RETYPED and old[col] == "VARCHAR":
            if f"{col}_text" not in old:
                out.append(f"{_q(col)} AS {_q(col + '_text')}")
        else:
            out.append(_q(col))
    for (table, col), expr in _NEW_KEY_COLUMNS.items():
        if table == name and col not in old:
            out.append(f"{expr} AS {_q(col)}")
    return out


def _max_rowid(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute(f"SELECT coalesce(max(rowid), -1) FROM {name}").fetchone()
    return int(row[0]) if row else -1


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """One insert of a rebuild (autocommit: a failed one leaves nothing).  The rebuild's
    limit holds ordinary chunks, but a table whose new key column is numbered in one
    statement, or whose key index is large (the 98k-document benchmark warehouse ran out
    at 183 MB), needs more: the insert is tried again under a doubled limit, up to 8x,
    as the loader does."""
    for factor in _REBUILD_RETRY_FACTORS:
        con.execute(f"SET memory_limit = '{_REBUILD_MEMORY_MB * factor}MB'")
        try:
            row = con.execute(sql).fetchone()
            return int(row[0]) if row else 0
        except duckdb.Error as exc:
            if not keys.out_of_memory(exc) or factor == _REBUILD_RETRY_FACTORS[-1]:
                raise
        finally:
            con.execute(f"SET memory_limit = '{_REBUILD_MEMORY}'")
    raise AssertionError("unreachable")


def _checkpoint(con: duckdb.DuckDBPyConnection) -> Callable[[], object]:
    return lambda: con.execute("CHECKPOINT")


def _type_dates(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the typed date columns from the text an older warehouse held (the same
    reading as a fresh load's, :mod:`ingest.dates`)."""
    rows = con.execute(
        "SELECT doc_id, published_text, last_modified_text FROM documents "
        "WHERE published_text IS NOT NULL OR last_modified_text IS NOT NULL"
    ).fetchall()
    if not rows:
        return
    ids = [r[0] for r in rows]
    published = [dates.parse_date(r[1]) for r in rows]
    modified = [dates.parse_timestamp(r[2]) for r in rows]
    con.execute(
        "CREATE TEMP TABLE typed_dates AS SELECT unnest($1) AS doc_id, "
        "unnest($2)::DATE AS published, unnest($3)::TIMESTAMPTZ AS last_modified",
        [ids, published, modified],
    )
    con.execute(
        "UPDATE documents SET published = t.published, last_modified = t.last_modified "
        "FROM typed_dates t WHERE documents.doc_id = t.doc_id"
    )
    con.execute("DROP TABLE typed_dates")


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


# -- the named-sources migration -------------------------------------------------------
def _name_legacy_sources(con: duckdb.DuckDBPyConnection) -> None:
    roots = _legacy_roots(con)
    names = _unique_names(roots)
    _legacy_owner_table(con, roots, names)
    _rekey_legacy_documents(con)
    for table in ("documents", "source_files", "quarantine"):
        if _columns(con, table):
            con.execute(f"ALTER TABLE {table} ADD COLUMN source VARCHAR")
            con.execute(
                f"UPDATE {table} SET source = o.source FROM legacy_owner o "
                f"WHERE {table}.source_path = o.source_path"
            )
    _record_legacy_sources(con, roots, names)
    con.execute("DROP TABLE legacy_ids")
    con.execute("DROP TABLE legacy_owner")


def _legacy_owner_table(con: duckdb.DuckDBPyConnection, roots: list[str], names: list[str]) -> None:
    """Temp table ``legacy_owner``: the source each known path (file or quarantined)
    belongs to."""
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


def _rekey_legacy_documents(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table ``legacy_ids`` (old id -> new id, for every document the warehouse
    knows), and every document table's rows moved to the new ids."""
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


def _record_legacy_sources(
    con: duckdb.DuckDBPyConnection, roots: list[str], names: list[str]
) -> None:
    """Create ``sources`` and, if a run was ever recorded, one row per root as last seen
    by that run."""
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

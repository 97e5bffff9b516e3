"""The contract's tables, comments and views in a lake: the file's DDL without its keys.

DuckLake has no PRIMARY KEY, UNIQUE or index (``CREATE TABLE`` with one is refused),
so the lake's tables are the contract's columns, types, NOT NULLs and comments only.
Uniqueness is kept by the load itself, exactly as the file's keys would check it:
a re-parsed document's rows are deleted before its new rows go in, a batch's keys are
validated unique, and the bookkeeping tables are written delete-then-insert.
:func:`duplicate_keys` checks that promise on a lake (the tests run it after every
kind of run).

The schema is brought up to date in the run's own transaction, so a reader never
sees a half-migrated lake.  A declared column a lake lacks is added
(``ALTER TABLE ... ADD COLUMN``, which DuckLake records as a schema change of the
snapshot); a column of another type or order is not rebuilt in place (that would
rewrite every file of the table): the run stops with a message instead.
"""

from __future__ import annotations

import duckdb

from .. import schema
from ..migrate import _columns, _digest, _duckdb_type, _types
from ..sql import literal, values

META_DDL = "CREATE TABLE IF NOT EXISTS ingest_meta (key VARCHAR, value VARCHAR)"


class LakeSchemaError(RuntimeError):
    """A lake table whose columns differ from the contract in a way ingest cannot migrate."""


def table_ddl(name: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for contract table ``name``, without its key."""
    table = schema.tables()[name]
    cols = ",\n".join(
        f"    {c.name} {schema.DUCKDB_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}"
        for c in table.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {name} (\n{cols}\n)"


def migrate(con: duckdb.DuckDBPyConnection, views_sql: str) -> bool:
    """Bring the lake attached as ``con``'s current database to the contract; returns
    whether anything changed."""
    con.execute(META_DDL)
    digest = _digest(views_sql)
    if get_meta(con, "schema") == digest:
        return False
    for name in schema.tables():
        have = _columns(con, name)
        if not have:
            con.execute(table_ddl(name))
        else:
            _add_missing(con, name, have)
        for stmt in schema.comments(name):
            con.execute(stmt)
    for stmt in lake_views(con, views_sql):
        con.execute(stmt)
    # What `ingest sources` prints: readers need DuckDB with the ducklake extension.
    version = str(duckdb.__version__)
    set_meta(
        con,
        {
            "schema": digest,
            "duckdb_version": version,
            "storage_version": "DuckLake",
            "min_reader_version": version,
        },
    )
    return True


def lake_views(con: duckdb.DuckDBPyConnection, views_sql: str) -> list[str]:
    """The analyst views' statements a lake takes: all but comments on a view's columns
    (DuckLake keeps comments on tables, their columns and views, not on view columns)."""
    out = []
    for stmt in con.extract_statements(views_sql) if views_sql.strip() else []:
        text = stmt.query.strip()
        if not text.upper().startswith("COMMENT ON COLUMN"):
            out.append(text)
    return out


def _add_missing(con: duckdb.DuckDBPyConnection, name: str, have: list[str]) -> None:
    """Add the declared columns ``name`` lacks; refuse a column of another type."""
    table = schema.tables()[name]
    types = _types(con, name)
    for col in table.columns:
        want = _duckdb_type(col.type)
        if col.name not in have:
            con.execute(f"ALTER TABLE {name} ADD COLUMN {col.name} {schema.DUCKDB_TYPES[col.type]}")
        elif types[col.name] != want:
            raise LakeSchemaError(
                f"lake table {name}.{col.name} is {types[col.name]}, the contract says {want}: "
                "ingest does not retype a lake's column in place; load into a new lake"
            )


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """One ``ingest_meta`` value (None when absent)."""
    row = con.execute(f"SELECT value FROM ingest_meta WHERE key = {literal(key)}").fetchone()
    return None if row is None else str(row[0])


def set_meta(con: duckdb.DuckDBPyConnection, items: dict[str, str]) -> None:
    """Write ``ingest_meta`` values, delete-then-insert (there is no key to upsert on)."""
    keys = ", ".join(literal(k) for k in items)
    con.execute(f"DELETE FROM ingest_meta WHERE key IN ({keys})")
    con.execute(f"INSERT INTO ingest_meta {values(list(items.items()))}")


def duplicate_keys(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per contract table with a key: how many key values occur more than once (an empty
    dict is a lake whose load kept every key unique)."""
    out: dict[str, int] = {}
    for name, table in schema.tables().items():
        if not table.key or not _columns(con, name):
            continue
        cols = ", ".join(table.key)
        row = con.execute(
            f"SELECT count(*) FROM (SELECT {cols} FROM {name} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()
        if row and row[0]:
            out[name] = int(row[0])
    return out

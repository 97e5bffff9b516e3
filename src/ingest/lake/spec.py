"""Where a lake is: its catalog (``sqlite:PATH``, ``postgres:DSN``, ``duckdb:PATH``) and data.

A DuckLake is a SQL catalog (which files hold which rows of which table, as of which
snapshot) plus a folder of Parquet files.  Users name the two with ``--lake`` and
``--lake-data`` (or ``INGEST_LAKE`` / ``INGEST_LAKE_DATA``, or the flow's parameters);
this module turns them into one value, checks them early (a usage error before
anything starts), and attaches the lake to a DuckDB connection.

The catalog's scanner extension and ``ducklake`` itself are loaded from their pinned
wheels (:mod:`ingest.extensions`), never downloaded.  Attaching sets
``DATA_INLINING_ROW_LIMIT 0``: DuckLake can keep small writes inside the catalog
("inlining"), and its open issues on flushing inlined rows (duckdb/ducklake#1335,
#1406) concern exactly the delete-then-insert a re-loaded document makes; every
write goes to Parquet instead, and ``ingest lake maintain`` merges the small files.
A SQLite catalog is put in WAL mode (see :func:`_wal`).

The data may be a folder or ``s3://BUCKET/PREFIX/`` (:mod:`ingest.lake.remote`):
:func:`parse` refuses other URLs and a bucket without credentials in the environment,
and :func:`attach`, the one place every connection to a lake is made, gives the
connection its S3 secret and checks the bucket before ``ATTACH``.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .. import extensions
from ..config import ConfigError
from . import remote

LAKE_ENV = "INGEST_LAKE"
LAKE_DATA_ENV = "INGEST_LAKE_DATA"
ALIAS = "lake"  # the name the lake is attached under on ingest's connections
_SCANNERS = {"sqlite": "sqlite", "postgres": "postgres", "duckdb": None}


@dataclass(frozen=True)
class LakeSpec:
    """A lake's catalog (``kind`` and ``where``: a path or a PostgreSQL DSN) and data folder."""

    kind: str  # sqlite | postgres | duckdb
    where: str
    data: str

    @property
    def label(self) -> str:
        """How summaries and messages name the lake (no password of a DSN)."""
        where = self.where
        if self.kind == "postgres":
            where = " ".join(p for p in where.split() if not p.startswith("password="))
        return f"{self.kind}:{where}"

    def attach_sql(
        self, alias: str = ALIAS, *, read_only: bool = False, snapshot: int | None = None
    ) -> str:
        """The ``ATTACH`` statement of this lake under ``alias`` (as of ``snapshot``)."""
        options = [f"DATA_PATH {_lit(self.data)}", "DATA_INLINING_ROW_LIMIT 0"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        target = f"ducklake:{self.kind}:{self.where}"
        return f"ATTACH {_lit(target)} AS {alias} ({', '.join(options)})"


def parse(lake: str, data: str | None) -> LakeSpec:
    """``--lake`` and ``--lake-data`` as a :class:`LakeSpec`; paths made absolute (a served
    deployment runs elsewhere); a :class:`ConfigError` for what cannot work."""
    kind, sep, where = lake.partition(":")
    if not sep or kind not in _SCANNERS or not where.strip():
        raise ConfigError(
            f"--lake {lake!r}: write sqlite:PATH, postgres:DSN or duckdb:PATH "
            "(e.g. sqlite:warehouse/lake.sqlite)"
        )
    if not data:
        raise ConfigError(
            f"--lake {lake} needs --lake-data DIR or s3://BUCKET/PREFIX/ "
            "(where its Parquet files go)"
        )
    if kind != "postgres":
        path = Path(where).expanduser().resolve()
        if path.is_dir():
            raise ConfigError(f"--lake {lake}: {path} is a folder, not a catalog file")
        where = str(path)
    if remote.is_remote(data):
        data = remote.bucket_of(data).url
        remote.access_from_env(data)  # no credentials: a usage error before anything
    else:
        folder = Path(data).expanduser().resolve()
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"--lake-data {data}: {folder} is a file, not a folder")
        data = str(folder) + os.sep
    return LakeSpec(kind, where, data)


def from_options(lake: str | None, data: str | None) -> LakeSpec | None:
    """The lake named by options, else by the environment; None for the file target."""
    lake = lake or os.environ.get(LAKE_ENV) or None
    if lake is None:
        return None
    return parse(lake, data or os.environ.get(LAKE_DATA_ENV) or None)


def attach(
    con: duckdb.DuckDBPyConnection,
    spec: LakeSpec,
    alias: str = ALIAS,
    *,
    read_only: bool = False,
    use: bool = True,
    snapshot: int | None = None,
) -> None:
    """Load the extensions (from their wheels) and attach ``spec`` to ``con`` as ``alias``;
    with ``use`` it becomes the connection's default database; ``snapshot``: as of it.
    Data in a bucket is checked first, so a bucket that cannot be used creates nothing."""
    if remote.is_remote(spec.data):
        remote.connect(con, spec.data)
    extensions.load(con, "ducklake")
    scanner = _SCANNERS[spec.kind]
    if scanner:
        extensions.load(con, scanner)
    if spec.kind != "postgres":
        Path(spec.where).parent.mkdir(parents=True, exist_ok=True)
    if spec.kind == "sqlite" and not read_only:
        _wal(spec.where)
    if not remote.is_remote(spec.data):
        Path(spec.data).mkdir(parents=True, exist_ok=True)
    con.execute(spec.attach_sql(alias, read_only=read_only, snapshot=snapshot))
    if use:
        con.execute(f"USE {alias}")


def holds_warehouse(con: duckdb.DuckDBPyConnection, alias: str = ALIAS) -> bool:
    """Whether the lake attached as ``alias`` holds ingest's tables: DuckLake creates an
    empty lake on the first attach, a moment before the first run commits its schema."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        f"WHERE database_name = {_lit(alias)} AND table_name = 'ingest_runs'"
    ).fetchone()
    return bool(row and row[0])


def _wal(path: str) -> None:
    """Put a SQLite catalog in WAL mode (kept by the file): in SQLite's default mode a run's
    open transaction, which reads the catalog, keeps every other writer from committing
    and a committing writer keeps readers from attaching; in WAL mode readers are never
    blocked and other writers commit, and the run whose reads went stale is told so at its
    commit ("database is locked"), which :mod:`ingest.lake.target` retries."""
    con = sqlite3.connect(path, timeout=30)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"

"""Helpers for warehouse tests: build corpora, read a warehouse back as plain data."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest import schema

# Columns that legitimately differ between two runs over the same input.
RUN_COLUMNS = {"run_id"}


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every document table as sorted rows (run ids dropped), for equality checks."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for name in [*schema.document_tables(), "source_files"]:
            cols = [c for c in schema.tables()[name].names if c not in RUN_COLUMNS]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall()
            out[name] = sorted(rows, key=repr)
    return out


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0]  # type: ignore[index]
            for n in schema.tables()
        }


def last_run(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("SELECT * FROM ingest_runs ORDER BY finished_at DESC LIMIT 1")
        cols = [d[0] for d in cur.description]
        return dict(zip(cols, cur.fetchone(), strict=True))  # type: ignore[arg-type]

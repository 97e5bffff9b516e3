"""schemas/warehouse.yaml is the single source: pandera, DDL and dictionary agree with it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest import schema

ROOT = Path(__file__).resolve().parents[1]
PANDERA_TO_DUCKDB = {
    "string[pyarrow]": "VARCHAR",
    "Int64": "BIGINT",
    "boolean": "BOOLEAN",
    "Float64": "DOUBLE",
    "datetime64[us, UTC]": "TIMESTAMP WITH TIME ZONE",
    "date32[day][pyarrow]": "DATE",
}


@pytest.mark.parametrize("name", list(schema.tables()))
def test_pandera_and_ddl_agree(name: str) -> None:
    con = duckdb.connect()
    con.execute(schema.ddl(name))
    ddl_cols = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [name],
    ).fetchall()
    ps = schema.pandera_schema(name)
    pandera_cols = [
        (n, PANDERA_TO_DUCKDB[str(c.dtype)], "YES" if c.nullable else "NO")
        for n, c in ps.columns.items()
    ]
    assert ddl_cols == pandera_cols
    # An empty frame round-trips through DuckDB with the same column types.
    df = schema.frame(name, [])
    ps.validate(df)
    con.register("df", df)
    con.execute(f"INSERT INTO {name} SELECT * FROM df")


def test_every_table_of_the_contract_is_declared() -> None:
    required = {
        "documents": {
            "doc_id",
            "source_path",
            "family",
            "title",
            "content_sha256",
            "description",
            "is_banned",
            "last_modified",
            "author",
            "published",
            "compound_name",
            "catalog_number",
        },
        "sections": {
            "doc_id",
            "section_id",
            "parent_section_id",
            "level",
            "heading",
            "text",
            "line_start",
        },
        "faqs": {"doc_id", "position", "question", "answer", "origin"},
        "repairs": {"doc_id", "field", "rule", "before", "after"},
        "doc_tables": {
            "doc_id",
            "table_id",
            "position",
            "format",
            "n_rows",
            "n_cols",
            "section_id",
            "line_start",
        },
        "table_cells": {"doc_id", "table_id", "row_index", "col_index", "column_name", "text"},
        "citations": {
            "doc_id",
            "ref_number",
            "resolved",
            "section_id",
            "table_id",
            "row_index",
            "line_start",
        },
        "reference_entries": {"doc_id", "ref_number", "title", "source", "url"},
        "quarantine": {"run_id", "source_path", "content_sha256", "stage", "error_code", "message"},
        "ingest_runs": {
            "run_id",
            "started_at",
            "finished_at",
            "files_seen",
            "loaded",
            "unchanged",
            "quarantined",
            "removed",
        },
    }
    tables = schema.tables()
    for name, cols in required.items():
        assert cols <= set(tables[name].names), (name, cols - set(tables[name].names))
        assert all(c.description for c in tables[name].columns), name


def test_generated_files_are_current() -> None:
    dd = (ROOT / "warehouse" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert dd == schema.data_dictionary(), "run `make docs` to regenerate the data dictionary"
    ddl = (ROOT / "warehouse" / "schema.sql").read_text(encoding="utf-8")
    assert ddl == schema.all_ddl(), "run `make docs` to regenerate warehouse/schema.sql"


def test_views_compile_against_the_ddl() -> None:
    con = duckdb.connect()
    con.execute(schema.all_ddl())
    con.execute((ROOT / "warehouse" / "views.sql").read_text())
    for view in ("current_quarantine", "citation_links", "table_cells_wide", "repairs_by_rule"):
        con.execute(f"SELECT * FROM {view}").fetchall()

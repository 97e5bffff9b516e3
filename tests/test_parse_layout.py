"""The parse package's seams: one row builder per contract table, families that satisfy
the interface and fill only declared columns; and functions a reader can take in (no
function of the package over fifty lines)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ingest import schema
from ingest.limits import DEFAULT_LIMITS
from ingest.parse import families, rows
from ingest.parse.model import Document

SRC = Path(__file__).resolve().parents[1] / "src" / "ingest"


def test_one_builder_per_document_table_of_the_contract() -> None:
    assert list(rows.BUILDERS) == schema.parsed_tables()


def test_builders_fill_exactly_the_contract_columns() -> None:
    from helpers import ok

    res = ok("---\ntitle: T\n---\n# T\n\n- **Dose:** 5 mg [1]\n\n## References\n\n1. A. B. 2020.\n")
    for table, produced in res.rows.items():
        declared = set(schema.tables()[table].names) - {"run_id"}
        for row in produced:
            assert set(row) == declared, table


def test_families_are_discovered_and_declared_in_the_contract() -> None:
    found = families.names()
    assert {"monograph", "guide", "generic", "html"} <= set(found)
    documents = schema.tables()["documents"]
    family_col = next(c for c in documents.columns if c.name == "family")
    assert set(dict(family_col.checks)["isin"]) == set(found)
    for fam in families.families():
        assert set(fam.COLUMNS) <= set(documents.names), fam.NAME


def test_a_family_filling_an_undeclared_column_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    generic = families.by_name("generic")
    monkeypatch.setattr(generic, "columns", lambda doc: {"not_a_column": 1})
    doc = Document("0" * 16, "", "x.md", "0" * 64, 1, DEFAULT_LIMITS)
    with pytest.raises(ValueError, match="undeclared columns"):
        families.family_columns(doc)


def test_no_function_over_fifty_lines() -> None:
    """Every module of the package, not only parse: the project's length rule."""
    long = []
    paths = sorted(SRC.rglob("*.py"))
    assert SRC / "parse" / "read" / "blocks.py" in paths  # the walk reaches subpackages
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > 50:
                    long.append(f"{path.relative_to(SRC)}:{node.name} ({n} lines)")
    assert long == []

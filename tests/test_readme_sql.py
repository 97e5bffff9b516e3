"""Every SQL example of the README runs on the warehouse ``make run`` builds, and returns rows.

The warehouse is built once per session the way ``make run`` builds it (the same
generated corpus, ``ingest generate examples/corpus -n 300 --seed 7``, loaded as
source ``examples``), without Prefect: the rows are the same and the test is faster.
Each ```sql block is split into statements; a query must return at least one row, a
``CREATE TABLE ... AS`` must create a non-empty table, and the other statements
(``ATTACH``) must run.  Relative paths are resolved from a folder laid out like the
repository (``warehouse/ingest.duckdb``).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```sql\n(.*?)^```", re.M | re.S)
_CREATE_AS = re.compile(r"^CREATE\s+TABLE\s+(\w+)\s+AS\b", re.I)


def sql_statements(markdown: str) -> list[str]:
    """The statements of every ```sql block, comments dropped."""
    out = []
    for block in _BLOCK.findall(markdown):
        code = "\n".join(line.split("--", 1)[0] for line in block.splitlines())
        out += [s.strip() for s in code.split(";") if s.strip()]
    return out


@pytest.fixture(scope="session")
def make_run_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``warehouse/ingest.duckdb`` as ``make run`` builds it."""
    root = tmp_path_factory.mktemp("make-run")
    corpus = root / "examples" / "corpus"
    generate_corpus(corpus, 300, seed=7)
    db = root / "warehouse" / "ingest.duckdb"
    run_pipeline(RunConfig(sources=[f"examples={corpus}"], db=str(db)))
    return root


def test_the_readme_has_sql_examples() -> None:
    statements = sql_statements(README.read_text(encoding="utf-8"))
    assert len(statements) >= 8
    assert sum(s.upper().startswith("SELECT") for s in statements) >= 7


@pytest.mark.parametrize(
    "statement", sql_statements(README.read_text(encoding="utf-8")), ids=lambda s: s[:40]
)
def test_every_readme_example_returns_rows(
    statement: str, make_run_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_run_warehouse)
    if "wh." in statement or statement.upper().startswith("ATTACH"):
        # The analysts' own database block: its statements run in order, in one session.
        _analyst_session(statement, tmp_path)
        return
    with duckdb.connect("warehouse/ingest.duckdb", read_only=True) as con:
        rows = con.execute(statement).fetchall()
    assert rows, f"no rows from the README's {statement!r}"


def _analyst_session(statement: str, tmp_path: Path) -> None:
    block = next(
        b for b in _BLOCK.findall(README.read_text(encoding="utf-8")) if statement[:30] in b
    )
    with duckdb.connect(str(tmp_path / "analyst.duckdb")) as con:
        for s in sql_statements(f"```sql\n{block}```\n"):
            con.execute(s)
            created = _CREATE_AS.match(s)
            if created:
                n = con.execute(f"SELECT count(*) FROM {created[1]}").fetchone()
                assert n and n[0] > 0, f"the README's {s!r} created an empty table"


def test_wide_cells_show_the_citations_of_their_row(make_run_warehouse: Path) -> None:
    db = make_run_warehouse / "warehouse" / "ingest.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        # The generated guides' 'Citation' column holds nothing but markers.
        cited = con.execute(
            "SELECT count(*), count(row_citations) FROM table_cells_wide "
            "WHERE column_name = 'Citation'"
        ).fetchone()
        mismatched = con.execute(
            """
            SELECT count(*) FROM table_cells_wide w JOIN documents d USING (source, source_path)
            WHERE w.row_citations IS DISTINCT FROM (
                SELECT array_to_string(list_sort(list_distinct(list(c.ref_number))), ', ')
                FROM citations c WHERE c.doc_id = d.doc_id AND c.table_id = w.table_id
                  AND c.row_index = w.row_index)
            """
        ).fetchone()
    # ... and a row without one (a ragged row) has none: the view says exactly the citations.
    assert cited is not None and 0.9 * cited[0] < cited[1] < cited[0]
    assert mismatched == (0,)

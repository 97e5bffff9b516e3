"""The change feed (ingest.lake.changes) against edits made by hand to real documents.

A lake holding the contract's tables (their DDL without keys) is loaded with the rows
the real parser makes of a monograph (FAQs, facts) and a guide (tables, citations) from
the shared corpus, plus a third document; then the files are edited by hand (a FAQ
added at the top, a fact's value changed, a table cell changed, a citation removed, the
third document removed, a new one added) and loaded again the way the loader replaces a
document (its rows deleted, its new rows inserted) in a second snapshot. The feed
between the two snapshots must name exactly those edits, by natural keys.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from ingest import extensions, schema
from ingest.cli import main
from ingest.document import doc_id_for, process_bytes, process_file
from ingest.lake.changes import diff, lake_relations
from ingest.lake.migrate import table_ddl

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"
MONOGRAPH, GUIDE = "000_d781650ff312540d.txt", "001_1d36653f659e23be.txt"
NEW_FAQ = "  - q: Is Pimecrolimus a steroid?\n    a: No, it is a calcineurin inhibitor.\n"


def attach(con: duckdb.DuckDBPyConnection, catalog: str, data: Path) -> None:
    for name in ("ducklake", "sqlite", "postgres"):
        extensions.load(con, name)
    con.execute(
        f"ATTACH 'ducklake:{catalog}' AS lake (DATA_PATH '{data}', DATA_INLINING_ROW_LIMIT 0)"
    )
    con.execute("USE lake")
    con.execute("BEGIN")
    for name in schema.document_tables():
        con.execute(table_ddl(name))
    con.execute("COMMIT")


def load(con: duckdb.DuckDBPyConnection, folder: Path, run_id: str, gone: list[str]) -> int:
    """One run: every file of ``folder`` replaces its document's rows; ``gone`` are removed.
    Returns the snapshot the run committed."""
    con.execute("BEGIN")
    results = [process_file(p, p.name, source="docs") for p in sorted(folder.iterdir())]
    assert all(r.ok for r in results)
    ids = [r.doc_id for r in results] + [doc_id_for("docs", name) for name in gone]
    for table in schema.document_tables():
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        rows = [row for r in results for row in r.rows.get(table, [])]
        for row in rows if table == "documents" else []:
            row["run_id"] = run_id
        if rows:
            con.register("new_rows", schema.frame(table, rows))
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
            con.unregister("new_rows")
    con.execute("COMMIT")
    return int(con.execute("SELECT id FROM current_snapshot()").fetchone()[0])  # type: ignore[index]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def two_versions(tmp_path: Path) -> Path:
    if not SEEDS.is_dir():
        pytest.skip("shared corpus (../shared/corpus/seeds) is not present")
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir()
    for name in (MONOGRAPH, GUIDE):
        shutil.copy(SEEDS / name, v1 / name)
    (v1 / "old.md").write_text("# Old note\n\n- **Status:** draft\n", encoding="utf-8")
    shutil.copytree(v1, v2)
    (v2 / "old.md").unlink()
    (v2 / "new.md").write_text("# New note\n\nFirst words.\n", encoding="utf-8")
    edit(v2 / MONOGRAPH, "faqs:\n", "faqs:\n" + NEW_FAQ)
    edit(v2 / MONOGRAPH, "- **Brand Names:** Elidel", "- **Brand Names:** Elidel, Douglan")
    edit(v2 / GUIDE, "Patients Requiring TCS\t42.6%", "Patients Requiring TCS\t41.9%")
    edit(v2 / GUIDE, "second-line therapy.[5][6]", "second-line therapy.[5]")
    return tmp_path


def feed(con: duckdb.DuckDBPyConnection, since: int) -> dict[str, dict]:  # type: ignore[type-arg]
    docs = diff(con, lake_relations("lake", since), lake_relations("lake", None))
    return {d.source_path: d.as_json() for d in docs}


def check_feed(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    first = load(con, root / "v1", "run-1", gone=[])
    assert feed(con, first) == {}, "nothing changed since the latest snapshot"
    load(con, root / "v2", "run-2", gone=["old.md"])
    got = feed(con, first)
    assert {p: d["change"] for p, d in got.items()} == {
        MONOGRAPH: "changed",
        GUIDE: "changed",
        "new.md": "added",
        "old.md": "removed",
    }
    mono, guide = got[MONOGRAPH]["items"], got[GUIDE]["items"]
    assert mono["faqs"] == [
        {
            "change": "added",
            "key": {"question": "Is Pimecrolimus a steroid?", "occurrence": 1},
            "before": None,
            "after": "No, it is a calcineurin inhibitor.",
        }
    ], "a FAQ inserted at the top is one added FAQ, not every FAQ renumbered"
    assert [(f["change"], f["key"]["key"], f["before"], f["after"]) for f in mono["facts"]] == [
        ("changed", "Brand Names", "Elidel", "Elidel, Douglan")
    ]
    assert mono["table_cells"] == mono["citations"] == []
    assert guide["faqs"] == guide["facts"] == []
    [cell] = guide["table_cells"]
    assert cell["change"] == "changed" and (cell["before"], cell["after"]) == ("42.6%", "41.9%")
    assert (
        cell["key"]["row"] == "Patients Requiring TCS"
        and cell["key"]["column"] == "Pimecrolimus Group"
    )
    assert cell["key"]["table"].endswith(" #1")
    [citation] = guide["citations"]
    assert citation["change"] == "removed" and citation["key"]["ref_number"] == 6
    assert citation["key"]["where"].startswith('section "') and citation["before"] is True
    since, now = lake_relations("lake", first), lake_relations("lake", None)
    assert diff(con, since, now, source="elsewhere") == []
    assert [d.source_path for d in diff(con, since, now, source="docs")] == list(got)


def test_the_feed_names_each_hand_edit_by_its_natural_key(two_versions: Path) -> None:
    con = duckdb.connect()
    attach(con, f"sqlite:{two_versions / 'lake.sqlite'}", two_versions / "data")
    check_feed(con, two_versions)


def test_the_feed_on_a_postgresql_catalog(two_versions: Path, postgres_dsn: str) -> None:
    con = duckdb.connect()
    attach(con, f"postgres:{postgres_dsn}", two_versions / "data")
    check_feed(con, two_versions)


# -- the command ------------------------------------------------------------------


def test_ingest_changes_after_two_real_runs_into_a_lake(
    two_versions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = [
        "--lake",
        f"sqlite:{two_versions / 'lake.sqlite'}",
        "--lake-data",
        str(two_versions / "data"),
    ]
    docs = two_versions / "docs"
    run = ["run", f"docs={docs}", "--no-prefect", "--no-progress", "--workers", "1", *lake]
    shutil.copytree(two_versions / "v1", docs)
    (docs / "later-bad.md").write_text("# Fine for now\n", encoding="utf-8")
    assert main(run) == 0
    capsys.readouterr()
    assert main(["lake", "snapshots", "--format", "json", *lake]) == 0
    first = json.loads(capsys.readouterr().out)[-1]["run_id"]
    shutil.rmtree(docs)
    shutil.copytree(two_versions / "v2", docs)
    (docs / "later-bad.md").write_text("", encoding="utf-8")  # quarantined: empty_file
    assert main(run) == 0
    capsys.readouterr()

    assert main(["changes", "--since", first[:8], "--format", "json", *lake]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["since"]["run_id"] == first
    assert got["until"]["snapshot_id"] > got["since"]["snapshot_id"]
    assert got["documents_changed"] == {"added": 1, "changed": 2, "removed": 2}
    by_path = {d["source_path"]: d for d in got["documents"]}
    assert [f["key"]["question"] for f in by_path[MONOGRAPH]["items"]["faqs"]] == [
        "Is Pimecrolimus a steroid?"
    ]
    assert by_path["old.md"] == {
        "change": "removed",
        "doc_id": by_path["old.md"]["doc_id"],
        "source": "docs",
        "source_path": "old.md",
        "title": "Old note",
        "quarantined": None,
    }
    assert by_path["later-bad.md"]["quarantined"] == "empty_file"

    assert main(["changes", "--since", first, "--source", "docs", *lake]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].endswith("documents 1 added, 2 changed, 2 removed")
    assert f"~ docs:{MONOGRAPH}  Pimecrolimus" in text
    assert (
        '    fact changed: "Brand Names" in section "Alternate Names": value "Elidel" -> "Elidel, Douglan"'
        in text
    )
    assert "- docs:old.md  Old note" in text and "+ docs:new.md  New note" in text
    assert "- docs:later-bad.md  Fine for now (quarantined: empty_file)" in text

    last = got["until"]["run_id"]
    assert main(["changes", "--since", last, *lake]) == 0
    assert capsys.readouterr().out.strip().endswith("documents 0 added, 0 changed, 0 removed")
    assert main(["changes", "--since", "no-such-run", *lake]) == 2
    assert "--since no-such-run: no run of the lake has that id" in capsys.readouterr().err
    assert main(["changes", "--since", first, "--source", "nope", *lake]) == 2
    assert "--source nope: the lake holds no documents of that source" in capsys.readouterr().err


def test_ingest_changes_without_a_lake_says_what_it_needs_with_exit_2(
    two_versions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = two_versions / "w.duckdb"
    assert main(["changes", "--since", "abc", "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ingest: error: changes needs a lake target (--lake CATALOG")
    assert len(err.splitlines()) == 1 and not db.exists()

    lake = [
        "--lake",
        f"sqlite:{two_versions / 'lake.sqlite'}",
        "--lake-data",
        str(two_versions / "data"),
    ]
    assert main(["changes", "--since", "abc", *lake]) == 2
    assert "no lake at sqlite:" in capsys.readouterr().err


# -- the core on plain DuckDB tables ------------------------------------------------

TWO_TABLES = """# Guide

## Results

| Dose | Effect |
|---|---|
{first}| 10 mg | mild |
| 20 mg | strong |

## Results

| Dose | Effect |
|---|---|
| 10 mg | mild |
| 20 mg | {effect} |
"""


def test_the_core_reads_any_relations_and_tells_same_named_tables_apart() -> None:
    """Two versions in two schemas of one in-memory DuckDB (no lake at all); the two
    tables sit under sections of the same heading, and a row is inserted at the top of
    the first: one row's cells added there, one cell changed in the second table."""
    con = duckdb.connect()
    versions = {
        "v1": TWO_TABLES.format(first="", effect="strong"),
        "v2": TWO_TABLES.format(first="| 5 mg | none |\n", effect="very strong"),
    }
    for name, text in versions.items():
        res = process_bytes(text.encode(), "g.md", source="s")
        res.rows["documents"][0]["run_id"] = name
        con.execute(f"CREATE SCHEMA {name}; USE {name}")
        for table in schema.document_tables():
            con.execute(table_ddl(table))
            if res.rows.get(table):
                con.register("new_rows", schema.frame(table, res.rows[table]))
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM new_rows")
    [doc] = diff(con, lambda t: f"memory.v1.{t}", lambda t: f"memory.v2.{t}")
    cells = [
        (i.change, i.key["table"], i.key["row"], i.key["column"], i.before, i.after)
        for i in doc.items
    ]
    assert cells == [
        ("added", "Results #1", "5 mg", "Dose", None, "5 mg"),
        ("added", "Results #1", "5 mg", "Effect", None, "none"),
        ("changed", "Results #2", "20 mg", "Effect", "strong", "very strong"),
    ]

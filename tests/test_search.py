"""Full-text search: the index built in each run's private build, ``search()``, ``ingest search``.

Warehouses are real DuckDB files built by real runs (the library's loop, one worker)
from a handful of documents written here.  The ranking is checked against DuckDB's
own fts extension (``match_bm25`` over the same units), and an index kept up to date
run by run against one built from scratch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import extensions, failures, search_index
from ingest.pipeline import RunConfig, remove_source_run, run_pipeline
from ingest.search import search
from ingest.warehouse import Warehouse
from wh_helpers import snapshot

DUCKDB_2 = Path(sys.prefix) / "duckdb-2.0"

MONOGRAPH = """---
title: Zolpramab
description: A monoclonal antibody cleared by CYP3A4.
faq:
  - q: "Does Zolpramab interact with grapefruit?"
    a: "Yes: grapefruit juice blocks CYP3A4."
---
# Zolpramab

## Interactions

Strong CYP3A4 inhibitors raise exposure. Drug interactions are common.

- Avoid grapefruit juice.
- **Metabolism:** hepatic, by CYP3A4

## Dosage

Take 10 mg once daily with water.
"""

GUIDE = (
    "Evaluating Norvastin: A Comparative Guide\n\nCompound Name: Norvastin\nCat. No.: NV-101\n\n"
    "Selectivity\n\nNorvastin was compared with others in an interaction study.\n\n"
    "Compound\tTarget\tEnzyme\nNorvastin\tHMG-CoA reductase\tCYP3A4\n"
    "Lovastin\tHMG-CoA reductase\tCYP2C9\n\n"
    "References\n\n1. Smith J. Statins in practice. Journal. 2020;1:1.\n"
)

NOTE = """# Ward notes on Quinapril

## Renal impairment

Halve the dose in renal impairment; monitor potassium weekly.

- Hyperkalaemia risk rises with spironolactone.
"""

QUERIES = ("CYP3A4", "interaction grapefruit", "renal impairment dose", "norvastin reductase")


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _run(db: Path, *sources: str) -> None:
    run_pipeline(RunConfig(sources=list(sources), db=str(db), workers=1))


def _corpus(tmp: Path) -> tuple[Path, Path]:
    mono = _write(tmp / "mono", {"zolpramab.md": MONOGRAPH, "notes/quinapril.md": NOTE})
    guides = _write(tmp / "guides", {"norvastin.txt": GUIDE})
    return mono, guides


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("search")
    mono, guides = _corpus(tmp)
    db = tmp / "w.duckdb"
    _run(db, f"mono={mono}", f"guides={guides}")
    return db


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` containing ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def _results(db: Path) -> dict[str, list[tuple]]:
    """Every query's hits, every column but the doc-independent rank, for equality."""
    return {
        q: [
            (h.score, h.source, h.source_path, h.kind, h.heading, h.line_start, h.snippet)
            for h in search(db, q, limit=100)
        ]
        for q in QUERIES
    }


# -- what a search finds, and where -------------------------------------------------------
def test_every_kind_of_text_is_found_at_its_line(built: Path) -> None:
    hits = search(built, "CYP3A4", limit=50)
    by_kind = {(h.source, h.kind): h for h in hits}
    mono = built.parent / "mono" / "zolpramab.md"
    assert set(by_kind) == {
        ("mono", "document"),
        ("mono", "section"),
        ("mono", "faq"),
        ("guides", "table_row"),
    }
    section = by_kind["mono", "section"]
    assert section.heading == "Interactions"
    assert section.line_start == _line_of(mono, "## Interactions")
    assert (
        section.snippet
        == "Strong **CYP3A4** inhibitors raise exposure. Drug interactions are common."
    )
    table = by_kind["guides", "table_row"]
    assert table.snippet == "Norvastin | HMG-CoA reductase | **CYP3A4**"
    assert table.line_start == _line_of(built.parent / "guides" / "norvastin.txt", "Compound\t")
    assert by_kind["mono", "faq"].heading == "Does Zolpramab interact with grapefruit?"
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_list_items_and_facts_report_their_own_line(built: Path) -> None:
    mono = built.parent / "mono" / "zolpramab.md"
    (hit,) = [h for h in search(built, "hepatic") if h.source == "mono"]
    assert (hit.kind, hit.line_start) == ("fact", _line_of(mono, "**Metabolism:**"))
    assert hit.snippet == "Metabolism: **hepatic**, by CYP3A4"
    note = built.parent / "mono" / "notes" / "quinapril.md"
    (item,) = search(built, "spironolactone")
    assert (item.kind, item.line_start) == ("list_item", _line_of(note, "spironolactone"))


def test_every_form_of_a_word_matches_and_is_marked(built: Path) -> None:
    snippets = {h.snippet for h in search(built, "interaction", limit=50)}
    assert "**Interactions**" in snippets  # the heading line of the section
    assert "Does Zolpramab **interact** with grapefruit?" in snippets
    assert "Norvastin was compared with others in an **interaction** study." in snippets


def test_filters_and_limit(built: Path) -> None:
    assert {h.family for h in search(built, "CYP3A4", family="guide")} == {"guide"}
    assert {h.source for h in search(built, "CYP3A4", source="mono")} == {"mono"}
    assert len(search(built, "CYP3A4", limit=2)) == 2
    assert search(built, "zzyzx") == []


def test_ranking_is_duckdb_fts_bm25(built: Path, tmp_path: Path) -> None:
    """Same units, same words: DuckDB's own fts index gives the same BM25 scores."""
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(built, db)
    with duckdb.connect(str(db)) as con:
        extensions.load(con, "fts")
        con.execute("CREATE TEMP TABLE search_chunk AS SELECT doc_id FROM documents")
        con.execute(
            "CREATE TABLE units AS SELECT row_number() OVER () AS id, text "
            f"FROM ({search_index._UNIT_TEXTS})"
        )
        con.execute(
            "PRAGMA create_fts_index('units', 'id', 'text', stemmer = 'porter', "
            "stopwords = 'none', ignore = '[^\\pL\\pN]+', strip_accents = 1, lower = 1)"
        )
        for q in QUERIES:
            theirs = con.execute(
                "SELECT round(s, 4) FROM (SELECT fts_main_units.match_bm25(id, ?) AS s "
                "FROM units) WHERE s IS NOT NULL ORDER BY 1 DESC",
                [q],
            ).fetchall()
            ours = con.execute(
                "SELECT score FROM search(?, max_hits := 1000) ORDER BY 1 DESC", [q]
            ).fetchall()
            assert ours == theirs and ours, q


# -- kept in step by every run --------------------------------------------------------------
def _change(mono: Path) -> None:
    """One file edited, one removed, one added."""
    (mono / "zolpramab.md").write_text(MONOGRAPH.replace("Strong", "Potent"), encoding="utf-8")
    (mono / "notes" / "quinapril.md").unlink()
    _write(mono, {"extra.md": "# Lisinopril\n\n## Renal\n\nReduce the dose: renal impairment.\n"})


@pytest.fixture(scope="module")
def changed_from_scratch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple]]:
    """The hits of a warehouse built in one run from the changed corpus."""
    tmp = tmp_path_factory.mktemp("scratch")
    mono, guides = _corpus(tmp)
    _change(mono)
    _run(tmp / "w.duckdb", f"mono={mono}", f"guides={guides}")
    return _results(tmp / "w.duckdb")


@pytest.mark.parametrize("rewrite", [True, False], ids=["rewritten", "appended-in-chunks"])
def test_an_updated_index_equals_one_built_from_scratch(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rewrite: bool,
    changed_from_scratch: dict[str, list[tuple]],
) -> None:
    if not rewrite:  # small corpora always pass the share: force the append path,
        monkeypatch.setattr(search_index, "REWRITE_SHARE", 1e9)
        monkeypatch.setattr(search_index, "CHUNK_SHARE", 1 << 30)  # and a chunk per document
    else:  # and the join that narrows a big chunk's tables (the scratch build used constants)
        monkeypatch.setattr(search_index, "FEW_DOCUMENTS", 0)
    mono, guides = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    _run(db, f"mono={mono}", f"guides={guides}")
    _change(mono)
    _run(db, f"mono={mono}")
    assert _results(db) == changed_from_scratch
    assert search(db, "potent")[0].source_path == "zolpramab.md"
    assert search(db, "spironolactone") == []  # the removed file's words are gone
    with duckdb.connect(str(db), read_only=True) as con:
        dead, tail = con.execute(
            "SELECT (SELECT count(*) FROM search_dead), tail_postings FROM search_stats"
        ).fetchone()  # type: ignore[misc]
    assert (dead > 0 and tail > 0) is not rewrite


def test_a_rebuilt_unit_key_leaves_no_index_memory_pinned(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit_id index a full (re)build creates is checkpointed out inside the step:
    at 100k documents its ~100 MB of unevictable memory made the build fail to lower
    its memory limit back to the loader's after the step (nothing was published)."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(built, db)
    monkeypatch.setattr(search_index, "UNITS_KEY_CHECKPOINT_MB", 0)  # a tiny index too
    before = _results(db)
    with Warehouse(db) as wh:
        wh.query("UPDATE documents SET run_id = 'again'")  # every document re-indexed
        search_index.sync(wh)
        pinned = (
            wh.connection()
            .execute(
                "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                "WHERE tag = 'ART_INDEX'"
            )
            .fetchone()
        )
        wh.publish()
    assert pinned == (0,)
    assert _results(db) == before


def test_a_huge_section_is_indexed_up_to_the_cap(tmp_path: Path) -> None:
    """A section far past any real one (hostile input) is indexed up to
    UNIT_TEXT_MAX characters: its start is found, words past the cap are not, and the
    rest of the run is unaffected."""
    filler = "plain words of a very long hostile section.\n" * (search_index.UNIT_TEXT_MAX // 40)
    huge = f"# Huge\n\n## Body\n\nzymoquartz opens it. {filler}\n\nxylobrantic closes it.\n"
    src = _write(tmp_path / "src", {"huge.md": huge, "note.md": NOTE})
    db = tmp_path / "w.duckdb"
    _run(db, f"s={src}")
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT max(length(text)) FROM sections").fetchone()
    assert row is not None and row[0] > search_index.UNIT_TEXT_MAX
    assert [h.source_path for h in search(db, "zymoquartz")] == ["huge.md"]
    assert search(db, "xylobrantic") == []
    assert [h.source_path for h in search(db, "spironolactone")] == ["note.md"]


def _index_rows(db: Path) -> tuple[list[tuple], list[tuple]]:
    """The index as plain rows, without its ids: units, and postings by unit and stem."""
    with duckdb.connect(str(db), read_only=True) as con:
        units = con.execute(
            "SELECT doc_id, kind, item, row_index, len, text FROM search_units ORDER BY ALL"
        ).fetchall()
        postings = con.execute(
            "SELECT u.doc_id, u.kind, u.item, u.row_index, w.stem, p.tf FROM search_postings p "
            "JOIN search_units u USING (unit_id) "
            "JOIN (SELECT DISTINCT stem, term_id FROM search_words) w USING (term_id) "
            "ORDER BY ALL"
        ).fetchall()
    return units, postings


def test_units_without_a_word_are_not_indexed(tmp_path: Path) -> None:
    """A unit of punctuation only (a table row of dashes) gets no unit and no posting;
    a unit whose only word is accented, or one digit, is indexed (the filter tests the
    text before tokenizing: the same words, one tokenization)."""
    doc = (
        "# Marks\n\n## Accent\n\nSee the table.\n\n"
        "| Name | Value |\n|---|---|\n| -- | ... |\n| 7 | ÷ |\n| Åä | -- |\n"
    )
    src = _write(tmp_path / "src", {"marks.md": doc})
    db = tmp_path / "w.duckdb"
    _run(db, f"s={src}")
    units, postings = _index_rows(db)
    rows = [(u[1], u[5]) for u in units if u[1] == "table_row"]
    assert rows == [("table_row", "7 | ÷"), ("table_row", "Åä | --")], units
    assert all(u[4] > 0 for u in units)
    assert {u[:4] for u in units} == {p[:4] for p in postings}  # every unit has postings
    assert [h.kind for h in search(db, "aa")] == ["table_row"]


def test_remove_source_leaves_no_hits_behind(tmp_path: Path) -> None:
    mono, guides = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    _run(db, f"mono={mono}", f"guides={guides}")
    assert {h.source for h in search(db, "CYP3A4", limit=50)} == {"mono", "guides"}
    remove_source_run(str(db), "guides")
    assert {h.source for h in search(db, "CYP3A4", limit=50)} == {"mono"}
    assert search(db, "norvastin") == []


def test_a_run_without_the_extension_fails_in_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono, guides = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    _run(db, f"mono={mono}")
    before = snapshot(db)
    monkeypatch.setattr(extensions, "_package_folders", lambda package: [])
    # New words need the stemmer: the run fails before publishing.
    with pytest.raises(extensions.ExtensionMissing) as err:
        _run(db, f"guides={guides}")
    line, code = failures.explain(err.value) or ("", 0)
    assert code == failures.EXIT_FAILED and "\n" not in line
    assert "pip install duckdb-extension-fts==1.5.5" in line
    assert snapshot(db) == before
    assert search(db, "norvastin") == []
    # A change that brings no new word does not need it.
    (mono / "zolpramab.md").write_text(MONOGRAPH.replace("Strong", "Drug"), encoding="utf-8")
    _run(db, f"mono={mono}")
    assert search(db, "strong") == []


def _oom_past(monkeypatch: pytest.MonkeyPatch, most: int) -> list[int]:
    """DuckDB's out-of-memory error for every chunk of more than ``most`` documents, raised
    after the chunk's units went in (the worst place: they must be taken out again)."""
    sizes: list[int] = []
    real = search_index._add_words

    def add_words(con: duckdb.DuckDBPyConnection) -> None:
        row = con.execute("SELECT count(*) FROM search_chunk").fetchone()
        sizes.append(int(row[0]) if row else 0)
        if sizes[-1] > most:
            raise duckdb.OutOfMemoryException("Out of Memory Error: (injected by the test)")
        real(con)

    monkeypatch.setattr(search_index, "_add_words", add_words)
    return sizes


def test_a_chunk_out_of_memory_is_indexed_again_in_halves(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk that runs out of the step's memory is indexed again as two halves, down
    to one document: the index equals the one built in one go, no unit twice."""
    mono, guides = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    sizes = _oom_past(monkeypatch, 1)
    _run(db, f"mono={mono}", f"guides={guides}")
    assert sizes[0] == 3 and sorted(sizes[1:]) == [1, 1, 1, 2], sizes
    assert _index_rows(db) == _index_rows(built)
    assert _results(db) == _results(built)


def test_an_index_that_does_not_fit_fails_in_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono, guides = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    _run(db, f"mono={mono}")
    before = snapshot(db), _index_rows(db)
    _oom_past(monkeypatch, 0)  # not even one document fits
    monkeypatch.setenv(search_index.MEMORY_ENV, "100")
    with pytest.raises(search_index.IndexOutOfMemory) as err:
        _run(db, f"guides={guides}")
    line, code = failures.explain(err.value) or ("", 0)
    assert code == failures.EXIT_FAILED and "\n" not in line, line
    assert "INGEST_SEARCH_MEMORY_LIMIT=100)" in line and "INGEST_SEARCH_INDEX=off" in line
    assert (snapshot(db), _index_rows(db)) == before


@pytest.mark.parametrize("value", ["256MB", "0", "-5", "lots"])
def test_a_bad_index_memory_limit_is_a_usage_error_before_the_run(
    tmp_path: Path, value: str
) -> None:
    src = _write(tmp_path / "s", {"note.md": NOTE})
    db = tmp_path / "w.duckdb"
    proc = _cli(
        "run",
        f"s={src}",
        "--db",
        str(db),
        "--no-prefect",
        env={"INGEST_SEARCH_MEMORY_LIMIT": value},
    )
    assert proc.returncode == failures.EXIT_USAGE, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"ingest: error: INGEST_SEARCH_MEMORY_LIMIT must be a whole number of megabytes "
        f"(e.g. 256), not {value!r}"
    ]
    assert not db.exists()


def test_index_off_drops_it_and_search_says_so(tmp_path: Path) -> None:
    mono, _ = _corpus(tmp_path)
    db = tmp_path / "w.duckdb"
    _run(db, f"mono={mono}")
    (mono / "zolpramab.md").write_text(MONOGRAPH.replace("Strong", "Potent"), encoding="utf-8")
    res = _cli("run", f"mono={mono}", "--db", str(db), "--no-prefect",
               env={search_index.ENV: "off"})  # fmt: skip
    assert res.returncode == 0, res.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert not search_index.exists(con)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    res = _cli("search", "CYP3A4", "--db", str(db))
    assert res.returncode == 1
    assert res.stderr.startswith("ingest: error: ") and "no search index" in res.stderr
    assert res.stderr.count("\n") == 1


# -- the command line ---------------------------------------------------------------------
def test_cli_text_and_json(built: Path) -> None:
    res = _cli("search", "CYP3A4", "--db", str(built), "--format", "json", "--limit", "3")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["query"] == "CYP3A4" and len(doc["hits"]) == 3
    assert set(doc["hits"][0]) >= {"rank", "source_path", "heading", "line_start", "snippet"}
    assert doc["hits"] == [
        {**vars(h)} for h in search(built, "CYP3A4", limit=3)
    ]  # the same as the library
    text = _cli("search", "spironolactone", "--db", str(built)).stdout.splitlines()
    assert text[0].startswith("  1. mono:notes/quinapril.md:")
    assert "list_item · Renal impairment" in text[0]
    assert text[1].strip() == "- Hyperkalaemia risk rises with **spironolactone**."[2:]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "   "], "nothing to search for: the query is empty"),
        (["search", "the and of"], "has no indexed words"),
        (["search", "x", "--source", "nope"], "no source named 'nope'"),
        (["search", "x", "--limit", "0"], "must be at least 1"),
        (["search", "x", "--family", "poem"], "invalid choice"),
    ],
)
def test_cli_usage_errors(built: Path, args: list[str], message: str) -> None:
    res = _cli(*args, "--db", str(built))
    assert res.returncode == failures.EXIT_USAGE
    assert message in res.stderr and "Traceback" not in res.stderr


def test_cli_missing_warehouse_and_no_hits(tmp_path: Path, built: Path) -> None:
    res = _cli("search", "x", "--db", str(tmp_path / "none.duckdb"))
    assert res.returncode == failures.EXIT_USAGE
    assert res.stderr == f"ingest: error: no warehouse at {tmp_path / 'none.duckdb'} " \
        "(run `ingest run` first, or pass --db)\n"  # fmt: skip
    assert not (tmp_path / "none.duckdb").exists()
    res = _cli("search", "zzyzx", "--db", str(built))
    assert (res.returncode, res.stdout) == (0, "no hits for 'zzyzx'\n")


# -- analysts' clients, without the extension ----------------------------------------------
SQL = "SELECT count(*) FROM documents; SELECT source_path, kind FROM search('hepatic');"


def test_duckdb_cli_without_the_extension_opens_and_searches(built: Path) -> None:
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli, "the DuckDB CLI (duckdb-cli) is a dev dependency"
    res = subprocess.run(
        [cli, "-readonly", "-csv", str(built), "-c", SQL],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(built.parent)},  # no extension directory to find
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == ["count_star()", "3", "source_path,kind", "zolpramab.md,fact"]


@pytest.mark.skipif(not (DUCKDB_2 / "duckdb").is_dir(), reason="DuckDB 2.0 client not installed")
def test_duckdb_2_client_opens_and_searches(built: Path) -> None:
    code = (
        f"import duckdb; con = duckdb.connect({str(built)!r}, read_only=True); "
        "print(duckdb.__version__, con.execute('SELECT count(*) FROM documents').fetchone()[0], "
        "con.execute(\"SELECT source_path FROM search('hepatic')\").fetchall())"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(DUCKDB_2), "HOME": str(built.parent)},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("2.") and res.stdout.split(" ", 1)[1].strip() == (
        "3 [('zolpramab.md',)]"
    )

"""Named sources: several sources in one warehouse, each run touching only its own.

Real DuckDB files, the library's run loop (no Prefect: tests/test_flow.py runs the
flow), and the CLI as a subprocess where the user's door is the command line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import PARSER_VERSION
from ingest.config import ConfigError, RunConfig, Source, default_name, parse_source
from ingest.document import doc_id_for
from ingest.generate import generate_corpus
from ingest.pipeline import remove_source_run, run_pipeline
from ingest.sources import SourceConflict, UnknownSource
from wh_helpers import snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "legacy_warehouse"


def _run(db: Path, *sources: str | Source) -> dict[str, int]:
    cfg = RunConfig(sources=list(sources), db=str(db), workers=1, batch_size=7)
    return run_pipeline(cfg).counts()


def _of_source(db: Path, name: str) -> dict[str, list[tuple]]:
    """Every document table's rows that belong to source ``name``."""
    with duckdb.connect(str(db), read_only=True) as con:
        ids = {
            r[0]
            for r in con.execute("SELECT doc_id FROM documents WHERE source = ?", [name]).fetchall()
        }
    snap = snapshot(db)
    return {t: [r for r in rows if r[0] in ids] for t, rows in snap.items() if t != "source_files"}


def _docs(db: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT source, source_path, doc_id FROM documents ORDER BY ALL"
        ).fetchall()


@pytest.fixture
def two(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two source folders sharing one relative path, and a warehouse path."""
    a, b = tmp_path / "monographs", tmp_path / "guides"
    generate_corpus(a, 12, seed=3, bad_share=0.25)
    generate_corpus(b, 10, seed=4, bad_share=0.0)
    shared = sorted(p for p in a.rglob("*.md") if "bad" not in p.parts)[0].relative_to(a)
    (b / shared).parent.mkdir(parents=True, exist_ok=True)
    (b / shared).write_text("# Same name, other document\n\nOnly in the second source.\n")
    return a, b, tmp_path / "w.duckdb"


def test_default_names() -> None:
    assert default_name("/data/content/monographs/") == "monographs"
    assert default_name("/home/x/My Docs") == "My_Docs"
    assert default_name("notes/x.md") == "x.md"
    assert default_name("/srv/.hidden") == "s.hidden"
    assert default_name("/") == "root"
    assert len(default_name("/d/" + "a" * 100)) == 64


def test_parse_source(tmp_path: Path) -> None:
    named = parse_source(f"mono={tmp_path}")
    assert (named.name, named.root, named.named) == ("mono", str(tmp_path), True)
    odd = tmp_path / "a=b"
    odd.mkdir()
    assert parse_source(str(odd)) == Source("a_b", str(odd), False)  # a real path wins
    for bad in ("-x=/d", "a b=/d", "x:y=/d"):
        with pytest.raises(ConfigError, match="bad source name"):
            parse_source(bad)
    with pytest.raises(ConfigError, match="has no path"):
        parse_source("mono=")


def test_a_second_source_never_touches_the_first(two: tuple[Path, Path, Path]) -> None:
    a, b, db = two
    first = _run(db, str(a))
    before = _of_source(db, "monographs")
    second = _run(db, str(b))
    assert second["removed"] == 0 and second["seen"] == 11
    assert _of_source(db, "monographs") == before  # byte for byte, every table
    docs = _docs(db)
    assert {s for s, _, _ in docs} == {"monographs", "guides"}
    assert len(docs) == first["loaded"] + second["loaded"]
    # The shared relative path is two documents with two ids.
    shared = [d for d in docs if sum(1 for e in docs if e[1] == d[1]) == 2]
    assert len(shared) == 2 and shared[0][2] != shared[1][2]
    assert {d[2] for d in shared} == {doc_id_for(s, p) for s, p, _ in shared}


def test_a_run_removes_only_its_own_vanished_files(two: tuple[Path, Path, Path]) -> None:
    a, b, db = two
    _run(db, str(a))
    _run(db, str(b))
    before_a = _of_source(db, "monographs")
    gone = sorted(p for p in b.rglob("*.md"))[-1]
    gone.unlink()
    assert _run(db, str(b))["removed"] == 1
    assert _of_source(db, "monographs") == before_a
    assert gone.relative_to(b).as_posix() not in {p for s, p, _ in _docs(db) if s == "guides"}
    # A run of both sources together removes nothing more and parses nothing.
    both = _run(db, str(a), str(b))
    assert (both["loaded"], both["removed"]) == (0, 0)


def test_remove_source_is_atomic_and_recorded(two: tuple[Path, Path, Path]) -> None:
    a, b, db = two
    _run(db, str(a))
    _run(db, str(b))
    before_b = _of_source(db, "guides")
    n_a = sum(1 for s, _, _ in _docs(db) if s == "monographs")
    summary = remove_source_run(str(db), "monographs")
    assert summary.removed == n_a
    assert {s for s, _, _ in _docs(db)} == {"guides"}
    assert _of_source(db, "guides") == before_b
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "SELECT action, source_names, removed FROM ingest_runs ORDER BY finished_at"
        ).fetchall()
        assert runs[-1] == ("remove-source", '["monographs"]', n_a)
        assert con.execute("SELECT source FROM sources").fetchall() == [("guides",)]
        assert con.execute(
            "SELECT count(*) FROM source_files WHERE source = 'monographs'"
        ).fetchone() == (0,)
        # The quarantine history stays; the current view shows live sources only.
        assert con.execute("SELECT DISTINCT source FROM current_quarantine").fetchall() == []
    with pytest.raises(UnknownSource, match="no source named 'monographs'"):
        remove_source_run(str(db), "monographs")
    # Loading the folder again brings it back whole.
    assert _run(db, str(a))["loaded"] == n_a


def test_current_quarantine_is_per_source(two: tuple[Path, Path, Path]) -> None:
    a, b, db = two
    bad = _run(db, str(a))["quarantined"]
    assert bad > 0
    _run(db, str(b))  # a later run of another source, with nothing quarantined
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT source, count(*) FROM current_quarantine GROUP BY ALL"
        ).fetchall()
    assert rows == [("monographs", bad)]


def test_a_derived_name_held_by_another_root_is_refused(tmp_path: Path) -> None:
    one, other, db = tmp_path / "one" / "docs", tmp_path / "two" / "docs", tmp_path / "w.duckdb"
    generate_corpus(one, 6, seed=5, bad_share=0.0)
    generate_corpus(other, 5, seed=6, bad_share=0.0)
    _run(db, str(one))
    before = snapshot(db)
    with pytest.raises(SourceConflict, match=r"'docs' .* already belongs to .*one/docs"):
        _run(db, str(other))
    assert snapshot(db) == before
    # Named apart, both live side by side; named the same, the source moves.
    _run(db, f"docs-2={other}")
    assert {s for s, _, _ in _docs(db)} == {"docs", "docs-2"}
    moved = _run(db, f"docs={other}")
    assert moved["removed"] == 6 and moved["loaded"] == 5


def test_one_name_twice_in_a_run_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "x" / "docs").mkdir(parents=True)
    (tmp_path / "y" / "docs").mkdir(parents=True)
    with pytest.raises(ConfigError, match="two sources are named 'docs'"):
        _run(tmp_path / "w.duckdb", str(tmp_path / "x" / "docs"), str(tmp_path / "y" / "docs"))
    assert not (tmp_path / "w.duckdb").exists()


def _legacy(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The fixture warehouse, rebuilt, with its roots pointed at regenerated folders."""
    mono, extra, db = tmp_path / "mono", tmp_path / "extra", tmp_path / "legacy.duckdb"
    generate_corpus(mono, 20, seed=41, bad_share=0.1)
    clash = extra / "guides" / "000" / "000009_tilukast.md"
    clash.parent.mkdir(parents=True)
    clash.write_text("# Extra copy\n\nA different document under the same relative path.\n")
    (extra / "notes.md").write_text("# Notes\n\nOnly in extra.\n")
    with duckdb.connect(str(db)) as con:
        con.execute((FIXTURE / "schema.sql").read_text())
        load = (FIXTURE / "load.sql").read_text().replace("'export/", f"'{FIXTURE}/")
        con.execute(load)
        con.execute("UPDATE ingest_runs SET sources = ?", [json.dumps([str(mono), str(extra)])])
        # As if parsed by today's parser: these tests are about the migration, not about
        # a parser-version bump re-parsing every file (which it rightly does).
        con.execute("UPDATE source_files SET parser_version = ?", [PARSER_VERSION])
    return mono, extra, db


def test_a_warehouse_from_before_sources_is_migrated_in_place(tmp_path: Path) -> None:
    mono, extra, db = _legacy(tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        old_docs = dict(con.execute("SELECT source_path, doc_id FROM documents").fetchall())
        old_sections = con.execute("SELECT count(*) FROM sections").fetchone()[0]  # type: ignore[index]
    assert len(old_docs) == 18
    # The next run of the first folder migrates, then finds all its files unchanged.
    again = _run(db, str(mono))
    assert (again["loaded"], again["removed"]) == (0, 0)
    assert again["unchanged"] + again["quarantined"] == 20
    with duckdb.connect(str(db), read_only=True) as con:
        docs = con.execute("SELECT source, source_path, doc_id FROM documents").fetchall()
        assert {s for s, _, _ in docs} == {"mono", "extra"}
        assert {p: d for _, p, d in docs if p in old_docs} == {
            p: doc_id_for("extra" if p == "notes.md" else "mono", p) for p in old_docs
        }
        assert con.execute("SELECT count(*) FROM sections").fetchone()[0] == old_sections  # type: ignore[index]
        assert con.execute(
            "SELECT count(*) FROM sections WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
        ).fetchone() == (0,)
        assert con.execute("SELECT source, root FROM sources ORDER BY 1").fetchall() == [
            ("extra", str(extra)),
            ("mono", str(mono)),
        ]
        cols = [r[0] for r in con.execute("DESCRIBE documents").fetchall()]
        assert cols[:3] == ["doc_id", "source", "source_path"]  # as in a fresh warehouse
        assert con.execute("SELECT count(*) FROM quarantine WHERE source IS NULL").fetchone() == (
            0,
        )
    # The clash the old warehouse quarantined is a document of its own source now.
    both = _run(db, str(mono), str(extra))
    assert (both["loaded"], both["removed"]) == (1, 0)
    paths = {(s, p) for s, p, _ in _docs(db)}
    assert ("extra", "guides/000/000009_tilukast.md") in paths
    assert ("mono", "guides/000/000009_tilukast.md") in paths


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_sources_and_remove_source_commands(two: tuple[Path, Path, Path]) -> None:
    a, b, db = two
    cwd = db.parent
    for src in (f"mono={a}", str(b)):
        res = _cli("run", src, "--db", str(db), "--no-prefect", "--no-progress", cwd=cwd)
        assert res.returncode == 0, res.stderr
        assert "sources: " in res.stdout
    listing = _cli("sources", "--db", str(db), cwd=cwd)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:3] == ["source", "documents", "quarantined"]
    assert [ln.split()[0] for ln in lines[1:3]] == ["guides", "mono"]
    assert "written by DuckDB 1.5.5 (storage version 64); readable by DuckDB 1.1.0" in lines[-1]
    data = json.loads(_cli("sources", "--db", str(db), "--format", "json", cwd=cwd).stdout)
    assert data["meta"]["min_reader_version"] == "1.1.0"
    assert {s["name"]: s["root"] for s in data["sources"]} == {"mono": str(a), "guides": str(b)}
    unknown = _cli("remove-source", "nope", "--db", str(db), cwd=cwd)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        f"ingest: error: no source named 'nope' in {db} (sources: guides, mono)"
    )
    gone = _cli("remove-source", "mono", "--db", str(db), cwd=cwd)
    assert gone.returncode == 0 and "removed source 'mono'" in gone.stdout
    clash = _cli("run", str(a.parent / "x" / "guides"), "--db", str(db), "--no-prefect", cwd=cwd)
    assert clash.returncode == 2 and "source does not exist" in clash.stderr
    shutil.copytree(b, a.parent / "x" / "guides")
    clash = _cli("run", str(a.parent / "x" / "guides"), "--db", str(db), "--no-prefect", cwd=cwd)
    assert clash.returncode == 2 and "already belongs to" in clash.stderr
    assert len(clash.stderr.strip().splitlines()) == 1
    assert _cli("sources", "--db", str(cwd / "missing.duckdb"), cwd=cwd).returncode == 2

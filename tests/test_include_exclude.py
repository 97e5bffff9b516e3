"""Discovery takes what the user means: document types by default, --include/--exclude.

The glob semantics as a table, then real folders through the CLI (``ingest run
--no-prefect``, ``ingest validate``), a narrower rule removing what it no longer
takes, and the options travelling through the Prefect flow's parameter.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from ingest.cli import _parser, main
from ingest.commands import config_from
from ingest.config import ConfigError, RunConfig
from ingest.selection import Selection

DOC = "# Title\n\nSome text.\n"


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("*.md", "a.md", True),
        ("*.md", "x/y/a.md", True),  # no '/': any name on the path
        ("*.md", "a.txt", False),
        ("*.MD", "a.md", False),  # user globs are case-sensitive
        ("drafts", "drafts/x.md", True),
        ("drafts", "a/drafts/y.md", True),
        ("drafts", "drafts.md", False),
        ("docs/*.md", "docs/a.md", True),  # with '/': the whole path, from the root
        ("docs/*.md", "docs/x/a.md", False),  # '*' does not cross '/'
        ("docs/*.md", "x/docs/a.md", False),
        ("docs/**/*.md", "docs/a.md", True),  # '**' spans any folders, none included
        ("docs/**/*.md", "docs/x/y/a.md", True),
        ("/top.md", "top.md", True),
        ("/top.md", "a/top.md", False),
        ("drafts/", "drafts/a/b.md", True),  # trailing '/': everything below
        ("drafts/", "x/drafts/a.md", False),
        ("**/drafts/**", "x/drafts/a.md", True),
        ("**/drafts/**", "drafts/a.md", True),
        ("note?.md", "note1.md", True),
        ("[!x]*.md", "y.md", True),
        ("[!x]*.md", "x.md", False),
    ],
)
def test_glob_semantics(glob: str, path: str, matches: bool) -> None:
    assert (Selection(include=[glob]).skip_file(path) is None) is matches
    assert (Selection(include=["*"], exclude=[glob]).skip_file(path) is not None) is matches


def test_default_takes_document_types_only() -> None:
    s = Selection()
    for taken in ("a.md", "b/README.MD", "c.markdown", "d.txt", "e.html", "f.HTM"):
        assert s.skip_file(taken) is None, taken
    assert s.skip_file("logo.png") == ("not_document", "*.png")
    assert s.skip_file("x/MANIFEST.tsv") == ("not_document", "*.tsv")
    assert s.skip_file("Makefile") == ("not_document", "Makefile")


def test_whole_folders_are_pruned_only_when_excluded_whole() -> None:
    s = Selection(exclude=["drafts", "archive/**", "docs/*.png"])
    assert s.skip_folder("drafts") == s.skip_folder("a/drafts") == "drafts"
    assert s.skip_folder("archive") == "archive/**"
    assert s.skip_folder("x/archive") is None and s.skip_folder("docs") is None


@pytest.mark.parametrize("bad", ["", "\0x"])
def test_unusable_globs_are_usage_errors(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--exclude"):
        RunConfig(sources=[str(tmp_path)], exclude=[bad])
    assert main(["run", str(tmp_path), "--db", str(tmp_path / "w.duckdb"), "--include", ""]) == 2


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "drafts").mkdir(parents=True)
    (src / ".git").mkdir()
    for name in ("a.md", "b.txt", "c.html", "drafts/d.md", ".git/HEAD", ".notes.md"):
        (src / name).write_text(DOC, encoding="utf-8")
    (src / "empty.txt").write_text("", encoding="utf-8")  # quarantined: empty_file
    (src / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (src / "MANIFEST.tsv").write_text("file\tlicence\na.md\tMIT\n", encoding="utf-8")
    (src / "data.json").write_text('{"a": 1}\n', encoding="utf-8")
    return src


def _run(src: Path, *extra: str) -> dict:
    db, report = src.parent / "w.duckdb", src.parent / "r.json"
    args = ["run", str(src), "--db", str(db), "--no-prefect", "--report-json", str(report)]
    assert main([*args, *extra]) == 0
    return json.loads(report.read_text())


def test_run_skips_what_is_not_a_document_and_says_so(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rep = _run(mixed)
    assert rep["counts"] == {"seen": 5, "loaded": 4, "unchanged": 0, "quarantined": 1, "removed": 0}
    out = capsys.readouterr().out
    assert (
        "skipped 4 files and 1 folder: 3 not a document type (*.json, *.png, *.tsv), "
        "1 hidden (name starts with '.') (.notes.md), 1 folder hidden, not walked (.git/)"
    ) in out
    assert rep["skipped"]["reasons"]["not_document"] == {
        "count": 3,
        "examples": ["*.json", "*.png", "*.tsv"],
    }
    again = _run(mixed)  # nothing changed: a journaled no-op that still says what it left out
    assert again["recorded"] == "journal" and again["skipped"] == rep["skipped"]


def test_a_narrower_rule_removes_what_it_no_longer_takes(
    mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = mixed.parent / "w.duckdb"
    _run(mixed)
    rep = _run(mixed, "--include", "*.md", "--exclude", "drafts")
    # b.txt, c.html and drafts/d.md were loaded, empty.txt quarantined: all left out now
    assert rep["counts"] == {"seen": 1, "loaded": 0, "unchanged": 1, "quarantined": 0, "removed": 3}
    assert "6 not matched by --include (*.txt, *.html, *.json, ...)" in capsys.readouterr().out
    with duckdb.connect(str(db), read_only=True) as con:
        docs = con.execute("SELECT source_path FROM documents").fetchall()
        current = con.execute("SELECT count(*) FROM current_quarantine").fetchall()
        files = con.execute("SELECT count(*) FROM source_files").fetchall()
    assert docs == [("a.md",)] and current == [(0,)] and files == [(1,)]
    assert _run(mixed, "--include", "*.md", "--exclude", "drafts")["recorded"] == "journal"
    back = _run(mixed)  # the default again: the files come back
    assert (back["counts"]["loaded"], back["counts"]["quarantined"]) == (3, 1)


def test_validate_takes_the_same_files(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(mixed), "--exclude", "drafts/"]) == 1  # empty.txt
    err = capsys.readouterr().err
    assert "4 file(s) checked: 3 valid, 1 invalid" in err
    assert "1 folder excluded by --exclude, not walked (drafts/)" in err
    assert main(["validate", str(mixed / "logo.png")]) == 0  # named, but not a document
    assert "skipped 1 file: 1 not a document type (*.png)" in capsys.readouterr().err
    assert main(["validate", "--format", "json", "--include", "*.json", str(mixed)]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["files"] == 1 and summary["skipped"]["reasons"]["not_included"]["count"] == 7


def test_serve_puts_the_rules_in_the_deployment_parameter(mixed: Path) -> None:
    args = _parser().parse_args(
        ["serve", str(mixed), "--cron", "0 * * * *", "--include", "*.md", "--exclude", "drafts"]
    )
    cfg = config_from(args)
    assert (cfg.include, cfg.exclude) == (["*.md"], ["drafts"])


@pytest.mark.flow
def test_the_flow_takes_the_rules_from_its_parameter(
    prefect_harness: None, mixed: Path, tmp_path: Path
) -> None:
    from ingest.prefect.flow import ingest_flow, run_flow

    fd = os.open(os.fsencode(mixed) + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, DOC.encode())  # a Latin-1 name: not UTF-8
    os.close(fd)
    cfg = RunConfig(
        sources=[str(mixed)],
        db=str(tmp_path / "w.duckdb"),
        workers=1,
        include=["*.md", "*.json"],
        exclude=["drafts/"],
    )
    # As a deployment stores it: JSON, rebuilt by Prefect for every run.
    stored = json.loads(json.dumps({"config": cfg.as_dict()}))
    rebuilt = ingest_flow.validate_parameters(stored)["config"]
    assert (rebuilt.include, rebuilt.exclude) == (cfg.include, cfg.exclude)
    summary = run_flow(rebuilt)
    assert summary.orchestration == "prefect"
    assert (summary.seen, summary.loaded) == (3, 3)  # a.md, caf\xe9.md, data.json
    assert summary.skipped.counts["excluded_folder"] == 1
    assert summary.skipped.counts["not_included"] == 5
    assert "Skipped 6 files and 2 folders: 5 not matched by --include" in summary.as_markdown()

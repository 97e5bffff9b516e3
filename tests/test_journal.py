"""Runs that change nothing are journaled, not published; the next publishing run folds
them into ``ingest_runs`` exactly once.  Real DuckDB files, the library's run loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest import journal
from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline


def _run(src: Path, db: Path):  # type: ignore[no-untyped-def]
    return run_pipeline(RunConfig(sources=[f"docs={src}"], db=str(db), workers=1))


def _runs(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            r[0]
            for r in con.execute("SELECT run_id FROM ingest_runs ORDER BY finished_at").fetchall()
        ]


def test_a_crash_between_publish_and_clearing_the_journal_records_nothing_twice(
    tmp_path: Path,
) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 12, seed=8, bad_share=0.2)
    first = _run(src, db)
    noop = _run(src, db)
    assert noop.recorded == "journal"
    saved = tmp_path / "journal.copy"
    shutil.copy(journal.path_for(db), saved)
    (src / "new.md").write_text("# New\n\ntext\n")
    third = _run(src, db)
    assert _runs(db) == [first.run_id, noop.run_id, third.run_id]
    # As if the process died after publishing but before clearing: the journal is back.
    shutil.copy(saved, journal.path_for(db))
    (src / "newer.md").write_text("# Newer\n\ntext\n")
    fourth = _run(src, db)
    assert _runs(db) == [first.run_id, noop.run_id, third.run_id, fourth.run_id]
    with duckdb.connect(str(db), read_only=True) as con:
        n = con.execute(
            "SELECT count(*) FROM quarantine WHERE run_id = ?", [noop.run_id]
        ).fetchone()
    assert n == (first.quarantined,)


def test_a_torn_journal_line_is_skipped(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 6, seed=9, bad_share=0.0)
    _run(src, db)
    noop = _run(src, db)
    with journal.path_for(db).open("a") as fh:
        fh.write('{"run_id": "half-writ')  # a crash mid-append
    assert [r["run_id"] for r in journal.pending(db)] == [noop.run_id]
    (src / "new.md").write_text("# New\n\ntext\n")
    _run(src, db)
    assert noop.run_id in _runs(db) and not journal.path_for(db).exists()


def test_sources_shows_a_journaled_run_as_the_latest(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 6, seed=10, bad_share=0.0)
    _run(src, db)
    noop = _run(src, db)
    res = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "sources", "--db", str(db), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    assert f'"last_run_id": "{noop.run_id}"' in res.stdout

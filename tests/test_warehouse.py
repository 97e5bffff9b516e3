"""The warehouse contract with a real DuckDB file and real processes (no Prefect here;
tests/test_flow.py runs the same through Prefect)."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest import journal
from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline
from ingest.warehouse import Warehouse, WarehouseBusy
from wh_helpers import counts, last_run, snapshot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    generate_corpus(src, 60, seed=11, bad_share=0.1)
    return src


def _run(src: Path, db: Path, **kw) -> object:
    return run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=2, batch_size=8, **kw))


def test_every_file_ends_loaded_or_quarantined_and_rerun_is_idempotent(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    first = _run(corpus, db)
    n_files = sum(1 for p in corpus.rglob("*") if p.is_file())
    c = first.counts()  # type: ignore[attr-defined]
    assert c["seen"] == n_files == c["loaded"] + c["quarantined"]
    assert c["quarantined"] >= 1 and c["unchanged"] == 0
    # CPU seconds beside the walls: the parse workers' (summed over batches) and the loader's.
    t = first.timings  # type: ignore[attr-defined]
    assert t["worker_cpu"] > 0 and t["load_cpu"] > 0 and t["publish_cpu"] > 0
    assert t["leader_cpu"] >= t["load_cpu"] + t["publish_cpu"]
    rows = counts(db)
    assert rows["documents"] == c["loaded"] and rows["quarantine"] == c["quarantined"]
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {r[0] for r in con.execute("SELECT source_path FROM documents").fetchall()}
        bad = {r[0] for r in con.execute("SELECT source_path FROM quarantine").fetchall()}
        assert not loaded & bad and len(loaded | bad) == n_files
        assert con.execute("SELECT count(*) FROM quarantine WHERE message = ''").fetchone() == (0,)
    before = snapshot(db)
    live_bytes = db.read_bytes()
    second = _run(corpus, db)
    c2 = second.counts()  # type: ignore[attr-defined]
    assert (c2["loaded"], c2["unchanged"], c2["quarantined"]) == (0, c["loaded"], c["quarantined"])
    # Nothing changed: the warehouse is not rewritten; the run waits in the journal.
    assert db.read_bytes() == live_bytes and second.recorded == "journal"  # type: ignore[attr-defined]
    assert [r["run_id"] for r in journal.pending(db)] == [second.run_id]  # type: ignore[attr-defined]
    # The next run that publishes folds it in: every run is in ingest_runs, once,
    # with the files it re-reported in quarantine.
    (corpus / "zz_new.md").write_text("# New\n\ntext\n")
    third = _run(corpus, db)
    assert snapshot(db) != before and not journal.pending(db)
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "SELECT run_id, files_seen, loaded, unchanged FROM ingest_runs"
        ).fetchall()
        per_run = dict(
            con.execute("SELECT run_id, count(*) FROM quarantine GROUP BY run_id").fetchall()
        )
    assert sorted(runs) == sorted(
        [
            (first.run_id, n_files, c["loaded"], 0),  # type: ignore[attr-defined]
            (second.run_id, n_files, 0, c["loaded"]),  # type: ignore[attr-defined]
            (third.run_id, n_files + 1, 1, c["loaded"]),  # type: ignore[attr-defined]
        ]
    )
    assert set(per_run.values()) == {c["quarantined"]} and len(per_run) == 3


def test_change_delete_add_update_exactly_those(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _run(corpus, db)
    before = snapshot(db)
    files = sorted(p for p in corpus.rglob("*.md") if "bad" not in p.parts)
    changed, deleted = files[0], files[1]
    changed.write_text(changed.read_text() + "\n## Added Later\n\nNew closing words.\n")
    deleted.unlink()
    added = corpus / "notes" / "new.md"
    added.parent.mkdir(exist_ok=True)
    added.write_text("# Brand new\n\nFresh text.\n")
    summary = _run(corpus, db)
    c = summary.counts()  # type: ignore[attr-defined]
    assert (c["loaded"], c["removed"]) == (2, 1)
    after = snapshot(db)

    def rel(p: Path) -> str:
        return p.relative_to(corpus).as_posix()

    paths_before = {r[2] for r in before["documents"]}
    paths_after = {r[2] for r in after["documents"]}
    assert paths_after == (paths_before - {rel(deleted)}) | {rel(added)}
    with duckdb.connect(str(db), read_only=True) as con:
        heads = [
            r[0]
            for r in con.execute(
                "SELECT heading FROM sections JOIN documents USING (doc_id) WHERE source_path = ?",
                [rel(changed)],
            ).fetchall()
        ]
        assert "Added Later" in heads
        assert con.execute(
            "SELECT count(*) FROM documents WHERE source_path = ?", [rel(changed)]
        ).fetchone() == (1,)

    touched = {rel(changed), rel(deleted), rel(added)}

    def untouched(snap: dict) -> list:
        ids = {d[0] for d in snap["documents"] if d[2] in touched}
        return [r for r in snap["sections"] if r[0] not in ids]

    assert untouched(before) == untouched(after)


def test_file_turning_bad_is_quarantined_and_its_old_rows_removed(tmp_path: Path) -> None:
    src, db = tmp_path / "s", tmp_path / "w.duckdb"
    src.mkdir()
    (src / "a.md").write_text("# A\n\ntext\n")
    (src / "b.md").write_text("# B\n\ntext\n")
    _run(src, db)
    (src / "a.md").write_text("---\ntitle: [broken\n---\n# A\n")
    s = _run(src, db).counts()  # type: ignore[attr-defined]
    assert (s["loaded"], s["quarantined"], s["unchanged"]) == (0, 1, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT source_path FROM documents").fetchall() == [("b.md",)]
        q = con.execute(
            "SELECT source_path, stage, error_code, line_start FROM current_quarantine"
        ).fetchall()
        assert q == [("a.md", "front_matter", "yaml_syntax", 2)]  # where the "[" opens
    # unchanged and still bad: reported again without re-parsing
    s = _run(src, db).counts()  # type: ignore[attr-defined]
    assert (s["quarantined"], s["unchanged"]) == (1, 1)
    assert last_run(db)["quarantined"] == 1


READER = r"""
import sys, time, duckdb
db, stop_after = sys.argv[1], float(sys.argv[2])
held = duckdb.connect(db, read_only=True)          # an analyst's open session
n0 = held.execute("SELECT count(*) FROM documents").fetchone()[0]
checks = 0
deadline = time.time() + stop_after
while time.time() < deadline:
    # the held connection keeps one consistent snapshot
    assert held.execute("SELECT count(*) FROM documents").fetchone()[0] == n0
    # every fresh connection sees a complete run: documents == loaded + unchanged
    with duckdb.connect(db, read_only=True) as con:
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        run = con.execute("SELECT loaded + unchanged FROM ingest_runs "
                          "ORDER BY finished_at DESC LIMIT 1").fetchone()[0]
        assert docs == run, (docs, run)
        orphans = con.execute("SELECT count(*) FROM sections s ANTI JOIN documents d "
                              "USING (doc_id)").fetchone()[0]
        assert orphans == 0
    checks += 1
print("checks", checks)
"""


def test_reader_in_another_process_neither_blocks_nor_sees_partial_state(
    corpus: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    _run(corpus, db)
    more = tmp_path / "more"
    generate_corpus(more, 150, seed=12, bad_share=0.0)
    shutil.copytree(more, corpus / "more")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "6"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # the reader holds its connection before the run starts
    summary = _run(corpus, db)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert int(out.split()[-1]) > 3
    assert summary.counts()["loaded"] == 150  # type: ignore[attr-defined]


def test_lock_wait_is_bounded_with_a_clear_message(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    fd = os.open(tmp_path / ".w.duckdb.lock", os.O_RDWR | os.O_CREAT)
    os.write(fd, b"pid 12345 since earlier")
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        t0 = time.perf_counter()
        with (
            pytest.raises(WarehouseBusy, match=r"another ingest run .*pid 12345.*waited 1s"),
            Warehouse(db, lock_timeout=1),
        ):
            pass
        assert 0.9 < time.perf_counter() - t0 < 5
    finally:
        os.close(fd)
    with Warehouse(db, lock_timeout=1) as wh:  # free again
        assert wh.connection().execute("SELECT count(*) FROM source_files").fetchall() == [(0,)]


def test_kill_9_mid_run_leaves_old_state_and_next_run_recovers(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 40, seed=5, bad_share=0.05)
    _run(src, db)
    before = snapshot(db)
    generate_corpus(src / "bulk", 1200, seed=6, bad_share=0.02)
    outcomes = []
    for delay in (0.2, 1.0, 2.5):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingest.cli",
                "run",
                str(src),
                "--db",
                str(db),
                "--no-prefect",
                "--workers",
                "1",
                "--batch-size",
                "10",
                "--no-progress",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        build = None
        deadline = time.time() + 60
        while time.time() < deadline and build is None:
            found = list(tmp_path.glob(".w.duckdb.build-*"))
            build = found[0] if found else None
            time.sleep(0.02)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = snapshot(db)
        outcomes.append(state == before)
        assert state == before, "a killed run must leave the warehouse as it was"
    assert all(outcomes)
    summary = _run(src, db).counts()  # type: ignore[attr-defined]
    n_files = sum(1 for p in src.rglob("*") if p.is_file())
    assert (
        summary["seen"]
        == n_files
        == summary["loaded"] + summary["unchanged"] + summary["quarantined"]
    )
    assert counts(db)["documents"] == summary["loaded"] + summary["unchanged"]
    assert not list(tmp_path.glob(".w.duckdb.build-*"))


def test_large_values_load_under_a_small_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several documents of one long section each: the insert that cannot pin their
    values under the loader's limit is retried under a raised one, not failed."""
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    src.mkdir()
    para = "Plain prose that only makes this section long. " * 20 + "\n\n"
    for i in range(4):
        (src / f"long{i}.md").write_text(f"# Long {i}\n\n" + para * 1500, encoding="utf-8")
    monkeypatch.setenv("INGEST_DUCKDB_MEMORY_LIMIT", "8MB")
    summary = _run(src, db).counts()  # type: ignore[attr-defined]
    assert (summary["loaded"], summary["quarantined"]) == (4, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        lengths = con.execute("SELECT max(length(text)) FROM sections").fetchone()
    assert lengths is not None and lengths[0] > 1_000_000

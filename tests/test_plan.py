"""The plan: change detection by size+mtime+hash, batches streamed from the build."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from helpers import same_size_edit
from ingest.discover import SourceFile
from ingest.errors import Issue
from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline
from ingest.plan import (
    MAX_BATCH_BYTES,
    MIN_TAIL_BATCH,
    WORK_TABLES,
    batch_files,
    iter_batches,
    plan_run,
)
from ingest.warehouse import Warehouse


def _run(src: Path, db: Path, **kw: object) -> dict[str, int]:
    return run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1, **kw)).counts()  # type: ignore[arg-type]


def test_size_and_mtime_fast_path_and_rehash(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 12, seed=3, bad_share=0.0)
    assert _run(src, db)["loaded"] == 12
    victim = sorted(src.rglob("*.md"))[0]
    same_size_edit(victim)
    # Size and mtime unchanged: the stored hash is trusted, the file is not read.
    assert _run(src, db)["unchanged"] == 12
    # --rehash reads every file and finds the edit.
    c = _run(src, db, rehash=True)
    assert (c["loaded"], c["unchanged"]) == (1, 11)


def test_touched_but_identical_file_is_hashed_and_unchanged(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 6, seed=4, bad_share=0.0)
    _run(src, db)
    for p in src.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(1, 1_000_000_000))
    c = _run(src, db)
    assert (c["loaded"], c["unchanged"]) == (0, 6)
    # The new mtime is remembered: the next run trusts it instead of hashing again.
    with duckdb.connect(str(db), read_only=True) as con:
        mtimes = {r[0] for r in con.execute("SELECT mtime_ns FROM source_files").fetchall()}
    assert mtimes == {1_000_000_000}


def test_batches_cover_every_file_once_within_limits(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 57, seed=5, bad_share=0.1)
    big = src / "big.md"
    big.write_bytes(b"# Big\n\n" + b"x" * 60 + b"\n" * (MAX_BATCH_BYTES // 61 + 10))
    with Warehouse(db) as wh:
        plan = plan_run(RunConfig(sources=[str(src)], db=str(db)), wh, "r1")
        batches = list(iter_batches(wh, 10))
    files = [f.source_path for b in batches for f in b]
    assert plan.to_parse == plan.seen == 58
    assert set(files) == {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()}
    assert len(files) == len(set(files)) == 58
    assert all(1 <= len(b) <= 10 for b in batches)
    for b in batches:  # the big file travels alone: batches stay within the byte bound
        if any(f.source_path == "big.md" for f in b):
            assert len(b) == 1 or sum(f.size for f in b) <= MAX_BATCH_BYTES


def _sizes(n: int, batch_size: int, workers: int, size: int = 1000) -> list[int]:
    """Batch sizes :func:`batch_files` cuts ``n`` files of ``size`` bytes into."""
    files = [SourceFile(f"/x/{i}", f"{i}", size) for i in range(n)]
    out: list[int] = []
    while files:
        take = batch_files(files, batch_size, n - sum(out), workers)
        out.append(take)
        files = files[take:]
    return out


def test_batches_shrink_towards_the_end_of_a_run() -> None:
    sizes = _sizes(2000, 500, 2)
    assert sum(sizes) == 2000 and max(sizes) == 500 == sizes[0]
    assert sizes == sorted(sizes, reverse=True)  # never larger than the one before
    # The batches in flight at the end (two per worker) are the smallest: a worker
    # that finishes early waits for at most one of them.
    assert all(s == MIN_TAIL_BATCH for s in sizes[-4:-1]) and sizes[-1] <= MIN_TAIL_BATCH
    # Without the run's total (a library caller), batches are cut as before.
    files = [SourceFile(f"/x/{i}", f"{i}", 1000) for i in range(120)]
    assert batch_files(files, 100, 0, 2) == 100
    # The byte bound still applies, and a batch always takes at least one file.
    assert _sizes(10, 500, 2, size=MAX_BATCH_BYTES // 3)[0] == 3
    assert _sizes(2, 500, 2, size=MAX_BATCH_BYTES * 2) == [1, 1]


def test_work_tables_never_reach_the_published_warehouse(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 5, seed=6, bad_share=0.0)
    _run(src, db)
    with duckdb.connect(str(db), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not names & set(WORK_TABLES)
    assert "source_files" in names


def test_unchanged_bad_file_is_quarantined_again_and_vanished_file_removed(
    tmp_path: Path,
) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 8, seed=7, bad_share=0.0)
    (src / "bad.md").write_bytes(b"\x00\x01binary")
    first = _run(src, db)
    assert (first["loaded"], first["quarantined"]) == (8, 1)
    gone = sorted(src.glob("monographs/*/*.md"))[0]
    gone.unlink()
    c = _run(src, db)
    assert c == {"seen": 8, "loaded": 0, "unchanged": 7, "quarantined": 1, "removed": 1}
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "SELECT count(DISTINCT run_id) FROM quarantine WHERE source_path = 'bad.md'"
        ).fetchall()
        left = con.execute(
            "SELECT count(*) FROM source_files WHERE source_path = ?",
            [gone.relative_to(src).as_posix()],
        ).fetchall()
    assert runs == [(2,)]  # reported by both runs without being parsed again
    assert left == [(0,)]


def test_duckdb_memory_limits_small_for_loading_scaled_for_set_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def limit(wh: Warehouse) -> str:
        return str(
            wh.connection().execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        )

    with Warehouse(tmp_path / "a.duckdb") as wh:
        small = limit(wh)
        with wh.bulk_memory(2_000_000):
            big = limit(wh)
        assert limit(wh) == small
    assert _mib(small) <= 64 < 200 < _mib(big) <= 230  # 32MB + 96MB per million files
    monkeypatch.setenv("INGEST_DUCKDB_MEMORY_LIMIT", "48MB")
    monkeypatch.setenv("INGEST_DUCKDB_BULK_MEMORY_LIMIT", "80MB")
    with Warehouse(tmp_path / "b.duckdb") as wh:
        assert 40 < _mib(limit(wh)) <= 48
        with wh.bulk_memory(10):
            assert 70 < _mib(limit(wh)) <= 80


def _mib(setting: str) -> float:
    num, unit = setting.split()
    return float(num) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def test_rerun_summary_names_each_still_bad_file_with_its_reason(tmp_path: Path) -> None:
    """An unchanged bad file is not parsed again, but the run summary (CLI output,
    Prefect artifact, JSON report) still says which file and why, as the first run did."""
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 40, seed=8, bad_share=0.15)
    cfg = RunConfig(sources=[str(src)], db=str(db), workers=1)
    first = run_pipeline(cfg)
    again = run_pipeline(cfg)

    def reasons(problems: list[Issue]) -> list[tuple[str, str, str, int | None]]:
        return sorted((p.path, p.code, p.message, p.line) for p in problems)

    assert first.quarantined == again.quarantined == len(again.problems) > 0
    assert again.loaded == 0
    assert reasons(again.problems) == reasons(first.problems)
    assert "quarantined " in again.render()

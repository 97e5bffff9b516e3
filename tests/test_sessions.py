"""Analysts' read-write DuckDB sessions on the live warehouse, with real processes.

Each case runs the real CLI (``--no-prefect``) beside a second Python process that
holds a plain ``duckdb.connect(path)`` session, as SQL clients do: nothing the
analyst committed is lost, and the warehouse always opens afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ingest import sessions
from ingest.generate import generate_corpus
from ingest.lock import WarehouseLock

BUSY = 75


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 30, seed=3, bad_share=0.0)
    assert _ingest(src, db).returncode == 0
    return src, db


def _ingest(src: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "ingest.cli", "run", f"src={src}", "--db", str(db)]
    return subprocess.run(
        [*cmd, "--no-prefect", "--no-progress", "--workers", "1", *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _analyst(db: Path, script: str) -> subprocess.Popen[str]:
    """A second process with a read-write session that runs ``script`` (``con`` is the
    connection), prints ``ready`` and then waits for its stdin to close."""
    body = textwrap.dedent(script)
    code = (
        f"import duckdb, sys\ncon = duckdb.connect({str(db)!r})\n{body}\n"
        "print('ready', flush=True)\nsys.stdin.read()\ncon.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _close(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0


def _tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _touch_source(src: Path) -> None:
    doc = next(p for p in sorted(src.rglob("*.md")))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


def test_run_waits_out_its_timeout_for_a_read_write_session_and_changes_nothing(
    loaded: tuple[Path, Path],
) -> None:
    src, db = loaded
    _touch_source(src)
    analyst = _analyst(db, "con.execute('CREATE TABLE mine AS SELECT 42 AS answer')")
    try:
        before = db.read_bytes()
        t0 = time.monotonic()
        res = _ingest(src, db, "--lock-timeout", "1")
        assert res.returncode == BUSY, res.stderr
        assert time.monotonic() - t0 < 15
        err = res.stderr.strip().splitlines()
        assert err[-1].startswith("ingest: error: ") and f"PID {analyst.pid}" in err[-1]
        assert "read-write" in err[-1] and "Traceback" not in res.stderr
        assert db.read_bytes() == before
    finally:
        _close(analyst)
    assert "mine" in _tables(db)  # the analyst's table, checkpointed on close
    assert _ingest(src, db).returncode == 0
    assert "mine" in _tables(db)  # and carried into the next published warehouse


def test_run_waits_for_a_read_write_session_to_close_then_keeps_its_tables(
    loaded: tuple[Path, Path],
) -> None:
    src, db = loaded
    _touch_source(src)
    analyst = _analyst(db, "con.execute('CREATE TABLE notes AS SELECT 1 AS n')")
    cmd = [sys.executable, "-m", "ingest.cli", "run", f"src={src}", "--db", str(db)]
    run = subprocess.Popen(
        [*cmd, "--no-prefect", "--no-progress", "--workers", "1", "--lock-timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    assert run.poll() is None, "the run must wait for the session, not fail"
    _close(analyst)
    _out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert f"waiting for PID {analyst.pid}" in err and "read-write" in err
    assert "notes" in _tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (30,)


def test_read_write_open_during_a_run_is_refused_and_readers_are_not(
    loaded: tuple[Path, Path],
) -> None:
    """While a run holds the warehouse, a read-write open fails at once with DuckDB's own
    message (nothing written can be lost); a read-only open works."""
    _, db = loaded
    probe = (
        "import duckdb, sys\n"
        "try:\n"
        f"    duckdb.connect({str(db)!r}, read_only=sys.argv[1] == 'ro').close()\n"
        "except duckdb.IOException as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    with WarehouseLock(db, timeout=5):
        rw = subprocess.run([sys.executable, "-c", probe, "rw"], capture_output=True, text=True)
        ro = subprocess.run([sys.executable, "-c", probe, "ro"], capture_output=True, text=True)
    assert rw.returncode == 3 and "Conflicting lock" in rw.stdout
    assert ro.returncode == 0, ro.stdout + ro.stderr
    rw_after = subprocess.run([sys.executable, "-c", probe, "rw"], capture_output=True, text=True)
    assert rw_after.returncode == 0, rw_after.stdout


def test_killed_read_write_session_keeps_its_work_and_the_next_run_heals_the_file(
    loaded: tuple[Path, Path],
) -> None:
    """A session killed with committed work leaves a WAL; the next run takes that work
    into the warehouse it publishes and leaves no WAL that could stop it opening."""
    src, db = loaded
    analyst = _analyst(
        db, "con.execute('CREATE TABLE scratch AS SELECT range AS i FROM range(1000)')"
    )
    analyst.send_signal(signal.SIGKILL)
    analyst.wait()
    wal = Path(str(db) + ".wal")
    assert wal.exists(), "the killed session should have left its WAL"
    _touch_source(src)
    res = _ingest(src, db)
    assert res.returncode == 0, res.stderr
    assert not wal.exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM scratch").fetchone() == (1000,)
    analyst2 = _analyst(db, "con.execute('INSERT INTO scratch VALUES (-1)')")
    _close(analyst2)  # a read-write session after the run works and is kept
    assert _ingest(src, db).returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM scratch").fetchone() == (1001,)


def test_wal_handover_interrupted_by_a_crash_is_finished_by_the_next_lock(tmp_path: Path) -> None:
    """The marker written before publishing decides what a leftover WAL is: stale if the
    file it names was published, the live file's own otherwise."""
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).execute("CREATE TABLE t AS SELECT 1 AS a").close()
    wal = Path(str(db) + ".wal")
    build = tmp_path / "build"
    build.write_bytes(db.read_bytes())

    wal.write_bytes(b"work of the live file")
    assert sessions.begin_wal_handover(db, build)
    # Crash before the rename: the WAL still belongs to the live file.
    with WarehouseLock(db, timeout=1):
        pass
    assert wal.exists() and not any(tmp_path.glob(".w.duckdb.wal-handover"))

    assert sessions.begin_wal_handover(db, build)
    os.replace(build, db)
    # Crash after the rename: the WAL belonged to the replaced file.
    with WarehouseLock(db, timeout=1):
        pass
    assert not wal.exists() and not any(tmp_path.glob(".w.duckdb.wal-handover"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT a FROM t").fetchone() == (1,)


def test_lock_is_reentrant_in_one_process_and_exclusive_across_processes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    probe = (
        "import sys\nfrom ingest.lock import WarehouseLock, WarehouseBusy\n"
        f"try:\n    WarehouseLock({str(db)!r}, timeout=0.2).acquire()\n"
        "except WarehouseBusy:\n    sys.exit(3)\n"
    )
    with WarehouseLock(db, timeout=1) as outer:
        with WarehouseLock(db, timeout=0) as inner:
            assert inner.held and outer.held
        assert outer.held  # the nested release leaves the outer lock in place
        assert subprocess.run([sys.executable, "-c", probe]).returncode == 3
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0


def test_sources_beside_a_read_write_session_is_busy_in_one_line(
    loaded: tuple[Path, Path],
) -> None:
    _, db = loaded
    analyst = _analyst(db, "pass")
    try:
        res = subprocess.run(
            [sys.executable, "-m", "ingest.cli", "sources", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        _close(analyst)
    assert res.returncode == BUSY, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "open read-write by another process" in lines[0], res.stderr

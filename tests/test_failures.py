"""Run-level failures: one plain line, a documented exit code, nothing lost.

Each case runs the real CLI as a subprocess on a real warehouse and checks the
whole promise: the exit code, a single ``ingest: error:`` line on stderr (no
traceback, no Prefect log lines), and a live warehouse byte-for-byte as it was
(or no warehouse at all where there was none).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.generate import generate_corpus
from ingest.lock import WarehouseLock

ROOT_USER = os.geteuid() == 0


def ingest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def one_error_line(res: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    assert res.returncode == code, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("ingest: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    out = tmp_path / "src"
    generate_corpus(out, 20, seed=4, bad_share=0.0)
    return out


@pytest.fixture
def loaded(src: Path, tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    assert ingest("run", str(src), "--db", str(db), "--no-prefect").returncode == 0
    (src / "extra.md").write_text("# Extra\n\nA new document.\n", encoding="utf-8")
    return db


def test_db_that_is_a_folder_is_a_usage_error(src: Path, tmp_path: Path) -> None:
    folder = tmp_path / "wh"
    folder.mkdir()
    res = ingest("run", str(src), "--db", str(folder), "--no-prefect")
    one_error_line(res, 2, f"--db {folder} is a folder")
    assert list(folder.iterdir()) == []


def test_db_inside_a_file_is_a_usage_error(src: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    res = ingest("run", str(src), "--db", str(tmp_path / "notes.txt" / "w.duckdb"))
    one_error_line(res, 2, "is not a folder")


@pytest.mark.parametrize(
    "content", [b"hello, not a database\n", b"\0" * 8 + b"DUCK" + b"\x07" * 4096]
)
def test_db_that_is_not_a_warehouse_is_named_and_left_alone(
    src: Path, tmp_path: Path, content: bytes
) -> None:
    db = tmp_path / "given.duckdb"
    db.write_bytes(content)
    res = ingest("run", str(src), "--db", str(db), "--no-prefect")
    one_error_line(res, 1, str(db))
    assert db.read_bytes() == content
    assert not list(tmp_path.glob(".given.duckdb.build-*"))


def test_corrupt_warehouse_is_one_line_and_unchanged(loaded: Path, src: Path) -> None:
    data = bytearray(loaded.read_bytes())
    data[8192:65536] = b"\x5a" * (65536 - 8192)  # past the header: blocks fail checksums
    loaded.write_bytes(bytes(data))
    res = ingest("run", str(src), "--db", str(loaded), "--no-prefect")
    one_error_line(res, 1, str(loaded), "cannot be opened as a warehouse", "unchanged")
    assert loaded.read_bytes() == bytes(data)


def test_bad_option_values_are_usage_errors(src: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    for extra in (
        ["--report-json", str(tmp_path / "missing" / "r.json")],
        ["--workers", "0"],
        ["--batch-size", "0"],
        ["--lock-timeout", "-1"],
    ):
        res = ingest("run", str(src), "--db", db, "--no-prefect", *extra)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (extra, res.stderr)
    bad_cron = ingest("serve", str(src), "--db", db, "--cron", "every minute")
    one_error_line(bad_cron, 2, "--cron")
    assert not Path(db).exists()


def test_unreachable_prefect_server_is_one_line_before_anything_starts(
    src: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    res = ingest(
        "run", str(src), "--db", str(db), env={"PREFECT_API_URL": "http://127.0.0.1:9/api"}
    )
    one_error_line(res, 1, "cannot reach the Prefect server at http://127.0.0.1:9/api")
    assert not db.exists()


def test_temporary_server_that_cannot_start_is_one_line(src: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    broken = {"PREFECT_SERVER_DATABASE_CONNECTION_URL": "postgresql+asyncpg://x@127.0.0.1:9/db"}
    res = ingest("run", str(src), "--db", str(db), env=broken)
    one_error_line(res, 1, "temporary Prefect server could not start", "unchanged")
    assert not db.exists()


def test_busy_warehouse_on_the_prefect_path_is_one_line_before_the_flow(
    loaded: Path, src: Path
) -> None:
    before = loaded.read_bytes()
    probe = (
        "import sys, time\nfrom ingest.lock import WarehouseLock\n"
        f"with WarehouseLock({str(loaded)!r}, timeout=5):\n"
        "    print('held', flush=True)\n    sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", probe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = ingest("run", str(src), "--db", str(loaded), "--lock-timeout", "1")
        one_error_line(res, 75, "another ingest run is writing")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert loaded.read_bytes() == before


def test_private_warehouse_keeps_its_mode_and_owner(loaded: Path, src: Path) -> None:
    os.chmod(loaded, 0o600)
    if ROOT_USER:
        os.chown(loaded, 12345, 23456)
    before = loaded.stat()
    res = ingest("run", str(src), "--db", str(loaded), "--no-prefect")
    assert res.returncode == 0, res.stderr
    after = loaded.stat()
    assert after.st_ino != before.st_ino, "the run should have published a new file"
    assert (after.st_mode, after.st_uid, after.st_gid) == (
        before.st_mode,
        before.st_uid,
        before.st_gid,
    )


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A real, small file system of our own (tmpfs; needs root, as on CI)."""
    if not ROOT_USER or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mnt)], capture_output=True
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_read_only_folder_is_one_line(src: Path, small_mount: Path) -> None:
    db = small_mount / "w.duckdb"
    assert ingest("run", str(src), "--db", str(db), "--no-prefect").returncode == 0
    before = db.read_bytes()
    (src / "extra.md").write_text("# Extra\n\nA new document.\n", encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    res = ingest("run", str(src), "--db", str(db), "--no-prefect")
    one_error_line(res, 1, f"cannot write in {small_mount}", "read-only file system")
    assert db.read_bytes() == before


def test_full_disk_is_named_as_such_and_loses_nothing(src: Path, small_mount: Path) -> None:
    db = small_mount / "w.duckdb"
    assert ingest("run", f"docs={src}", "--db", str(db), "--no-prefect").returncode == 0
    before = db.read_bytes()
    generate_corpus(src / "more", 400, seed=9, bad_share=0.0, profile="realistic")
    # Leave room for the copy of the warehouse, not for the new rows.
    filler = small_mount / "filler"
    free = shutil.disk_usage(small_mount).free
    filler.write_bytes(b"\0" * max(0, free - len(before) - (1 << 20)))
    res = ingest("run", f"docs={src}", "--db", str(db), "--no-prefect")
    one_error_line(res, 1, "disk holding", "is full", "unchanged")
    assert db.read_bytes() == before
    assert not list(small_mount.glob(".w.duckdb.build-*"))
    filler.unlink()
    again = ingest("run", f"docs={src}", "--db", str(db), "--no-prefect")
    assert again.returncode == 0, again.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (420,)


def test_lock_wait_is_bounded_and_named(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with WarehouseLock(db, timeout=1):
        probe = (
            "from ingest.lock import WarehouseLock, WarehouseBusy\n"
            f"try:\n    WarehouseLock({str(db)!r}, timeout=0.3).acquire()\n"
            "except WarehouseBusy as e:\n    print(e)\n"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert f"pid {os.getpid()}" in out.stdout and "waited 0s" in out.stdout

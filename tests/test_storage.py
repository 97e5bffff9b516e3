"""The warehouse as a file: what ingest refuses to open, and how it copies the live file.

The copy-on-write clone is tested on a real XFS file system made for the test (a
loop-mounted image; needs root, ``mkfs.xfs`` and loop devices, which CI's set-up
provides); elsewhere the plain-copy path is what runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.generate import generate_corpus
from ingest.storage import StorageError, check_readable, clone, header


def test_header_and_refusals(tmp_path: Path) -> None:
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database\n" * 10)
    with pytest.raises(StorageError, match="is not a DuckDB database file"):
        check_readable(text)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    assert header(empty) is None
    future = tmp_path / "future.duckdb"
    future.write_bytes(
        b"\0" * 8 + b"DUCK" + (999).to_bytes(8, "little") + b"\0" * 32 + b"v9.9.9\0\0" + b"\0" * 64
    )
    assert header(future) == (999, "v9.9.9")
    with pytest.raises(StorageError, match=r"written by DuckDB v9\.9\.9 .* \(file format 999\)"):
        check_readable(future)


def test_clone_copies_when_no_clone_is_offered(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.bin", tmp_path / "b.bin"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    dst.write_bytes(b"older and longer" * 1_000_000)  # a stale build is overwritten
    method = clone(src, dst)
    assert dst.read_bytes() == data
    fs = subprocess.run(["stat", "-f", "-c", "%T", str(tmp_path)], capture_output=True, text=True)
    if fs.stdout.strip() in ("ext2/ext3", "tmpfs"):  # no FICLONE there
        assert method == "copy"


@pytest.fixture
def xfs(tmp_path: Path) -> Iterator[Path]:
    """A small reflink-capable XFS file system, loop-mounted for the test."""
    if os.geteuid() != 0 or not shutil.which("mkfs.xfs"):
        pytest.skip("needs root and mkfs.xfs (xfsprogs) to make a reflink file system")
    image, mnt = tmp_path / "xfs.img", tmp_path / "mnt"
    with image.open("wb") as fh:
        fh.truncate(512 * 1024 * 1024)
    subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", str(image)], check=True)
    mnt.mkdir()
    mounted = subprocess.run(["mount", "-o", "loop", str(image), str(mnt)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot loop-mount here: {mounted.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_runs_clone_the_warehouse_where_the_file_system_can(xfs: Path, tmp_path: Path) -> None:
    src, db, report = tmp_path / "src", xfs / "w.duckdb", tmp_path / "r.json"
    generate_corpus(src, 20, seed=12, bad_share=0.0)

    def run() -> dict:  # type: ignore[type-arg]
        cmd = [sys.executable, "-m", "ingest.cli", "run", str(src), "--db", str(db)]
        res = subprocess.run(
            [*cmd, "--no-prefect", "--report-json", str(report)], capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
        return json.loads(report.read_text())  # type: ignore[no-any-return]

    assert run()["copy_method"] == ""  # a new warehouse: nothing to copy
    victim = sorted(src.rglob("*.md"))[0]
    victim.write_text(victim.read_text() + "\nOne more line.\n")
    second = run()
    assert second["copy_method"] == "reflink" and second["counts"]["loaded"] == 1
    assert "copy" in second["timings_s"]
    assert clone(db, xfs / "again.duckdb") == "reflink"
    assert (xfs / "again.duckdb").read_bytes() == db.read_bytes()

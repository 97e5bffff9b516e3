"""Every entry of a source is accounted for: odd entries are quarantined, never read.

Real entries on disk: a FIFO, a socket, a device (a link to /dev/null), a broken
link, two links in a circle, a folder link back to its parent, a name that is
not UTF-8, unreadable files and folders.  Runs that could block on a FIFO run
as subprocesses with a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.config import ConfigError, Source, check_sources
from ingest.discover import iter_files, sha256_file
from ingest.entries import name_bytes, read_regular, represent
from ingest.freshness import needs_parsing
from ingest.pipeline import RunConfig, run_pipeline
from ingest.plan import plan_run
from ingest.warehouse import Warehouse

SRC = Path(__file__).resolve().parents[1] / "src"
GOOD = b"# A note\n\nSome text.\n"
ODD = {  # source_path -> the code it is quarantined with
    "broken.md": "broken_symlink",
    "l1.md": "symlink_loop",
    "l2.md": "symlink_loop",
    "null.md": "device",
    "pipe.md": "fifo",
    "sock.md": "socket",
    "sub/up/": "symlink_loop",
}
LOADED = {"good.md", "sub/two.txt", "bad\\xff.md", "dir\\xfe/in.md"}


def ingest(*args: str, prefix: list[str] | None = None) -> Any:
    """``ingest ARGS`` in a subprocess with this checkout's code, 60 s at most."""
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )


@pytest.fixture
def odd_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "good.md").write_bytes(GOOD)
    (src / "sub" / "two.txt").write_bytes(b"# Two\n\nMore text.\n")
    os.mkfifo(src / "pipe.md")
    (src / "broken.md").symlink_to("missing.md")
    (src / "l1.md").symlink_to("l2.md")
    (src / "l2.md").symlink_to("l1.md")
    (src / "null.md").symlink_to("/dev/null")
    (src / "sub" / "up").symlink_to("..")
    _write_bytes_name(os.fsencode(src) + b"/bad\xff.md")
    os.mkdir(os.fsencode(src) + b"/dir\xfe")
    _write_bytes_name(os.fsencode(src) + b"/dir\xfe/in.md")
    monkeypatch.chdir(src)  # a short relative path: AF_UNIX paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind("sock.md")
        monkeypatch.chdir(tmp_path)
        yield src


def _write_bytes_name(path: bytes) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, GOOD)
    os.close(fd)


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_odd_entries_are_quarantined_counted_and_rerun_is_a_noop(
    odd_source: Path, tmp_path: Path
) -> None:
    db, report = tmp_path / "w.duckdb", tmp_path / "r.json"
    res = ingest(
        "run", str(odd_source), "--db", str(db), "--no-prefect", "--report-json", str(report)
    )
    assert res.returncode == 0, res.stderr
    c = json.loads(report.read_text())["counts"]
    assert c == {"seen": 11, "loaded": 4, "unchanged": 0, "quarantined": 7, "removed": 0}
    quarantined = _rows(db, "SELECT source_path, stage, error_code, message FROM quarantine")
    assert {p: code for p, _, code, _ in quarantined} == ODD
    assert all(stage == "discover" and msg for _, stage, _, msg in quarantined)
    for path, code in ODD.items():
        assert f"quarantined {path}: [{code}]" in res.stdout
    assert {r[0] for r in _rows(db, "SELECT source_path FROM documents")} == LOADED
    assert name_bytes("bad\\xff.md") == b"bad\xff.md"  # the name's bytes, recovered
    (run,) = _rows(db, "SELECT files_seen, loaded, unchanged, quarantined FROM ingest_runs")
    assert run[0] == run[1] + run[2] + run[3] == 11

    assert not needs_parsing([odd_source], db)
    again = ingest("run", str(odd_source), "--db", str(db), "--report-json", str(report))
    assert again.returncode == 0, again.stderr
    rep = json.loads(report.read_text())
    assert rep["recorded"] == "journal"  # nothing changed: journaled, not rewritten
    assert rep["counts"] == {
        "seen": 11,
        "loaded": 0,
        "unchanged": 4,
        "quarantined": 7,
        "removed": 0,
    }
    assert {p["path"]: p["code"] for p in rep["problems"]} == ODD


def test_validate_reports_each_odd_entry(odd_source: Path) -> None:
    res = ingest("validate", "--format", "json", str(odd_source))
    assert res.returncode == 1, res.stderr
    files = {
        Path(f["path"]).name + ("/" if f["path"].endswith("/") else ""): f
        for f in json.loads(res.stdout)["files"]
    }
    for path, code in ODD.items():
        name = path.rstrip("/").rpartition("/")[2] + ("/" if path.endswith("/") else "")
        assert [e["code"] for e in files[name]["errors"]] == [code], name
    assert files["bad\\xff.md"]["valid"] and files["good.md"]["valid"]
    text = ingest("validate", str(odd_source))
    assert "pipe.md: error [fifo] a named pipe (FIFO)" in text.stdout
    assert "up/: error [symlink_loop]" in text.stdout
    assert "11 file(s) checked: 4 valid, 7 invalid" in text.stderr


def test_replaced_entries_are_parsed_again_and_plan_agrees(
    odd_source: Path, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    cfg = RunConfig(sources=[str(odd_source)], db=str(db), workers=1)
    # A FIFO is never opened, so loading in-process cannot block here.
    assert run_pipeline(cfg).quarantined == 7
    (odd_source / "pipe.md").unlink()
    (odd_source / "pipe.md").write_bytes(GOOD)  # the pipe is now a document
    (odd_source / "missing.md").write_bytes(GOOD)  # the broken link now leads somewhere
    assert needs_parsing([odd_source], db)
    with Warehouse(db) as wh:
        assert plan_run(cfg, wh, "probe").to_parse == 3  # pipe.md, broken.md, missing.md
    c = run_pipeline(cfg).counts()
    assert c == {"seen": 12, "loaded": 3, "unchanged": 4, "quarantined": 5, "removed": 0}
    assert not needs_parsing([odd_source], db)
    assert run_pipeline(cfg).recorded == "journal"


def test_a_fifo_is_never_waited_on(tmp_path: Path) -> None:
    pipe = tmp_path / "p.md"
    os.mkfifo(pipe)
    results: list[object] = []

    def read() -> None:
        results.append(sha256_file(str(pipe)))
        try:
            read_regular(pipe)
        except OSError as exc:
            results.append(type(exc).__name__)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():  # unblock the reader so the test process can end
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert results == [None, "NotRegularFile"]


def test_a_name_whose_escaped_form_exists_is_skipped_not_fatal(tmp_path: Path) -> None:
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    src.mkdir()
    (src / "bad\\xff.md").write_bytes(GOOD)  # a real name, backslash and all
    _write_bytes_name(os.fsencode(src) + b"/bad\xff.md")
    assert represent(os.fsdecode(b"bad\xff.md")) == "bad\\xff.md"
    summary = run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))
    assert (summary.seen, summary.loaded) == (1, 1)
    assert "1 name not valid UTF-8 and its escaped form is another file's name" in summary.render()
    assert [f.source_path for f in iter_files([Source("s", str(src))])] == ["bad\\xff.md"]


def test_a_root_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(root)
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        check_sources([Source("s", os.fsdecode(root))])


# -- unreadable files and folders -----------------------------------------------------------
# chmod 000 does not stop root, who reads anything (CAP_DAC_OVERRIDE).  As root, as CI
# runs, the runs go without those capabilities instead (util-linux's setpriv), so the
# permission bits apply to them as to anyone.
DROP_READ_ANYTHING = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _unprivileged() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):  # pragma: no cover - util-linux is missing
        pytest.skip("running as root and setpriv is missing: chmod 000 cannot deny reads")
    return DROP_READ_ANYTHING


def test_unreadable_files_and_folders_are_quarantined_until_readable(tmp_path: Path) -> None:
    prefix = _unprivileged()
    src, db, report = tmp_path / "src", tmp_path / "w.duckdb", tmp_path / "r.json"
    (src / "private").mkdir(parents=True)
    (src / "listonly").mkdir()
    for name in ("ok.md", "locked.md", "private/inner.md", "listonly/a.md"):
        (src / name).write_bytes(GOOD)
    (src / "locked.md").chmod(0o000)
    (src / "private").chmod(0o000)
    (src / "listonly").chmod(0o644)  # may be listed, but what is inside not looked at
    args = ("run", str(src), "--db", str(db), "--no-prefect", "--report-json", str(report))
    try:
        first = ingest(*args, prefix=prefix)
        assert first.returncode == 0, first.stderr
        stored = _rows(db, "SELECT source_path, stage, error_code FROM quarantine")
        assert {p: (s, c) for p, s, c in stored} == {
            "locked.md": ("read", "unreadable"),
            "private/": ("discover", "unreadable_folder"),
            "listonly/a.md": ("discover", "stat_failed"),
        }
        assert "[unreadable_folder] the folder cannot be listed (permission denied)" in first.stdout
        c = json.loads(report.read_text())["counts"]
        assert (c["seen"], c["loaded"], c["quarantined"]) == (4, 1, 3)
        ingest(*args, prefix=prefix)
        assert json.loads(report.read_text())["recorded"] == "journal"  # a no-op re-run
        checked = ingest("validate", str(src), prefix=prefix)
        for code in ("unreadable", "unreadable_folder", "stat_failed"):
            assert f"[{code}]" in checked.stdout
    finally:  # chmod changes no mtime: the next run must notice anyway
        (src / "locked.md").chmod(0o644)
        (src / "private").chmod(0o755)
        (src / "listonly").chmod(0o755)
    fixed = ingest(*args, prefix=prefix)
    assert fixed.returncode == 0, fixed.stderr
    c = json.loads(report.read_text())["counts"]
    assert c == {"seen": 4, "loaded": 3, "unchanged": 1, "quarantined": 0, "removed": 0}
    ingest(*args, prefix=prefix)
    assert json.loads(report.read_text())["recorded"] == "journal"


@pytest.mark.parametrize(
    "raw", [b"bad\xff.md", b"a\\b\xfe\xff.md", b"caf\xc3\xa9\xe9.md", b"\\x41\x80"]
)
def test_names_that_are_not_utf8_round_trip(raw: bytes) -> None:
    text = represent(os.fsdecode(raw))
    text.encode("utf-8")  # storable as text
    assert name_bytes(text) == raw
    assert represent("ok \\ é.md") == "ok \\ é.md"  # valid names are never changed

"""Chaos: signals and deaths at several moments of a real run, on both paths.

A run is started as a user starts it (the CLI, in a process group of its own, as a
terminal would), then at a chosen moment it gets Ctrl-C (SIGINT to the whole group,
what a terminal sends), SIGTERM to the leader (what ``kill``, schedulers and
container runtimes send), or SIGKILL to the leader (the OOM killer).  Moments are
found from the files a run leaves (no timing guesses): the run holds the lock; its private
build exists; parse workers have staged rows.  Every case checks the whole
promise: the code (130 / 143), a single line on stderr within 5 s, the live
warehouse byte-for-byte as it was, and no process of the run left behind; after
each path's cases, the next run removes what a killed run left and converges.

Other guarantees of the run layer have their own tests: kill -9 at random moments
and the next run converging (``test_warehouse``), readers never blocked nor shown
a half run and runs taking turns (``test_warehouse``, ``test_flow``), analysts'
read-write sessions (``test_sessions``), run-level failures (``test_failures``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ingest.generate import generate_corpus

STOP_WITHIN_S = 5.0
BULK = 500  # realistic documents: a parse phase of a few seconds on 2 cores


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid: int) -> set[int]:
    kids, out, todo = _children_map(), set(), [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bulk") / "bulk"
    generate_corpus(out, BULK, seed=21, bad_share=0.0, profile="realistic")
    return out


class Scene:
    """A warehouse with one small source, and a second source of ``BULK`` documents
    that the run under attack loads."""

    def __init__(self, root: Path, bulk: Path) -> None:
        self.root = root
        self.db = root / "w.duckdb"
        small = root / "small"
        generate_corpus(small, 10, seed=2, bad_share=0.0)
        shutil.copytree(bulk, root / "bulk")
        res = self.ingest(f"small={small}", "--no-prefect")
        assert res.returncode == 0, res.stderr
        self.before = self.db.read_bytes()

    def ingest(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "ingest.cli", "run", *args, "--db", str(self.db)]
        return subprocess.run([*cmd, "--no-progress"], capture_output=True, text=True, timeout=300)

    def command(self) -> list[str]:
        bulk = f"bulk={self.root / 'bulk'}"
        return [
            sys.executable,
            "-m",
            "ingest.cli",
            "run",
            bulk,
            "--db",
            str(self.db),
            "--no-progress",
        ]

    def builds(self) -> list[Path]:
        return list(self.root.glob(".w.duckdb.build-*"))

    def staged(self) -> bool:
        return any(p.is_dir() and any(p.iterdir()) for p in self.builds())

    def locked_by(self, pid: int) -> bool:
        try:
            return f"pid {pid} " in (self.root / ".w.duckdb.lock").read_text(encoding="utf-8")
        except OSError:
            return False


MOMENTS: dict[str, Callable[[Scene, int], bool]] = {
    "locked": Scene.locked_by,  # imports done, the run holds the warehouse
    "build": lambda s, pid: bool(s.builds()),
    "parsing": lambda s, pid: s.staged(),
}


def attack(scene: Scene, path: list[str], moment: str, how: str) -> None:
    err_path = scene.root / f"stderr-{moment}-{how}.txt"
    with open(err_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [*scene.command(), *path],
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # a process group of its own, as in a terminal
        )
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    reached = MOMENTS[moment]
    while not reached(scene, proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        seen |= descendants(proc.pid)
        time.sleep(0.02)
    seen |= descendants(proc.pid)
    assert proc.poll() is None, f"the run ended before the moment {moment!r}"
    sent = time.monotonic()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    try:
        code = proc.wait(timeout=30)
    finally:
        took = time.monotonic() - sent
        leftover = _reap(seen | descendants(proc.pid))
    stderr = err_path.read_text(encoding="utf-8")
    assert not leftover, f"{how} at {moment}: processes left behind: {leftover}"
    assert scene.db.read_bytes() == scene.before, "the live warehouse must be as it was"
    if how == "sigkill":
        assert code == -signal.SIGKILL
        return
    expected = {"ctrl-c": 130, "sigterm": 143}[how]
    assert code == expected, stderr
    assert took < STOP_WITHIN_S, f"{how} at {moment}: took {took:.1f}s to stop"
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ingest: interrupted"), stderr
    assert not scene.builds(), "an interrupted run discards its build"


def _reap(pids: set[int]) -> list[int]:
    """Wait a few seconds for ``pids`` to exit; kill and return the ones that did not."""
    deadline = time.monotonic() + STOP_WITHIN_S
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    left = [p for p in pids if alive(p)]
    for p in left:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    return left


def converge(scene: Scene, path: list[str]) -> None:
    """The next run removes any stale build and loads everything."""
    res = scene.ingest(f"bulk={scene.root / 'bulk'}", *path)
    assert res.returncode == 0, res.stderr
    assert not scene.builds()
    with duckdb.connect(str(scene.db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (BULK + 10,)


CASES = [(m, h) for m in MOMENTS for h in ("ctrl-c", "sigterm")] + [("parsing", "sigkill")]


def test_signals_without_prefect(tmp_path: Path, bulk: Path) -> None:
    scene = Scene(tmp_path, bulk)
    for moment, how in CASES:
        attack(scene, ["--no-prefect", "--batch-size", "25"], moment, how)
    converge(scene, ["--no-prefect"])


@pytest.mark.slow
def test_signals_on_the_default_prefect_path(tmp_path: Path, bulk: Path) -> None:
    scene = Scene(tmp_path, bulk)
    for moment, how in CASES:
        attack(scene, ["--batch-size", "25"], moment, how)
    converge(scene, [])


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "sigkill"])
def test_serve_stops_on_signals_and_leaves_nothing(tmp_path: Path, how: str) -> None:
    """``ingest serve`` (its temporary server, no schedule firing): Ctrl-C and SIGTERM
    stop it within seconds with one line and 130 / 143; SIGKILL leaves no process."""
    src = tmp_path / "src"
    generate_corpus(src, 5, seed=1, bad_share=0.0)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with open(out, "w", encoding="utf-8") as fo, open(err, "w", encoding="utf-8") as fe:
        serve = ["serve", f"docs={src}", "--cron", "0 0 1 1 *", "--db", str(tmp_path / "w.db")]
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.cli", *serve],
            stdout=fo,
            stderr=fe,
            env=env,
            start_new_session=True,
        )
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while "is being served" not in out.read_text(encoding="utf-8"):
        assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
        seen |= descendants(proc.pid)
        time.sleep(0.1)
    seen |= descendants(proc.pid)
    sent = time.monotonic()
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    code = proc.wait(timeout=30)
    took = time.monotonic() - sent
    leftover = _reap(seen | descendants(proc.pid))
    assert not leftover, f"serve, {how}: processes left behind: {leftover}"
    if how == "sigkill":
        return
    assert code == {"ctrl-c": 130, "sigterm": 143}[how], err.read_text()
    assert took < STOP_WITHIN_S, f"serve took {took:.1f}s to stop"
    said = [ln for ln in err.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert said[-1].startswith("ingest: stopped serving"), said
    assert not any("Traceback" in ln or "ERROR" in ln for ln in said), said


def test_the_cli_gives_the_signal_handlers_back(capsys: pytest.CaptureFixture[str]) -> None:
    """``ingest.cli.main`` called in a longer-lived process (a script, these tests) owns
    SIGINT and SIGTERM only while the command runs."""
    import threading

    from ingest.cli import main

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(["schema", "--ddl"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    assert signal.set_wakeup_fd(-1) == -1  # no wake-up pipe left installed
    time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "ingest-stopper"]
    assert "CREATE TABLE" in capsys.readouterr().out

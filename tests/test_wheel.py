"""The wheel, installed as a user installs it: built from this checkout, installed
into a fresh venv with the locked dependencies, and run from a directory outside
the checkout with a clean environment (no PYTHONPATH, no Prefect settings but a
fresh PREFECT_HOME).  It guards against what only works from the checkout: the
flow importing a top-level ``flows`` module (``ModuleNotFoundError: No module named
'flows'``), data files (``schemas/warehouse.yaml``, ``warehouse/views.sql``) that are
not packaged, anything found through the working directory or PYTHONPATH.

uv builds and installs offline from its cache (hatchling and the lock's wheels are
there after ``make install``), so the test never reaches the network.  Every
command runs in its own process group; the groups are checked for leftovers (a
temporary Prefect server that outlived ``ingest run``) and killed at teardown,
whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DEV_PYTHON = Path(sys.executable)  # the dev venv's interpreter; uv resolves its base
LOCK = ROOT / "requirements.lock"
CRON = "0 0 1 1 *"  # once a year: serve must start, not run anything
SERVE_READY = "is being served"  # Prefect's banner once the deployment is registered
TIMINGS: dict[str, float] = {}


def _uv() -> str:
    beside = DEV_PYTHON.parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if not found:
        pytest.skip("uv is not installed (make install puts it in .venv/bin)")
    return found


def _inside_checkout(path: str | Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(ROOT)
    except OSError:
        return False


def _live_members(pgid: int) -> list[int]:
    """Processes of a group that are still running (zombies do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: only whether the group exists at all
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    pids = []
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rpartition(")")[2].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            pids.append(int(d.name))
    return pids


def _restore_sigint() -> None:  # pragma: no cover - runs in the child
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Result:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.argv)}\nexit {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


@dataclass
class Installed:
    """A fresh venv with the wheel installed, and how to run it like a user."""

    venv: Path
    wheel: Path
    home: Path
    elsewhere: Path
    logs: Path
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def ingest_exe(self) -> Path:
        return self.venv / "bin" / "ingest"

    def start(
        self, name: str, argv: Sequence[str | Path]
    ) -> tuple[subprocess.Popen[bytes], Path, Path]:
        """Start a command from ``elsewhere`` in its own process group, its output in
        files (a grandchild that keeps a pipe open cannot block the test)."""
        out, err = self.logs / f"{name}.out", self.logs / f"{name}.err"
        with out.open("wb") as fo, err.open("wb") as fe:
            proc = subprocess.Popen(
                [str(a) for a in argv],
                cwd=self.elsewhere,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=fo,
                stderr=fe,
                start_new_session=True,
                # A child inherits an ignored SIGINT (pytest started in the background
                # by a shell): Ctrl-C must reach serve as it does in a terminal.
                preexec_fn=(
                    _restore_sigint if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else None
                ),
            )
        self.procs.append(proc)
        return proc, out, err

    def run(self, name: str, *argv: str | Path, timeout: float = 300) -> Result:
        t0 = time.perf_counter()
        proc, out, err = self.start(name, argv)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            res = Result([str(a) for a in argv], -9, _read(out), _read(err))
            pytest.fail(f"{name}: no exit within {timeout:.0f}s\n{res.describe()}")
        res = Result([str(a) for a in argv], code, _read(out), _read(err))
        TIMINGS[name] = time.perf_counter() - t0
        left = _wait_group_empty(proc.pid, timeout=10)
        if left:
            self.kill(proc)
            pytest.fail(f"{name}: processes {left} outlived the command\n{res.describe()}")
        return res

    def ingest(self, name: str, *args: str, timeout: float = 300) -> Result:
        return self.run(name, self.ingest_exe, *args, timeout=timeout)

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL what is left of the group this test started for ``proc``."""
        if proc.poll() is not None and not _live_members(proc.pid):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)

    def kill_all(self) -> None:
        for proc in self.procs:
            self.kill(proc)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _wait_group_empty(pgid: int, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _live_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a user who never saw the checkout: no PYTHON*/PREFECT_*
    variables, no virtualenv, nothing of the checkout on PATH, a fresh HOME and
    PREFECT_HOME."""
    drop = ("PYTHON", "PREFECT_", "VIRTUAL_ENV", "CONDA_", "UV_", "PIP_", "__PYVENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p and not _inside_checkout(p)
    )
    env["HOME"] = str(home)
    env["PREFECT_HOME"] = str(home / ".prefect")
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PYTHONUNBUFFERED"] = "1"  # serve's output is read while it runs
    return env


def _step(name: str, argv: Sequence[str | Path], env: dict[str, str], cwd: Path) -> None:
    t0 = time.perf_counter()
    res = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    TIMINGS[name] = time.perf_counter() - t0
    assert res.returncode == 0, (
        f"{name} failed:\n$ {' '.join(map(str, argv))}\n{res.stdout}\n{res.stderr}"
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    uv = _uv()
    base = tmp_path_factory.mktemp("wheel")
    assert not _inside_checkout(base), f"the temporary directory {base} is inside the checkout"
    dist, venv = base / "dist", base / "venv"
    uv_env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    uv_env["UV_OFFLINE"] = "1"
    # Build straight from the source tree (no sdist, no git): uncommitted and untracked
    # files are built as they are, and nothing is written into the checkout.
    _step(
        "build wheel",
        [uv, "build", "--offline", "--wheel", "--python", DEV_PYTHON, "--out-dir", dist, ROOT],
        uv_env,
        base,
    )
    wheels = sorted(dist.glob("ingest-*.whl"))
    assert len(wheels) == 1, wheels
    _step(
        "create venv",
        [uv, "venv", "--offline", "--quiet", "--python", DEV_PYTHON, venv],
        uv_env,
        base,
    )
    _step(
        "install lock + wheel",
        [
            uv,
            "pip",
            "install",
            "--offline",
            "--quiet",
            "--python",
            venv / "bin" / "python",
            "-r",
            LOCK,
            wheels[0],
        ],
        uv_env,
        base,
    )
    home, elsewhere, logs = base / "home", base / "elsewhere", base / "logs"
    for d in (home, elsewhere, logs):
        d.mkdir()
    inst = Installed(venv, wheels[0], home, elsewhere, logs, _clean_env(home))
    try:
        yield inst
    finally:
        inst.kill_all()
        print("\nwheel test step timings:")
        for name, seconds in TIMINGS.items():
            print(f"  {name:<28} {seconds:6.1f}s")


def test_wheel_contents(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    for needed in (
        "ingest/cli.py",
        "ingest/prefect/flow.py",
        "ingest/_schemas/warehouse.yaml",
        "ingest/_warehouse/views.sql",
    ):
        assert needed in names, f"{needed} is missing from {installed.wheel.name}"
    # Only the package and its metadata: no top-level flows/, schemas/ or tests/.
    stray = [n for n in names if n.split("/")[0] not in ("ingest", "ingest-0.1.0.dist-info")]
    assert not stray, stray
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(installed.wheel).read(entry_points).decode()
    assert "ingest = ingest.cli:main" in text


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    probe = (
        "import importlib.util, json, sys\n"
        "import ingest, ingest.prefect.flow, ingest.schema\n"
        "print(json.dumps({\n"
        "  'ingest': ingest.__file__,\n"
        "  'flow': ingest.prefect.flow.__file__,\n"
        "  'schema': str(ingest.schema.schema_path()),\n"
        "  'flows': importlib.util.find_spec('flows') is not None,\n"
        "  'path': sys.path,\n"
        "}))\n"
    )
    res = installed.run("import ingest.prefect.flow", installed.python, "-c", probe)
    assert res.returncode == 0, res.describe()
    info = json.loads(res.stdout.strip().splitlines()[-1])
    site = (installed.venv / "lib").resolve()
    for key in ("ingest", "flow", "schema"):
        assert Path(info[key]).resolve().is_relative_to(site), (key, info[key])
    assert info["schema"].endswith("ingest/_schemas/warehouse.yaml")
    assert (Path(info["ingest"]).parent / "_warehouse" / "views.sql").is_file()
    assert not info["flows"], "a top-level `flows` module is importable from the venv"
    on_path = [p for p in info["path"] if p and _inside_checkout(p)]
    assert not on_path, f"checkout on sys.path: {on_path}"
    # No editable install or .pth file pointing back at the checkout.
    for pth in installed.venv.glob("lib/python*/site-packages/*.pth"):
        assert str(ROOT) not in pth.read_text(errors="replace"), pth

    version = installed.ingest("ingest --version", "--version")
    assert version.returncode == 0, version.describe()
    assert version.output.startswith("ingest "), version.describe()


def test_generate_validate_run_sources(installed: Installed) -> None:
    gen = installed.ingest(
        "ingest generate", "generate", "corpus", "-n", "25", "--seed", "9", "--bad-share", "0"
    )
    assert gen.returncode == 0, gen.describe()
    assert "wrote 25 files" in gen.output, gen.describe()
    broken = installed.elsewhere / "broken"
    broken.mkdir()
    (broken / "empty.md").write_text("  \n")

    val = installed.ingest("ingest validate", "validate", "--quiet", "corpus", "broken")
    assert val.returncode == 1, val.describe()  # the empty file is invalid
    assert "26 file(s) checked: 25 valid, 1 invalid" in val.output, val.describe()
    assert "Traceback" not in val.output, val.describe()

    # The default path: the flow on Prefect's temporary local server.
    run = installed.ingest("ingest run (prefect)", "run", "corpus", "--db", "wh/ingest.duckdb")
    assert run.returncode == 0, run.describe()
    for bad in ("Traceback", "ERROR"):
        assert bad not in run.output, run.describe()
    assert re.search(r"\b25 loaded\b", run.output), run.describe()
    db = installed.elsewhere / "wh" / "ingest.duckdb"
    assert db.is_file()

    query = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps({\n"
        "  'documents': dict(con.sql('SELECT source, count(*) FROM documents GROUP BY 1').fetchall()),\n"
        "  'views': sorted(r[0] for r in con.sql('SELECT view_name FROM duckdb_views() WHERE NOT internal').fetchall()),\n"
        "}))\n"
    )
    res = installed.run("query warehouse", installed.python, "-c", query, db)
    assert res.returncode == 0, res.describe()
    wh = json.loads(res.stdout.strip().splitlines()[-1])
    assert wh["documents"] == {"corpus": 25}, wh
    # warehouse/views.sql, found in the installed package (ingest/_warehouse/).
    assert {"current_quarantine", "citation_links"} <= set(wh["views"]), wh

    plain = installed.ingest(
        "ingest run --no-prefect", "run", "corpus", "--db", "wh/ingest.duckdb", "--no-prefect"
    )
    assert plain.returncode == 0, plain.describe()
    assert "Traceback" not in plain.output, plain.describe()
    assert re.search(r"\b25 unchanged\b", plain.output), plain.describe()

    src = installed.ingest(
        "ingest sources", "sources", "--db", "wh/ingest.duckdb", "--format", "json"
    )
    assert src.returncode == 0, src.describe()
    listed = {s["name"]: s for s in json.loads(src.stdout)["sources"]}
    assert set(listed) == {"corpus"}, src.describe()
    assert listed["corpus"]["documents"] == 25, src.describe()
    assert Path(listed["corpus"]["root"]) == (installed.elsewhere / "corpus").resolve()

    text = installed.ingest("ingest sources (text)", "sources", "--db", "wh/ingest.duckdb")
    assert text.returncode == 0, text.describe()
    assert re.search(r"^corpus\s+25\b", text.stdout, re.MULTILINE), text.describe()


def test_serve_starts(installed: Installed) -> None:
    corpus = installed.elsewhere / "serve-corpus"
    gen = installed.ingest(
        "ingest generate (serve)", "generate", corpus.name, "-n", "3", "--seed", "9"
    )
    assert gen.returncode == 0, gen.describe()
    argv: list[str | Path] = [
        installed.ingest_exe,
        "serve",
        corpus.name,
        "--db",
        "wh/serve.duckdb",
        "--cron",
        CRON,
    ]
    t0 = time.perf_counter()
    proc, out, err = installed.start("ingest serve", argv)
    try:
        deadline = time.monotonic() + 180
        while SERVE_READY not in _read(out) + _read(err):
            assert proc.poll() is None, _serve_failure(
                "serve exited before serving", proc, out, err
            )
            assert time.monotonic() < deadline, _serve_failure(
                "serve never got ready", proc, out, err
            )
            time.sleep(0.2)
        TIMINGS["ingest serve: ready"] = time.perf_counter() - t0
        time.sleep(1)  # still alive a moment later, with nothing alarming said
        before = _read(out) + _read(err)
        assert proc.poll() is None, _serve_failure("serve died after starting", proc, out, err)
        assert "Traceback" not in before, _serve_failure("serve logged a traceback", proc, out, err)
        assert "no PREFECT_API_URL" in before  # our hint that schedules need a server

        t1 = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(_serve_failure("serve ignored Ctrl-C for 30s", proc, out, err))
        TIMINGS["ingest serve: stop"] = time.perf_counter() - t1
        left = _wait_group_empty(proc.pid, timeout=10)
        assert not left, _serve_failure(f"processes {left} outlived serve", proc, out, err)
    finally:
        installed.kill(proc)
    everything = _read(out) + _read(err)
    for bad in ("ModuleNotFoundError", "ImportError", "No module named", "Traceback"):
        assert bad not in everything, _serve_failure(f"{bad} from serve", proc, out, err)
    # Ctrl-C: the conventional code and one line (the temporary server is in a session
    # of its own, so the runner's shutdown still reaches it).
    assert proc.returncode == 130, _serve_failure("Ctrl-C did not exit 130", proc, out, err)
    assert _read(err).strip().endswith("ingest: stopped serving (SIGINT)"), _serve_failure(
        "Ctrl-C did not say one line", proc, out, err
    )


def _serve_failure(what: str, proc: subprocess.Popen[Any], out: Path, err: Path) -> str:
    return f"{what} (exit {proc.poll()})\n--- stdout\n{_read(out)}\n--- stderr\n{_read(err)}"

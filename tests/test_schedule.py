"""The cron schedule end to end, the way it is run in production: a real
``prefect server start``, ``ingest serve`` with a ``* * * * *`` schedule pointed at
it, and the warehouse loaded by the run the server's scheduler created.

Guards the SQLAlchemy pin: under SQLAlchemy 2.1 Prefect 3.8.8's scheduler fails
every pass ("Can't evaluate bulk DML statement") and no scheduled run ever starts.
Everything runs in subprocesses with a fresh ``PREFECT_HOME`` in ``tmp_path``;
each process gets its own session, and the whole group is stopped (and checked
gone) whatever the outcome.  Takes about 20-75 s, mostly waiting for the next
minute boundary.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.flow]

FLOW_NAME = "ingest"
DEPLOYMENT = "sched-test"
N_DOCS = 30
SERVER_BOOT_TIMEOUT = 60.0
SCHEDULED_RUN_TIMEOUT = 150.0  # the first run starts at the next minute boundary
POLL_SECONDS = 2.0
PYTHON = sys.executable
BIN = Path(PYTHON).parent


# --- processes ----------------------------------------------------------------------


@dataclass
class Proc:
    """A subprocess in its own session (so its whole group can be signalled), with
    stdout and stderr captured in one log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pgid(self) -> int:
        return self.popen.pid  # start_new_session: the child leads its own group

    def tail(self, lines: int = 60) -> str:
        return tail(self.log, lines)

    def alive_in_group(self) -> list[int]:
        return _group_members(self.pgid)

    def stop(self, sig: signal.Signals, timeout: float) -> int | None:
        """Signal the group, wait for the leader and every member to exit, SIGKILL the
        group as a fallback; returns the leader's exit code (None if it had to be
        killed)."""
        code: int | None = None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pgid, sig)
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        deadline = time.monotonic() + 10
        while self.alive_in_group() and time.monotonic() < deadline:
            time.sleep(0.2)
        if code is None or self.alive_in_group():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=10)
            if code is not None:
                code = None  # stragglers had to be killed: not a clean stop
        return code


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, from /proc (no psutil)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<{path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


def _spawn(name: str, cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path) -> Proc:
    with log.open("wb") as out:  # the child keeps its own descriptor
        popen = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Proc(name, popen, log)


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without its Prefect settings (a developer's profile or
    PREFECT_API_URL must not leak in), plus a fresh PREFECT_HOME and no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        DO_NOT_TRACK="1",
        PYTHONUNBUFFERED="1",  # logs reach the files as they are written
        **extra,
    )
    return env


def _prefect_cli() -> list[str]:
    exe = BIN / "prefect"
    return [str(exe)] if exe.is_file() else [PYTHON, "-m", "prefect"]


# --- the API ------------------------------------------------------------------------


def _api(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def _healthy(api_url: str) -> bool:
    try:
        return bool(_api(f"{api_url}/health"))
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _deployment_runs(api_url: str) -> tuple[str | None, list[dict[str, Any]]]:
    """The deployment's id (None until ``serve`` has registered it) and its flow runs."""
    try:
        dep = _api(f"{api_url}/deployments/name/{FLOW_NAME}/{DEPLOYMENT}")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None, []
        raise
    runs = _api(
        f"{api_url}/flow_runs/filter",
        {"flow_runs": {"deployment_id": {"any_": [dep["id"]]}}, "sort": "EXPECTED_START_TIME_ASC"},
    )
    return dep["id"], [r for r in runs if r.get("deployment_id") == dep["id"]]


def _by_schedule(run: dict[str, Any]) -> bool:
    return (
        bool(run.get("auto_scheduled")) and (run.get("created_by") or {}).get("type") == "SCHEDULE"
    )


def _describe(runs: list[dict[str, Any]]) -> str:
    return (
        "\n".join(
            f"  {r['id']} {r.get('name')} {r.get('state_type')}/{r.get('state_name')} "
            f"auto_scheduled={r.get('auto_scheduled')} created_by={r.get('created_by')} "
            f"expected={r.get('expected_start_time')} "
            f"message={(r.get('state') or {}).get('message')!r}"
            for r in runs
        )
        or "  (none)"
    )


# --- fixtures -----------------------------------------------------------------------


@dataclass
class Server:
    api_url: str
    home: Path
    proc: Proc


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[Server]:
    """``prefect server start`` on a free port, with the scheduler looking for new
    deployments every second; stopped (whole group, checked gone) on the way out."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    port = _free_port()
    env = _env(
        home,
        PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS="1",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
    )
    proc = _spawn(
        "server",
        [*_prefect_cli(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        log=tmp_path / "server.log",
    )
    server = Server(f"http://127.0.0.1:{port}/api", home, proc)
    try:
        deadline = time.monotonic() + SERVER_BOOT_TIMEOUT
        while not _healthy(server.api_url):
            code = proc.popen.poll()
            assert code is None, f"prefect server exited with {code}:\n{proc.tail()}"
            assert time.monotonic() < deadline, (
                f"prefect server not healthy within {SERVER_BOOT_TIMEOUT:.0f}s:\n{proc.tail()}"
            )
            time.sleep(0.25)
        yield server
    finally:
        proc.stop(signal.SIGTERM, timeout=20)
    left = proc.alive_in_group()
    assert not left, f"prefect server processes left behind: {left}"


# --- the test -----------------------------------------------------------------------


def test_cron_schedule_runs_the_flow_and_loads_the_warehouse(
    prefect_server: Server, tmp_path: Path
) -> None:
    api = prefect_server.api_url
    server_log = prefect_server.proc.log
    env = _env(prefect_server.home, PREFECT_API_URL=api, PREFECT_RUNNER_POLL_FREQUENCY="2")

    gen = subprocess.run(
        [PYTHON, "-m", "ingest.cli", "generate", "corpus", "-n", str(N_DOCS), "--seed", "3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gen.returncode == 0, gen.stdout + gen.stderr
    assert len([p for p in (tmp_path / "corpus").rglob("*") if p.is_file()]) == N_DOCS

    serve_cmd = [PYTHON, "-m", "ingest.cli", "serve", "docs=corpus", "--db", "ingest.duckdb"]
    serve_cmd += ["--cron", "* * * * *", "--name", DEPLOYMENT, "--workers", "1"]
    serve = _spawn("serve", serve_cmd, cwd=tmp_path, env=env, log=tmp_path / "serve.log")

    def logs() -> str:
        return (
            f"\n--- serve ({serve.log}) ---\n{serve.tail()}"
            f"\n--- server ({server_log}) ---\n{tail(server_log)}"
        )

    started = time.monotonic()
    done: dict[str, Any] | None = None
    serve_code: int | None = None
    try:
        runs: list[dict[str, Any]] = []
        deployment_id = None
        while done is None:
            code = serve.popen.poll()
            assert code is None, f"ingest serve exited with {code}{logs()}"
            deployment_id, runs = _deployment_runs(api)
            scheduled = [r for r in runs if _by_schedule(r)]
            bad = [r for r in scheduled if r.get("state_type") in ("FAILED", "CRASHED")]
            assert not bad, f"a scheduled run failed:\n{_describe(bad)}{logs()}"
            done = next((r for r in scheduled if r.get("state_type") == "COMPLETED"), None)
            if done is None:
                waited = time.monotonic() - started
                assert waited < SCHEDULED_RUN_TIMEOUT, (
                    f"no scheduled run of {FLOW_NAME}/{DEPLOYMENT} completed within "
                    f"{SCHEDULED_RUN_TIMEOUT:.0f}s (deployment {deployment_id}); its runs:\n"
                    f"{_describe(runs)}{logs()}"
                )
                time.sleep(POLL_SECONDS)
        waited = time.monotonic() - started

        served_log = serve.log.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in served_log and "ERROR" not in served_log, logs()
        assert "Can't evaluate bulk DML" not in server_log.read_text(
            encoding="utf-8", errors="replace"
        ), logs()
    finally:
        serve_code = serve.stop(signal.SIGINT, timeout=30)
    assert not serve.alive_in_group(), f"ingest serve left processes behind{logs()}"
    assert serve_code == 130, f"ingest serve did not stop cleanly on SIGINT: {serve_code}{logs()}"
    served_log = serve.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in served_log and "ERROR" not in served_log, logs()
    print(f"scheduled run {done['id']} completed {waited:.1f}s after serve started")

    # The warehouse, as the completed scheduled run left it.
    run_id = done["id"].replace("-", "")
    with duckdb.connect(str(tmp_path / "ingest.duckdb"), read_only=True) as con:
        cur = con.execute("SELECT * FROM ingest_runs WHERE run_id = ?", [run_id])
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        all_runs = con.execute("SELECT run_id, files_seen, loaded FROM ingest_runs").fetchall()
        n_docs, n_by_run = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE run_id = ?) FROM documents "
            "WHERE source = 'docs'",
            [run_id],
        ).fetchone()  # type: ignore[misc]
    assert len(rows) == 1, f"no ingest_runs row for flow run {done['id']}: {all_runs}"
    row = rows[0]
    assert row["action"] == "run" and json.loads(row["source_names"]) == ["docs"], row
    assert row["files_seen"] == N_DOCS, row
    assert row["loaded"] + row["unchanged"] + row["quarantined"] == N_DOCS, row
    assert row["loaded"] > 0, row
    # A fresh warehouse: every document of the source was loaded by that run.
    assert n_docs == n_by_run == row["loaded"], (n_docs, n_by_run, row)

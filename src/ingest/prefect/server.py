"""A temporary Prefect API server for one run, started before the heavy imports.

With no ``PREFECT_API_URL``, Prefect starts a temporary local server for each
flow run.  Its own helper (``SubprocessASGIServer``) lives in
``prefect.server.api.server``, and importing that pulls the whole server stack
(FastAPI, SQLAlchemy, every API model) into the flow's process: +83 MB of RSS in
the loader, for a server that runs in another process anyway.  So the CLI starts
the same uvicorn command Prefect uses, with the same ephemeral-server settings,
*first*, and imports the flow, pandas and DuckDB while the server boots.  The
run then waits only for whatever boot time is left, which is what it reports as
Prefect start-up.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from .. import interrupts

# The settings Prefect gives its own temporary server (no UI, ephemeral services).
_SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
_STARTUP_FAILED = 3  # uvicorn's exit code when start-up failed (a taken port, among others)


class ServerError(RuntimeError):
    """The temporary server did not come up."""


class TemporaryServer:
    """``start()`` returns at once; ``wait()`` blocks until ``/api/health`` answers."""

    def __init__(self) -> None:
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.launched_at = 0.0
        self.boot_seconds = 0.0  # launch until healthy
        self.waited_seconds = 0.0  # how long the run was blocked waiting for it
        self.log: IO[bytes] | None = None  # its stderr: shown only when it fails

    @property
    def api_url(self) -> str:
        """The server's API root on the loopback port it was started on (``PREFECT_API_URL``
        for the run)."""
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        """Launch Prefect's API app under uvicorn on a free loopback port, without waiting
        for it: the run does its own preparation meanwhile.  No UI; its stderr goes to a
        temporary log read only if it fails; it is out of the terminal's session and dies
        with this process.  Raises :class:`ServerError` if Prefect is not installed."""
        self.port = _free_port()
        spec = importlib.util.find_spec("prefect")
        if spec is None or not spec.submodule_search_locations:
            raise ServerError("prefect is not installed")
        app_dir = str(Path(next(iter(spec.submodule_search_locations))).parent)
        self.launched_at = time.perf_counter()
        if self.log is None:
            self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept until stop())
                prefix="ingest-prefect-server-", suffix=".log"
            )
        log = self.log
        log.seek(0)
        log.truncate()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                app_dir,
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={**os.environ, **_SERVER_ENV},
            stdin=subprocess.DEVNULL,
            stderr=log,
            # Out of the terminal's Ctrl-C (the run stops it itself, after the flow has
            # said why), and killed with the run if the run is killed outright.
            start_new_session=True,
            preexec_fn=_server_child,
        )

    def wait(self, timeout: float) -> None:
        """Block until the server answers ``/health``, at most ``timeout`` seconds (then it
        is stopped).  A server that exits is a :class:`ServerError` carrying its last log
        line, except a lost race for the port, which starts it again on another.  Checks
        for a stop request between polls; records ``waited_seconds`` and ``boot_seconds``."""
        t0 = time.perf_counter()
        deadline = t0 + timeout
        while True:
            proc = self.proc
            if proc is None:
                raise ServerError("the temporary Prefect server was not started")
            code = proc.poll()
            if code is not None:
                why = self._last_log_line()
                if code == _STARTUP_FAILED and "address already in use" in why.lower():
                    self.start()  # lost a race for the port: take another
                    continue
                raise ServerError(
                    f"the temporary Prefect server could not start (exit code {code}: {why})"
                )
            if _healthy(self.api_url):
                break
            if time.perf_counter() > deadline:
                self.stop()
                raise ServerError(
                    f"the temporary Prefect server did not answer within {timeout:.0f}s; "
                    "raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS or set "
                    "PREFECT_API_URL to a running server"
                )
            time.sleep(0.1)
            interrupts.check()
        now = time.perf_counter()
        self.waited_seconds = now - t0
        self.boot_seconds = now - self.launched_at

    def _last_log_line(self) -> str:
        """The server's last error line: what uvicorn or Prefect said before exiting."""
        if self.log is None:
            return "no log"
        self.log.flush()
        with open(self.log.name, "rb") as fh:
            lines = [ln.strip() for ln in fh.read()[-8192:].decode(errors="replace").splitlines()]
        raised = [ln for ln in lines if re.match(r"[\w.]+(Error|Exception|Exit)\b.*:", ln)]
        said = [ln for ln in lines if ln and not ln.startswith(("File ", "^", "Traceback"))]
        line = (raised or said or ["no log"])[-1]
        return line if len(line) <= 200 else line[:197] + "..."

    def stop(self) -> None:
        """Terminate the server (killing it if it has not exited after 5 s) and remove its
        log.  Safe to call twice or before :meth:`start`."""
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.log is not None:
            self.log.close()  # a temporary file: removed on close
            self.log = None


def _server_child() -> None:
    interrupts.die_with_parent()


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check_reachable(api_url: str, timeout: float = 5.0) -> None:
    """Raise :class:`ServerError` with one plain line unless ``api_url`` answers its
    health check: a run against a configured server asks before it starts anything."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            if resp.status == 200:
                return
            reason = f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        reason = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = str(getattr(exc, "reason", exc))
    raise ServerError(
        f"cannot reach the Prefect server at {api_url} (PREFECT_API_URL): {reason}. Start "
        "it, correct PREFECT_API_URL, or unset it to run on a temporary local server"
    )


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False

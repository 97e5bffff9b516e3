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
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# The settings Prefect gives its own temporary server (no UI, ephemeral services).
_SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
_ADDRESS_IN_USE = 3  # uvicorn's exit code when the port was taken meanwhile


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

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> None:
        self.port = _free_port()
        spec = importlib.util.find_spec("prefect")
        if spec is None or not spec.submodule_search_locations:
            raise ServerError("prefect is not installed")
        app_dir = str(Path(next(iter(spec.submodule_search_locations))).parent)
        self.launched_at = time.perf_counter()
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
        )

    def wait(self, timeout: float) -> None:
        t0 = time.perf_counter()
        deadline = t0 + timeout
        while True:
            proc = self.proc
            if proc is None:
                raise ServerError("the temporary Prefect server was not started")
            code = proc.poll()
            if code == _ADDRESS_IN_USE:  # lost a race for the port: take another
                self.start()
                continue
            if code is not None:
                raise ServerError(f"the temporary Prefect server exited with code {code}")
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
        now = time.perf_counter()
        self.waited_seconds = now - t0
        self.boot_seconds = now - self.launched_at

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False

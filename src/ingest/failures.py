"""Run-level failures as one plain line and a documented exit code, never a traceback.

A run either publishes or leaves the live warehouse exactly as it was (see
:mod:`ingest.warehouse`), so when something around it fails (a full disk, a
damaged or foreign ``--db``, an unreachable Prefect server) the user needs to
know what happened and what to do, not where in the code it surfaced.  Errors are
raised where the cause is known (:class:`RunFailure`, ``StorageError``,
``WarehouseBusy``, ``ServerError``); :func:`explain` turns those, and the errors a
full disk produces wherever it strikes, into ``(line, exit code)``.  Anything
else is a bug: one line too, saying so, and ``INGEST_DEBUG=1`` shows the
traceback.

Exit codes: 1 the run failed (the warehouse is unchanged), 2 usage, 75 busy
(another run or a read-write session; try again later), 130 / 143 interrupted.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 1, 2, 75  # 130 / 143: ingest.interrupts
UNCHANGED = "the live warehouse is unchanged"
# Top-level modules of the `run` extra: `pip install .` alone (a pre-commit hook's
# environment) has none of them, and only `ingest validate` works there.
RUN_EXTRAS = frozenset(
    {"prefect", "prefect_dask", "dask", "distributed", "duckdb", "pandas", "pandera", "pyarrow"}
    | {"fastapi", "sqlalchemy", "tqdm"}
)
# Below this much free space, a write error is taken to be the disk filling up (DuckDB
# reports some as "Out of Memory" or "Could not write file").
FULL_BELOW_BYTES = 8 << 20


class RunFailure(Exception):
    """A failure whose cause is known; ``str()`` is the whole message."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class DiskFull(RunFailure):
    """The file system holding the warehouse ran out of space during the run."""


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def says_no_space(exc: BaseException) -> bool:
    """Whether ``exc`` or anything it was raised from is ENOSPC / EDQUOT."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "No space left on device" in str(e) or "Disk quota exceeded" in str(e):
            return True
    return False


def free_bytes(folder: Path) -> int | None:
    """Bytes free on the file system holding ``folder``; None when that cannot be asked
    (the folder is gone or unreadable), so callers word the message without a number."""
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def disk_full(exc: BaseException, folder: Path) -> DiskFull | None:
    """A :class:`DiskFull` for ``exc`` if it says so or the disk is (nearly) full now."""
    free = free_bytes(folder)
    low = free is not None and free < FULL_BELOW_BYTES
    if not says_no_space(exc) and not (low and _a_write_error(exc)):
        return None
    left = f"{free / 1e6:.1f} MB free" if free is not None else "no space"
    return DiskFull(
        f"the disk holding {folder} is full ({left}; {first_line(exc)}): the run was "
        f"abandoned and {UNCHANGED}. A run needs room for a copy of the warehouse plus "
        "its new rows beside it: free some space and run again"
    )


def _a_write_error(exc: BaseException) -> bool:
    """An error writing could raise: the OS's, or DuckDB's (not imported here)."""
    return isinstance(exc, OSError) or type(exc).__module__.startswith(("duckdb", "_duckdb"))


def first_line(exc: BaseException) -> str:
    """The first line of ``exc``'s message (its type's name if it has none), at most 160
    characters: what a one-line failure quotes of the error under it."""
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."


def explain(exc: BaseException) -> tuple[str, int] | None:
    """The line and exit code for a failure whose cause is known, else None."""
    from .config import ConfigError

    if isinstance(exc, RunFailure):
        return str(exc), exc.code
    if isinstance(exc, ConfigError):
        return str(exc), EXIT_USAGE
    missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
    if missing and missing.split(".")[0] in RUN_EXTRAS:
        return (
            f"this command needs the pipeline's libraries, and {missing} is not installed "
            "(a validate-only install): pip install 'ingest[run]'",
            EXIT_FAILED,
        )
    # Only modules already imported can have raised: a validate-only install has no
    # DuckDB, which importing ingest.storage here would need.
    lock, storage = sys.modules.get("ingest.lock"), sys.modules.get("ingest.storage")
    if lock is not None and isinstance(exc, lock.WarehouseBusy):
        return str(exc), EXIT_BUSY
    if storage is not None and isinstance(exc, storage.StorageError):
        return str(exc), EXIT_FAILED
    remote = sys.modules.get("ingest.lake.remote")  # a lake's bucket failed mid-run
    said = remote.explain(exc) if remote is not None else None
    if said:
        return said, EXIT_FAILED
    if says_no_space(exc):  # outside the warehouse build (the journal, a report)
        return f"no space left on the device ({first_line(exc)})", EXIT_FAILED
    if type(exc).__name__ == "ServerError":  # ingest.prefect.server, imported only if used
        return f"{exc}; {UNCHANGED}", EXIT_FAILED
    return None


def reader_gone() -> int:
    """Our output's reader closed the pipe (``ingest search ... | head``): stop without
    a word, as Unix filters do, with the shell's code for SIGPIPE.  stdout is pointed at
    /dev/null first, so the interpreter's last flush cannot fail a second time."""
    import signal

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + int(signal.SIGPIPE)


def unexpected(exc: BaseException) -> str:
    """The one line for an error nobody anticipated."""
    return (
        f"unexpected {type(exc).__name__}: {first_line(exc)} (a bug: please report it; "
        "INGEST_DEBUG=1 shows the traceback)"
    )


def debugging() -> bool:
    """Whether ``INGEST_DEBUG`` is set to anything but ``""`` or ``0``: then the CLI
    re-raises a failure (showing its traceback) instead of printing its one-line message."""
    return os.environ.get("INGEST_DEBUG", "") not in ("", "0")

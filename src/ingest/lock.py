"""One writer at a time: an advisory lock beside the warehouse, waited for with a bound.

Runs take it before anything else (the up-to-date check included, so no run can
publish between another run's check and its record), and keep it until they
have published or given up.  It is an ``flock`` on ``.<name>.lock``, so a
killed run's lock goes with its process; the file names the holder for the
"another run is writing" message.

Holding the lock also means holding the live file against read-write sessions
(:mod:`ingest.sessions`): within the same wait, the run waits for any to close,
then keeps them out until it lets go.  The lock is re-entrant within a process:
the CLI takes it before starting a Prefect flow in the same process, so a busy
warehouse is one line before any flow starts, and the flow's run loop reuses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from . import interrupts
from .sessions import LiveGuard, SessionBusy, settle_wal


class WarehouseBusy(Exception):
    """Another run, or a read-write session, holds the warehouse for longer than we are
    willing to wait."""


# Locks this process holds, by warehouse path: a nested acquire reuses the outer one.
_HELD: dict[Path, WarehouseLock] = {}


class WarehouseLock:
    """``with WarehouseLock(db, timeout=60):`` waits up to ``timeout`` seconds."""

    def __init__(self, db_path: str | Path, *, timeout: float = 60.0) -> None:
        self.db = Path(db_path)
        self.path = self.db.with_name(f".{self.db.name}.lock")
        self.timeout = timeout
        self._fd: int | None = None
        self._nested = False
        self._guard = LiveGuard(self.db)

    @property
    def held(self) -> bool:
        """Whether this object holds the lock now, itself or through an outer holder."""
        return self._fd is not None or self._nested

    def __enter__(self) -> WarehouseLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the ``flock`` (waiting, with backoff, up to ``timeout`` seconds) and write
        our pid into the lock file, then, within the same deadline, keep read-write
        sessions off the live file and settle its WAL.  Reuses the lock this process
        already holds on the same warehouse.  Raises :class:`WarehouseBusy` on timeout, and
        :class:`~ingest.interrupts.Interrupted` if a stop is requested while waiting."""
        key = self.db.resolve()
        if key in _HELD:
            self._nested = True
            return
        self.db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise WarehouseBusy(
                        f"another ingest run is writing {self.db} (lock held by {holder}); "
                        f"waited {self.timeout:.0f}s. Retry later or raise --lock-timeout."
                    ) from None
                time.sleep(delay)
                interrupts.check()
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z".encode(), 0)
        self._fd = fd
        try:
            self._guard.acquire(deadline, self.timeout)
            settle_wal(self.db)
        except BaseException as exc:
            self.release()
            if isinstance(exc, SessionBusy):
                raise WarehouseBusy(str(exc)) from None
            raise
        _HELD[key] = self

    def release(self) -> None:
        """Let go: a nested holder only forgets it was nested; the outer one lets sessions
        back in, then unlocks and closes the lock file (which stays, naming the last
        holder).  Safe to call when not held."""
        if self._nested:
            self._nested = False
            return
        self._guard.release()
        if _HELD.get(self.db.resolve()) is self:
            del _HELD[self.db.resolve()]
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

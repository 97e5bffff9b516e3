"""One writer at a time: an advisory lock beside the warehouse, waited for with a bound.

Runs take it before anything else (the up-to-date check included, so no run can
publish between another run's check and its record), and keep it until they
have published or given up.  It is an ``flock`` on ``.<name>.lock``, so a
killed run's lock goes with its process; the file names the holder for the
"another run is writing" message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType


class WarehouseBusy(Exception):
    """Another run holds the warehouse lock for longer than we are willing to wait."""


class WarehouseLock:
    """``with WarehouseLock(db, timeout=60):`` waits up to ``timeout`` seconds."""

    def __init__(self, db_path: str | Path, *, timeout: float = 60.0) -> None:
        self.db = Path(db_path)
        self.path = self.db.with_name(f".{self.db.name}.lock")
        self.timeout = timeout
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

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
        self.db.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
                delay = min(delay * 2, 1.0)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None

"""Other processes' DuckDB sessions on the live warehouse, and the WAL they may leave.

A run replaces the live file with its build (:mod:`ingest.warehouse`).  Readers
are unaffected: a read-only session keeps the snapshot it opened.  A *read-write*
session is not: what it writes after the run copied the file goes into a file
that is then replaced, and its WAL, written beside the new file, no longer
matches it (DuckDB then refuses to open the warehouse at all).  A plain
``duckdb.connect(path)``, what SQL clients do unless told otherwise, is such a
session.  So, for the whole of a run:

* a run first waits, within its lock timeout, until no process holds the file
  read-write (DuckDB takes a POSIX write lock on the file for that), naming the
  holder's PID, and fails with one line when the wait runs out;
* it then holds a *read* lock on the file until it has published.  Read-only
  sessions take read locks too and are never blocked; a read-write open during
  a run fails at once with DuckDB's own "Conflicting lock" message, so nothing
  an analyst writes can be lost.  The lock is an open-file-description lock
  (``F_OFD_SETLK``): DuckDB's own read-only connections in this process (the
  up-to-date check) would release a classic POSIX lock when they close.

A read-write session that died (killed, crashed) leaves its committed work in the
WAL beside the file.  That WAL belongs to the live file; the run copies it into
its build, where DuckDB replays it, so the work is kept.  Publishing then
removes the live WAL, because it belongs to the replaced file.  Between the
rename and that removal, a crash would leave a WAL that matches nothing, so a
marker naming the published file's inode is written first, and :func:`settle_wal`
(run under the lock before anything reads the file) finishes the hand-over.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import struct
import sys
import time
from pathlib import Path

from . import interrupts

_FLOCK = "hh4xqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid


class SessionBusy(Exception):
    """A read-write session held the warehouse for longer than the run would wait."""


def _flock(kind: int) -> bytes:
    return struct.pack(_FLOCK, kind, os.SEEK_SET, 0, 0, 0)


def writer_pid(fd: int) -> int | None:
    """The PID of a process holding a write lock on the file behind ``fd`` (a read-write
    DuckDB session), -1 if the holder is not a process lock, or None if none is held."""
    found = fcntl.fcntl(fd, fcntl.F_GETLK, _flock(fcntl.F_RDLCK))
    kind, _whence, _start, _len, pid = struct.unpack(_FLOCK, found)
    return None if kind == fcntl.F_UNLCK else int(pid)


def _describe(pid: int | None) -> str:
    if pid is None or pid <= 0:
        return "another process"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            raw = fh.read(200).replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        raw = ""
    cmd = " ".join(raw.split())  # one line, whatever the command line holds
    cmd = cmd if len(cmd) <= 60 else cmd[:57] + "..."
    return f"PID {pid}" + (f" ({cmd})" if cmd else "")


class LiveGuard:
    """A read lock on the live warehouse file, taken once no read-write session holds it."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._fd: int | None = None

    def acquire(self, deadline: float, timeout: float) -> None:
        """Wait until no process holds the file read-write, then keep a read lock on it.
        A warehouse that does not exist yet needs no guard: nobody can have it open."""
        try:
            fd = os.open(self.db, os.O_RDONLY | os.O_CLOEXEC)
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return  # absent, or not a file: the run reports that itself
        told = False
        delay = 0.05
        while True:
            try:
                fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _flock(fcntl.F_RDLCK))
                self._fd = fd
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    return  # the file system has no such locks: nothing to guard with
            holder = _describe(writer_pid(fd))
            if time.monotonic() >= deadline:
                os.close(fd)
                raise SessionBusy(
                    f"{self.db} is open read-write by {holder}; waited {timeout:.0f}s. "
                    "Close that session, or open the warehouse read-only (duckdb -readonly, "
                    "read_only=True) or attached READ_ONLY from a database of your own "
                    "(README: 'Analysts' sessions'), then run again."
                )
            if not told:
                print(
                    f"ingest: waiting for {holder} to close {self.db.name}, open read-write "
                    f"(up to {timeout:.0f}s; read-only sessions do not block runs)",
                    file=sys.stderr,
                    flush=True,
                )
                told = True
            time.sleep(delay)
            if interrupts.requested():
                os.close(fd)
                interrupts.check()
            delay = min(delay * 2, 0.5)

    def release(self) -> None:
        """Drop the read lock (if one was taken) so read-write sessions may open the file
        again; safe to call more than once."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing the description drops its lock
            self._fd = None


def _wal(db: Path) -> Path:
    return Path(str(db) + ".wal")


def _marker(db: Path) -> Path:
    return db.with_name(f".{db.name}.wal-handover")


def begin_wal_handover(db: Path, build: Path) -> bool:
    """Before publishing ``build`` over ``db``: if ``db`` has a WAL (already replayed into
    the build), record which file will replace it.  Returns whether one was recorded."""
    if not _wal(db).exists():
        return False
    st = os.stat(build)
    marker = _marker(db)
    with open(marker, "w", encoding="ascii") as fh:
        fh.write(f"{st.st_dev} {st.st_ino}\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def end_wal_handover(db: Path) -> None:
    """After the rename: the live WAL belonged to the replaced file; remove it, then the
    marker."""
    with contextlib.suppress(FileNotFoundError):
        _wal(db).unlink()
    with contextlib.suppress(FileNotFoundError):
        _marker(db).unlink()


def settle_wal(db: Path) -> None:
    """Finish a hand-over a crash interrupted: drop the WAL if the file the marker names
    was published (it belongs to the file that was replaced), keep it otherwise."""
    marker = _marker(db)
    try:
        dev, ino = (int(x) for x in marker.read_text(encoding="ascii").split())
    except (FileNotFoundError, ValueError):
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()  # unreadable: written by a run killed while writing it
        return
    try:
        st = os.stat(db)
        published = (st.st_dev, st.st_ino) == (dev, ino)
    except FileNotFoundError:
        published = False
    if published:
        with contextlib.suppress(FileNotFoundError):
            _wal(db).unlink()
    marker.unlink()

"""The warehouse as a file: which DuckDB can read it, and copying it cheaply.

ingest writes with the DuckDB 1.5 line (``duckdb==1.5.5``), deliberately:

* analysts' clients lag the newest release (the DuckDB CLI, drivers, BI tools),
  and a file written by DuckDB 2.0 ("file format 999") cannot be opened by any
  1.x client, while a 1.5 file opens in 1.x and 2.0 alike;
* the extensions later work needs (``fts`` for search, ``ducklake``,
  ``sqlite``, ``postgres``) exist as offline ``duckdb-extension-*`` wheels on PyPI
  for 1.5.5 only; nothing may be downloaded at run time.

What a warehouse was written with is kept in ``ingest_meta`` (writer version, the
storage version from the file's header, the oldest DuckDB release that reads it)
and shown by ``ingest sources``.  A file written by a newer DuckDB than ours is
recognised from its header before DuckDB is asked to open it, so the user gets
one line saying what to do instead of DuckDB's error about version numbers.

Every run copies the live file to a private build (see :mod:`ingest.warehouse`);
:func:`clone` makes that copy a copy-on-write clone (``FICLONE``: Btrfs, XFS,
bcachefs, ZFS 2.2+) where the file system offers one, and an in-kernel copy
otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import struct
from pathlib import Path
from typing import BinaryIO

import duckdb

from . import interrupts
from .sql import values

# The header's storage format numbers DuckDB 1.5 reads ("versions between 64 and 68").
READABLE_FORMATS = range(64, 69)
_CHUNK = 256 << 20
_FICLONE = 0x40049409  # _IOW(0x94, 9, int), from linux/fs.h
_NO_CLONE = {errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EPERM}


class StorageError(Exception):
    """The file is not a warehouse this DuckDB can open; the message says what to do."""


def header(path: str | Path) -> tuple[int, str] | None:
    """(storage format number, writer version) from a DuckDB file's header, or None when
    the file is not a DuckDB database (too short, other magic bytes)."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    if len(head) < 60 or head[8:12] != b"DUCK":
        return None
    number = struct.unpack("<Q", head[12:20])[0]
    writer = head[52:60].split(b"\0", 1)[0].decode("ascii", "replace")
    return int(number), writer


def check_location(db: Path) -> None:
    """Refuse, before a run starts anything, a ``--db`` that no run could write: a folder
    (a usage error), a place inside something that is not a folder, a folder the run may
    not write its private copy into, a file it may not read."""
    from .config import ConfigError

    if db.is_dir():
        raise ConfigError(
            f"--db {db} is a folder; give the warehouse file, e.g. {db / 'ingest.duckdb'}"
        )
    folder = db.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the run creates the missing ones
    if not folder.is_dir():
        raise ConfigError(f"--db {db}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot write in {folder} ({_why_not_writable(folder)}): a run writes its "
            f"private copy of the warehouse beside {db.name}; choose a writable --db"
        )
    if db.exists() and not os.access(db, os.R_OK):
        raise StorageError(f"cannot read the warehouse {db} (permission denied)")


def _why_not_writable(folder: Path) -> str:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied"


def check_readable(path: str | Path) -> None:
    """Refuse, with a plain message, a file this DuckDB cannot open."""
    found = header(path)
    if found is None:
        raise StorageError(
            f"{path} is not a DuckDB database file; ingest leaves it alone: pass another --db"
        )
    number, writer = found
    if number not in READABLE_FORMATS:
        raise StorageError(
            f"{path} was written by DuckDB {writer or '?'} in a format DuckDB "
            f"{duckdb.__version__} cannot read (file format {number}); convert it once with "
            "that DuckDB, as the README's 'Warehouses written by DuckDB 2.0' section shows"
        )


# The oldest DuckDB that opens a warehouse written here, found by trying: DuckDB 1.0.0
# fails on the primary-key index of ``ingest_meta`` ("Failed to deserialize"), 1.1.0,
# 1.1.3, 1.2.2, 1.3.2, 1.4.4, 1.5.5 and 2.0.0 read it.  The serialization setting
# DuckDB reports (``storage_compatibility_version``, v0.10.2 here) claims older.
MIN_READER_VERSION = "1.1.0"


def record_storage(con: duckdb.DuckDBPyConnection) -> None:
    """Write the writer version, the file's storage version and the oldest DuckDB that
    reads it into ``ingest_meta``."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    found = header(row[0]) if row and row[0] else None
    compat = con.execute("SELECT current_setting('storage_compatibility_version')").fetchone()
    rows = [
        ("duckdb_version", duckdb.__version__),
        ("storage_version", str(found[0]) if found else "?"),
        ("storage_compatibility", str(compat[0]) if compat else "?"),
        ("min_reader_version", MIN_READER_VERSION),
    ]
    con.execute(f"INSERT OR REPLACE INTO ingest_meta {values(rows)}")


def clone(src: str | Path, dst: str | Path) -> str:
    """Copy ``src`` to ``dst`` (created, or truncated): a copy-on-write clone where the
    file system can make one, else a plain copy.  Returns ``"reflink"`` or ``"copy"``."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        try:
            fcntl.ioctl(fout.fileno(), _FICLONE, fin.fileno())
            return "reflink"
        except OSError as exc:
            if exc.errno not in _NO_CLONE:
                raise
        if not _kernel_copy(fin, fout):
            shutil.copyfileobj(fin, fout, 8 * 1024 * 1024)
    return "copy"


def _kernel_copy(fin: BinaryIO, fout: BinaryIO) -> bool:
    """``copy_file_range`` to the end (in-kernel; server-side on NFS, a clone on some file
    systems); False when the kernel or file system refuses it."""
    src, dst = fin.fileno(), fout.fileno()
    size = os.fstat(src).st_size
    offset = 0
    try:
        while offset < size:
            interrupts.check()  # a large copy takes seconds: stop between chunks
            n = os.copy_file_range(src, dst, min(size - offset, _CHUNK), offset, offset)
            if n == 0:
                break
            offset += n
    except OSError as exc:
        if exc.errno in _NO_CLONE and offset == 0:
            return False
        raise
    return True


def keep_ownership(live: Path, fd: int) -> None:
    """Give the build behind ``fd`` the live file's mode, owner and group before it
    replaces it: a private warehouse (0600, another owner) stays private.  Changing the
    owner needs the right to; without it the run's user keeps it, and the mode (which
    the owner alone decides) still follows."""
    try:
        st = os.stat(live)
    except FileNotFoundError:
        return  # a new warehouse: the umask decides, as for any new file
    with contextlib.suppress(PermissionError):
        os.fchown(fd, st.st_uid, st.st_gid)
    os.fchmod(fd, stat.S_IMODE(st.st_mode))

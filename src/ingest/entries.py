"""What a directory entry is, before anything reads it; and names that are not UTF-8.

A source folder can hold more than regular files and folders: named pipes,
sockets, device nodes, symbolic links to nothing or to themselves, folders that
cannot be listed, names whose bytes are not UTF-8.  Each used to go wrong its own
way: skipped silently, walked in circles, read (a FIFO blocks forever, a device
may never end) or aborting the run (DuckDB cannot store the surrogate-escaped
``str`` Python makes of a non-UTF-8 name).  Here every entry gets a *kind*
from its ``stat`` alone, never by opening it:

* ``""``, a regular file, and ``DIR``, a folder to walk;
* an odd kind, which the run quarantines with that code at stage ``discover``
  (:func:`entry_issue`), never opened: ``fifo``, ``socket``, ``device``,
  ``broken_symlink``, ``symlink_loop`` (links in a circle, or a folder link back
  to a folder above it), ``unreadable_folder`` (cannot be listed), ``stat_failed``
  (cannot even be looked at) and ``special_file`` (any other non-regular type);
* ``GONE``: vanished between listing and looking; not there, not counted.

Odd entries carry the ``stat`` of what was found (the link itself when it leads
nowhere), so a re-run compares them like files and stays a no-op.  Reading goes
through :func:`open_regular`, which opens without blocking and refuses anything
that is not a regular file by then (the entry may have changed since the walk).

A name that is not valid UTF-8 is kept losslessly in ``source_path`` as text:
each byte that is not UTF-8 is written ``\\xNN`` (two lowercase hex digits) and
each backslash of that name ``\\\\`` (:func:`represent`).  Valid names are never
changed.  The absolute path that opens the file keeps Python's surrogate escapes
in memory and travels through DuckDB work tables as :func:`storable` text.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Callable

from .errors import Issue

STAGE = "discover"
DIR, GONE = "dir", "gone"
FIFO, SOCKET, DEVICE, SPECIAL = "fifo", "socket", "device", "special_file"
BROKEN, LOOP = "broken_symlink", "symlink_loop"
UNREADABLE_FOLDER, STAT_FAILED = "unreadable_folder", "stat_failed"
# The codes an odd entry is quarantined with (a run compares them with stored rows).
ENTRY_CODES = frozenset(
    {FIFO, SOCKET, DEVICE, SPECIAL, BROKEN, LOOP, UNREADABLE_FOLDER, STAT_FAILED}
)
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_HEX = "hex:"


class NotRegularFile(OSError):
    """Opened something that is not a regular file (it changed after the walk)."""


def kind_of(entry: os.DirEntry[str]) -> tuple[str, os.stat_result | None]:
    """The entry's kind and the ``stat`` a later run compares it by (see module doc)."""
    try:
        st = entry.stat()  # follows links; cached by the walk's sort
    except OSError as exc:
        return _failed(entry, exc)
    return _mode_kind(st.st_mode), st


def _mode_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return DIR
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISSOCK(mode):
        return SOCKET
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return DEVICE
    return SPECIAL


def _failed(entry: os.DirEntry[str], exc: OSError) -> tuple[str, os.stat_result | None]:
    try:
        own = entry.stat(follow_symlinks=False)
    except OSError:
        own = None
    if exc.errno == errno.ELOOP:
        return LOOP, own
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        link = own is not None and stat.S_ISLNK(own.st_mode)
        return (BROKEN, own) if link else (GONE, None)
    return STAT_FAILED, own


def entry_issue(kind: str, path: str, source_path: str) -> Issue:
    """The quarantine reason of an odd entry, in plain words (``path`` is probed again
    for details such as a link's target; nothing is opened)."""
    return Issue(STAGE, kind, source_path, _message(kind, path, source_path.endswith("/")))


def _message(kind: str, path: str, folder: bool) -> str:
    if kind == FIFO:
        return "a named pipe (FIFO), not a regular file: not read, since reading a pipe can wait forever"
    if kind == SOCKET:
        return "a socket, not a regular file: not read"
    if kind == DEVICE:
        return "a device file, not a regular file: not read"
    if kind == BROKEN:
        return f"a symbolic link to {_target(path)}, which does not exist"
    if kind == LOOP and folder:
        return (
            "a link back to a folder above it: not walked, since it would repeat forever "
            "(its files are taken where they really are)"
        )
    if kind == LOOP:
        return "a symbolic link that never reaches a file (the links go round in a circle)"
    if kind == UNREADABLE_FOLDER:
        return f"the folder cannot be listed ({_why(os.listdir, path)}): its files are not loaded"
    if kind == STAT_FAILED:
        return f"cannot look at this entry ({_why(os.stat, path)})"
    return "not a regular file (an unusual file type): not read"


def _target(path: str) -> str:
    try:
        return repr(represent(os.readlink(path)))
    except OSError:
        return "a path"


def _why(probe: Callable[[str], object], path: str) -> str:
    try:
        probe(path)
    except OSError as exc:
        return (exc.strerror or "error").lower()
    return "it could be read again since"


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """Open ``path`` for reading without blocking; raise :class:`NotRegularFile` unless
    it is a regular file (a FIFO, socket or device is never read)."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        return open(fd, "rb")  # the caller closes it
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The whole content of the regular file at ``path``, opened by :func:`open_regular`
    (so a FIFO, socket or device raises instead of blocking or reading forever)."""
    with open_regular(path) as fh:
        return fh.read()


def can_read(path: str) -> bool:
    """Whether a regular file at ``path`` opens for reading now."""
    try:
        open_regular(path).close()
    except OSError:
        return False
    return True


def represent(name: str) -> str:
    """``name`` as UTF-8 text: unchanged when valid; otherwise each byte that is not
    UTF-8 as ``\\xNN`` and each backslash as ``\\\\`` (so the bytes can be recovered)."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name).replace(b"\\", b"\\\\")
        return raw.decode("utf-8", "backslashreplace")
    return name


def represent_path(path: str) -> str:
    """Every component of ``path`` through :func:`represent` (for display)."""
    return "/".join(represent(part) for part in path.split("/"))


def name_bytes(text: str) -> bytes:
    """The original bytes of a name :func:`represent` escaped (inverse of it for names
    that were not UTF-8)."""
    out, i = bytearray(), 0
    while i < len(text):
        if text.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif text.startswith("\\x", i) and len(text) >= i + 4:
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out += text[i].encode("utf-8")
            i += 1
    return bytes(out)


def storable(path: str) -> str:
    """An absolute path as text DuckDB can hold: itself when valid UTF-8, else ``hex:``
    and its bytes in hex (an absolute path never starts so)."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return _HEX + os.fsencode(path).hex()
    return path


def from_storable(text: str) -> str:
    """The path :func:`storable` stored: ``hex:`` text decoded back to the original bytes
    (as a file-system string), any other text unchanged."""
    return os.fsdecode(bytes.fromhex(text[len(_HEX) :])) if text.startswith(_HEX) else text

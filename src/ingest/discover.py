"""Stage 0, discover: named sources to a stream of entries with stable relative paths.

A source's root is a folder (walked recursively) or a single file (its parent is
the root).  Entries come out in the code-point order of their ``source_path`` (a
folder ``a`` sorts as ``a/``), the order DuckDB gives ``ORDER BY source_path``:
that lets a run compare a walk with what the warehouse knows as one streaming
merge (:mod:`ingest.compare`).  ``source_path`` is the path relative to the root
with ``/`` separators, each name that is not UTF-8 escaped losslessly
(:func:`ingest.entries.represent`); with the source's name it is what ``doc_id``
hashes, so a document keeps its id wherever the folder is mounted, and the same
relative path in two sources is two documents.  Entries are streamed, never
listed: a run plans a million files with flat memory (see :mod:`ingest.plan`).

Every entry of a walked folder is accounted for, one of three ways:

* left out by the :class:`~ingest.selection.Selection` (not a document type,
  ``--include``/``--exclude``, hidden names), tallied in a
  :class:`~ingest.selection.Skipped`; a folder an exclude covers whole, or a
  hidden one, is not walked at all;
* a regular file (``kind == ""``), to compare and parse;
* an odd entry (FIFO, socket, device, broken or looping link, a folder that
  cannot be listed...), yielded with its ``kind`` so the run quarantines it
  without ever opening it (:mod:`ingest.entries`).  A folder entry's path ends
  in ``/``, which keeps it in walk order.

A folder link that leads back to a folder above it is such an entry, not walked
again and again; other folder links are followed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import NamedTuple

from .config import ConfigError, Source, check_sources, parse_source
from .entries import DIR, GONE, LOOP, UNREADABLE_FOLDER, kind_of, open_regular, represent
from .selection import (
    EXCLUDED_FOLDER,
    HIDDEN,
    HIDDEN_FOLDER,
    NAME_CLASH,
    Selection,
    Skipped,
)


class SourceFile(NamedTuple):
    """One discovered entry.  (A named tuple: a run makes one per file of every source,
    and building a frozen dataclass cost twice as much.)"""

    path: str  # absolute path on this machine (surrogate-escaped when not UTF-8)
    source_path: str  # relative to its root, '/' separators, names as represent() gives
    size: int
    source: str = ""  # the source's name
    mtime_ns: int = 0
    kind: str = ""  # "" for a regular file, else the odd entry's code (ingest.entries)


# (sort key, represented name, the entry) of one folder's listing
_Listed = tuple[str, str, os.DirEntry[str]]


@dataclass
class _Walk:
    source: str
    select: Selection
    skipped: Skipped


def iter_files(
    sources: Sequence[Source], select: Selection | None = None, skipped: Skipped | None = None
) -> Iterator[SourceFile]:
    """Every entry of every source that ``select`` takes (by default: document types),
    streamed in walk order; what it leaves out is counted in ``skipped``."""
    check_sources(list(sources))
    w = _Walk("", select or Selection(), skipped if skipped is not None else Skipped())
    for src in sources:
        w.source = src.name
        root = Path(src.root)
        if root.is_file():
            yield from _single(w, root)
            continue
        try:
            listing = _listing(w, src.root, "")
        except OSError as exc:
            raise ConfigError(f"cannot list source folder {src.root}: {exc.strerror}") from None
        st = os.stat(src.root)
        yield from _walk(w, listing, "", frozenset({(st.st_dev, st.st_ino)}))


def discover(
    paths: Sequence[str | Path], select: Selection | None = None, skipped: Skipped | None = None
) -> list[SourceFile]:
    """All entries of plain path arguments, as a list (for ``ingest validate``, which
    reports every file; runs stream :func:`iter_files` into the warehouse build)."""
    return list(iter_files([parse_source(str(p)) for p in paths], select, skipped))


def _single(w: _Walk, root: Path) -> Iterator[SourceFile]:
    """A source that is one file: named by the user, so hidden or not it is looked at;
    the include/exclude rules still apply to its name."""
    why = w.select.skip_file(root.name)
    if why is not None:
        w.skipped.add(*why)
        return
    st = root.stat()
    yield SourceFile(str(root), root.name, st.st_size, w.source, st.st_mtime_ns)


def _walk(
    w: _Walk, listing: list[_Listed], prefix: str, ancestors: frozenset[tuple[int, int]]
) -> Iterator[SourceFile]:
    for key, name, entry in listing:
        rel = prefix + name
        folder = key.endswith("/")
        if name.startswith("."):
            w.skipped.add(HIDDEN_FOLDER if folder else HIDDEN, name + ("/" if folder else ""))
        elif folder:
            odd, inner = _enter(w, entry, rel, ancestors)
            if odd is not None:
                yield odd
            elif inner is not None:  # recursing here, not in a helper generator: every
                yield from _walk(w, inner[0], rel + "/", inner[1])  # file passes each level
        elif (f := _file(w, entry, rel, name)) is not None:  # a call, not a generator, per file
            yield f


def _enter(
    w: _Walk, entry: os.DirEntry[str], rel: str, ancestors: frozenset[tuple[int, int]]
) -> tuple[SourceFile | None, tuple[list[_Listed], frozenset[tuple[int, int]]] | None]:
    """A folder: left out (nothing), an odd entry (a loop, cannot be listed), or its
    listing and the ancestors to walk it with."""
    pattern = w.select.skip_folder(rel)
    if pattern is not None:
        w.skipped.add(EXCLUDED_FOLDER, pattern)
        return None, None
    kind, st = kind_of(entry)
    if kind != DIR or st is None:  # changed since it was listed: look again next run
        return None, None
    here = (st.st_dev, st.st_ino)
    if here in ancestors:
        own = entry.stat(follow_symlinks=False)  # the link's own stat: stable across runs
        return SourceFile(entry.path, rel + "/", own.st_size, w.source, own.st_mtime_ns, LOOP), None
    try:
        listing = _listing(w, entry.path, rel + "/")
    except OSError:
        odd = SourceFile(
            entry.path, rel + "/", st.st_size, w.source, st.st_mtime_ns, UNREADABLE_FOLDER
        )
        return odd, None
    return None, (listing, ancestors | {here})


def _file(w: _Walk, entry: os.DirEntry[str], rel: str, name: str) -> SourceFile | None:
    """A regular file to compare, an odd entry, or None (left out, or gone).  Kept lean:
    it runs for every file of every run (2 us per file is 0.2 s of a 100k no-op run)."""
    why = w.select.skip_file(rel, name)
    if why is not None:
        w.skipped.add(*why)
        return None
    try:
        st = entry.stat()  # follows links; cached by the sort for links
    except OSError:
        st = None
    if st is not None and S_ISREG(st.st_mode):
        return SourceFile(entry.path, rel, st.st_size, w.source, st.st_mtime_ns)
    kind, st = kind_of(entry)
    if kind in (GONE, DIR):  # vanished, or a folder now: look again next run
        return None
    size, mtime = (st.st_size, st.st_mtime_ns) if st is not None else (-1, 0)
    return SourceFile(entry.path, rel, size, w.source, mtime, kind)


def _listing(w: _Walk, folder: str, prefix: str) -> list[_Listed]:
    """One folder's entries in walk order: a folder sorts as its name plus ``/``, so
    that walking folder by folder yields whole relative paths in code-point order
    ("a-b" < "a/c" < "a.md" < "a0")."""
    found: list[_Listed] = []
    escaped = False
    with os.scandir(folder) as it:
        for e in it:
            name = e.name
            if not name.isascii():
                rep = represent(name)
                escaped = escaped or rep != name
                name = rep
            try:
                found.append((name + "/" if e.is_dir() else name, name, e))
            except OSError:  # a link that loops: a file to the walk, odd when looked at
                found.append((name, name, e))
    found.sort(key=_first)
    return _without_clashes(w, found, prefix) if escaped else found


def _first(item: _Listed) -> str:
    return item[0]


def _without_clashes(w: _Walk, found: list[_Listed], prefix: str) -> list[_Listed]:
    """A name that is not UTF-8 whose escaped form is also a real name beside it is
    left out (counted), never given two rows."""
    out = []
    for i, item in enumerate(found):
        key, rep, entry = item
        clash = (i and found[i - 1][0] == key) or (i + 1 < len(found) and found[i + 1][0] == key)
        if clash and rep != entry.name:
            w.skipped.add(NAME_CLASH, prefix + rep)
            continue
        out.append(item)
    return out


def sha256_file(path: str) -> str | None:
    """The file's SHA-256, or None when it cannot be read or is not a regular file
    (never opened in a way that could block)."""
    try:
        with open_regular(path) as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None

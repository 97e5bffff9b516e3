"""Stage 0, discover: named sources to a stream of files with stable relative paths.

A source's root is a folder (walked recursively, hidden files and folders
skipped) or a single file (its parent is the root).  Files come out in the
code-point order of their ``source_path`` (a folder ``a`` sorts as ``a/``), the
order DuckDB gives ``ORDER BY source_path``: that lets a run compare a walk with
what the warehouse knows as one streaming merge (:mod:`ingest.compare`).  ``source_path`` is the path relative to the root with ``/`` separators;
with the source's name it is what ``doc_id`` hashes, so a document keeps its id
wherever the folder is mounted, and the same relative path in two sources is two
documents.  Files are streamed, never listed: a run plans a million files with
flat memory (see :mod:`ingest.plan`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from .config import Source, check_sources, parse_source


class SourceFile(NamedTuple):
    """One discovered file.  (A named tuple: a run makes one per file of every source,
    and building a frozen dataclass cost twice as much.)"""

    path: str  # absolute path on this machine
    source_path: str  # relative to its root, '/' separators
    size: int
    source: str = ""  # the source's name
    mtime_ns: int = 0


def iter_files(sources: Sequence[Source]) -> Iterator[SourceFile]:
    """Every file of every source, streamed in walk order."""
    check_sources(list(sources))
    for src in sources:
        root = Path(src.root)
        if root.is_file():
            st = root.stat()
            yield SourceFile(str(root), root.name, st.st_size, src.name, st.st_mtime_ns)
        else:
            yield from _walk(src.name, str(root), "")


def discover(paths: Sequence[str | Path]) -> list[SourceFile]:
    """All files of plain path arguments, as a list (for ``ingest validate``, which
    reports every file; runs stream :func:`iter_files` into the warehouse build)."""
    return list(iter_files([parse_source(str(p)) for p in paths]))


def _walk(source: str, folder: str, prefix: str) -> Iterator[SourceFile]:
    try:
        entries = sorted(os.scandir(folder), key=_walk_key)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = prefix + entry.name
        try:
            if entry.is_dir(follow_symlinks=True):
                yield from _walk(source, entry.path, rel + "/")
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                yield SourceFile(entry.path, rel, st.st_size, source, st.st_mtime_ns)
        except OSError:  # vanished or unreadable: reading it later reports why
            yield SourceFile(entry.path, rel, -1, source)


def _walk_key(entry: os.DirEntry[str]) -> str:
    """A folder sorts as its name plus ``/``, so that walking folder by folder yields
    whole relative paths in code-point order ("a-b" < "a/c" < "a.md" < "a0")."""
    try:
        return entry.name + "/" if entry.is_dir(follow_symlinks=True) else entry.name
    except OSError:
        return entry.name


def sha256_file(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None

"""Stage 0, discover: source arguments to a sorted list of files with stable relative paths.

A source argument is a folder (walked recursively, hidden files and folders
skipped) or a single file (its parent is the root).  ``source_path`` is the path
relative to its root with ``/`` separators, which is what ``doc_id`` hashes, so a
document keeps its id wherever the folder is mounted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """A source argument that cannot be used at all (a usage error, exit code 2)."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # absolute path on this machine
    source_path: str  # relative to its root, '/' separators
    size: int
    duplicate: bool = False  # same relative path as a file of an earlier root
    mtime_ns: int = 0
    seen_before: bool = False  # the warehouse has rows for this source_path already


def check_sources(sources: Sequence[str | Path]) -> None:
    """Refuse unusable source arguments before any work starts."""
    for src in sources:
        root = Path(src)
        if not root.exists():
            raise SourceError(f"source does not exist: {src}")
        if not (root.is_file() or root.is_dir()):
            raise SourceError(f"source is neither a file nor a folder: {src}")


def iter_files(sources: Sequence[str | Path]) -> Iterator[tuple[int, SourceFile]]:
    """Every file of every source as ``(source index, file)``, streamed in walk order
    (each folder's entries sorted by name); duplicates across sources are not flagged."""
    check_sources(sources)
    for i, src in enumerate(sources):
        root = Path(src)
        if root.is_file():
            st = root.stat()
            yield i, SourceFile(str(root.resolve()), root.name, st.st_size, False, st.st_mtime_ns)
        else:
            for f in _walk(str(root.resolve()), ""):
                yield i, f


def discover(sources: Sequence[str | Path]) -> list[SourceFile]:
    """All files as a list sorted by ``source_path``, later sources' clashes flagged
    ``duplicate``.  For callers that want the whole list (``ingest validate``); runs
    stream :func:`iter_files` into the warehouse build instead."""
    found: dict[str, SourceFile] = {}
    for _, f in iter_files(sources):
        _add(found, f)
    return sorted(found.values(), key=lambda f: (f.source_path, f.duplicate, f.path))


def _walk(folder: str, prefix: str) -> Iterator[SourceFile]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = prefix + entry.name
        try:
            if entry.is_dir(follow_symlinks=True):
                yield from _walk(entry.path, rel + "/")
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                yield SourceFile(entry.path, rel, st.st_size, False, st.st_mtime_ns)
        except OSError:  # vanished or unreadable: reading it later reports why
            yield SourceFile(entry.path, rel, -1)


def _add(found: dict[str, SourceFile], f: SourceFile) -> None:
    # The first root wins a clash of relative paths; later ones are kept, flagged, so
    # that a run can quarantine them instead of losing them silently.
    prev = found.get(f.source_path)
    if prev is None:
        found[f.source_path] = f
    elif prev.path != f.path:
        found[f"{f.source_path}\0{f.path}"] = SourceFile(
            f.path, f.source_path, f.size, True, f.mtime_ns
        )


def sha256_file(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None

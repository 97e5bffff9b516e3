"""Stage 0, discover: source arguments to a sorted list of files with stable relative paths.

A source argument is a folder (walked recursively, hidden files and folders
skipped) or a single file (its parent is the root).  ``source_path`` is the path
relative to its root with ``/`` separators, which is what ``doc_id`` hashes, so a
document keeps its id wherever the folder is mounted.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
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


def discover(sources: Sequence[str | Path]) -> list[SourceFile]:
    found: dict[str, SourceFile] = {}
    for src in sources:
        root = Path(src)
        if not root.exists():
            raise SourceError(f"source does not exist: {src}")
        if root.is_file():
            st = root.stat()
            _add(
                found, SourceFile(str(root.resolve()), root.name, st.st_size, False, st.st_mtime_ns)
            )
            continue
        if not root.is_dir():
            raise SourceError(f"source is neither a file nor a folder: {src}")
        _walk(found, str(root.resolve()), "")
    return sorted(found.values(), key=lambda f: (f.source_path, f.duplicate, f.path))


def _walk(found: dict[str, SourceFile], folder: str, prefix: str) -> None:
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
                _walk(found, entry.path, rel + "/")
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                _add(found, SourceFile(entry.path, rel, st.st_size, False, st.st_mtime_ns))
        except OSError:  # vanished or unreadable: reading it later reports why
            _add(found, SourceFile(entry.path, rel, -1))


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

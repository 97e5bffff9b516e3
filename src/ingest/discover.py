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


def discover(sources: Sequence[str | Path]) -> list[SourceFile]:
    found: dict[str, SourceFile] = {}
    for src in sources:
        root = Path(src)
        if not root.exists():
            raise SourceError(f"source does not exist: {src}")
        if root.is_file():
            _add(found, root.resolve(), root.name)
            continue
        if not root.is_dir():
            raise SourceError(f"source is neither a file nor a folder: {src}")
        base = root.resolve()
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, base)
            for name in filenames:
                if name.startswith("."):
                    continue
                full = Path(dirpath, name)
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                _add(found, full, rel.replace(os.sep, "/"))
    return sorted(found.values(), key=lambda f: (f.source_path, f.duplicate, f.path))


def _add(found: dict[str, SourceFile], path: Path, rel: str) -> None:
    try:
        st = path.stat()
    except OSError:
        size = -1
    else:
        if not path.is_file():
            return
        size = st.st_size
    # The first root wins a clash of relative paths; later ones are kept, flagged, so
    # that a run can quarantine them instead of losing them silently.
    if rel in found:
        if found[rel].path != str(path):
            found[f"{rel}\0{path}"] = SourceFile(str(path), rel, size, duplicate=True)
        return
    found[rel] = SourceFile(str(path), rel, size)


def sha256_file(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None

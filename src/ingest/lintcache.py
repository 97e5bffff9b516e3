"""A result cache for ``ingest validate``, like ruff's: unchanged files are not parsed again.

Extraction costs ~10-40 ms of CPU per realistic document, so a hook or CI job that
re-validates a few thousand files spends seconds re-deriving what it knew.  The
cache keeps what a file's check found (:class:`~ingest.lint.FileCheck`: issues before
configuration, and the codes its front matter waives), keyed by the file's bytes and
its path (the family can depend on the name) under a *fingerprint* of everything
else that decides the result: the package's source files (by name, size and
mtime), the parser version, the warehouse schema, the parsing libraries' modules
(by size and mtime) and Python's version.  Any change there starts a new cache, and the old one is removed.
Configuration is applied after the cache, so changing ``ingest.toml`` needs no
invalidation.

Entries are small JSON files written atomically (a temporary file, then a rename),
so parallel hooks and workers can share the folder.  The cache is an optimisation
only: an unreadable, corrupt or unwritable entry is simply a miss.  It lives in
``.ingest_cache/`` beside the configuration (or in the working directory), with a
``.gitignore`` of ``*`` so it is never committed; ``--no-cache`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from . import PARSER_VERSION
from .errors import Issue

FOLDER = ".ingest_cache"
_LIBRARIES = (
    "beautifulsoup4",
    "python-frontmatter",
    "PyYAML",
    "markdown-it-pyrs",
    "markdown-it-py",
)


@cache
def fingerprint() -> str:
    """What, besides a file's bytes and path, decides what checking it finds."""
    from . import schema

    h = hashlib.sha256(f"{PARSER_VERSION}\0{sys.version}\0".encode())
    h.update(schema.fingerprint().encode())
    package = Path(__file__).resolve().parent
    for p in sorted(package.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.relative_to(package)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for lib in _LIBRARIES:  # an upgrade rewrites the module: its size or mtime changes
        spec = importlib.util.find_spec(lib)
        origin = spec.origin if spec is not None else None
        found = os.stat(origin) if origin and os.path.exists(origin) else None
        size, mtime = (found.st_size, found.st_mtime_ns) if found else (None, None)
        h.update(f"{lib}\0{origin}\0{size}\0{mtime}\0".encode())
    return h.hexdigest()[:20]


def folder_for(root: Path) -> str:
    """The cache folder of this fingerprint under ``root``; older ones are removed."""
    base = root / FOLDER
    here = base / f"v1-{fingerprint()}"
    if not here.is_dir():
        with contextlib.suppress(OSError):
            base.mkdir(exist_ok=True)
            (base / ".gitignore").write_text("# made by ingest validate\n*\n")
            for old in base.glob("v1-*"):
                shutil.rmtree(old, ignore_errors=True)
    return str(here)


def key(data: bytes, source_path: str, limits: object = None) -> str:
    """The entry's name: the file's path and bytes and the limits it was parsed under
    (a budget changed through the environment changes the verdict), hashed."""
    h = hashlib.sha256(source_path.encode("utf-8", "surrogateescape") + b"\0" + data)
    h.update(b"\0" + repr(limits).encode())
    return h.hexdigest()


def get(folder: str, k: str) -> dict[str, Any] | None:
    """The stored check for key ``k``, or None (absent, unreadable or corrupt)."""
    try:
        with open(os.path.join(folder, k[:2], k + ".json"), encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != k:
        return None
    return entry


def put(folder: str, k: str, entry: dict[str, Any]) -> None:
    """Store ``entry`` under ``k``; any failure leaves the cache as it was."""
    sub = os.path.join(folder, k[:2])
    with contextlib.suppress(OSError):
        os.makedirs(sub, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=sub, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({**entry, "key": k}, fh, ensure_ascii=False)
            os.replace(tmp, os.path.join(sub, k + ".json"))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def issue_to_json(i: Issue) -> dict[str, Any]:
    """An issue as a cache entry stores it."""
    return {
        "stage": i.stage,
        "code": i.code,
        "path": i.path,
        "message": i.message,
        "line": i.line,
        "severity": i.severity,
        "transient": i.transient,
        "column": i.column,
    }


def issue_from_json(d: dict[str, Any]) -> Issue:
    """The issue a cache entry stored (KeyError/TypeError for an entry of another shape)."""
    return Issue(
        d["stage"],
        d["code"],
        d["path"],
        d["message"],
        d["line"],
        d["severity"],
        d["transient"],
        column=d["column"],
    )

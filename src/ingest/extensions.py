"""DuckDB extensions from PyPI wheels, loaded by path: never downloaded, never installed.

DuckDB's ``INSTALL`` fetches an extension from the network into ``~/.duckdb``; a run
must do neither (no network at run time, no writes into the user's home).  The
extension ingest needs, ``fts`` (its Snowball stemmer builds the search index, see
:mod:`ingest.search_index`), is a pinned dependency instead: the
``duckdb-extension-fts`` wheel carries ``fts.duckdb_extension`` for exactly the
DuckDB version ingest writes with, as package data.  ``LOAD '<absolute path>'`` loads
that file where it lies (in site-packages, a checkout's venv or an installed wheel
alike), so no extension directory is written at all; autoinstall and autoload are
switched off on the connection first, so a missing file is one clear error instead
of a silent download attempt.

The package is located with :func:`importlib.util.find_spec`, which reads no module
code, and the file is checked to be there before DuckDB sees it.

Some wheels ship their file under a short name (``sqlite.duckdb_extension``) while
DuckDB derives the entry point it looks for from the file name (the extension's
canonical name is ``sqlite_scanner``, so it wants ``sqlite_scanner_duckdb_cpp_init``).
Those are loaded through a symlink of the canonical name in a private folder made
for the process (removed at exit): still no copy, no download, nothing in the home.
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import tempfile
from functools import cache
from pathlib import Path

import duckdb

from .failures import RunFailure

FTS_WHEEL = "duckdb-extension-fts"

# A wheel's short name -> the name DuckDB knows the extension by (its entry point).
# (httpfs, for a lake's data in S3, ships ``httpfs.duckdb_extension``: already canonical.)
CANONICAL = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}


class ExtensionMissing(RunFailure):
    """A DuckDB extension ingest needs is not installed (or not for this DuckDB)."""


def _version() -> str:
    return str(duckdb.__version__)


def extension_path(name: str) -> Path:
    """The ``<name>.duckdb_extension`` file of the ``duckdb-extension-<name>`` wheel for
    the running DuckDB; raises :class:`ExtensionMissing` naming the wheel to install."""
    package = f"duckdb_extension_{name}"
    wheel = f"duckdb-extension-{name}=={_version()}"
    folders = _package_folders(package)
    for folder in folders:
        path = Path(folder) / "extensions" / f"v{_version()}" / f"{name}.duckdb_extension"
        if path.is_file():
            return path
    found = "is not installed" if not folders else f"has no build for DuckDB {_version()}"
    raise ExtensionMissing(
        f"DuckDB's {name} extension is needed and the {package} package {found}: "
        f"install it with `pip install {wheel}` (it is pinned in requirements.lock)"
    )


def _package_folders(package: str) -> list[str]:
    """Where an installed package's files are (none when it is not installed)."""
    spec = importlib.util.find_spec(package)
    return list(spec.submodule_search_locations or []) if spec else []


@cache
def _link_folder() -> Path:
    """A private folder for canonical-name symlinks, removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="ingest-ext-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def loadable_path(name: str) -> Path:
    """The path to hand to ``LOAD`` for extension ``name``: the wheel's file, or a
    symlink to it named as DuckDB expects when the wheel uses a short name."""
    path = extension_path(name)
    canonical = CANONICAL.get(name)
    if canonical is None:
        return path
    link = _link_folder() / f"{canonical}.duckdb_extension"
    if not link.is_symlink():
        link.symlink_to(path)
    return link


def load(con: duckdb.DuckDBPyConnection, name: str) -> Path:
    """Load extension ``name`` into ``con`` from its wheel; returns the file loaded."""
    path = loadable_path(name)
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    quoted = str(path).replace("'", "''")
    try:
        con.execute(f"LOAD '{quoted}'")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ExtensionMissing(f"DuckDB could not load {path} ({first})") from exc
    return path

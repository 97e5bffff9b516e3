"""What a run is asked to do: named sources and the run's options, as one value.

The CLI builds a :class:`RunConfig` once; the library's run loop, the Prefect flow
(as its one parameter) and served deployments all take that same value, so the
options never change shape on the way.  It is a plain dataclass of plain fields:
Prefect stores it as JSON for a deployment and rebuilds it for each scheduled run.

A *source* is a root folder (or a single file) under a name.  Documents are keyed
by (source, path relative to the root), so a run only ever adds, replaces or
removes documents of the sources it was given.  ``NAME=PATH`` names a source
explicitly; otherwise the name is derived from the path by :func:`default_name`.

Which files of its sources a run takes is part of the same value: ``include`` and
``exclude`` globs (empty ``include``: document types), see :mod:`ingest.selection`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .selection import GlobError, Selection, check_globs

DEFAULT_DB = "warehouse/ingest.duckdb"
DEFAULT_BATCH = 500  # measured at 10k: 250 -> 500 cut parse+load ~18% and halved task overhead
DEFAULT_LOCK_TIMEOUT = 60.0
TASK_RUNNERS = ("process", "dask")

# A source name: what `NAME=PATH` may say, and what default names are made of.  No
# ':' so that "source:path" (hashed into doc_id) can never be read two ways.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class ConfigError(ValueError):
    """A source argument or option that cannot be used (a usage error, exit code 2)."""


@dataclass(frozen=True)
class Source:
    """A named root.  ``named`` is True when the user chose the name (``NAME=PATH``)."""

    name: str
    root: str  # absolute path of a folder or a single file
    named: bool = False


def default_name(path: str | Path) -> str:
    """The name a source gets when none is given: the last component of its absolute
    path (a folder's name, or a file's name with its extension), every character
    outside ``A-Z a-z 0-9 . _ -`` replaced by ``_``, cut to 64 characters.  A name
    that would not start with a letter or digit gets an ``s`` in front.
    ``content/monographs/`` -> ``monographs``; ``~/My Docs`` -> ``My_Docs``;
    ``notes/x.md`` -> ``x.md``."""
    base = Path(os.path.abspath(path)).name or "root"
    name = re.sub(r"[^A-Za-z0-9._-]", "_", base)
    if not name[0].isalnum():
        name = "s" + name
    return name[:64]


def parse_source(arg: str) -> Source:
    """``NAME=PATH`` or ``PATH``.  An argument that exists as a path is always a path,
    so a folder whose name holds ``=`` still works."""
    name, sep, rest = arg.partition("=")
    if sep and not os.path.lexists(arg):
        if not NAME_RE.fullmatch(name):
            raise ConfigError(
                f"bad source name {name!r} in {arg!r}: use letters, digits, '.', '_' or '-' "
                "(at most 64, starting with a letter or digit)"
            )
        if not rest:
            raise ConfigError(f"source {name!r} has no path: write {name}=PATH")
        return Source(name, os.path.abspath(rest), named=True)
    return Source(default_name(arg), os.path.abspath(arg))


def check_sources(sources: list[Source]) -> None:
    """Refuse what would make a run ambiguous or impossible: one name twice, a
    missing root, a folder that cannot be listed (its documents would all look
    deleted), a root whose path is not UTF-8 (the warehouse stores it as text)."""
    check_names_unique(sources)
    for s in sources:
        if not os.path.exists(s.root):
            raise ConfigError(f"source does not exist: {s.root}")
        if not (os.path.isdir(s.root) or os.path.isfile(s.root)):
            raise ConfigError(f"source is neither a file nor a folder: {s.root}")
        if os.path.isdir(s.root) and not os.access(s.root, os.R_OK | os.X_OK):
            raise ConfigError(f"source folder cannot be listed (permission denied): {s.root}")
        if not _utf8(s.root):
            raise ConfigError(
                f"source path is not valid UTF-8: {os.fsencode(s.root)!r}; rename it, or give "
                "a link to it with a UTF-8 name (names below the root may be anything)"
            )


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_names_unique(sources: list[Source]) -> None:
    """Refuse an empty source list and a name given to two roots (documents are keyed by
    source name, so two roots under one name would overwrite each other's documents); the
    message suggests ``NAME=PATH`` to tell them apart."""
    if not sources:
        raise ConfigError("no source given")
    seen: dict[str, Source] = {}
    for s in sources:
        prev = seen.get(s.name)
        if prev is not None:
            raise ConfigError(
                f"two sources are named {s.name!r} ({prev.root} and {s.root}); "
                f"name them apart with NAME=PATH, e.g. {s.name}-2={s.root}"
            )
        seen[s.name] = s


@dataclass
class RunConfig:
    """Everything a run needs; built once by the CLI (or by a library caller)."""

    sources: list[Source]
    db: str = DEFAULT_DB
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    batch_size: int = DEFAULT_BATCH
    task_runner: str = "process"  # process | dask
    dask_address: str | None = None
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    rehash: bool = False  # hash every file even when size and mtime are unchanged
    include: list[str] = field(default_factory=list)  # globs; empty: document types
    exclude: list[str] = field(default_factory=list)  # globs left out of either
    # Drift checks of the run's quality (ingest.drift): window, min_runs, thresholds,
    # strict; plain JSON so a served deployment stores it as its parameter.
    drift: dict[str, Any] = field(default_factory=dict)
    # A DuckLake target instead of ``db`` (ingest.lake): ``sqlite:PATH``, ``postgres:DSN``
    # or ``duckdb:PATH``, and the folder of its Parquet files.
    lake: str | None = None
    lake_data: str | None = None

    def __post_init__(self) -> None:
        # Library callers may pass plain paths or dicts (a deployment's stored JSON).
        self.sources = as_sources(self.sources)
        check_names_unique(self.sources)
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1 (got {self.workers})")
        if self.batch_size < 1:
            raise ConfigError(f"batch size must be at least 1 (got {self.batch_size})")
        if self.lock_timeout < 0:
            raise ConfigError(f"lock timeout must be 0 or more seconds (got {self.lock_timeout})")
        if self.task_runner not in TASK_RUNNERS:
            raise ConfigError(f"task runner must be one of {', '.join(TASK_RUNNERS)}")
        try:
            self.include = check_globs(self.include or [], "--include")
            self.exclude = check_globs(self.exclude or [], "--exclude")
        except GlobError as exc:
            raise ConfigError(str(exc)) from None
        from .drift import settings_from

        self.drift = settings_from(self.drift or {}).as_dict()  # DriftConfigError: a usage error

    @property
    def source_names(self) -> list[str]:
        """The names of the run's sources in the order given (what the run row records)."""
        return [s.name for s in self.sources]

    def selection(self) -> Selection:
        """The compiled include/exclude rules every walk of this run applies."""
        return Selection(self.include, self.exclude)

    def as_dict(self) -> dict[str, Any]:
        """The config as plain JSON-able values (sources as dicts), as a deployment stores it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        """Rebuild a config from :meth:`as_dict`'s output, ignoring keys it does not know
        (so a dict stored by another version still loads); validated as on construction."""
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def as_sources(items: Sequence[Source | str | Path | dict[str, Any]]) -> list[Source]:
    """Sources from what a library caller or a stored deployment gives: ``Source``
    values, ``NAME=PATH``/``PATH`` strings, paths, or ``{"name", "root"}`` dicts."""
    return [_as_source(s) for s in items]


def _as_source(s: Source | str | Path | dict[str, Any]) -> Source:
    """A source from what a caller or a stored deployment gives: relative roots are
    resolved against the working directory of the run."""
    if isinstance(s, dict):
        s = Source(str(s["name"]), str(s["root"]), bool(s.get("named", False)))
    if isinstance(s, Source):
        return Source(s.name, os.path.abspath(s.root), s.named)
    return parse_source(str(s))

"""Where a run writes: the DuckDB file (the default) or a lake, behind one interface.

The run loop (:mod:`ingest.pipeline`) and the commands ask a :class:`Target` for the
few things that differ between the two and nothing else:

* ``lock()``: the file is written by one run at a time (the advisory lock of
  :mod:`ingest.lock`); a lake takes many writers and no lock, its catalog orders
  their commits;
* ``check(cfg, until)``: whether the run would change anything (read-only); the loop
  asks it first only where it can answer a no-op (``answers_noop``: the file, whose
  no-op is a journal entry), the CLI also to know whether Prefect must start;
* ``open(lock, run_id)``: the writer the loop loads into, a
  :class:`~ingest.warehouse.Warehouse` (private build, atomic rename) or a
  :class:`~ingest.lake.warehouse.LakeWarehouse` (one transaction, one snapshot);
* ``committing(attempt)``: run the attempt; the lake retries one whose commit
  conflicted with another writer's, a bounded number of times;
* ``reader()``: a read-only connection for ``sources``, ``report``, ``remove-source``.

:class:`FileTarget` calls exactly what the loop called before, so the file
target's behaviour is unchanged.  A lake run is never a journal-only no-op: its
record is one small commit, which costs what a no-op costs on the file.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import duckdb

from ..lock import WarehouseBusy, WarehouseLock
from .spec import LakeSpec, attach, holds_warehouse, parse
from .warehouse import LakeConflict, LakeWarehouse, unreadable

if TYPE_CHECKING:
    from ..config import RunConfig
    from ..freshness import Verdict
    from ..warehouse import Warehouse

RETRIES_ENV = "INGEST_LAKE_COMMIT_RETRIES"
DEFAULT_RETRIES = 4  # attempts after the first, with a growing random wait between them


class LakeBusy(WarehouseBusy):
    """A run's commit kept conflicting with other writers' until the retries ran out."""


class Target(Protocol):
    """What the run loop and the commands need of a storage target."""

    label: str  # how the summary names it
    # A run that changes nothing can be answered by ``check`` alone, without a writer
    # (the file: a journal entry).  A lake's run always commits its record, so the run
    # loop does not ask ``check`` first (the CLI still does, to skip Prefect).
    answers_noop: bool

    def lock(self) -> contextlib.AbstractContextManager[WarehouseLock | None]:
        """Held for the whole run (the file's writer lock; nothing for a lake)."""
        ...

    def check(self, cfg: RunConfig, until: Literal["change", "parse"]) -> Verdict:
        """Whether the run would change anything, read-only."""
        ...

    def open(self, lock: WarehouseLock | None, run_id: str) -> Warehouse:
        """The writer for one run (a context manager)."""
        ...

    def committing(self, attempt: Callable[[], None]) -> None:
        """Run ``attempt`` (open, load, publish), again when its commit conflicted."""
        ...

    def reader(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection | None]:
        """A read-only connection to the warehouse; None when there is none yet."""
        ...


class FileTarget:
    """The DuckDB file: exactly the calls the run loop made before targets existed."""

    answers_noop = True

    def __init__(self, db: str, lock_timeout: float) -> None:
        self.db = db
        self.label = db
        self.lock_timeout = lock_timeout

    def lock(self) -> contextlib.AbstractContextManager[WarehouseLock | None]:
        """The warehouse's advisory writer lock."""
        return WarehouseLock(self.db, timeout=self.lock_timeout)

    def check(self, cfg: RunConfig, until: Literal["change", "parse"]) -> Verdict:
        """:func:`ingest.freshness.check` on the file."""
        from ..freshness import check

        return check(cfg.sources, self.db, rehash=cfg.rehash, until=until, select=cfg.selection())

    def open(self, lock: WarehouseLock | None, run_id: str) -> Warehouse:
        """A private build of the file, published by an atomic rename."""
        from ..warehouse import Warehouse

        return Warehouse(self.db, lock=lock, lock_timeout=self.lock_timeout)

    def committing(self, attempt: Callable[[], None]) -> None:
        """Once: the lock makes the file's writer the only one."""
        attempt()

    @contextlib.contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """The file opened read-only (None when absent or unreadable)."""
        if not Path(self.db).is_file():
            yield None
            return
        try:
            con = duckdb.connect(self.db, read_only=True, config={"memory_limit": "64MB"})
        except duckdb.Error:
            yield None
            return
        with con:
            yield con


class LakeTarget:
    """A DuckLake: no lock, one snapshot per run, commits retried on conflict."""

    answers_noop = False

    def __init__(self, spec: LakeSpec) -> None:
        self.spec = spec
        self.label = f"lake {spec.label}"

    def lock(self) -> contextlib.AbstractContextManager[WarehouseLock | None]:
        """No lock: writers meet at the catalog's commit."""
        return contextlib.nullcontext(None)

    def check(self, cfg: RunConfig, until: Literal["change", "parse"]) -> Verdict:
        """Whether anything needs parsing; never a journal-only no-op (see the module doc)."""
        from ..freshness import Verdict, _check

        with self.reader() as con:
            if con is None:
                return Verdict()
            try:
                verdict = _check(con, cfg.sources, cfg.rehash, until, cfg.selection())
            except duckdb.Error:
                return Verdict()
        verdict.noop = False
        return verdict

    def open(self, lock: WarehouseLock | None, run_id: str) -> Warehouse:
        """The run's transaction on the lake."""
        return LakeWarehouse(self.spec, run_id)

    def committing(self, attempt: Callable[[], None]) -> None:
        """Run ``attempt``; after a conflicting commit wait a little (random, growing) and
        run it again from its plan, at most ``INGEST_LAKE_COMMIT_RETRIES`` more times."""
        retries = retry_limit()
        for n in range(retries + 1):
            try:
                attempt()
                return
            except LakeConflict as exc:
                if n == retries:
                    raise LakeBusy(
                        f"{self.label}: the run's commit conflicted with other writers "
                        f"{n + 1} times ({exc}); nothing of it was committed, try again "
                        f"later (or raise {RETRIES_ENV}, now {retries})"
                    ) from exc
                time.sleep(random.uniform(0.05, 0.2) * 2**n)

    @contextlib.contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """The lake attached read-only at its latest snapshot (None when it has no catalog,
        or a catalog without ingest's tables yet)."""
        if self.spec.kind != "postgres" and not Path(self.spec.where).is_file():
            yield None
            return
        con = duckdb.connect(config={"memory_limit": "64MB"})
        with con:
            try:
                attach(con, self.spec, read_only=True)
            except duckdb.Error as exc:
                if "creating a new ducklake is explicitly disabled" in str(exc).lower():
                    yield None  # a catalog database without a lake in it yet
                    return
                raise unreadable(self.spec, exc) from None
            yield con if holds_warehouse(con) else None  # None: no run has committed yet


def retry_limit() -> int:
    """``INGEST_LAKE_COMMIT_RETRIES`` (0 or more), else the default."""
    text = os.environ.get(RETRIES_ENV, "").strip()
    if not text:
        return DEFAULT_RETRIES
    from ..config import ConfigError

    if not text.isdigit():
        raise ConfigError(f"{RETRIES_ENV}={text!r}: give a whole number of retries (0 or more)")
    return int(text)


def target_for(cfg: RunConfig) -> Target:
    """The target ``cfg`` names: its lake when it has one, else its DuckDB file."""
    if cfg.lake:
        return LakeTarget(parse(cfg.lake, cfg.lake_data))
    return FileTarget(cfg.db, cfg.lock_timeout)


def target_from(db: str, lake: str | None, lake_data: str | None, lock_timeout: float) -> Target:
    """The target of a command's ``--db``/``--lake``/``--lake-data`` options (and the
    ``INGEST_LAKE``/``INGEST_LAKE_DATA`` environment)."""
    from .spec import from_options

    spec = from_options(lake, lake_data)
    return LakeTarget(spec) if spec else FileTarget(db, lock_timeout)

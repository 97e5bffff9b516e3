"""A pool of parse workers that outlives their deaths.

The budgets of :mod:`ingest.budgets` stop a document from inside the worker; when
that is not enough (the kernel's backstops fired, the out-of-memory killer chose a
worker, a parser crashed, someone sent SIGKILL) the worker dies, and Python's
process pool then fails *every* batch it holds with ``BrokenProcessPool``.  Here
that is recovered from, in the thread that waits for a batch:

* the pool is replaced once per death (a generation counter: every waiting thread
  sees the same broken pool, one of them replaces it);
* each failed batch is parsed again alone, in a fresh worker of its own, so nothing
  else can be blamed for what happens there.  Its worker writes the index of the
  document it is on to a small *trail* file; if that worker dies too, the document
  on the trail is the culprit: it gets a ``resource_limit`` (or ``worker_died``)
  error naming the signal, and the batch is parsed again with that document given
  its error unread, until it completes.  Documents of a batch that only shared the
  pool with the culprit are parsed and loaded as usual;
* staged Parquet files of a dead attempt are removed first (the loader takes every
  file of the stage), so no row is loaded twice.

Deaths are rare, so the retries are sequential and simple rather than fast.  A
worker that dies outside any document twice (while validating or staging) is a
failure of the run, not of a document, and is raised.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from . import interrupts
from .batch import BatchResult, Guarding, process_batch, read_trail
from .discover import SourceFile
from .errors import Issue
from .failures import UNCHANGED, RunFailure
from .limits import Limits

# Signals a worker dies of when a budget's backstop, or the kernel, stops it.
_WHY: dict[int, str] = {
    int(signal.SIGKILL): (
        "killed (SIGKILL: the kernel's out-of-memory killer, or a kill); "
        "the memory budget max_parse_memory_mb could not stop it in time"
    ),
    int(signal.SIGXCPU): (
        "killed by the kernel past the CPU backstop (SIGXCPU: 3 x max_parse_seconds); "
        "the time budget max_parse_seconds could not stop it in time"
    ),
}
_MAX_STRAY_DEATHS = 2  # deaths outside any document before the run gives up


class WorkerDeath(RunFailure):
    """Parse workers kept dying outside any document: a failure of the run (one line,
    exit code 1)."""


class Supervised:
    """Batches run on a pool of ``workers`` parse workers, replaced when one dies."""

    def __init__(self, workers: int, limits: Limits) -> None:
        from .workers import process_pool

        self.workers = workers
        self.limits = limits
        self._new_pool = process_pool
        self._pool = process_pool(workers)
        self._generation = 0
        self._lock = threading.Lock()
        self._live: set[ProcessPoolExecutor] = {self._pool}
        try:
            self._trails: str | None = tempfile.mkdtemp(prefix="ingest-trails-")
        except OSError:  # no room for trails: a death then blames no document
            self._trails = None
        self.replaced = 0  # pools replaced after a death

    def submit_batch(
        self,
        files: list[SourceFile],
        run_id: str,
        stage: str | None = None,
        *,
        to_arrow: bool = True,
    ) -> Job:
        """Start parsing ``files``; :meth:`Job.result` waits (and recovers)."""
        return Job(self, files, run_id, stage, to_arrow)

    def _submit(self, job: Job) -> tuple[int, Future[BatchResult]]:
        with self._lock:
            gen, pool = self._generation, self._pool
        return gen, job.submit_to(pool, self.limits, {})

    def _replace(self, generation: int) -> None:
        """Replace the pool if it is still the one of ``generation`` (it broke)."""
        from .workers import kill

        with self._lock:
            if generation != self._generation:
                return
            old = self._pool
            self._pool = self._new_pool(self.workers)
            self._live.add(self._pool)
            self._live.discard(old)
            self._generation += 1
            self.replaced += 1
        kill(old)

    def recover(self, job: Job) -> BatchResult:
        """The batch of ``job`` after its pool broke: alone in fresh workers until it
        completes, each document that killed one given its error."""
        interrupts.check()  # the workers were killed to stop the run: no recovery
        self._replace(job.generation)
        verdicts: dict[int, Issue] = {}
        stray = 0
        while True:
            interrupts.check()
            job.discard()
            result, exitcode = self._alone(job, verdicts)
            if result is not None:
                return result
            at = read_trail(job.trail) if job.trail else None
            if at is None or at >= len(job.files) or at in verdicts:
                stray += 1
                if stray >= _MAX_STRAY_DEATHS:
                    raise WorkerDeath(
                        f"parse workers died {stray} times outside any document, the "
                        f"last {describe(exitcode)}; stopped, and {UNCHANGED}"
                    )
                continue
            verdicts[at] = death_issue(exitcode, job.files[at].source_path)

    def _alone(self, job: Job, verdicts: dict[int, Issue]) -> tuple[BatchResult | None, int | None]:
        """Run ``job`` in a worker of its own: (result, None), or (None, its exit code)."""
        from .workers import kill

        pool = self._new_pool(1)
        self._live.add(pool)
        try:
            fut = job.submit_to(pool, self.limits, verdicts)
            # Taken now: once the pool breaks, its manager thread may empty its table
            # of processes before the exit code is read (the death then had no cause).
            procs = _processes(pool)
            try:
                return fut.result(), None
            except BrokenProcessPool:
                return None, _exitcode(procs or _processes(pool))
        finally:
            self._live.discard(pool)
            kill(pool)

    def kill(self) -> None:
        """SIGKILL every worker of every pool (from any thread; see ``interrupts.on_stop``)."""
        from .workers import kill_processes

        for pool in list(self._live):
            kill_processes(pool)

    def close(self, *, wait: bool) -> None:
        """Shut the pools down (waiting for their work, or killing it)."""
        from .workers import kill

        for pool in list(self._live):
            if wait:
                pool.shutdown(wait=True)
            else:
                kill(pool)
        if self._trails:
            shutil.rmtree(self._trails, ignore_errors=True)


class Job:
    """One batch on a :class:`Supervised` pool."""

    def __init__(
        self,
        sup: Supervised,
        files: list[SourceFile],
        run_id: str,
        stage: str | None,
        to_arrow: bool,
    ) -> None:
        self.sup, self.files, self.run_id = sup, files, run_id
        self.stage, self.to_arrow = stage, to_arrow
        self.key = uuid.uuid4().hex
        self.trail = os.path.join(sup._trails, self.key) if sup._trails else None
        self.generation, self.future = sup._submit(self)

    def submit_to(
        self, pool: ProcessPoolExecutor, limits: Limits, verdicts: dict[int, Issue]
    ) -> Future[BatchResult]:
        """This batch on ``pool``, every document under ``limits`` and the backstops,
        the documents of ``verdicts`` given their error unread."""
        guarding = Guarding(hard=True, trail=self.trail, verdicts=dict(verdicts), key=self.key)
        return pool.submit(
            process_batch, self.files, self.run_id, limits, self.to_arrow, self.stage, guarding
        )

    def result(self) -> BatchResult:
        """Wait for the batch; if its pool broke meanwhile, run it again through
        :meth:`Supervised.recover`."""
        try:
            return self.future.result()
        except BrokenProcessPool:
            return self.sup.recover(self)

    def discard(self) -> None:
        """Remove what a dead attempt of this batch may have staged."""
        if self.stage:
            for path in glob.glob(str(Path(self.stage) / f"{self.key}-*.parquet")):
                with contextlib.suppress(OSError):
                    os.unlink(path)


def _processes(pool: ProcessPoolExecutor) -> list[Any]:
    """The pool's worker processes as of now."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _exitcode(procs: list[Any]) -> int | None:
    """The first abnormal exit code among ``procs`` (waiting a little for each)."""
    for proc in procs:
        proc.join(timeout=2)
        if proc.exitcode not in (None, 0, -signal.SIGTERM):
            return int(proc.exitcode)
    return None


def describe(exitcode: int | None) -> str:
    """A worker's end in words: the signal's name, or the exit code."""
    if exitcode is None:
        return "ended abruptly"
    if exitcode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-exitcode).name}"
    return f"exited with code {exitcode}"


def death_issue(exitcode: int | None, source_path: str) -> Issue:
    """The error of a document a worker died on while parsing it alone."""
    why = _WHY.get(-(exitcode or 0))
    if why is not None:  # the kernel enforcing a budget: the budget's code
        return Issue("parse", "resource_limit", source_path, _died(why))
    return Issue("parse", "worker_died", source_path, _died(describe(exitcode)))


def _died(why: str) -> str:
    return (
        f"a parse worker died while parsing this document alone: {why}; "
        "the worker was replaced and the rest of its batch parsed again"
    )


@contextlib.contextmanager
def supervised(workers: int, limits: Limits) -> Iterator[Supervised]:
    """A :class:`Supervised` pool, shut down normally after the block and killed at
    once when the block ends with an exception (an error, Ctrl-C, SIGTERM)."""
    sup = Supervised(workers, limits)
    try:
        with interrupts.on_stop(sup.kill):
            yield sup
    except BaseException:
        sup.close(wait=False)
        raise
    sup.close(wait=True)

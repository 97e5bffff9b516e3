"""The process pool that parses batches: workers forked from a lean, warm fork server.

Forking the loader directly (the default on Linux) hands every worker a copy of
whatever the loader holds at that moment: Prefect's threads and client, the
warehouse connection and its DuckDB pages.  Those pages count in each worker's
RSS, and the later the pool starts the more there are.  A ``forkserver`` is
started once from a fresh interpreter that imports only the parsing code, and
each worker is forked from it: workers start in milliseconds, share the
imported libraries' pages, and carry nothing of the loader.

:func:`start` launches that server early, as a run begins: its imports (pandas,
pandera and the schemas built from the contract, the parsers: ~1 s of CPU) then
happen on another core while the run copies the warehouse and plans, instead of
after, and the loader itself never imports them.

Workers ignore Ctrl-C (the leader decides, see :mod:`ingest.interrupts`) and die
with the fork server, which dies with the leader: a leader killed outright leaves
no worker behind.  A run that stops on an error or a signal kills its workers
rather than waiting for their batches.  A run's pool (:func:`running_pool`) is
supervised: every document is parsed under the time and memory budgets
(:mod:`ingest.budgets`), and a worker that dies anyway is replaced and the document
it died on quarantined (:mod:`ingest.supervise`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver, resource_tracker
from typing import TYPE_CHECKING

from . import interrupts

if TYPE_CHECKING:
    from .limits import Limits
    from .supervise import Supervised

# What a worker needs; imported once in the fork server, shared by every worker.
_QUIET_TRACKER = "ignore:resource_tracker:UserWarning"
_PRELOAD = ["ingest.forkserver_guard", "ingest.batch", "ingest.worker_init"]
# The collector's thresholds in parse workers (set by worker_init): a young collection
# every 10,000 allocations instead of Python's 700, the older generations as usual.
GC_THRESHOLD = (10_000, 10, 10)


def _context() -> multiprocessing.context.ForkServerContext:
    # The resource tracker inherits these: after a leader killed outright it cleans up
    # the pool's semaphores, as it should, without a warning on the user's terminal.
    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def start() -> None:
    """Launch the fork server now (once per process); returns without waiting for it.

    SIGINT is blocked while it and the resource tracker are launched: they inherit the
    mask, so a Ctrl-C landing while they boot cannot abort their start-up with a
    traceback on the user's terminal (the leader gets it once unblocked)."""
    _context()
    # First the tracker: launching it unblocks SIGINT (it blocks and unblocks it itself).
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _worker_start() -> None:
    interrupts.ignore_sigint()
    interrupts.die_with_parent()  # the fork server, which forked this worker
    # A worker stopped by a budget's backstop (SIGXCPU) must not leave a core file.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A bare pool of ``workers`` processes forked from the fork server (parser modules
    preloaded; workers ignore Ctrl-C, die with their parent and write no core files). Not
    supervised: :func:`running_pool` is the one runs use."""
    start()  # a no-op when the run already started it
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_worker_start
    )


@contextlib.contextmanager
def running_pool(workers: int, limits: Limits | None = None) -> Iterator[Supervised]:
    """A pool of parse workers for a run's batches (``submit_batch``), each document
    under ``limits``' budgets (by default :func:`ingest.limits.from_env`, read here in
    the leader), replaced when a worker dies (:mod:`ingest.supervise`).  It is shut down
    normally after the block, and killed at once when the block ends with an exception
    (an error elsewhere, Ctrl-C, SIGTERM): nothing waits for batches whose results
    nobody will use."""
    from .limits import from_env
    from .supervise import supervised

    with supervised(workers, limits or from_env()) as sup:
        yield sup


def kill_processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """SIGKILL the pool's workers (safe from another thread: waiting futures then fail
    with ``BrokenProcessPool``); returns them."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.kill()
    return procs


def kill(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: cancel what is queued, SIGKILL the workers, reap them."""
    procs = kill_processes(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(timeout=2)

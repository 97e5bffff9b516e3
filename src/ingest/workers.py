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
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

# What a worker needs; imported once in the fork server, shared by every worker.
_PRELOAD = ["ingest.batch", "ingest.worker_init"]


def _context() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def start() -> None:
    """Launch the fork server now (once per process); returns without waiting for it."""
    _context()
    forkserver.ensure_running()


def process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context())

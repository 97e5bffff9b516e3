"""The process pool that parses batches: workers forked from a lean fork server.

Forking the loader directly (the default on Linux) hands every worker a copy of
whatever the loader holds at that moment: Prefect's threads and client, the
warehouse connection and its DuckDB pages.  Those pages count in each worker's
RSS, and the later the pool starts the more there are.  A ``forkserver`` is
started once from a fresh interpreter that imports only the parsing code, and
each worker is forked from it: workers start in milliseconds, share the
imported libraries' pages, and carry nothing of the loader.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

# Workers yield the CPU to the loader: it is the run's one serial stage (a single
# DuckDB writer), and each moment it waits behind a parse worker the pipeline stalls.
WORKER_NICENESS = 5
# What a worker needs; imported once in the fork server, shared by every worker.
_PRELOAD = ["ingest.batch", "ingest.document", "ingest.validate"]


def process_pool(workers: int) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=os.nice, initargs=(WORKER_NICENESS,)
    )

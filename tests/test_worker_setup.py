"""Parse workers start with the collector set for parsing (see :mod:`ingest.worker_init`).

The imported libraries are frozen out of the collector's sight in the fork server and
the young generation's threshold raised; a worker forked from it must have both, or
each full collection walks every imported object again (~15% of a worker's CPU).
"""

from __future__ import annotations

import gc

from ingest import workers


def test_workers_inherit_frozen_imports_and_the_threshold() -> None:
    with workers.process_pool(1) as pool:
        threshold = pool.submit(gc.get_threshold).result()
        frozen = pool.submit(gc.get_freeze_count).result()
    assert threshold == workers.GC_THRESHOLD != gc.get_threshold()  # not this process's
    assert frozen > 10_000  # pandas, pandera, pyarrow, the parsers: far more than this

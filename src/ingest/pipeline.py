"""The run loop, owned by the library: plan -> parse batches -> load -> finish -> publish.

There is one loop, :func:`run`, and it does not know who parses.  It takes an
*executor factory*: given the config and the plan, it yields something with
``submit(files, run_id, stage)``, ``result(handle)`` and ``inflight``.  The Prefect flow
(:mod:`ingest.prefect.flow`) passes task submission on its task runner (a
process pool, or Dask through prefect-dask); ``ingest run --no-prefect`` and
library callers get :func:`local_executor` (a process pool of warm workers);
``--no-prefect --task-runner dask`` gets a Dask client.  Everything else (the
warehouse build, the plan, the loader, the bookkeeping, the summary) is the same
code whoever orchestrates.

Memory stays flat with corpus size: the plan keeps only the exceptions, in the
warehouse build (:mod:`ingest.plan`), batches are bounded in count and bytes, at
most ``inflight`` are pending, and workers stage their rows on disk for the
loader's bulk insert (:mod:`ingest.load`).  A run that would change nothing is
only journaled (:mod:`ingest.journal`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from . import PARSER_VERSION, drift, interrupts, journal, limits, metrics, search_index, workers
from .batch import BatchResult, process_batch
from .config import RunConfig, Source
from .discover import SourceFile
from .finish import record_run, record_sources, remove_missing, remove_source, requarantine
from .freshness import Verdict
from .lake.target import FileTarget, Target, target_for
from .load import Loader
from .lock import WarehouseLock
from .plan import RunPlan, iter_batches, plan_run
from .progress import Progress
from .sources import UnknownSource, check_names
from .summary import RunSummary
from .supervise import Job, Supervised
from .warehouse import Warehouse, WarehouseBusy
from .workers import running_pool

__all__ = [
    "BatchExecutor",
    "RunConfig",
    "RunPlan",
    "RunSummary",
    "Source",
    "WarehouseBusy",
    "local_executor",
    "remove_source_run",
    "run",
    "run_pipeline",
]


class BatchExecutor(Protocol):
    """Where parse batches run.  ``submit`` must not block for long; ``result`` waits.
    ``stage`` is the run's folder for the rows as Parquet (see :mod:`ingest.load`); an
    executor whose workers cannot write there passes ``None`` on, and the loader
    writes the returned Arrow tables itself."""

    inflight: int  # batches kept pending at most

    def submit(self, files: list[SourceFile], run_id: str, stage: str) -> Any:
        """Start the batch of ``files``; returns a handle for :meth:`result`."""
        ...

    def result(self, handle: Any) -> BatchResult:
        """Wait for the batch of ``handle`` and return what it parsed."""
        ...


ExecutorFactory = Callable[[RunConfig, RunPlan], contextlib.AbstractContextManager[BatchExecutor]]
PlanStep = Callable[[RunConfig, Warehouse, str], RunPlan]


def new_run_id() -> str:
    return uuid.uuid4().hex


def run(
    cfg: RunConfig,
    executor: ExecutorFactory,
    *,
    run_id: str | None = None,
    progress: Progress | None = None,
    plan: PlanStep = plan_run,
    orchestration: str = "library",
    lock: WarehouseLock | None = None,
    verdict: Verdict | None = None,
) -> RunSummary:
    """One run of ``cfg``'s sources into ``cfg.db``; returns what it did.

    ``lock``/``verdict``: a caller that already holds the warehouse lock and checked
    the sources under it (the CLI, deciding whether to start Prefect) passes both."""
    t_start, cpu_start = time.perf_counter(), time.process_time()
    limits.from_env()  # a bad INGEST_MAX_... is a usage error before anything is touched
    search_index.memory_mb()  # and so is a bad INGEST_SEARCH_MEMORY_LIMIT
    run_id = run_id or new_run_id()
    target = target_for(cfg)
    summary = RunSummary(
        run_id, db=target.label, sources=cfg.source_names, orchestration=orchestration
    )
    with contextlib.ExitStack() as stack:
        if lock is None:
            lock = stack.enter_context(target.lock())
            verdict = None  # a check made without this lock proves nothing
        if verdict is None and target.answers_noop:
            t0 = time.perf_counter()
            verdict = target.check(cfg, "change")
            summary.timings["check"] = time.perf_counter() - t0
        if verdict is not None and verdict.noop:
            _record_noop(cfg, verdict, summary, started=t_start)
        else:
            base = copy.deepcopy(summary)

            def attempt() -> None:
                summary.__dict__.update(copy.deepcopy(base).__dict__)  # a retry starts afresh
                _build(cfg, executor, summary, progress or Progress(enabled=False), plan, lock)

            target.committing(attempt)
    summary.timings["flow"] = time.perf_counter() - t_start
    summary.timings["leader_cpu"] = time.process_time() - cpu_start
    return summary


def _build(
    cfg: RunConfig,
    executor: ExecutorFactory,
    summary: RunSummary,
    progress: Progress,
    plan: PlanStep,
    lock: WarehouseLock | None,
) -> None:
    """The run proper: private build (or lake transaction), plan, parse and load, finish,
    publish."""
    run_id = summary.run_id
    if cfg.task_runner == "process":
        workers.start()  # its imports overlap the copy and the plan, on another core
    with target_for(cfg).open(lock, run_id) as wh:
        check_names(wh.connection(), cfg.sources)
        t0 = time.perf_counter()
        the_plan = plan(cfg, wh, run_id)
        summary.timings["plan"] = time.perf_counter() - t0
        progress.start(the_plan.to_parse)
        t0 = time.perf_counter()
        with Loader(wh) as loader:
            with executor(cfg, the_plan) as ex:
                batches = iter_batches(
                    wh, cfg.batch_size, total=the_plan.to_parse, workers=cfg.workers
                )
                for res in _bounded(ex, batches, run_id, loader.stage):
                    loader.add(res)
                    summary.add(res)
                    progress.update(len(res.outcomes))
                    res.release()
            progress.close()
            summary.timings["parse_phase"] = time.perf_counter() - t0
        summary.timings["parse_wall"] = time.perf_counter() - t0  # parsing and loading
        summary.timings["load"] = loader.seconds
        summary.timings["load_cpu"] = loader.cpu
        summary.rows = loader.rows
        _finish(wh, cfg, the_plan, summary)
        _measure(wh, cfg, summary)
        cpu0 = time.process_time()
        wh.publish()
        summary.timings.update(wh.timings)
        summary.timings["publish_cpu"] = time.process_time() - cpu0  # DuckDB's threads too
        summary.copy_method = wh.copy_method
        if wh.snapshot_id is not None:
            summary.db = f"{summary.db} @ snapshot {wh.snapshot_id}"


def _record_noop(cfg: RunConfig, verdict: Verdict, summary: RunSummary, started: float) -> None:
    """Nothing to write but the run's record: into the journal, not a copied warehouse."""
    summary.seen, summary.unchanged = verdict.seen, verdict.unchanged
    summary.quarantined = verdict.quarantined
    summary.problems.extend(verdict.problems)
    summary.skipped = verdict.skipped
    summary.recorded = "journal"
    finished = datetime.now(UTC)
    journal.record(
        cfg.db,
        {
            "run_id": summary.run_id,
            "action": "run",
            "source_names": json.dumps(cfg.source_names),
            "started_at": finished - timedelta(seconds=time.perf_counter() - started),
            "finished_at": finished,
            "files_seen": verdict.seen,
            "loaded": 0,
            "unchanged": verdict.unchanged,
            "quarantined": verdict.quarantined,
            "removed": 0,
            "parser_version": PARSER_VERSION,
            "sources": json.dumps([s.root for s in cfg.sources]),
        },
    )


def _bounded(
    ex: BatchExecutor, batches: Iterable[list[SourceFile]], run_id: str, stage: str
) -> Iterator[BatchResult]:
    """Submit batches keeping at most ``ex.inflight`` pending; yield results in order."""
    pending: deque[Any] = deque()
    for b in batches:
        interrupts.check()
        pending.append(ex.submit(b, run_id, stage))
        if len(pending) >= ex.inflight:
            yield ex.result(pending.popleft())
    while pending:
        interrupts.check()
        yield ex.result(pending.popleft())


def _finish(wh: Warehouse, cfg: RunConfig, plan: RunPlan, summary: RunSummary) -> None:
    if plan.requarantine:
        again = requarantine(wh, plan.run_id, cfg.source_names)
        summary.quarantined += len(again)
        summary.problems.extend(again)
    summary.unchanged = plan.unchanged
    summary.removed = remove_missing(wh) if plan.gone else 0
    summary.seen = plan.seen
    summary.skipped = plan.skipped
    record_sources(wh, cfg.sources, plan.run_id)
    record_run(
        wh,
        run_id=plan.run_id,
        action="run",
        started_at=plan.started_at,
        counts=summary.counts(),
        sources=cfg.sources,
    )


def _measure(wh: Warehouse, cfg: RunConfig, summary: RunSummary) -> None:
    """Record the run's quality metrics in the build and check them for drift against the
    trailing runs.  With ``strict`` settings a drifting run is not published: the build is
    discarded (write, audit, publish), so the live warehouse and its history stay as they
    were and the next run is checked against the same history."""
    t0 = time.perf_counter()
    settings = drift.settings_from(cfg.drift)
    # Grouping every document's counts (and counting an old warehouse's once) needs more
    # than the loader's small limit: the budget of the other set-based steps.
    with wh.bulk_memory(wh.count("source_files")):
        rows = metrics.measure(wh, summary.run_id, cfg.source_names)
        past = metrics.history(wh.connection(), cfg.source_names, limit_runs=settings.window)
    metrics.record(wh, rows)
    summary.drift = drift.check(rows, past, settings)
    summary.timings["metrics"] = time.perf_counter() - t0
    if summary.drift and settings.strict:
        raise drift.DriftFailure(summary)


# -- executors without Prefect -------------------------------------------------------------
class _Inline:
    inflight = 1

    def submit(self, files: list[SourceFile], run_id: str, stage: str) -> BatchResult:
        return process_batch(files, run_id, stage=stage)

    def result(self, handle: BatchResult) -> BatchResult:
        return handle


class _Futures:
    """Any executor whose ``submit`` returns a future with ``result()``."""

    def __init__(self, submit: Callable[..., Any], inflight: int, *, local: bool) -> None:
        self._submit = submit
        self.inflight = inflight
        self.local = local  # workers can write to the stage folder
        self.limits = limits.from_env()  # read here, in the leader, sent with each batch

    def submit(self, files: list[SourceFile], run_id: str, stage: str) -> Any:
        stage_or_none = stage if self.local else None
        return self._submit(process_batch, files, run_id, self.limits, stage=stage_or_none)

    def result(self, handle: Any) -> BatchResult:
        result: BatchResult = handle.result()
        return result


class _Supervised:
    """Batches on a pool of parse workers that survives their deaths."""

    def __init__(self, pool: Supervised, inflight: int) -> None:
        self._pool = pool
        self.inflight = inflight

    def submit(self, files: list[SourceFile], run_id: str, stage: str) -> Job:
        return self._pool.submit_batch(files, run_id, stage)

    def result(self, handle: Job) -> BatchResult:
        return handle.result()


@contextlib.contextmanager
def local_executor(cfg: RunConfig, plan: RunPlan) -> Iterator[BatchExecutor]:
    """Parse on a process pool of up to ``cfg.workers`` (or a Dask cluster with
    ``task_runner='dask'``); nothing is started when there is nothing to parse."""
    if cfg.task_runner == "dask":
        with _dask_client(cfg) as client:
            submit = functools.partial(client.submit, pure=False)
            yield _Futures(submit, 2 * cfg.workers, local=False)
        return
    if not plan.to_parse:
        yield _Inline()
        return
    # Even one batch goes to a worker: the fork server has its imports ready, and the
    # loader stays free of pandas and pandera (~1 s and ~100 MB it would pay here).
    # Each document is parsed under the budgets of ingest.limits.from_env (read here, in
    # the leader); a worker that dies is replaced and its document found (supervise).
    with running_pool(min(cfg.workers, -(-plan.to_parse // cfg.batch_size))) as pool:
        yield _Supervised(pool, 2 * cfg.workers)


@contextlib.contextmanager
def _dask_client(cfg: RunConfig) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if cfg.dask_address:
        with Client(cfg.dask_address) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=cfg.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_pipeline(
    cfg: RunConfig, progress: Progress | None = None, run_id: str | None = None
) -> RunSummary:
    """The whole run without Prefect (``ingest run --no-prefect``, scripts, tests)."""
    return run(cfg, local_executor, run_id=run_id, progress=progress)


def remove_source_run(
    db: str, name: str, *, lock_timeout: float = 60.0, target: Target | None = None
) -> RunSummary:
    """Remove source ``name`` and all its documents in one published change, recorded in
    ``ingest_runs`` (``action = 'remove-source'``).  Raises :class:`UnknownSource` for a
    name the warehouse does not hold.  ``target``: a lake (default: the file ``db``)."""
    t_start = time.perf_counter()
    started = datetime.now(UTC)
    target = target or FileTarget(db, lock_timeout)
    run_id = new_run_id()
    summary = RunSummary(run_id, db=target.label, sources=[name], orchestration="library")
    with target.lock() as lock, target.open(lock, run_id) as wh:
        row = wh.query("SELECT root FROM sources WHERE source = ?", [name])
        if not row:
            known = [r[0] for r in wh.query("SELECT source FROM sources ORDER BY source")]
            raise UnknownSource(
                f"no source named {name!r} in {target.label} (sources: {', '.join(known) or 'none'})"
            )
        summary.removed = remove_source(wh, name)
        record_run(
            wh,
            run_id=summary.run_id,
            action="remove-source",
            started_at=started,
            counts=summary.counts(),
            sources=[Source(name, str(row[0][0]), named=True)],
        )
        wh.publish()
        summary.timings.update(wh.timings)
    summary.timings["flow"] = time.perf_counter() - t_start
    return summary

"""The Prefect flow: the library's run loop with Prefect tasks as its executor.

    plan (task, retried: file-system I/O)
      -> parse-batch tasks on the task runner (threads feeding a process pool, or
         a Dask cluster through prefect-dask), <= 2 x workers in flight
      -> the loader, in the flow process (a DuckDB connection cannot travel)
      -> finish + atomic publish -> run summary artifact

The loop itself is :func:`ingest.pipeline.run`; this module only says how a batch
is submitted.  Parsing is pure and deterministic, so it is not retried; batches
(not single documents) are the unit of orchestration because each task run costs
tens of milliseconds of API traffic.  Unchanged files are skipped by content hash
before any task is submitted, which is the cache that matters here.

No ``from __future__ import annotations`` here: a served run starts in a fresh
process that receives the flow function by cloudpickle, which keeps only the
globals the function's body uses, so a string annotation ``"RunConfig"`` could
not be resolved there and every scheduled run failed validating its parameter.
"""

import contextlib
import os
from collections.abc import Iterator
from typing import Any, cast

from .settings import quiet_prefect

quiet_prefect()

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from .. import interrupts  # noqa: E402
from ..batch import BatchResult, process_batch  # noqa: E402
from ..config import RunConfig  # noqa: E402
from ..discover import SourceFile  # noqa: E402
from ..drift import DriftFailure  # noqa: E402
from ..pipeline import BatchExecutor, new_run_id, run  # noqa: E402
from ..plan import RunPlan, plan_run  # noqa: E402
from ..progress import Progress  # noqa: E402
from ..summary import RunSummary  # noqa: E402
from ..supervise import Supervised  # noqa: E402
from ..warehouse import Warehouse  # noqa: E402
from ..workers import running_pool  # noqa: E402
from .server import TemporaryServer  # noqa: E402

plan_task = task(name="plan", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)(plan_run)
# On Dask the task body runs on a Dask worker: parse right there.
parse_batch = task(name="parse-batch", cache_policy=NO_CACHE)(process_batch)

_POOL: Supervised | None = None


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch_local(files: list[SourceFile], run_id: str, stage: str) -> BatchResult:
    """On one machine: the task runs in a thread and hands the batch to a process pool,
    so parsing uses every core while task state stays in this process (no Prefect
    import or API client in each worker).  Rows go to the run's stage as Parquet."""
    if _POOL is None:
        return process_batch(files, run_id, stage=stage)
    return _POOL.submit_batch(files, run_id, stage).result()


class _Tasks:
    """Batches submitted as Prefect tasks on the flow's task runner."""

    def __init__(self, cfg: RunConfig) -> None:
        self.dask = cfg.task_runner == "dask"
        self.inflight = max(2, 2 * cfg.workers)

    def submit(self, files: list[SourceFile], run_id: str, stage: str) -> Any:
        if self.dask:  # a Dask worker may be another machine: its rows come back as Arrow
            # (and prefect-dask does not unwrap quote(); shipping dwarfs the walk).
            return parse_batch.submit(files, run_id)
        # quote() spares Prefect walking each file list looking for futures.
        return parse_batch_local.submit(cast(Any, quote(files)), run_id, stage)

    def result(self, handle: Any) -> BatchResult:
        result: BatchResult = handle.result()
        return result


@contextlib.contextmanager
def task_executor(cfg: RunConfig, plan: RunPlan) -> Iterator[BatchExecutor]:
    """The flow's executor of parse batches as Prefect tasks: with the process task runner (and
    anything to parse), a pool of parse workers sized to the batches, open for the block and
    shut when it ends; with Dask, the cluster's workers instead."""
    global _POOL
    if cfg.task_runner == "dask" or not plan.to_parse:
        yield _Tasks(cfg)
        return
    # Even one batch goes to a worker: the loader stays free of the parsers' imports.
    with running_pool(min(cfg.workers, -(-plan.to_parse // cfg.batch_size))) as pool:
        _POOL = pool
        try:
            yield _Tasks(cfg)
        finally:
            _POOL = None


def _plan(cfg: RunConfig, wh: Warehouse, run_id: str) -> RunPlan:
    # The plan lives in the build's work table; the task returns counts only.
    return plan_task(cfg, cast(Any, quote(wh)), run_id)


def build_task_runner(cfg: RunConfig) -> TaskRunner[Any]:
    """Threads feeding a process pool on this machine, or a Dask cluster via prefect-dask."""
    if cfg.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if cfg.dask_address:
            return DaskTaskRunner(address=cfg.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": cfg.workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    return ThreadPoolTaskRunner(max_workers=max(2, 2 * cfg.workers))


_DEFAULT_RUNNER: TaskRunner[Any] = ThreadPoolTaskRunner()


@flow(name="ingest", task_runner=_DEFAULT_RUNNER, log_prints=False)
def ingest_flow(config: RunConfig, show_progress: bool = False) -> RunSummary:
    """Load the configured sources into the DuckDB warehouse."""
    with interrupts.own_sigterm():  # see ingest.interrupts: handlers that never raise
        try:
            summary = run(
                config,
                task_executor,
                run_id=_flow_run_id(),
                progress=Progress(enabled=show_progress),
                plan=_plan,
                orchestration="prefect",
            )
        except DriftFailure as exc:  # strict drift: the flow fails, its summary still shows
            _artifact(exc.summary, failed=str(exc))
            raise
    _artifact(summary)
    return summary


def _artifact(summary: RunSummary, failed: str = "") -> None:
    markdown = summary.as_markdown()
    if failed:
        markdown = f"**Run failed, not published:** {failed}\n\n{markdown}"
    create_markdown_artifact(
        key="ingest-run-summary",
        markdown=markdown,
        description=f"ingest run {summary.run_id}",
    )


def _flow_run_id() -> str:
    from prefect.runtime import flow_run

    rid = flow_run.get_id()
    return str(rid).replace("-", "") if rid else new_run_id()


@contextlib.contextmanager
def prefect_api(server: TemporaryServer | None = None) -> Iterator[dict[str, float]]:
    """Use ``PREFECT_API_URL`` when set; otherwise a temporary local server (``server``,
    if the caller started one early, else a new one), with this process and every worker
    it starts pointed at it.  Yields timings: ``prefect_startup`` (seconds the run waited
    for the server) and ``prefect_server_boot`` (launch to healthy)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:  # a real server, or a test harness
        if server is not None:
            server.stop()  # started early for nothing: a profile names a server
        had = "PREFECT_API_URL" in os.environ
        os.environ.setdefault("PREFECT_API_URL", configured)  # inherited by workers
        try:
            yield {"prefect_startup": 0.0}
        finally:
            if not had:
                os.environ.pop("PREFECT_API_URL", None)
        return

    if server is None:
        server = TemporaryServer()
    if server.proc is None:
        server.start()
    try:
        server.wait(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
        os.environ["PREFECT_API_URL"] = server.api_url  # inherited by worker processes
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            try:
                yield {
                    "prefect_startup": server.waited_seconds,
                    "prefect_server_boot": server.boot_seconds,
                }
            finally:
                _drain_prefect_services()
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


def _drain_prefect_services() -> None:
    """Deliver queued logs and events before the temporary server stops; otherwise
    Prefect's background workers report a failed delivery at exit."""
    from prefect._internal.concurrency.services import QueueService
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogHandler

    with contextlib.suppress(Exception):
        APILogHandler().flush()
    for service in (EventsWorker, QueueService):
        with contextlib.suppress(Exception):
            service.drain_all(timeout=10, at_exit=False)


def run_flow(
    cfg: RunConfig, show_progress: bool = False, server: TemporaryServer | None = None
) -> RunSummary:
    """Run the flow once, with the task runner the configuration asks for."""
    with prefect_api(server) as startup:
        configured = ingest_flow.with_options(task_runner=build_task_runner(cfg))
        result: RunSummary = configured(config=cfg, show_progress=show_progress)
    result.timings.update(startup)
    return result

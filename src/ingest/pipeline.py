"""Runs: plan (discover, hash, compare with the warehouse), parse batches, load, publish.

The pieces are plain functions so the Prefect flow in ``flows/`` can wrap each in a
task, and :func:`run_pipeline` runs the very same steps with a local process pool
when Prefect is not wanted (``ingest run --no-prefect``, benchmarks measuring
orchestration overhead).  Memory stays flat with corpus size: the plan lives in
the warehouse build (:mod:`ingest.plan`), batches are bounded in count and bytes,
at most ``2 x workers`` are in flight, and each is loaded and dropped as soon as
it returns.  The CLI also calls :func:`run_pipeline` for a run with nothing to
parse (see :mod:`ingest.freshness`): the steps are the flow's, minus Prefect.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import PARSER_VERSION
from .batch import BatchResult, process_batch
from .discover import SourceFile
from .errors import Issue
from .plan import RunPlan, duplicate_issues, iter_batches, plan_run
from .progress import Progress
from .warehouse import Warehouse, WarehouseBusy
from .workers import process_pool

__all__ = ["RunConfig", "RunPlan", "RunSummary", "WarehouseBusy", "plan_run", "run_pipeline"]

DEFAULT_BATCH = 500  # measured at 10k: 250 -> 500 cut parse+load ~18% and halved per-task overhead


@dataclass
class RunConfig:
    sources: list[str]
    db: str = "warehouse/ingest.duckdb"
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    batch_size: int = DEFAULT_BATCH
    task_runner: str = "process"  # process | dask
    dask_address: str | None = None
    lock_timeout: float = 60.0
    rehash: bool = False  # hash every file even when size and mtime are unchanged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunConfig:
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass
class RunSummary:
    run_id: str
    seen: int = 0
    loaded: int = 0
    unchanged: int = 0
    quarantined: int = 0
    removed: int = 0
    families: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)
    warnings: int = 0
    problems: list[Issue] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    n_bytes: int = 0
    db: str = ""
    # How the run was carried out: "prefect" (the flow), "library" (--no-prefect), or
    # "up-to-date" (nothing to parse, so the CLI finished it without Prefect).
    orchestration: str = "library"

    def add(self, batch: BatchResult) -> None:
        for o in batch.outcomes:
            if o.error:
                self.quarantined += 1
                self.problems.append(o.error)
            else:
                self.loaded += 1
                self.families[o.family or "generic"] += 1
                self.repairs.update(o.repair_rules)
                self.warnings += len(o.warnings)
        for stage, secs in batch.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + secs
        self.n_bytes += batch.n_bytes

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "removed": self.removed,
        }

    def render(self, elapsed: float | None = None) -> str:
        c = self.counts()
        head = (
            f"ingest: {c['seen']} files: {c['loaded']} loaded, {c['unchanged']} unchanged, "
            f"{c['quarantined']} quarantined, {c['removed']} removed"
        )
        if elapsed is not None:
            head += f" in {elapsed:.1f}s"
        lines = [head]
        if self.families:
            lines.append(
                "  families: " + ", ".join(f"{k} {v}" for k, v in sorted(self.families.items()))
            )
        if self.repairs:
            top = ", ".join(f"{k} {v}" for k, v in self.repairs.most_common(6))
            lines.append(f"  repairs: {sum(self.repairs.values())} ({top})")
        if self.warnings:
            lines.append(f"  warnings: {self.warnings} (see table document_warnings)")
        for p in self.problems[:20]:
            where = f"{p.path}:{p.line}" if p.line else p.path
            lines.append(f"  quarantined {where}: [{p.code}] {p.message}")
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more (see view current_quarantine)")
        t = self.timings
        if t.get("prefect_startup") or t.get("parse_wall"):
            parts = [
                f"{label} {t[key]:.1f}s"
                for key, label in (
                    ("prefect_startup", "prefect start-up"),
                    ("parse_wall", "parse+load"),
                    ("load", "of which load"),
                    ("publish", "publish"),
                )
                if t.get(key)
            ]
            lines.append("  time: " + ", ".join(parts))
        if self.orchestration == "up-to-date":
            lines.append(
                "  up to date: nothing to parse, so Prefect was not started "
                "(--always-flow runs the flow anyway)"
            )
        if self.db:
            lines.append(f"  warehouse: {self.db}")
        return "\n".join(lines)

    def to_json(self, elapsed: float | None = None) -> str:
        return json.dumps(
            {
                "run_id": self.run_id,
                "orchestration": self.orchestration,
                "counts": self.counts(),
                "elapsed_s": elapsed,
                "families": dict(self.families),
                "repairs": dict(self.repairs),
                "warnings": self.warnings,
                "bytes_parsed": self.n_bytes,
                "timings_s": self.timings,
                "problems": [p.as_dict() for p in self.problems],
            },
            indent=2,
        )

    def as_markdown(self) -> str:
        c = self.counts()
        out = [
            "# ingest run summary",
            "",
            "| files | loaded | unchanged | quarantined | removed |",
            "|---|---|---|---|---|",
            f"| {c['seen']} | {c['loaded']} | {c['unchanged']} | {c['quarantined']} | "
            f"{c['removed']} |",
            "",
        ]
        if self.problems:
            out += ["## Quarantined", "", "| file | line | code | reason |", "|---|---|---|---|"]
            out += [
                f"| {p.path} | {p.line or ''} | {p.code} | {p.message.replace('|', '/')} |"
                for p in self.problems[:200]
            ]
            out.append("")
        if self.repairs:
            out += ["## Repairs by rule", "", "| rule | count |", "|---|---|"]
            out += [f"| {k} | {v} |" for k, v in self.repairs.most_common()]
        return "\n".join(out)


def new_run_id() -> str:
    return uuid.uuid4().hex


def finish_run(wh: Warehouse, plan: RunPlan, summary: RunSummary, sources: list[str]) -> None:
    """Quarantine later copies of a relative path, re-report unchanged bad files, remove
    vanished ones, record the run row."""
    dupes = duplicate_issues(wh) if plan.duplicates else []
    if dupes:  # they never own the doc_id: quarantine rows only
        wh.append(
            "quarantine",
            [
                {
                    "run_id": plan.run_id,
                    "source_path": i.path,
                    "content_sha256": digest,
                    "stage": i.stage,
                    "error_code": i.code,
                    "message": i.message,
                    "line_start": None,
                }
                for i, digest in dupes
            ],
        )
        summary.quarantined += len(dupes)
        summary.problems.extend(i for i, _ in dupes)
    if plan.requarantine:
        again = wh.requarantine(plan.run_id)
        summary.quarantined += len(again)
        summary.problems.extend(again)
    summary.unchanged = plan.unchanged
    summary.removed = wh.remove_missing()
    summary.seen = plan.seen
    wh.record_run(
        {
            "run_id": plan.run_id,
            "started_at": plan.started_at,
            "finished_at": datetime.now(UTC),
            **{k: v for k, v in summary.counts().items() if k != "seen"},
            "files_seen": plan.seen,
            "parser_version": PARSER_VERSION,
            "sources": json.dumps([str(Path(s).resolve()) for s in sources]),
        }
    )


def bounded(
    submit: Callable[[list[SourceFile]], Any],
    batches: Iterable[list[SourceFile]],
    inflight: int,
    result: Callable[[Any], BatchResult],
) -> Iterator[BatchResult]:
    """Submit batches keeping at most ``inflight`` pending; yield results in order."""
    pending: deque[Any] = deque()
    for b in batches:
        pending.append(submit(b))
        if len(pending) >= inflight:
            yield result(pending.popleft())
    while pending:
        yield result(pending.popleft())


def run_pipeline(
    cfg: RunConfig, progress: Progress | None = None, run_id: str | None = None
) -> RunSummary:
    """The whole run without Prefect: same steps, a local process pool."""
    progress = progress or Progress(enabled=False)
    run_id = run_id or new_run_id()
    flow_t0 = time.perf_counter()
    with Warehouse(cfg.db, lock_timeout=cfg.lock_timeout) as wh:
        t_plan = time.perf_counter()
        plan = plan_run(cfg, wh, run_id)
        summary = RunSummary(run_id, db=cfg.db)
        summary.timings["plan"] = time.perf_counter() - t_plan
        batches = iter_batches(wh, cfg.batch_size)
        progress.start(plan.to_parse)
        t0 = time.perf_counter()
        if cfg.workers <= 1 or plan.to_parse <= cfg.batch_size:
            results: Iterable[BatchResult] = (process_batch(b, run_id) for b in batches)
            _consume(results, wh, summary, progress, run_id)
        else:
            with process_pool(cfg.workers) as pool:

                def submit(b: list[SourceFile]) -> Future[BatchResult]:
                    return pool.submit(process_batch, b, run_id)

                _consume(
                    bounded(submit, batches, 2 * cfg.workers, lambda f: f.result()),
                    wh,
                    summary,
                    progress,
                    run_id,
                )
        summary.timings["parse_wall"] = time.perf_counter() - t0
        finish_run(wh, plan, summary, cfg.sources)
        t1 = time.perf_counter()
        wh.publish()
        summary.timings["publish"] = time.perf_counter() - t1
        summary.timings["load"] = wh.load_seconds
    summary.timings["flow"] = time.perf_counter() - flow_t0
    return summary


def _consume(
    results: Iterable[BatchResult],
    wh: Warehouse,
    summary: RunSummary,
    progress: Progress,
    run_id: str,
) -> None:
    for res in results:
        wh.load_batch(res, run_id)
        summary.add(res)
        progress.update(len(res.outcomes))
        res.release()

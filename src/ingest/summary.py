"""What a run did, for people and machines: counts, problems, timings.

One :class:`RunSummary` per run, filled by the run loop (:mod:`ingest.pipeline`)
and rendered three ways from the same value: the terminal summary, the JSON
report (``--report-json``), and the Markdown the Prefect flow keeps as an
artifact.  Throughput is given in documents and megabytes per second and the
loader's rows per second, so runs of differently sized documents compare.
Files the walk left out (not a document type, ``--include``/``--exclude``,
hidden) are not among the counts; ``skipped`` says how many and why.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .batch import BatchResult
from .drift import Finding
from .errors import Issue
from .selection import Skipped

_SHOWN_PROBLEMS = 20
# Timings shown on the summary's "time:" line, in this order.
_TIME_LINE = (
    ("prefect_startup", "prefect start-up"),
    ("copy", "warehouse copy"),
    ("plan", "plan"),
    ("parse_wall", "parse+load"),
    ("load", "of which load"),
    ("publish", "publish"),
)


@dataclass
class RunSummary:
    """What one run did, gathered batch by batch (:meth:`add`) and finished by the pipeline:
    counts, families and repairs, quarantined files, stage timings, drift findings and where
    the run was recorded; printed as text, JSON or Markdown."""

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
    n_bytes: int = 0  # bytes of the files parsed
    rows: int = 0  # document rows loaded
    db: str = ""
    sources: list[str] = field(default_factory=list)  # names of the run's sources
    copy_method: str = ""  # how the build was copied: reflink / copy / "" (new warehouse)
    # Where the run's record went: "warehouse" (published) or "journal" (a run that
    # changed nothing: see ingest.journal).
    recorded: str = "warehouse"
    # How the run was carried out: "prefect" (the flow), "library" (--no-prefect), or
    # "up-to-date" (nothing to parse, so the CLI finished it without Prefect).
    orchestration: str = "library"
    skipped: Skipped = field(default_factory=Skipped)  # left out by the walk, by reason
    # Quality measures that departed from the trailing runs (see ingest.drift).
    drift: list[Finding] = field(default_factory=list)

    def add(self, batch: BatchResult) -> None:
        """Count one batch's outcomes (loaded or quarantined, families, repairs, warnings) and
        add its stage timings and bytes to the run's."""
        for o in batch.outcomes:
            if o.error:
                self.quarantined += 1
                self.problems.append(dataclasses.replace(o.error, source=o.source))
            else:
                self.loaded += 1
                self.families[o.family or "generic"] += 1
                self.repairs.update(o.repair_rules)
                self.warnings += len(o.warnings)
        for stage, secs in batch.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + secs
        self.n_bytes += batch.n_bytes

    def counts(self) -> dict[str, int]:
        """The run's file counts, keyed as ``ingest_runs`` and the JSON summary name them."""
        return {
            "seen": self.seen,
            "loaded": self.loaded,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "removed": self.removed,
        }

    def throughput(self) -> dict[str, float]:
        """Documents/s and MB/s of the parse+load stage, rows/s of the loader."""
        out: dict[str, float] = {}
        wall = self.timings.get("parse_wall", 0.0)
        parsed = self.loaded + self.quarantined
        if wall > 0 and parsed:
            out["docs_per_s"] = parsed / wall
            out["mb_per_s"] = self.n_bytes / 1e6 / wall
        load = self.timings.get("load", 0.0)
        if load > 0 and self.rows:
            out["load_rows_per_s"] = self.rows / load
        return out

    def _where(self, p: Issue) -> str:
        where = f"{p.path}:{p.line}" if p.line else p.path
        return f"{p.source}:{where}" if len(self.sources) > 1 and p.source else where

    def render(self, elapsed: float | None = None) -> str:
        """The plain-text summary the CLI prints after a run: a head line of counts
        (and ``elapsed`` seconds if given), then one indented line per non-empty part:
        sources, skips, families, repairs, warnings, the first quarantined files, drift,
        stage times and rates, why nothing was rewritten, and the warehouse path."""
        c = self.counts()
        head = (
            f"ingest: {c['seen']} files: {c['loaded']} loaded, {c['unchanged']} unchanged, "
            f"{c['quarantined']} quarantined, {c['removed']} removed"
        )
        if elapsed is not None:
            head += f" in {elapsed:.1f}s"
        lines = [head, *self._detail_lines(), *self._problem_lines()]
        lines += self._drift_lines()
        lines += self._time_lines()
        lines += self._closing_lines()
        return "\n".join(lines)

    def _detail_lines(self) -> list[str]:
        lines = []
        if self.sources:
            lines.append("  sources: " + ", ".join(self.sources))
        if self.skipped.counts:
            lines.append("  " + self.skipped.render())
        if self.families:
            lines.append(
                "  families: " + ", ".join(f"{k} {v}" for k, v in sorted(self.families.items()))
            )
        if self.repairs:
            top = ", ".join(f"{k} {v}" for k, v in self.repairs.most_common(6))
            lines.append(f"  repairs: {sum(self.repairs.values())} ({top})")
        if self.warnings:
            lines.append(f"  warnings: {self.warnings} (see table document_warnings)")
        return lines

    def _problem_lines(self) -> list[str]:
        lines = [
            f"  quarantined {self._where(p)}: [{p.code}] {p.message}"
            for p in self.problems[:_SHOWN_PROBLEMS]
        ]
        if len(self.problems) > _SHOWN_PROBLEMS:
            more = len(self.problems) - _SHOWN_PROBLEMS
            lines.append(f"  ... and {more} more (see view current_quarantine)")
        return lines

    def _closing_lines(self) -> list[str]:
        lines = []
        if self.recorded == "journal":
            lines.append(
                "  up to date: nothing changed, so the warehouse was not rewritten (the run is "
                "journaled beside it and joins ingest_runs with the next change)"
            )
        elif self.orchestration == "up-to-date":
            lines.append(
                "  nothing to parse, so Prefect was not started (--always-flow runs the flow "
                "anyway)"
            )
        if self.db:
            lines.append(f"  warehouse: {self.db}")
        return lines

    def _drift_lines(self) -> list[str]:
        if not self.drift:
            return []
        lines = [f"  drift: {len(self.drift)} measure(s) departed from the trailing runs"]
        lines += [f"  drift {f.describe()}" for f in self.drift[:_SHOWN_PROBLEMS]]
        if len(self.drift) > _SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.drift) - _SHOWN_PROBLEMS} more (ingest report)")
        return lines

    def _time_lines(self) -> list[str]:
        t = self.timings
        parts = []
        for key, label in _TIME_LINE:
            if t.get(key, 0.0) < 0.05:  # shown to 0.1 s: leave out what rounds to nothing
                continue
            if key == "copy" and self.copy_method == "lake":
                label = "lake attach"  # a lake is attached, never copied
            part = f"{label} {t[key]:.1f}s"
            if key == "copy" and self.copy_method not in ("", "lake"):
                part += f" ({self.copy_method})"
            parts.append(part)
        lines = ["  time: " + ", ".join(parts)] if parts else []
        tp = self.throughput()
        if "docs_per_s" in tp:
            rate = f"  rate: {tp['docs_per_s']:,.0f} docs/s, {tp['mb_per_s']:.1f} MB/s"
            if "load_rows_per_s" in tp:
                rate += f"; loader {self.rows:,} rows at {tp['load_rows_per_s']:,.0f} rows/s"
            lines.append(rate)
        return lines

    def to_json(self, elapsed: float | None = None) -> str:
        """The summary as the JSON file ``ingest run --report-json`` writes: counts, skips,
        families, repairs, throughput, timings, every quarantined file and drift finding."""
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "orchestration": self.orchestration,
            "sources": self.sources,
            "counts": self.counts(),
            "skipped": self.skipped.as_dict(),
            "elapsed_s": elapsed,
            "families": dict(self.families),
            "repairs": dict(self.repairs),
            "warnings": self.warnings,
            "bytes_parsed": self.n_bytes,
            "rows_loaded": self.rows,
            "copy_method": self.copy_method,
            "recorded": self.recorded,
            "throughput": self.throughput(),
            "timings_s": self.timings,
            "problems": [p.as_dict() for p in self.problems],
            "drift": [f.as_dict() for f in self.drift],
        }
        return json.dumps(data, indent=2)

    def as_markdown(self) -> str:
        """The summary as Markdown (counts table, skips, quarantined files, drift): the flow's
        Prefect artifact, so the UI shows what each run did."""
        c = self.counts()
        out = [
            "# ingest run summary",
            "",
            f"Sources: {', '.join(self.sources) or '-'}",
            "",
            "| files | loaded | unchanged | quarantined | removed |",
            "|---|---|---|---|---|",
            f"| {c['seen']} | {c['loaded']} | {c['unchanged']} | {c['quarantined']} | "
            f"{c['removed']} |",
            "",
        ]
        if self.skipped.counts:
            line = self.skipped.render()
            out += [line[0].upper() + line[1:] + ".", ""]
        if self.problems:
            out += [
                "## Quarantined",
                "",
                "| source | file | line | code | reason |",
                "|---|---|---|---|---|",
            ]
            out += [
                f"| {p.source} | {p.path} | {p.line or ''} | {p.code} | "
                f"{p.message.replace('|', '/')} |"
                for p in self.problems[:200]
            ]
            out.append("")
        out += self._drift_markdown()
        if self.repairs:
            out += ["## Repairs by rule", "", "| rule | count |", "|---|---|"]
            out += [f"| {k} | {v} |" for k, v in self.repairs.most_common()]
        return "\n".join(out)

    def _drift_markdown(self) -> list[str]:
        if not self.drift:
            return []
        out = [
            "## Drift",
            "",
            "Measures that departed from the median of the trailing runs "
            "(see `ingest report --html`).",
            "",
            "| source | family | metric | value | median | runs | threshold |",
            "|---|---|---|---|---|---|---|",
        ]
        for f in self.drift[:200]:
            what = f"{f.metric} ({f.subject})" if f.subject else f.metric
            fmt = "{:.1%}" if f.mode == "abs" else "{:.2f}"
            limit = f"{f.threshold * 100:.1f} points" if f.mode == "abs" else f"{f.threshold:.0%}"
            out.append(
                f"| {f.source} | {f.family} | {what} | {fmt.format(f.value)} | "
                f"{fmt.format(f.median)} | {f.runs} | {limit} |"
            )
        return [*out, ""]

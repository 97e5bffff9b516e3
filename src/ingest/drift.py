"""Drift: does this run's quality depart from the runs before it?

Each measure of :mod:`ingest.metrics` is compared with the median of the same
measure (same source, family, metric and subject) over the source's trailing
``window`` runs that recorded metrics; a median shrugs off one odd run in the
history, so one bad run does not become the new normal for the next check.
Two kinds of measure, two kinds of threshold:

* rates (``quarantine_rate``, ``dangling_citation_rate``, ``uncited_reference_rate``)
  move in absolute points: ``0.05`` means five percentage points, and by default only
  a rise counts (fewer quarantined files is not a problem);
* per-document figures (``tables_per_document``, ``rows_per_document`` per table,
  ``repairs_per_document`` per rule) move relative to the median: ``0.5`` means +-50%,
  either way (tables vanishing is as telling as tables doubling), and a change of
  less than :data:`NOISE_FLOOR` per document never counts, so a rule going from 0.01
  to 0.02 repairs per document is not news.

A measure over fewer than ``min_base`` (default 20) files, documents, citations or
entries is not checked: too few to tell drift from noise.  Document measures are
checked per family; ``quarantine_rate`` per source (a
quarantined file has no family).  Thresholds are settings (:class:`DriftSettings`):
a config file, ``--drift-threshold METRIC[:SUBJECT]=VALUE``, ``off`` to silence one.
This module is pure: findings are computed from :class:`~ingest.metrics.Metric`
values, so the run and the HTML report agree on what drifted.
"""

from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError
from .failures import UNCHANGED, RunFailure
from .metrics import ALL, Metric

NOISE_FLOOR = 0.05  # per document: smaller changes of per-document figures are noise
DEFAULT_WINDOW = 5
DEFAULT_MIN_RUNS = 1
# Measures over fewer files, documents, citations or entries than this are not checked:
# in a family of nine documents one more repaired FAQ moves a rate by 11%.
DEFAULT_MIN_BASE = 20
# Metrics absent from a run count as 0 there when the family had documents (a repair
# rule that fired nowhere, a table with no rows).
_ZERO_WHEN_ABSENT = ("rows_per_document", "repairs_per_document", "tables_per_document")


@dataclass(frozen=True, slots=True)
class Rule:
    """How one metric drifts: ``mode`` abs (points) or rel (share of the median),
    ``direction`` up, down or both, ``threshold`` (None: not checked)."""

    mode: str
    direction: str
    threshold: float | None


RULES: dict[str, Rule] = {
    "quarantine_rate": Rule("abs", "up", 0.05),
    "dangling_citation_rate": Rule("abs", "up", 0.05),
    "uncited_reference_rate": Rule("abs", "up", 0.10),
    "tables_per_document": Rule("rel", "both", 0.25),
    "rows_per_document": Rule("rel", "both", 0.5),
    "repairs_per_document": Rule("rel", "both", 0.5),
    "documents": Rule("rel", "both", None),
    "files": Rule("rel", "both", None),
}
_SOURCE_WIDE = ("quarantine_rate", "files")


class DriftConfigError(ConfigError):
    """Drift settings that cannot be used (a usage error, exit code 2)."""


class DriftFailure(RunFailure):
    """``--strict`` and the run drifted: its build is discarded, nothing is published.
    ``summary`` is the run's :class:`~ingest.summary.RunSummary`, findings included, so
    the CLI and the flow can still say what the run found."""

    def __init__(self, summary: Any) -> None:
        findings: list[Finding] = summary.drift
        first = findings[0].describe()
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(
            f"drift (--strict): {first}{more}; the run was not published and {UNCHANGED}. "
            "Run without --strict to accept the change, or adjust the drift thresholds"
        )
        self.summary = summary


@dataclass(frozen=True)
class DriftSettings:
    """Window, minimum history, per-metric thresholds and ``strict`` (drift fails the run)."""

    window: int = DEFAULT_WINDOW
    min_runs: int = DEFAULT_MIN_RUNS
    thresholds: Mapping[str, float | None] = field(default_factory=dict)
    strict: bool = False
    min_base: int = DEFAULT_MIN_BASE

    def threshold(self, metric: str, subject: str) -> float | None:
        """``METRIC:SUBJECT`` overrides ``METRIC``, which overrides the default."""
        for key in (f"{metric}:{subject}", metric):
            if key in self.thresholds:
                return self.thresholds[key]
        return RULES[metric].threshold

    def as_dict(self) -> dict[str, Any]:
        """Plain values (as :func:`settings_from` reads them), for a stored config or a
        deployment's parameters."""
        return {
            "window": self.window,
            "min_runs": self.min_runs,
            "thresholds": dict(self.thresholds),
            "strict": self.strict,
            "min_base": self.min_base,
        }


def settings_from(data: Mapping[str, Any] | None) -> DriftSettings:
    """Settings from a plain mapping (a config file's ``[drift]`` table, a stored
    deployment's parameter); raises :class:`DriftConfigError` naming what is wrong."""
    data = dict(data or {})
    unknown = set(data) - {"window", "min_runs", "thresholds", "strict", "min_base"}
    if unknown:
        raise DriftConfigError(
            f"unknown drift setting(s): {', '.join(sorted(unknown))} "
            "(known: window, min_runs, min_base, thresholds, strict)"
        )
    window = _whole(data.get("window", DEFAULT_WINDOW), "window")
    min_runs = _whole(data.get("min_runs", DEFAULT_MIN_RUNS), "min_runs")
    if min_runs > window:
        raise DriftConfigError(f"drift min_runs ({min_runs}) is more than the window ({window})")
    raw = data.get("thresholds") or {}
    if not isinstance(raw, Mapping):
        raise DriftConfigError("drift thresholds must be a table of METRIC = VALUE")
    thresholds = {str(k): parse_threshold(str(k), v) for k, v in raw.items()}
    min_base = _whole(data.get("min_base", DEFAULT_MIN_BASE), "min_base")
    return DriftSettings(window, min_runs, thresholds, bool(data.get("strict", False)), min_base)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DriftConfigError(f"drift {name} must be a whole number of runs, at least 1")
    return value


def parse_threshold(key: str, value: Any) -> float | None:
    """Check ``METRIC[:SUBJECT]`` and its value: a number >= 0, or off/false/none."""
    metric = key.partition(":")[0]
    if metric not in RULES:
        raise DriftConfigError(
            f"unknown drift metric {metric!r} (metrics: {', '.join(sorted(RULES))})"
        )
    if value is False or value is None or str(value).strip().lower() in ("off", "false", "none"):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DriftConfigError(
            f"drift threshold {key}={value!r} is not a number (or 'off')"
        ) from None
    if not number >= 0:
        raise DriftConfigError(f"drift threshold {key}={value!r} must be 0 or more")
    return number


def load_file(path: str | Path) -> dict[str, Any]:
    """The ``[drift]`` table of a TOML file, as a plain dict (checked by :func:`settings_from`)."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise DriftConfigError(f"cannot read drift config {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DriftConfigError(f"drift config {path} is not valid TOML: {exc}") from None
    table = data.get("drift", {})
    if not isinstance(table, dict):
        raise DriftConfigError(f"drift config {path}: [drift] must be a table")
    settings_from(table)  # fail now, naming the file's problem
    return table


@dataclass(frozen=True, slots=True)
class Finding:
    """One measure that departed from its trailing median by more than its threshold."""

    source: str
    family: str
    metric: str
    subject: str
    value: float
    median: float
    runs: int
    threshold: float
    mode: str

    @property
    def label(self) -> str:
        """``source/family metric[subject]``: which measure moved, for messages."""
        what = f"{self.metric}[{self.subject}]" if self.subject else self.metric
        return f"{self.source}/{self.family} {what}"

    def describe(self) -> str:
        """One line: what moved, from what, by how much, against which threshold."""
        runs = f"median of the last {self.runs} run{'s' if self.runs != 1 else ''}"
        if self.mode == "abs":
            delta = (self.value - self.median) * 100
            return (
                f"{self.label} {self.value:.1%} vs {self.median:.1%} ({runs}): "
                f"{delta:+.1f} points, threshold {self.threshold * 100:.1f}"
            )
        change = f"{(self.value - self.median) / self.median:+.0%}" if self.median else "from 0"
        return (
            f"{self.label} {self.value:.2f} vs {self.median:.2f} per document ({runs}): "
            f"{change}, threshold {self.threshold:.0%}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The finding's fields and its one-line message, for JSON summaries and the quality
        report."""
        return {
            "source": self.source,
            "family": self.family,
            "metric": self.metric,
            "subject": self.subject,
            "value": self.value,
            "median": self.median,
            "runs": self.runs,
            "threshold": self.threshold,
            "mode": self.mode,
            "message": self.describe(),
        }


def check(
    current: Sequence[Metric], history: Iterable[Metric], settings: DriftSettings
) -> list[Finding]:
    """Findings for ``current`` (one run) against ``history`` (earlier runs' metrics,
    any number per source: only the latest ``settings.window`` runs count)."""
    past = _Past(history, settings.window)
    now = {m.key: m for m in current}
    with_docs = {
        (m.source, m.family): m.count for m in current if m.metric == "documents" and m.count
    }
    findings: list[Finding] = []
    for key in sorted(set(now) | past.keys_for({s for s, _ in with_docs})):
        value, base = _current(key, now, with_docs)
        values = past.values(key)
        if value is None or base < settings.min_base or len(values) < settings.min_runs:
            continue
        finding = _judge(key, value, values, settings)
        if finding:
            findings.append(finding)
    return findings


def _current(
    key: tuple[str, str, str, str], now: dict[Any, Metric], with_docs: dict[tuple[str, str], int]
) -> tuple[float | None, int]:
    """This run's value of ``key`` and its base: 0 for a count that did not occur (over
    the family's documents); None when it is not checked."""
    source, family, metric, _ = key
    if metric not in RULES or not _checked(metric, family):
        return None, 0
    m = now.get(key)
    if m is not None:
        return m.value, m.base
    if metric in _ZERO_WHEN_ABSENT and (source, family) in with_docs:
        return 0.0, with_docs[(source, family)]
    return None, 0


def _checked(metric: str, family: str) -> bool:
    return (metric in _SOURCE_WIDE) == (family == ALL)


def _judge(
    key: tuple[str, str, str, str], value: float, values: list[float], settings: DriftSettings
) -> Finding | None:
    source, family, metric, subject = key
    rule = RULES[metric]
    threshold = settings.threshold(metric, subject)
    if threshold is None:
        return None
    median = statistics.median(values)
    delta = value - median
    if (rule.direction == "up" and delta <= 0) or (rule.direction == "down" and delta >= 0):
        return None
    if rule.mode == "abs":
        drifted = abs(delta) > threshold
    else:
        drifted = abs(delta) >= NOISE_FLOOR and abs(delta) > threshold * abs(median)
    if not drifted:
        return None
    return Finding(
        source, family, metric, subject, value, median, len(values), threshold, rule.mode
    )


class _Past:
    """Earlier runs' values per measure, the latest ``window`` runs of each source."""

    def __init__(self, history: Iterable[Metric], window: int) -> None:
        by_run: dict[str, dict[str, Any]] = defaultdict(dict)  # source -> run -> at
        rows = list(history)
        for m in rows:
            by_run[m.source][m.run_id] = max(m.run_at, by_run[m.source].get(m.run_id, m.run_at))
        self.runs = {s: sorted(runs, key=runs.__getitem__)[-window:] for s, runs in by_run.items()}
        kept = {(s, r) for s, runs in self.runs.items() for r in runs}
        self.value: dict[tuple[str, tuple[str, str, str, str]], float | None] = {}
        self.docs: set[tuple[str, str, str]] = set()  # (run, source, family) with documents
        for m in rows:
            if (m.source, m.run_id) in kept:
                self.value[(m.run_id, m.key)] = m.value
                if m.metric == "documents" and m.count:
                    self.docs.add((m.run_id, m.source, m.family))

    def keys_for(self, sources: set[str]) -> set[tuple[str, str, str, str]]:
        return {k for _, k in self.value if k[0] in sources}

    def values(self, key: tuple[str, str, str, str]) -> list[float]:
        source, family, metric, _ = key
        out: list[float] = []
        for run in self.runs.get(source, []):
            v = self.value.get((run, key))
            if v is None and metric in _ZERO_WHEN_ABSENT and (run, source, family) in self.docs:
                v = 0.0
            if v is not None:
                out.append(v)
        return out

"""Quality of the warehouse after a run, per source and family: the ``run_metrics`` rows.

Measured on the warehouse state the run leaves, over every document of the run's
sources, not over the run's own batch: an incremental run parses a handful of
changed files, and a rate over those few would swing with whatever happened to
change, so runs could not be compared.  What the warehouse holds for a source is
what analysts see, and it moves only when the content (or the parser) does, which
is what a drift check should notice.  A run that changes nothing is only
journaled (:mod:`ingest.journal`) and records no metrics: its state is the
previous run's.

Everything is computed with a few set-based queries in the run's private build
and written into it before it is published, so ``run_metrics`` gains a run's rows
exactly when ``ingest_runs`` gains the run, never half a history.  Rows are plain
values (:class:`Metric`) so :mod:`ingest.drift` and the HTML report read them
the same way whether they come from this run or from the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import schema
from .config import NAME_RE

if TYPE_CHECKING:
    from .warehouse import Warehouse

ALL = "all"  # the family of source-wide rows
# Document tables measured as rows per document (doc_tables is tables_per_document,
# repairs is repairs_per_document, documents is the base).
_NOT_ROWS = ("documents", "doc_tables", "repairs")
# A chunk of rows small enough to go in as literals (see ingest.sql: no pandas import).
_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Metric:
    """One measure of one source (and family) after one run."""

    run_id: str
    run_at: datetime
    source: str
    family: str
    metric: str
    subject: str
    value: float | None
    count: int
    base: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What the measure is of, whatever the run: (source, family, metric, subject)."""
        return (self.source, self.family, self.metric, self.subject)

    def as_row(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_at": self.run_at,
            "source": self.source,
            "family": self.family,
            "metric": self.metric,
            "subject": self.subject,
            "value": self.value,
            "count": self.count,
            "base": self.base,
        }


def _ratio(count: int, base: int) -> float | None:
    return count / base if base else None


class _Builder:
    """Collects one run's metrics; ``docs`` holds documents per (source, family)."""

    def __init__(self, run_id: str, run_at: datetime) -> None:
        self.run_id, self.run_at = run_id, run_at
        self.out: list[Metric] = []
        self.docs: dict[tuple[str, str], int] = {}

    def add(
        self,
        source: str,
        family: str,
        metric: str,
        subject: str,
        count: int,
        base: int,
        *,
        raw: bool = False,
    ) -> None:
        value = float(count) if raw else _ratio(count, base)
        self.out.append(
            Metric(self.run_id, self.run_at, source, family, metric, subject, value, count, base)
        )


def measure(wh: Warehouse, run_id: str, sources: Sequence[str]) -> list[Metric]:
    """The run's metrics, read from the build (after the run's rows are all in)."""
    if not sources:
        return []
    b = _Builder(run_id, datetime.now(UTC))
    names = ", ".join(source_literal(s) for s in sources)
    for source, files, bad in wh.query(
        "SELECT source, count(*), count(*) FILTER (status = 'quarantined') FROM source_files "
        f"WHERE source IN ({names}) GROUP BY source ORDER BY source"
    ):
        b.add(source, ALL, "files", "", int(files), int(files), raw=True)
        b.add(source, ALL, "quarantine_rate", "", int(bad), int(files))
    docs = f"SELECT doc_id, source, family FROM documents WHERE source IN ({names})"
    for source, family, n in _grouped(wh, f"SELECT source, family, 1 AS n FROM ({docs})"):
        b.docs[(source, family)] = n
        b.add(source, family, "documents", "", n, n, raw=True)
    _per_document(wh, b, docs)
    _citations(wh, b, docs)
    return b.out


def _grouped(
    wh: Warehouse, rows_sql: str, *, extra: str = "", sums: tuple[str, ...] = ("n",)
) -> list[tuple[Any, ...]]:
    """``rows_sql`` (columns source, family, [extra,] and ``sums``) summed per (source,
    family[, extra]) and per (source[, extra]) with family ``all``."""
    keys = f", {extra}" if extra else ""
    totals = ", ".join(f"sum({c})::BIGINT" for c in sums)
    query = (
        f"SELECT source, CASE WHEN grouping(family) = 1 THEN '{ALL}' ELSE family END{keys}, "
        f"{totals} FROM ({rows_sql}) GROUP BY GROUPING SETS ((source, family{keys}), "
        f"(source{keys})) ORDER BY ALL"
    )
    return [tuple(r) for r in wh.query(query)]


def _per_document(wh: Warehouse, b: _Builder, docs: str) -> None:
    """Rows per document of each table, tables per document, repairs per document by rule."""
    tables = [t for t in schema.document_tables() if t not in _NOT_ROWS]
    for table in tables:
        counted = {(s, f): n for s, f, n in _counts_by_doc(wh, table, docs)}
        for (source, family), n_docs in sorted(b.docs.items()):
            b.add(
                source, family, "rows_per_document", table, counted.get((source, family), 0), n_docs
            )
    counted = {(s, f): n for s, f, n in _counts_by_doc(wh, "doc_tables", docs)}
    for (source, family), n_docs in sorted(b.docs.items()):
        b.add(source, family, "tables_per_document", "", counted.get((source, family), 0), n_docs)
    rules = _grouped(
        wh,
        f"SELECT m.source, m.family, r.rule, 1 AS n FROM repairs r JOIN ({docs}) m USING (doc_id)",
        extra="rule",
    )
    for source, family, rule, n in rules:
        b.add(source, family, "repairs_per_document", rule, n, b.docs.get((source, family), 0))


def _counts_by_doc(wh: Warehouse, table: str, docs: str) -> list[tuple[Any, ...]]:
    per_doc = f"SELECT doc_id, count(*) AS n FROM {table} GROUP BY doc_id"
    return _grouped(
        wh, f"SELECT m.source, m.family, t.n FROM ({per_doc}) t JOIN ({docs}) m USING (doc_id)"
    )


def _citations(wh: Warehouse, b: _Builder, docs: str) -> None:
    """Dangling citations (no entry with that number) and uncited reference entries."""
    for table, flag, metric in (
        ("citations", "resolved", "dangling_citation_rate"),
        ("reference_entries", "cited", "uncited_reference_rate"),
    ):
        per_doc = (
            f"SELECT doc_id, count(*) AS n, count(*) FILTER (NOT {flag}) AS n2 FROM {table} "
            "GROUP BY doc_id"
        )
        rows = _grouped(
            wh,
            f"SELECT m.source, m.family, t.n, t.n2 FROM ({per_doc}) t JOIN ({docs}) m "
            "USING (doc_id)",
            sums=("n", "n2"),
        )
        for source, family, total, bad in rows:
            b.add(source, family, metric, "", bad, total)


def record(wh: Warehouse, rows: Sequence[Metric]) -> None:
    """Append the run's metrics to ``run_metrics`` in the build."""
    for i in range(0, len(rows), _CHUNK):
        wh.append("run_metrics", [m.as_row() for m in rows[i : i + _CHUNK]])


def history(
    con: Any, sources: Sequence[str], *, before: str | None = None, limit_runs: int | None = None
) -> list[Metric]:
    """Stored metrics of ``sources`` (every run, or the ``limit_runs`` latest per source),
    oldest first; ``before``: only runs that finished before that run did."""
    names = ", ".join(source_literal(s) for s in sources) or "NULL"
    where = f"source IN ({names})"
    if before is not None:
        where += (
            " AND run_at < (SELECT max(run_at) FROM run_metrics WHERE run_id = "
            f"'{_run_id(before)}')"
        )
    runs = (
        f"SELECT source, run_id, max(run_at) AS last_at FROM run_metrics WHERE {where} GROUP BY ALL"
    )
    if limit_runs is not None:
        runs = (
            f"SELECT source, run_id FROM ({runs}) QUALIFY row_number() OVER "
            f"(PARTITION BY source ORDER BY last_at DESC) <= {int(limit_runs)}"
        )
    rows = con.execute(
        "SELECT run_id, run_at, source, family, metric, subject, value, count, base "
        f"FROM run_metrics WHERE (source, run_id) IN (SELECT source, run_id FROM ({runs})) "
        "ORDER BY run_at, source, family, metric, subject"
    ).fetchall()
    return [Metric(*r) for r in rows]


def source_literal(name: str) -> str:
    """A source name as a SQL literal (names are validated: no quote can occur)."""
    if not NAME_RE.fullmatch(name):
        raise ValueError(f"not a source name: {name!r}")
    return f"'{name}'"


def _run_id(run_id: str) -> str:
    if not run_id.isalnum():
        raise ValueError(f"not a run id: {run_id!r}")
    return run_id

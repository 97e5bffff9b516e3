"""Quality of the warehouse after a run, per source and family: the ``run_metrics`` rows.

Measured on the warehouse state the run leaves, over every document of the run's
sources, not over the run's own batch: an incremental run parses a handful of
changed files, and a rate over those few would swing with whatever happened to
change, so runs could not be compared.  What the warehouse holds for a source is
what analysts see, and it moves only when the content (or the parser) does, which
is what a drift check should notice.  A run that changes nothing is only
journaled (:mod:`ingest.journal`) and records no metrics: its state is the
previous run's.

Counting every table's rows per document at every run would scan the whole
warehouse (about 6 s at 100k documents), so the counts are kept per document in
``document_counts``: each batch derives them from its validated frames
(:func:`document_counts`) and they travel with the document's rows, replaced and
removed with them by the loader and the finish step like any document table.  A
run then sums one small row per document and table.  Documents loaded before the
table existed are counted once, in the build, by :func:`backfill`.

Everything is written into the run's private build before it is published, so
``run_metrics`` gains a run's rows exactly when ``ingest_runs`` gains the run, never
half a history.  Rows are plain values (:class:`Metric`) so :mod:`ingest.drift` and
the HTML report read them the same way whether they come from this run or the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
_NOT_ROWS = ("documents", "doc_tables", "repairs", "document_counts")
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
        """The metric as a ``quality_metrics`` row."""
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
    backfill(wh, names)
    query = (
        f"SELECT source, CASE WHEN grouping(family) = 1 THEN '{ALL}' ELSE family END, "
        "table_name, subject, sum(n_rows)::BIGINT, sum(n_flagged)::BIGINT "
        f"FROM {COUNTS} WHERE source IN ({names}) GROUP BY GROUPING SETS "
        "((source, family, table_name, subject), (source, table_name, subject)) ORDER BY ALL"
    )
    per_table: dict[tuple[str, str, str], tuple[int, int]] = {}
    rules: list[tuple[str, str, str, int]] = []
    for source, family, table, subject, n, flagged in wh.query(query):
        if table == "repairs":
            rules.append((source, family, subject, int(n)))
        else:
            per_table[(source, family, table)] = (int(n), int(flagged))
        if table == "documents":
            b.docs[(source, family)] = int(n)
            b.add(source, family, "documents", "", int(n), int(n), raw=True)
    _per_document(b, per_table)
    for source, family, rule, n in rules:
        b.add(source, family, "repairs_per_document", rule, n, b.docs.get((source, family), 0))
    return b.out


def _per_document(b: _Builder, per_table: dict[tuple[str, str, str], tuple[int, int]]) -> None:
    """Rows per document of each table, tables per document, the citation rates."""
    tables = [t for t in schema.document_tables() if t not in _NOT_ROWS]
    for (source, family), n_docs in sorted(b.docs.items()):
        for table in tables:
            n = per_table.get((source, family, table), (0, 0))[0]
            b.add(source, family, "rows_per_document", table, n, n_docs)
        n_tables = per_table.get((source, family, "doc_tables"), (0, 0))[0]
        b.add(source, family, "tables_per_document", "", n_tables, n_docs)
        for table, metric in (
            ("citations", "dangling_citation_rate"),
            ("reference_entries", "uncited_reference_rate"),
        ):
            total, flagged = per_table.get((source, family, table), (0, 0))
            if total:
                b.add(source, family, metric, "", flagged, total)


# -- per-document counts -----------------------------------------------------------------------
COUNTS = "document_counts"
# Rows that count as flagged: the column that must be true for a row not to be.
FLAGS = {"citations": "resolved", "reference_entries": "cited"}
_NOT_COUNTED = ("documents", COUNTS)


def document_counts(frames: Mapping[str, Any]) -> Any:
    """The ``document_counts`` frame of a batch's validated document frames (pandas):
    rows per document and table (repairs per rule), the flagged ones, and each
    document's marker row."""
    import pandas as pd

    docs = frames.get("documents")
    if docs is None or docs.empty:
        return schema.frame(COUNTS, [])
    parts = [
        pd.DataFrame(
            {
                "doc_id": docs["doc_id"],
                "table_name": "documents",
                "subject": "",
                "n_rows": 1,
                "n_flagged": 0,
            }
        )
    ]
    for name, df in frames.items():
        if name in _NOT_COUNTED or df.empty:
            continue
        flag = FLAGS.get(name)
        bad = ~df[flag].fillna(True).astype(bool) if flag else pd.Series(False, index=df.index)
        subject = df["rule"].astype(str) if name == "repairs" else ""
        g = pd.DataFrame({"doc_id": df["doc_id"], "subject": subject, "bad": bad.astype("int64")})
        agg = g.groupby(["doc_id", "subject"], sort=False)["bad"].agg(
            n_rows="size", n_flagged="sum"
        )
        parts.append(agg.reset_index().assign(table_name=name))
    owner = docs[["doc_id", "source", "family"]]
    out = pd.concat(parts, ignore_index=True).merge(owner, on="doc_id")
    table = schema.tables()[COUNTS]
    return out[table.names].astype({c.name: schema.PANDAS_TYPES[c.type] for c in table.columns})


def backfill(wh: Warehouse, names: str) -> int:
    """Count the rows of documents (of sources ``names``, SQL literals) loaded before
    ``document_counts`` existed: they have no marker row.  Once per document, a scan of
    every table; returns how many documents were counted."""
    have = wh.query(
        f"SELECT (SELECT count(*) FROM documents WHERE source IN ({names})), "
        f"(SELECT count(*) FROM {COUNTS} WHERE table_name = 'documents' AND source IN ({names}))"
    )[0]
    if have[0] == have[1]:  # counts rows leave with their documents: equal means all there
        return 0
    _count_missing(wh.connection(), names)  # under the caller's bulk memory (see pipeline)
    return int(have[0] - have[1])


def _count_missing(con: Any, names: str) -> None:
    marked = f"SELECT doc_id FROM {COUNTS} WHERE table_name = 'documents'"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE counts_missing AS SELECT doc_id, source, family FROM "
        f"documents WHERE source IN ({names}) AND doc_id NOT IN ({marked})"
    )
    cols = "(doc_id, source, family, table_name, subject, n_rows, n_flagged)"
    for name in [t for t in schema.document_tables() if t not in _NOT_COUNTED]:
        flag = f"count(*) FILTER (NOT {FLAGS[name]})" if name in FLAGS else "0"
        subject = "t.rule" if name == "repairs" else "''"
        con.execute(
            f"INSERT INTO {COUNTS} {cols} SELECT doc_id, m.source, m.family, '{name}', "
            f"{subject}, count(*), {flag} FROM {name} t JOIN counts_missing m USING (doc_id) "
            "GROUP BY ALL"
        )
    con.execute(
        f"INSERT INTO {COUNTS} {cols} SELECT doc_id, source, family, 'documents', '', 1, 0 "
        "FROM counts_missing"
    )
    con.execute("DROP TABLE counts_missing")


def record(wh: Warehouse, rows: Sequence[Metric]) -> None:
    """Append the run's metrics to ``run_metrics`` in the build."""
    for i in range(0, len(rows), _CHUNK):
        wh.append("run_metrics", [m.as_row() for m in rows[i : i + _CHUNK]])


def history(con: Any, sources: Sequence[str], *, limit_runs: int | None = None) -> list[Metric]:
    """Stored metrics of ``sources`` (every run, or the ``limit_runs`` latest per source),
    oldest first."""
    names = ", ".join(source_literal(s) for s in sources) or "NULL"
    runs = (
        "SELECT source, run_id, max(run_at) AS last_at FROM run_metrics "
        f"WHERE source IN ({names}) GROUP BY ALL"
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

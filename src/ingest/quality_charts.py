"""Which charts the quality report draws for a source, from its ``run_metrics`` history.

Kept apart from the page (:mod:`ingest.quality_report`) and the drawing
(:mod:`ingest.svgchart`): this is the one place that decides what is plotted
against what.  One chart per question a data engineer asks of a source: is more
being quarantined, are citations dangling or references left uncited, did tables
per document move (per family), which repair rules fire more or less, did any
table's rows per document move, how many files and documents there are.  Runs are
the source's runs that recorded metrics, oldest first; drifted points are ringed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .metrics import ALL, Metric
from .svgchart import Chart, Series, figure

if TYPE_CHECKING:
    from .quality_report import ReportData

MAX_SERIES = 8  # lines per chart; the rest are named in the chart's note
Key = tuple[str, str, str, str]  # (source, family, metric, subject)


class _History:
    """One source's metrics by run and key."""

    def __init__(self, rows: Sequence[Metric], source: str) -> None:
        mine = [m for m in rows if m.source == source]
        at: dict[str, object] = {}
        for m in mine:
            at[m.run_id] = m.run_at
        self.runs = sorted(at, key=lambda r: (str(at[r]), r))
        self.value = {(m.run_id, m.key): m for m in mine}
        self.source = source

    def keys(self, metric: str, family: str = ALL) -> list[Key]:
        """Keys of ``metric`` (any subject) in ``family``, the largest latest value first."""
        keys = {k for _, k in self.value if k[2] == metric and k[1] == family}
        last = self.runs[-1] if self.runs else ""

        def latest(k: Key) -> float:
            m = self.value.get((last, k))
            return -(m.value or 0.0) if m else 0.0

        return sorted(keys, key=lambda k: (latest(k), k))

    def series(self, key: Key, name: str, drifted: set[tuple[str, Key]]) -> Series:
        vals: list[float | None] = []
        for r in self.runs:
            m = self.value.get((r, key))
            vals.append(m.value if m else None)
        # Document measures drift per family: a family's drift rings the source-wide point.
        loose = {(r, k[0], k[2], k[3]) for r, k in drifted} if key[1] == ALL else set()
        rings = {
            i
            for i, r in enumerate(self.runs)
            if (r, key) in drifted or (r, key[0], key[2], key[3]) in loose
        }
        return Series(name, vals, rings)


def charts_for(data: ReportData, source: str) -> list[str]:
    """The source's chart figures (HTML), in reading order."""
    h = _History(data.history, source)
    if not h.runs:
        return []
    labels = [r[:6] for r in h.runs]
    rid = data.run["run_id"]
    sel = h.runs.index(rid) if rid in h.runs else None
    out = []
    for title, spec, percent in _specs(h, source):
        # What drifted is always drawn, ahead of the largest.
        pairs = sorted(spec, key=lambda p: not h.series(p[0], p[1], data.drifted).drifted)
        series = [h.series(k, name, data.drifted) for k, name in pairs[:MAX_SERIES]]
        note = ""
        if len(pairs) > MAX_SERIES:
            note = "Not drawn (smaller): " + ", ".join(n for _, n in pairs[MAX_SERIES:]) + "."
        out.append(figure(Chart(title, labels, series, percent, sel), note))
    return out


def _specs(h: _History, s: str) -> list[tuple[str, list[tuple[Key, str]], bool]]:
    """(title, [(key, series name)], values are rates) of each chart."""
    families = sorted({k[1] for _, k in h.value if k[2] == "documents" and k[1] != ALL})
    return [
        ("Quarantine rate", [((s, ALL, "quarantine_rate", ""), "quarantined / files")], True),
        (
            "Citations",
            [
                ((s, ALL, "dangling_citation_rate", ""), "dangling / citations"),
                ((s, ALL, "uncited_reference_rate", ""), "uncited / reference entries"),
            ],
            True,
        ),
        (
            "Tables per document",
            [((s, f, "tables_per_document", ""), f) for f in [ALL, *families]],
            False,
        ),
        (
            "Repairs per document, by rule",
            [(k, k[3]) for k in h.keys("repairs_per_document")],
            False,
        ),
        ("Rows per document, by table", [(k, k[3]) for k in h.keys("rows_per_document")], False),
        (
            "Files and documents",
            [((s, ALL, "files", ""), "files"), ((s, ALL, "documents", ""), "documents")],
            False,
        ),
    ]

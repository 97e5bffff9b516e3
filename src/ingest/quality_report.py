"""``ingest report --html FILE``: one self-contained page about a run's quality.

What a data engineer opens after a run (or attaches to a ticket): the run's counts,
what drifted from the runs before it, charts of every ``run_metrics`` measure across
runs, the files the run quarantined with their reasons and lines, and repairs by
rule with before/after samples.  One file, nothing fetched: styles, the small
script (legend toggles, a filter for the quarantine list) and the SVG charts
(:mod:`ingest.svgchart`) are inline, and a Content-Security-Policy forbids every
network request, so the page looks the same offline, in CI artifacts and mail.

The warehouse is opened read-only, so a report never waits for or blocks a run.
Drift is recomputed here from the stored metrics with the same code and settings
the run uses (:mod:`ingest.drift`), so the page and the run summary agree.  All
text from documents (paths, messages, repair samples) is escaped: a document that
holds ``<script>`` shows it, never runs it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from . import drift, metrics
from .config import ConfigError
from .metrics import ALL, Metric

SAMPLES_PER_RULE = 3
SAMPLE_CHARS = 300
OPEN_RULES = 3  # rules whose samples show without a click
RATE_METRICS = ("quarantine_rate", "dangling_citation_rate", "uncited_reference_rate")


@dataclass
class ReportData:
    """Everything the page shows, read from the warehouse once."""

    db: str
    run: dict[str, Any]
    sources: list[str]
    history: list[Metric] = field(default_factory=list)
    findings: list[drift.Finding] = field(default_factory=list)
    drifted: set[tuple[str, tuple[str, str, str, str]]] = field(default_factory=set)
    quarantine: list[tuple[Any, ...]] = field(default_factory=list)
    repairs: list[tuple[str, int]] = field(default_factory=list)
    samples: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    runs: list[tuple[Any, ...]] = field(default_factory=list)


def write_report(
    db: str | Path,
    out: str | Path,
    *,
    run: str | None = None,
    settings: drift.DriftSettings | None = None,
) -> ReportData:
    """Write the page for ``run`` (default: the latest run) of warehouse ``db`` to ``out``."""
    data = read(db, run=run, settings=settings or drift.DriftSettings())
    Path(out).write_text(page(data), encoding="utf-8")
    return data


def read(db: str | Path, *, run: str | None, settings: drift.DriftSettings) -> ReportData:
    """Gather the page's data from the warehouse, opened read-only."""
    if not Path(db).is_file():
        raise ConfigError(f"no warehouse at {db} (run `ingest run` first, or pass --db)")
    try:
        con = duckdb.connect(str(db), read_only=True, config={"memory_limit": "256MB"})
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise ConfigError(f"{db} cannot be opened as a warehouse: {first}") from None
    with con:
        return read_from(con, str(db), run=run, settings=settings)


def read_from(
    con: duckdb.DuckDBPyConnection, label: str, *, run: str | None, settings: drift.DriftSettings
) -> ReportData:
    """Gather the page's data from the warehouse that is ``con``'s current database (a file,
    or a lake attached and used); ``label`` names it in messages and on the page."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    }
    if "ingest_runs" not in tables:
        raise ConfigError(f"{label} is not an ingest warehouse (it has no ingest_runs table)")
    chosen = _pick_run(con, run)
    sources = json.loads(chosen["source_names"] or "[]")
    data = ReportData(label, chosen, sources)
    data.runs = con.execute(
        "SELECT run_id, action, finished_at, files_seen, loaded, unchanged, quarantined, "
        "removed FROM ingest_runs ORDER BY finished_at DESC LIMIT 50"
    ).fetchall()
    if "run_metrics" in tables:
        data.history = metrics.history(con, sources)
        _drift(data, settings)
    _quarantine(con, data)
    _repairs(con, data)
    return data


def _pick_run(con: duckdb.DuckDBPyConnection, run: str | None) -> dict[str, Any]:
    cols = [
        "run_id",
        "action",
        "source_names",
        "started_at",
        "finished_at",
        "files_seen",
        "loaded",
        "unchanged",
        "quarantined",
        "removed",
    ]
    select = f"SELECT {', '.join(cols)} FROM ingest_runs"
    if run is None:
        rows = con.execute(
            f"{select} WHERE coalesce(action, 'run') = 'run' ORDER BY finished_at DESC LIMIT 1"
        ).fetchall()
        if not rows:
            raise ConfigError("the warehouse records no run yet (run `ingest run` first)")
    else:
        rows = con.execute(f"{select} WHERE starts_with(run_id, ?)", [run]).fetchall()
        if len(rows) != 1:
            latest = [
                r[0]
                for r in con.execute(
                    "SELECT run_id FROM ingest_runs ORDER BY finished_at DESC LIMIT 5"
                ).fetchall()
            ]
            what = "no run" if not rows else f"{len(rows)} runs"
            raise ConfigError(
                f"--run {run}: {what} with that id (prefix) in the warehouse; latest: "
                + (", ".join(latest) or "none")
            )
    return dict(zip(cols, rows[0], strict=True))


def _drift(data: ReportData, settings: drift.DriftSettings) -> None:
    """Drift of every run in the history against the runs before it (the charts ring
    those points), and the selected run's findings."""
    by_run: dict[str, list[Metric]] = defaultdict(list)
    for m in data.history:
        by_run[m.run_id].append(m)
    order = sorted(by_run, key=lambda r: max(m.run_at for m in by_run[r]))
    for k, run_id in enumerate(order):
        past = [m for r in order[:k] for m in by_run[r]]
        found = drift.check(by_run[run_id], past, settings)
        data.drifted |= {(run_id, (f.source, f.family, f.metric, f.subject)) for f in found}
        if run_id == data.run["run_id"]:
            data.findings = found


def _quarantine(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    data.quarantine = con.execute(
        "SELECT source, source_path, line_start, stage, error_code, message FROM quarantine "
        "WHERE run_id = ? ORDER BY source, source_path",
        [data.run["run_id"]],
    ).fetchall()


def _repairs(con: duckdb.DuckDBPyConnection, data: ReportData) -> None:
    """Repairs by rule (the run's recorded counts, else the warehouse's now) and a few
    samples of each from the current warehouse, the run's own documents first."""
    rid = data.run["run_id"]
    counts: dict[str, int] = defaultdict(int)
    for m in data.history:
        if m.run_id == rid and m.family == ALL and m.metric == "repairs_per_document":
            counts[m.subject] += m.count
    names = ", ".join(metrics.source_literal(s) for s in data.sources) or "NULL"
    docs = f"SELECT doc_id, source, source_path, run_id FROM documents WHERE source IN ({names})"
    if not counts:
        for rule, n in con.execute(
            f"SELECT rule, count(*) FROM repairs JOIN ({docs}) USING (doc_id) GROUP BY rule"
        ).fetchall():
            counts[rule] = int(n)
    data.repairs = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = con.execute(
        f"""SELECT rule, source, source_path, line_start, field, before, after, d.run_id = ?
        FROM repairs r JOIN ({docs}) d USING (doc_id)
        QUALIFY row_number() OVER (PARTITION BY rule ORDER BY d.run_id = ? DESC, source,
                                   source_path, r.position) <= {SAMPLES_PER_RULE}
        ORDER BY rule, d.run_id = ? DESC, source, source_path, r.position""",
        [rid, rid, rid],
    ).fetchall()
    for row in rows:
        data.samples.setdefault(row[0], []).append(row[1:])


# -- the page ------------------------------------------------------------------------------
def page(data: ReportData) -> str:
    """The whole HTML document."""
    run = data.run
    body = [
        "<header><h1>ingest quality report</h1>",
        f"<p>Warehouse <code>{escape(data.db)}</code>, run <code>{escape(run['run_id'])}</code>"
        f" finished {escape(_when(run['finished_at']))}; sources "
        f"{escape(', '.join(data.sources) or '-')}. Generated {escape(_when(datetime.now(UTC)))}."
        "</p>",
        _counts(run),
        "</header>",
        _drift_section(data),
        _charts_section(data),
        _quarantine_section(data),
        _repairs_section(data),
        _runs_section(data),
    ]
    return _TEMPLATE.format(
        title=escape(f"ingest quality: run {run['run_id'][:12]}"),
        style=_STYLE,
        body="\n".join(body),
        script=_SCRIPT,
    )


def _when(ts: Any) -> str:
    if isinstance(ts, datetime):
        return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(ts or "-")


def _counts(run: dict[str, Any]) -> str:
    cells = [
        ("files", "files_seen"),
        ("loaded", "loaded"),
        ("unchanged", "unchanged"),
        ("quarantined", "quarantined"),
        ("removed", "removed"),
    ]
    return (
        '<dl class="counts">'
        + "".join(
            f"<div><dt>{label}</dt><dd>{int(run[key] or 0):,}</dd></div>" for label, key in cells
        )
        + "</dl>"
    )


def _table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """An HTML table; ``rows`` hold markup already escaped."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"


def _drift_section(data: ReportData) -> str:
    out = ['<section id="drift"><h2>Drift</h2>']
    if not data.history:
        out.append("<p>No quality metrics are recorded for this warehouse yet.</p>")
    elif not data.findings:
        out.append("<p>No measure of this run departed from the trailing runs.</p>")
    else:
        rows = [
            [
                escape(f.source),
                escape(f.family),
                escape(f.metric),
                escape(f.subject),
                escape(f.describe()),
            ]
            for f in data.findings
        ]
        out.append(_table(["source", "family", "metric", "subject", "what moved"], rows, "drift"))
    return "".join(out) + "</section>"


def _quarantine_section(data: ReportData) -> str:
    out = [f'<section id="quarantine"><h2>Quarantined by this run ({len(data.quarantine)})</h2>']
    if not data.quarantine:
        return out[0] + "<p>Nothing was quarantined.</p></section>"
    out.append(
        '<p><label>Filter <input id="qfilter" type="search" placeholder="path, code or '
        'reason"></label> <span id="qcount"></span></p>'
    )
    rows = [
        [
            escape(src),
            f"<code>{escape(path)}</code>",
            escape(str(line or "")),
            escape(stage),
            f"<code>{escape(code)}</code>",
            escape(msg),
        ]
        for src, path, line, stage, code, msg in data.quarantine
    ]
    out.append(_table(["source", "file", "line", "stage", "code", "reason"], rows, "quarantine"))
    return "".join(out) + "</section>"


def _repairs_section(data: ReportData) -> str:
    out = ['<section id="repairs"><h2>Repairs by rule</h2>']
    if not data.repairs:
        return out[0] + "<p>No repairs.</p></section>"
    out.append(
        "<p>Counts as recorded for this run (the run's sources); samples from the warehouse "
        "now, documents this run loaded first.</p>"
    )
    for k, (rule, n) in enumerate(data.repairs):
        shown = " open" if k < OPEN_RULES else ""  # the largest open, for print and screenshots
        out.append(
            f'<details class="rule"{shown}><summary><code>{escape(rule)}</code> {n:,}</summary>'
        )
        for src, path, line, fld, before, after, own in data.samples.get(rule, []):
            where = f"{path}:{line}" if line else path
            mark = "" if own else ' <span class="note">(loaded by an earlier run)</span>'
            out.append(
                f'<div class="sample"><div class="where">{escape(src)}: <code>{escape(where)}'
                f"</code> field <code>{escape(fld)}</code>{mark}</div>"
                f'<div class="ba"><pre class="before">{escape(_cut(before))}</pre>'
                f'<pre class="after">{escape(_cut(after))}</pre></div></div>'
            )
        out.append("</details>")
    return "".join(out) + "</section>"


def _cut(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


def _runs_section(data: ReportData) -> str:
    rows = [
        [f"<code>{escape(r[0])}</code>", escape(r[1] or "run"), escape(_when(r[2]))]
        + [f"{int(v or 0):,}" for v in r[3:]]
        for r in data.runs
    ]
    head = ["run", "action", "finished", "files", "loaded", "unchanged", "quarantined", "removed"]
    return '<section id="runs"><h2>Runs (latest 50)</h2>' + _table(head, rows) + "</section>"


def _charts_section(data: ReportData) -> str:
    from .quality_charts import charts_for

    if not data.history:
        return ""
    out = ['<section id="charts"><h2>Quality across runs</h2>']
    for source in data.sources:
        figures = charts_for(data, source)
        if figures:
            out.append(f"<h3>Source <code>{escape(source)}</code></h3>")
            out.append('<div class="charts">' + "".join(figures) + "</div>")
    return "".join(out) + "</section>"


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body>
{body}
<script>{script}</script>
</body></html>
"""

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1400px;padding:0 1rem;
color:#1b1b1b}
h1{font-size:1.5rem;margin:.2rem 0}h2{border-bottom:1px solid #ddd;margin-top:2rem}
code{font-size:.92em}
.counts{display:flex;gap:1.5rem;margin:.5rem 0}.counts div{background:#f3f5f8;padding:.4rem .8rem;
border-radius:6px}.counts dt{font-size:.8em;color:#555}.counts dd{margin:0;font-size:1.3em}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e5e5e5;
padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#fafafa}
table.drift td:last-child{color:#a30000}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart-box{margin:0;border:1px solid #e5e5e5;
border-radius:6px;padding:.5rem}figcaption{font-weight:600;margin-bottom:.25rem}
.note{font-weight:normal;color:#666;font-size:.9em}
svg.chart{display:block;max-width:100%;height:auto}
svg .grid{stroke:#eee}svg .tick{font-size:10px;fill:#666}
svg .selected{stroke:#888;stroke-dasharray:4 3}
svg circle.drift{stroke:#d00;stroke-width:3}
.legend{display:flex;flex-wrap:wrap;gap:.3rem;max-width:640px}
.key{font:inherit;font-size:.85em;border:1px solid #ccc;background:#fff;border-radius:4px;
cursor:pointer;padding:.05rem .4rem}.key[aria-pressed=false]{opacity:.4}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}
details.rule{margin:.3rem 0}.sample{margin:.4rem 0 .8rem 1rem}
.ba{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}
pre{white-space:pre-wrap;word-break:break-word;margin:0;padding:.3rem;border-radius:4px}
pre.before{background:#fdecec}pre.after{background:#eaf7ea}
"""

_SCRIPT = """
(function () {
  document.querySelectorAll('.chart-box').forEach(function (box) {
    box.querySelectorAll('.key').forEach(function (key) {
      key.addEventListener('click', function () {
        var on = key.getAttribute('aria-pressed') !== 'true';
        key.setAttribute('aria-pressed', on ? 'true' : 'false');
        var g = box.querySelector('g.series[data-series="' + key.dataset.series + '"]');
        if (g) { g.style.display = on ? '' : 'none'; }
      });
    });
  });
  var input = document.getElementById('qfilter');
  if (input) {
    var rows = Array.prototype.slice.call(document.querySelectorAll('table.quarantine tbody tr'));
    var count = document.getElementById('qcount');
    var apply = function () {
      var q = input.value.toLowerCase(), shown = 0;
      rows.forEach(function (tr) {
        var hit = tr.textContent.toLowerCase().indexOf(q) >= 0;
        tr.style.display = hit ? '' : 'none';
        if (hit) { shown += 1; }
      });
      count.textContent = shown + ' of ' + rows.length + ' shown';
    };
    input.addEventListener('input', apply);
    apply();
  }
  document.body.dataset.ready = 'true';
})();
"""

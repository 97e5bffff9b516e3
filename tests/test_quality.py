"""Quality over time: run_metrics, drift against the trailing runs, --strict, and the
HTML report (opened in a real headless Chromium when one is installed).

The history is real: three runs of the library's pipeline into a real DuckDB file
over a corpus the test makes drift (a stable base, more of the same, then broken
files and guides whose citations dangle).  Drift rules themselves are pure and
tested on hand-made metrics.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from browser import Browser, find_chromium
from ingest import drift
from ingest.cli import main
from ingest.drift import DriftFailure, DriftSettings, check
from ingest.generate import generate_corpus
from ingest.metrics import Metric
from ingest.pipeline import RunConfig, RunSummary, run_pipeline

HOSTILE = "<img src=x onerror=alert(1)>.md"
GUIDE = """# Dangling guide {n}

Results were confirmed in two trials [4] and a review [7].

| Dose | Effect |
|---|---|
| 5 mg | mild [8] |

## References

1. A study of things. Journal of Tests. 2020;1:1-2.
2. Another study. https://example.org/x
"""


@dataclass
class History:
    src: Path
    db: Path
    before_drift: Path  # a copy of the warehouse after the second run
    runs: list[RunSummary]


def _run(src: Path, db: Path, **kw: object) -> RunSummary:
    return run_pipeline(RunConfig([f"ex={src}"], db=str(db), workers=2, batch_size=20, **kw))  # type: ignore[arg-type]


def _drift_corpus(src: Path) -> None:
    """Broken files and guides with dangling citations, added to a healthy source."""
    bad = src / "drift"
    bad.mkdir()
    for i in range(8):
        (bad / f"broken_{i}.md").write_text(f"---\ntitle: [unclosed {i}\n---\n# x\n")
    (bad / HOSTILE).write_bytes(b"\x00\x01binary <script>alert(2)</script>")
    for i in range(6):
        (bad / f"guide_{i}.md").write_text(GUIDE.format(n=i))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    root = tmp_path_factory.mktemp("quality")
    src, db = root / "src", root / "w.duckdb"
    generate_corpus(src / "base", 20, seed=5, bad_share=0.0)
    runs = [_run(src, db)]
    generate_corpus(src / "more", 8, seed=6, bad_share=0.0)
    # Replaced and removed documents too: their counts must leave with them.
    docs = sorted(p for p in (src / "base").rglob("*.md"))
    docs[0].unlink()
    with docs[1].open("a") as fh:
        fh.write("\n## Added later\n\nA cited line [1].\n")
    runs.append(_run(src, db))
    before = root / "before_drift.duckdb"
    shutil.copyfile(db, before)
    _drift_corpus(src)
    runs.append(_run(src, db))
    return History(src, db, before, runs)


def _q(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


# -- run_metrics -----------------------------------------------------------------------------
def test_every_published_run_has_metrics_that_match_the_warehouse(history: History) -> None:
    runs = {r[0] for r in _q(history.db, "SELECT run_id FROM ingest_runs")}
    assert {r[0] for r in _q(history.db, "SELECT DISTINCT run_id FROM run_metrics")} == runs
    assert len(runs) == 3
    last = history.runs[-1].run_id

    def metric(name: str, family: str = "all", subject: str = "") -> tuple:
        return _q(
            history.db,
            "SELECT count, base, value FROM run_metrics WHERE run_id = "
            f"'{last}' AND family = '{family}' AND metric = '{name}' AND subject = '{subject}'",
        )[0]

    n_files = len([p for p in history.src.rglob("*") if p.is_file()])
    quarantined = _q(history.db, "SELECT count(*) FROM current_quarantine")[0][0]
    assert metric("quarantine_rate")[:2] == (quarantined, n_files) and quarantined == 9
    dangling = _q(history.db, "SELECT count(*) FILTER (NOT resolved), count(*) FROM citations")
    assert metric("dangling_citation_rate")[:2] == dangling[0]
    assert metric("dangling_citation_rate", "guide")[0] == dangling[0][0] > 0
    uncited = _q(history.db, "SELECT count(*) FILTER (NOT cited), count(*) FROM reference_entries")
    assert metric("uncited_reference_rate")[:2] == uncited[0]
    docs = _q(history.db, "SELECT count(*) FROM documents")[0][0]
    tables = _q(history.db, "SELECT count(*) FROM doc_tables")[0][0]
    assert metric("tables_per_document") == (tables, docs, pytest.approx(tables / docs))
    assert metric("rows_per_document", subject="sections")[:2] == (
        _q(history.db, "SELECT count(*) FROM sections")[0][0],
        docs,
    )
    by_rule = dict(_q(history.db, "SELECT rule, n_repairs FROM repairs_by_rule"))
    recorded = _q(
        history.db,
        "SELECT subject, count FROM run_metrics WHERE run_id = "
        f"'{last}' AND family = 'all' AND metric = 'repairs_per_document'",
    )
    assert dict(recorded) == by_rule and by_rule


def test_document_counts_follow_replaced_and_removed_documents(history: History) -> None:
    for table in ("sections", "citations", "table_cells", "repairs"):
        direct = _q(history.db, f"SELECT doc_id, count(*) FROM {table} GROUP BY doc_id")
        kept = _q(
            history.db,
            "SELECT doc_id, sum(n_rows) FROM document_counts "
            f"WHERE table_name = '{table}' GROUP BY doc_id",
        )
        assert sorted(direct) == sorted(kept), table
    marked = _q(history.db, "SELECT doc_id FROM document_counts WHERE table_name = 'documents'")
    assert sorted(marked) == sorted(_q(history.db, "SELECT doc_id FROM documents"))


def test_a_warehouse_from_before_document_counts_is_counted_once(
    history: History, tmp_path: Path
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(history.before_drift, db)
    with duckdb.connect(str(db)) as con:  # as written before the table existed
        con.execute("DELETE FROM document_counts")
    _run(history.src, db)
    mine = "SELECT metric, subject, family, count, base FROM run_metrics WHERE run_id = "
    last = history.runs[-1].run_id
    got = _q(db, f"{mine}(SELECT run_id FROM ingest_runs ORDER BY finished_at DESC LIMIT 1)")
    assert sorted(got) == sorted(_q(history.db, f"{mine}'{last}'"))


def test_a_run_that_changes_nothing_records_no_metrics(history: History, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(history.db, db)
    before = _q(db, "SELECT count(*) FROM run_metrics")
    again = _run(history.src, db)
    assert again.recorded == "journal" and not again.drift
    assert _q(db, "SELECT count(*) FROM run_metrics") == before


# -- drift in the run ------------------------------------------------------------------------
def test_drift_is_reported_in_the_summary_and_json(history: History) -> None:
    first, stable, drifted = history.runs
    assert not first.drift and not stable.drift
    found = {(f.family, f.metric) for f in drifted.drift}
    assert ("all", "quarantine_rate") in found and ("guide", "dangling_citation_rate") in found
    text = drifted.render()
    assert "drift: " in text and "drift ex/all quarantine_rate" in text
    assert "median of the last 2 runs" in text
    js = drifted.to_json()
    assert '"metric": "quarantine_rate"' in js
    md = drifted.as_markdown()
    assert "## Drift" in md and "| ex | all | quarantine_rate |" in md


def test_strict_drift_is_not_published(history: History, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(history.before_drift, db)
    live = db.read_bytes()
    with pytest.raises(DriftFailure) as exc:
        _run(history.src, db, drift={"strict": True})
    assert str(exc.value).startswith("drift (--strict): ex/all quarantine_rate")
    assert "the run was not published and the live warehouse is unchanged" in str(exc.value)
    assert exc.value.code == 1 and exc.value.summary.drift
    assert db.read_bytes() == live  # history and data exactly as they were
    assert not list(tmp_path.glob(".w.duckdb.build-*"))
    # Lenient thresholds: the same run publishes.
    loose = {"thresholds": {"quarantine_rate": "off", "dangling_citation_rate": 1.0}}
    ok = _run(history.src, db, drift={"strict": True, **loose})
    assert {f.metric for f in ok.drift} <= {
        "rows_per_document",
        "repairs_per_document",
        "tables_per_document",
        "uncited_reference_rate",
    }
    assert db.read_bytes() != live


def test_cli_strict_drift_exits_1_with_one_line_and_the_summary(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copyfile(history.before_drift, db)
    live = db.read_bytes()
    report = tmp_path / "r.json"
    argv = ["run", f"ex={history.src}", "--db", str(db), "--no-prefect", "--no-progress"]
    code = main([*argv, "--strict", "--report-json", str(report)])
    out, err = capsys.readouterr()
    assert code == 1 and db.read_bytes() == live
    assert err.startswith("ingest: error: drift (--strict): ex/all quarantine_rate")
    assert len(err.strip().splitlines()) == 1
    assert "drift ex/guide dangling_citation_rate" in out
    assert '"drift": [' in report.read_text()


def test_drift_settings_from_file_and_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.cli import _parser
    from ingest.commands import config_from

    cfg_file = tmp_path / "q.toml"
    cfg_file.write_text(
        '[drift]\nwindow = 3\n[drift.thresholds]\nquarantine_rate = 0.2\n"repairs_per_document:a_prefix" = "off"\n'
    )
    args = _parser().parse_args(
        [
            "run",
            str(tmp_path),
            "--db",
            str(tmp_path / "w.duckdb"),
            "--drift-config",
            str(cfg_file),
            "--drift-threshold",
            "tables_per_document=0.1",
            "--strict",
        ]
    )
    s = drift.settings_from(config_from(args).drift)
    assert (s.window, s.strict) == (3, True)
    assert s.threshold("quarantine_rate", "") == 0.2
    assert s.threshold("tables_per_document", "") == 0.1
    assert s.threshold("repairs_per_document", "a_prefix") is None
    assert s.threshold("repairs_per_document", "whitespace") == 0.5
    bad = [
        (["--drift-threshold", "bogus=1"], "unknown drift metric 'bogus'"),
        (["--drift-threshold", "quarantine_rate=much"], "is not a number"),
        (["--drift-threshold", "quarantine_rate"], "write METRIC[:SUBJECT]=VALUE"),
        (["--drift-config", str(tmp_path / "nope.toml")], "cannot read drift config"),
    ]
    cfg_bad = tmp_path / "bad.toml"
    cfg_bad.write_text("[drift]\nwindow = 0\n")
    bad.append((["--drift-config", str(cfg_bad)], "drift window must be a whole number"))
    cfg_syntax = tmp_path / "syntax.toml"
    cfg_syntax.write_text("[drift\n")
    bad.append((["--drift-config", str(cfg_syntax)], "is not valid TOML"))
    for extra, message in bad:
        code = main(["run", str(tmp_path), "--db", str(tmp_path / "w.duckdb"), *extra])
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was written


# -- drift rules (pure) ----------------------------------------------------------------------
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _m(
    run: int,
    metric: str,
    value: float | None,
    *,
    family: str = "all",
    subject: str = "",
    count: int = 1,
    source: str = "s",
    base: int = 100,
) -> Metric:
    return Metric(
        f"r{run}", T0 + timedelta(hours=run), source, family, metric, subject, value, count, base
    )


def _docs(run: int, family: str = "guide", n: int = 50) -> Metric:
    return _m(run, "documents", float(n), family=family, count=n)


def test_rates_drift_up_by_points_against_the_median_of_the_window() -> None:
    past = [_m(i, "quarantine_rate", v) for i, v in enumerate([0.9, 0.0, 0.02, 0.01])]
    settings = DriftSettings(window=3)  # the 0.9 of run 0 is out of the window
    assert not check([_m(9, "quarantine_rate", 0.06)], past, settings)  # +5 points: at it
    [f] = check([_m(9, "quarantine_rate", 0.07)], past, settings)
    assert (f.median, f.runs, f.mode) == (0.01, 3, "abs")
    assert f.describe() == (
        "s/all quarantine_rate 7.0% vs 1.0% (median of the last 3 runs): +6.0 points, threshold 5.0"
    )
    assert not check([_m(9, "quarantine_rate", 0.0)], past, settings)  # down is good news
    assert not check([_m(9, "quarantine_rate", 0.5)], past, DriftSettings(min_runs=5, window=5))
    # Too few files to tell: not checked (min_base), unless the settings say otherwise.
    assert not check([_m(9, "quarantine_rate", 0.5, base=19)], past, settings)
    assert check(
        [_m(9, "quarantine_rate", 0.5, base=19)], past, DriftSettings(window=3, min_base=1)
    )


def test_per_document_figures_drift_both_ways_above_a_noise_floor() -> None:
    past = [_docs(i) for i in range(3)] + [
        _m(i, "tables_per_document", 2.0, family="guide") for i in range(3)
    ]
    now = [_docs(9)]
    assert not check(
        [*now, _m(9, "tables_per_document", 2.4, family="guide")], past, DriftSettings()
    )
    [down] = check([*now, _m(9, "tables_per_document", 1.0, family="guide")], past, DriftSettings())
    assert down.describe().endswith("-50%, threshold 25%")
    tiny = [_docs(i) for i in range(3)] + [
        _m(i, "repairs_per_document", 0.01, family="guide", subject="x") for i in range(3)
    ]
    assert not check(
        [*now, _m(9, "repairs_per_document", 0.04, family="guide", subject="x")],
        tiny,
        DriftSettings(),
    )


def test_a_rule_that_stops_or_starts_firing_counts_from_zero() -> None:
    def rule(run: int, subject: str, value: float) -> Metric:
        return _m(run, "repairs_per_document", value, family="guide", subject=subject)

    past = [_docs(i) for i in range(3)] + [rule(i, "gone", 0.5) for i in range(3)]
    [gone] = check([_docs(9)], past, DriftSettings())
    assert (gone.subject, gone.value, gone.median) == ("gone", 0.0, 0.5)
    quiet = DriftSettings(thresholds={"repairs_per_document:gone": None})
    [new] = check([_docs(9), rule(9, "new", 0.4), rule(9, "gone", 0.5)], past, quiet)
    assert (new.subject, new.median) == ("new", 0.0) and "from 0" in new.describe()


def test_sources_are_compared_with_their_own_history() -> None:
    past = [_m(i, "quarantine_rate", 0.5, source="other") for i in range(3)]
    assert not check([_m(9, "quarantine_rate", 0.4)], past, DriftSettings())


# -- the HTML report -------------------------------------------------------------------------
def _report(history: History, out: Path, *extra: str) -> int:
    return main(["report", "--db", str(history.db), "--html", str(out), *extra])


def test_report_page_is_self_contained_and_lists_what_the_run_did(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert _report(history, out) == 0
    assert str(out) in capsys.readouterr().out
    page = out.read_text()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert 'src="http' not in page and 'href="http' not in page and "<link" not in page
    assert page.count('<svg class="chart"') == 6 and 'class="drift"' in page
    # Quarantine list: every file of the run with its reason and line.
    assert page.count("<td><code>drift/broken_") == 8
    assert "front matter is not valid YAML" in page and "<td>2</td>" in page
    # A hostile file name is shown, never interpreted.
    assert "&lt;img src=x onerror=alert(1)&gt;.md" in page and "<img src=x" not in page
    # Repairs by rule, with before/after samples.
    assert page.count('<details class="rule"') >= 3 and 'class="before"' in page
    assert "quarantine_rate" in page.split('id="drift"')[1].split("</section>")[0]


def test_report_of_an_earlier_run_and_report_errors(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = history.runs[0].run_id
    out = tmp_path / "first.html"
    assert _report(history, out, "--run", first[:8]) == 0
    page = out.read_text()
    assert first in page and "Quarantined by this run (0)" in page
    assert "No measure of this run departed" in page
    capsys.readouterr()
    cases = [
        (["--run", "zzzz"], "--run zzzz: no run with that id (prefix)"),
        (["--db", str(tmp_path / "none.duckdb")], "no warehouse at"),
        (["--db", str(tmp_path)], "no warehouse at"),
    ]
    for extra, message in cases:
        code = main(["report", "--db", str(history.db), "--html", str(out), *extra])
        err = capsys.readouterr().err
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    with pytest.raises(SystemExit) as stop:  # checked before the warehouse is read
        main(["report", "--db", str(history.db), "--html", str(tmp_path / "no" / "r.html")])
    assert stop.value.code == 2 and "does not exist" in capsys.readouterr().err
    # A warehouse from before run_metrics: the page says so and still lists quarantines.
    old = tmp_path / "old.duckdb"
    shutil.copyfile(history.db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP TABLE run_metrics")
    assert main(["report", "--db", str(old), "--html", str(out)]) == 0
    page = out.read_text()
    assert "No quality metrics are recorded" in page and "drift/broken_0.md" in page


def test_report_renders_in_a_real_browser(history: History, tmp_path: Path) -> None:
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium found (.ci/run installs Debian's chromium package)")
    out = tmp_path / "report.html"
    assert _report(history, out) == 0
    browser = Browser(exe)
    try:
        browser.open(out.resolve().as_uri())
        assert browser.evaluate("document.body.dataset.ready") == "true"
        charts = browser.evaluate(
            "Array.from(document.querySelectorAll('svg.chart')).map(s => {"
            " const r = s.getBoundingClientRect();"
            " const lines = Array.from(s.querySelectorAll('polyline')).map(p => p.getBBox());"
            " return [r.width, r.height, s.querySelectorAll('circle').length,"
            "         lines.filter(b => b.width > 0).length]; })"
        )
        assert len(charts) == 6
        assert all(w > 100 and h > 50 and points > 0 for w, h, points, _ in charts), charts
        assert sum(lines for *_, lines in charts) >= 10, charts
        assert browser.evaluate("document.querySelectorAll('circle.drift').length") >= 1
        hidden = browser.evaluate(
            "(() => { const box = document.querySelector('.chart-box');"
            " box.querySelector('.key').click();"
            " return box.querySelector('g.series').style.display; })()"
        )
        assert hidden == "none"
        shown = browser.evaluate(
            "(() => { const i = document.getElementById('qfilter'); i.value = 'yaml_syntax';"
            " i.dispatchEvent(new Event('input'));"
            " return document.getElementById('qcount').textContent; })()"
        )
        assert shown == "8 of 9 shown"
        png = browser.screenshot(tmp_path / "report.png")
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
        assert browser.errors() == []
        assert all(u.startswith("file://") for u in browser.requests()), browser.requests()
    finally:
        browser.close()


# -- the Prefect artifact ----------------------------------------------------------------------
def test_flow_strict_drift_fails_with_its_summary_as_artifact(
    prefect_harness: None, history: History, tmp_path: Path
) -> None:
    import asyncio

    from prefect.client.orchestration import get_client

    from ingest.prefect.flow import ingest_flow

    db = tmp_path / "w.duckdb"
    shutil.copyfile(history.before_drift, db)
    live = db.read_bytes()
    cfg = RunConfig(
        [f"ex={history.src}"], db=str(db), workers=2, batch_size=20, drift={"strict": True}
    )
    with pytest.raises(DriftFailure) as exc:
        ingest_flow(config=cfg)
    assert db.read_bytes() == live
    run_id = exc.value.summary.run_id

    async def artifact() -> str:
        async with get_client() as client:
            arts = await client.read_artifacts()
            return next(a.data for a in arts if a.description == f"ingest run {run_id}")

    md = asyncio.run(artifact())
    assert md.startswith("**Run failed, not published:** drift (--strict)")
    assert "## Drift" in md and "| ex | all | quarantine_rate |" in md

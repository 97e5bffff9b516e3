"""Per-document budgets enforced by the process that parses (``ingest.budgets``), the
parser-tree estimate of preflight, and parse workers that die (``ingest.supervise``).

Hostile files are built on the fly and the budgets made tiny through ``Limits`` or
the ``INGEST_MAX_...`` environment, so each case takes well under a second of
parsing; every case checks the one-line reason and that the other documents of the
batch were kept."""

from __future__ import annotations

import dataclasses
import glob
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest

from ingest import limits as limits_mod
from ingest.batch import process_batch
from ingest.config import ConfigError
from ingest.discover import SourceFile
from ingest.document import process_bytes
from ingest.failures import explain
from ingest.limits import DEFAULT_LIMITS
from ingest.pipeline import RunConfig, run_pipeline
from ingest.supervise import WorkerDeath, death_issue
from ingest.workers import running_pool

FRONT = "---\ntitle: Budget\n---\n\n# Budget\n\n"
SMALL = FRONT + "A short and harmless paragraph.\n"


def _prose(paragraphs: int) -> str:
    return FRONT + "".join(f"Paragraph {i} of plain prose, padding.\n\n" for i in range(paragraphs))


def _long_lines(lines: int, words: int) -> str:
    """Few blocks (so preflight's tree estimate is tiny), much text per block."""
    return FRONT + ("word " * words + "\n\n") * lines


def _files(folder: Path, docs: dict[str, str]) -> list[SourceFile]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in sorted(docs.items()):
        p = folder / name
        p.write_text(text, encoding="utf-8")
        out.append(SourceFile(str(p), name, p.stat().st_size, source="s"))
    return out


def test_time_budget_stops_one_document_and_keeps_the_others(tmp_path: Path) -> None:
    files = _files(tmp_path, {"a.md": SMALL, "b-slow.md": _prose(10_000), "c.md": SMALL})
    tight = dataclasses.replace(DEFAULT_LIMITS, max_parse_seconds=0.05)
    res = process_batch(files, "r", tight, to_arrow=False)
    by_path = {o.source_path: o for o in res.outcomes}
    assert [o.source_path for o in res.outcomes] == ["a.md", "b-slow.md", "c.md"]
    err = by_path["b-slow.md"].error
    assert err is not None and err.code == "resource_limit", err
    assert "max_parse_seconds" in err.message and "CPU seconds" in err.message
    assert "0.05 s" in err.message
    assert by_path["a.md"].error is None and by_path["c.md"].error is None
    # the slow document's bookkeeping row still carries its hash (as any quarantined file)
    assert len(res.tables["quarantine"]) == 1
    assert res.tables["quarantine"]["content_sha256"].iloc[0]
    assert len(res.tables["sections"]) >= 2  # the kept documents' rows


def test_time_budget_is_lifted_after_the_document(tmp_path: Path) -> None:
    """No tick outlives a document: a slow step after it is not charged to anyone."""
    files = _files(tmp_path, {"a.md": SMALL})
    tight = dataclasses.replace(DEFAULT_LIMITS, max_parse_seconds=0.05)
    res = process_batch(files, "r", tight, to_arrow=False)
    assert res.outcomes[0].error is None
    t0 = time.process_time()
    while time.process_time() - t0 < 0.2:  # would be interrupted by a live timer
        pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) in (signal.SIG_DFL, None)


def test_memory_budget_in_a_worker_stops_one_document(tmp_path: Path) -> None:
    """Long lines: a handful of parser nodes (preflight's estimate lets them through),
    tens of MB of text work; a fresh worker's memory grows past a 12 MB budget."""
    docs = {"a.md": SMALL, "b-big.md": _long_lines(24, 20_000), "c.md": SMALL}
    files = _files(tmp_path, docs)
    tight = dataclasses.replace(DEFAULT_LIMITS, max_parse_memory_mb=12)
    with running_pool(1, tight) as pool:
        res = pool.submit_batch(files, "r", to_arrow=False).result()
    errors = {o.source_path: o.error for o in res.outcomes}
    err = errors["b-big.md"]
    assert err is not None and err.code == "resource_limit", err
    assert "max_parse_memory_mb" in err.message and "MB more memory" in err.message
    assert errors["a.md"] is None and errors["c.md"] is None


def test_preflight_refuses_a_tree_over_the_memory_budget() -> None:
    """Many small blocks: the parser's tree is built in one call, so its size is
    estimated and refused before it is built, with the estimate in the message."""
    text = _prose(3_000)  # ~6,000 nodes, ~8 MB
    tight = dataclasses.replace(DEFAULT_LIMITS, max_parse_memory_mb=2)
    res = process_bytes(text.encode(), "many.md", tight)
    assert res.error is not None and res.error.code == "resource_limit"
    assert "Markdown nodes" in res.error.message
    assert "max_parse_memory_mb" in res.error.message
    assert process_bytes(text.encode(), "many.md").error is None  # the default: fine


def test_limits_from_the_environment() -> None:
    got = limits_mod.from_env(
        {"INGEST_MAX_PARSE_SECONDS": "2.5", "INGEST_MAX_PARSE_MEMORY_MB": "64", "OTHER": "x"}
    )
    assert got.max_parse_seconds == 2.5 and got.max_parse_memory_mb == 64
    assert got.max_table_cells == DEFAULT_LIMITS.max_table_cells
    assert limits_mod.from_env({}) is DEFAULT_LIMITS
    for bad in ("0", "-1", "lots", "1.5"):
        with pytest.raises(ConfigError, match="INGEST_MAX_PARSE_MEMORY_MB"):
            limits_mod.from_env({"INGEST_MAX_PARSE_MEMORY_MB": bad})


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    full = {**os.environ, "PYTHONPATH": src, **env}
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        env=full,
        cwd=cwd,
        timeout=120,
    )


def test_validate_applies_the_budgets_from_the_environment(tmp_path: Path) -> None:
    _files(tmp_path / "docs", {"a.md": SMALL, "b-slow.md": _prose(10_000)})
    env = {"INGEST_MAX_PARSE_SECONDS": "0.05"}
    out = _cli(["validate", "docs"], env, tmp_path)
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("docs/b-slow.md: error [resource_limit]")
    assert "max_parse_seconds" in lines[0]
    assert "2 file(s) checked: 1 valid, 1 invalid" in out.stderr
    fine = _cli(["validate", "docs"], {}, tmp_path)
    assert fine.returncode == 0, fine.stdout + fine.stderr


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_bad_budget_in_the_environment_is_a_usage_error(tmp_path: Path, command: str) -> None:
    _files(tmp_path / "docs", {"a.md": SMALL})
    args = (
        ["validate", "docs"]
        if command == "validate"
        else ["run", "docs", "--no-prefect", "--db", "w.duckdb"]
    )
    out = _cli(args, {"INGEST_MAX_PARSE_SECONDS": "soon"}, tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "INGEST_MAX_PARSE_SECONDS='soon': must be a positive number" in out.stderr
    assert not (tmp_path / "w.duckdb").exists()  # nothing was touched


class _Killer(threading.Thread):
    """SIGKILLs every parse worker whose trail says it is on document ``index`` of its
    batch ("done": past its documents): a document that kills whatever parses it, as
    the OOM killer would."""

    def __init__(self, trails: str, index: int | str) -> None:
        super().__init__(daemon=True)
        self.pattern, self.index = os.path.join(trails, "ingest-trails-*", "*"), index
        self.killed: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for path in glob.glob(self.pattern):
                try:
                    at, pid_text = Path(path).read_text().split()
                    pid = int(pid_text)
                except (OSError, ValueError):
                    continue
                if at == str(self.index) and pid not in self.killed:
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(pid)
            time.sleep(0.002)


def _killer_corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    _files(
        src,
        {
            "a.md": SMALL,
            "b.md": SMALL,
            "c-killer.md": _prose(6_000),
            "d.md": SMALL,
            "e-slow.md": _prose(6_000),
        },
    )
    return src


@pytest.mark.slow
def test_a_worker_killed_mid_document_on_the_prefect_path(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same death under the Prefect flow: the parse task's thread recovers."""
    from ingest.prefect.flow import run_flow

    src = _killer_corpus(tmp_path)
    trails = tmp_path / "trails"
    trails.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(trails))
    killer = _Killer(str(trails), index=2)
    killer.start()
    db = tmp_path / "w.duckdb"
    try:
        summary = run_flow(RunConfig(sources=[str(src)], db=str(db), workers=2, batch_size=3))
    finally:
        killer.stop.set()
        killer.join()
    assert len(killer.killed) == 2
    assert (summary.loaded, summary.quarantined) == (4, 1)
    assert [p.path for p in summary.problems] == ["c-killer.md"]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (4,)


@pytest.mark.parametrize(
    ("workers", "batch_size"),
    # one batch; or two batches in flight at once ([a, b, c-killer] and [d, e-slow]),
    # where the other batch's worker goes down with the pool and is parsed again
    [(1, 500), (2, 3)],
)
def test_a_worker_killed_mid_document_is_replaced_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, batch_size: int
) -> None:
    src = _killer_corpus(tmp_path)
    trails = tmp_path / "trails"
    trails.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(trails))
    killer = _Killer(str(trails), index=2)
    killer.start()
    db = tmp_path / "w.duckdb"
    try:
        cfg = RunConfig(sources=[str(src)], db=str(db), workers=workers, batch_size=batch_size)
        summary = run_pipeline(cfg)
    finally:
        killer.stop.set()
        killer.join()
    assert len(killer.killed) == 2  # in the pool, then alone in a fresh worker
    assert (summary.loaded, summary.quarantined, summary.seen) == (4, 1, 5)
    [problem] = summary.problems
    assert problem.path == "c-killer.md" and problem.code == "resource_limit"
    assert "SIGKILL" in problem.message and "replaced" in problem.message
    with duckdb.connect(str(db), read_only=True) as con:
        docs_loaded = con.execute("SELECT source_path FROM documents ORDER BY 1").fetchall()
        assert docs_loaded == [("a.md",), ("b.md",), ("d.md",), ("e-slow.md",)]
        # every loaded document once: nothing of a dead attempt was staged twice
        twice = "SELECT doc_id, section_id FROM sections GROUP BY ALL HAVING count(*) > 1"
        assert con.execute(twice).fetchall() == []
        assert con.execute("SELECT count(DISTINCT doc_id) FROM sections").fetchone() == (4,)
        q = con.execute("SELECT source_path, error_code FROM quarantine").fetchall()
        assert q == [("c-killer.md", "resource_limit")]
    # the next run parses nothing again: the killer stays quarantined, unread
    again = run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))
    assert (again.loaded, again.unchanged, again.quarantined) == (0, 4, 1)


def test_death_messages_name_the_backstop() -> None:
    assert "max_parse_seconds" in death_issue(-signal.SIGXCPU, "x.md").message
    assert death_issue(-signal.SIGKILL, "x.md").code == "resource_limit"
    crashed = death_issue(-signal.SIGSEGV, "x.md")
    assert crashed.code == "worker_died" and "SIGSEGV" in crashed.message


def test_workers_dying_outside_any_document_fail_the_run_and_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed while it validates or stages its batch blames no document; the
    second such death stops the run (one line), and the live warehouse is as it was."""
    src = tmp_path / "src"
    _files(src, {"a.md": SMALL})
    db = tmp_path / "w.duckdb"
    run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))
    before = db.read_bytes()
    (src / "b.md").write_text(_prose(3_000), encoding="utf-8")
    trails = tmp_path / "trails"
    trails.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(trails))
    killer = _Killer(str(trails), index="done")
    killer.start()
    try:
        with pytest.raises(WorkerDeath, match="died 2 times outside any document") as info:
            run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))
    finally:
        killer.stop.set()
        killer.join()
    assert explain(info.value) == (str(info.value), 1)
    assert "live warehouse is unchanged" in str(info.value)
    assert db.read_bytes() == before


def test_no_room_for_trails_still_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A temporary folder that cannot be written to costs only the blame of a death."""
    files = _files(tmp_path / "docs", {"a.md": SMALL, "b.md": SMALL})
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with running_pool(1, DEFAULT_LIMITS) as pool:
        job = pool.submit_batch(files, "r", to_arrow=False)
        res = job.result()
    assert job.trail is None
    assert [o.error for o in res.outcomes] == [None, None]

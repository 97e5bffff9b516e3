"""Many writers and readers on one lake, on a SQLite catalog and on a real PostgreSQL.

Two ``ingest run`` processes load different sources into one lake at the same time:
both commit, and the lake equals loading them one after the other (into the DuckDB
file, the reference).  A reader process polls the lake during a run and only ever sees
the state before the run or after it, never an error or a mix.  The PostgreSQL server
is real (tests/postgres.py starts and stops it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from ingest.config import RunConfig
from ingest.generate import generate_corpus
from ingest.lake.migrate import duplicate_keys
from ingest.lake.snapshots import open_lake, snapshot_ids
from ingest.lake.spec import attach, parse
from ingest.lake.target import LakeBusy
from ingest.lake.warehouse import LakeWarehouse
from ingest.pipeline import local_executor, run, run_pipeline
from ingest.plan import plan_run
from test_lake import Lake, _edit_one, _rows
from wh_helpers import snapshot as file_snapshot

# Several processes and a real PostgreSQL: ~100 s in all, so with the long scenarios
# (`make test` and CI run them; `pytest -m "not slow"` leaves them out).
pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgres"])
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Lake:
    """An empty lake on each kind of catalog."""
    out = Lake(tmp_path / "lake")
    if request.param == "postgres":
        out.catalog = "postgres:" + request.getfixturevalue("postgres_dsn")
    return out


def _start_run(lake: Lake, source: str) -> subprocess.Popen[str]:
    args = ["run", "--no-prefect", "--no-progress", "--workers", "1", source]
    return subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", *args, "--lake", lake.catalog],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "INGEST_LAKE_DATA": lake.data},
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return out


def test_two_runs_at_once_both_commit_and_equal_running_them_in_turn(
    lake: Lake, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate_corpus(a, 30, seed=11, bad_share=0.1)
    generate_corpus(b, 30, seed=12, bad_share=0.1)
    runs = [_start_run(lake, f"a={a}"), _start_run(lake, f"b={b}")]
    outs = [_finish(p) for p in runs]
    assert all("@ snapshot" in o for o in outs)
    db = tmp_path / "turns.duckdb"
    for src in (f"a={a}", f"b={b}"):
        run_pipeline(RunConfig(sources=[src], db=str(db), workers=1))
    assert lake.tables() == file_snapshot(db)
    with open_lake(lake.catalog, lake.data) as con:
        assert duplicate_keys(con) == {}
        assert con.execute("SELECT source FROM sources ORDER BY 1").fetchall() == [("a",), ("b",)]
    assert len(snapshot_ids(lake.catalog, lake.data)) == 2
    # Both again with a changed file each: re-loads (delete-then-insert) at once.
    for src in (a, b):
        doc = sorted(p for p in src.rglob("*.md") if "bad" not in p.parts)[0]
        doc.write_text(doc.read_text() + "\n\nEdited while the other source loads.\n")
    runs = [_start_run(lake, f"a={a}"), _start_run(lake, f"b={b}")]
    for p in runs:
        _finish(p)
    for src in (f"a={a}", f"b={b}"):
        run_pipeline(RunConfig(sources=[src], db=str(db), workers=1))
    assert lake.tables() == file_snapshot(db)


READER = textwrap.dedent(
    """
    import json, sys, time
    from ingest.lake.snapshots import open_lake
    catalog, data, until = sys.argv[1], sys.argv[2], float(sys.argv[3])
    while time.time() < until:
        t0 = time.perf_counter()
        try:
            with open_lake(catalog, data) as con:
                row = con.execute(
                    "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM source_files),"
                    " (SELECT count(*) FROM sections), (SELECT count(*) FROM ingest_runs)"
                ).fetchone()
            print(json.dumps({"state": list(row), "s": time.perf_counter() - t0}), flush=True)
        except Exception as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
        time.sleep(0.05)
    """
)


def test_a_reader_during_a_run_sees_before_or_after_never_a_mix(lake: Lake, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate_corpus(a, 20, seed=21, bad_share=0.0)
    generate_corpus(b, 40, seed=22, bad_share=0.0)
    lake.run(f"a={a}")

    def state() -> list[int]:
        with open_lake(lake.catalog, lake.data) as con:
            tables = _rows(con)
            runs = con.execute("SELECT count(*) FROM ingest_runs").fetchone()
        counts = [len(tables["documents"]), len(tables["source_files"]), len(tables["sections"])]
        return [*counts, runs[0] if runs else 0]

    before = state()
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, lake.catalog, lake.data, str(time.time() + 600)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seen = _read(reader, lambda s: True, 2)  # it reads before the run starts
        _finish(_start_run(lake, f"b={b}"))
        after = state()
        seen += _read(reader, lambda s: s.get("state") == after, 1)
    finally:
        reader.terminate()
    seen += [json.loads(line) for line in reader.communicate(timeout=60)[0].splitlines()]
    assert not [s for s in seen if "error" in s], seen
    states = {tuple(s["state"]) for s in seen}
    assert states == {tuple(before), tuple(after)} and before != after


def _read(reader: subprocess.Popen[str], want, n: int) -> list[dict]:  # type: ignore[no-untyped-def]
    """The reader's lines until ``n`` of them satisfy ``want`` (or it stops)."""
    assert reader.stdout is not None
    out: list[dict] = []
    while sum(1 for s in out if want(s)) < n:
        line = reader.stdout.readline()
        assert line, f"the reader stopped: {out}"
        out.append(json.loads(line))
    return out


def _conflicting_plan(lake: Lake, times: list[int]):
    """The real plan, then (``times`` times) another writer commits a change to the rows
    this run rewrites: its ``sources`` row.  The run's own commit then conflicts."""

    def plan(cfg, wh, run_id):  # type: ignore[no-untyped-def]
        out = plan_run(cfg, wh, run_id)
        if times[0] > 0:
            times[0] -= 1
            with duckdb.connect() as con:
                attach(con, parse(lake.catalog, lake.data))
                con.execute("UPDATE sources SET last_run_at = now()")
        return out

    return plan


def test_a_conflicting_commit_is_retried_then_given_up_with_one_line(
    lake: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "mono"
    generate_corpus(corpus, 12, seed=5, bad_share=0.2)
    lake.run(f"mono={corpus}")
    _edit_one(corpus)
    tables, runs = lake.tables(), lake.snapshots()
    monkeypatch.setenv("INGEST_LAKE_COMMIT_RETRIES", "1")
    with pytest.raises(LakeBusy) as err:
        run(lake.cfg(f"mono={corpus}"), local_executor, plan=_conflicting_plan(lake, [2]))
    line = str(err.value)
    assert "\n" not in line and "conflicted with other writers 2 times" in line
    assert "nothing of it was committed" in line
    assert lake.tables() == tables and lake.snapshots() == runs  # nothing half-committed
    summary = run(lake.cfg(f"mono={corpus}"), local_executor, plan=_conflicting_plan(lake, [1]))
    assert summary.loaded == 1 and len(lake.snapshots()) == 2
    with open_lake(lake.catalog, lake.data) as con:
        assert duplicate_keys(con) == {}


def test_ingest_runs_records_the_snapshot_even_when_another_writer_commits_first(
    lake: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Right after the run has read the latest snapshot for its record, another writer
    commits.  On PostgreSQL DuckLake retries the run's commit under the next id and the
    run corrects its row in a small commit of its own; on SQLite the commit conflicts and
    the run is tried again.  Either way ``ingest_runs.snapshot_id`` is the snapshot the
    run's commit made, and time travel to it shows the run's state."""
    corpus = tmp_path / "mono"
    generate_corpus(corpus, 12, seed=5, bad_share=0.2)
    lake.run(f"mono={corpus}")
    _edit_one(corpus)
    real, left = LakeWarehouse.next_snapshot, [1]

    def then_another_writer(self: LakeWarehouse) -> int | None:
        predicted = real(self)
        if left[0]:
            left[0] -= 1
            with duckdb.connect() as con:
                attach(con, parse(lake.catalog, lake.data))
                con.execute("INSERT INTO ingest_meta VALUES ('another-writer', 'was here')")
        return predicted

    monkeypatch.setattr(LakeWarehouse, "next_snapshot", then_another_writer)
    summary = run(lake.cfg(f"mono={corpus}"), local_executor)
    assert summary.loaded == 1 and not left[0]
    tagged = lake.snapshots()
    recorded = dict(lake.query("SELECT run_id, snapshot_id FROM ingest_runs"))
    assert recorded == tagged and len(tagged) == 2
    assert lake.tables(snapshot=tagged[summary.run_id]) == lake.tables()
    corrections = lake.query(
        "SELECT count(*) FROM ducklake_snapshots('lake') WHERE commit_message = 'run record'"
    )[0][0]
    assert corrections == (1 if lake.catalog.startswith("postgres:") else 0)

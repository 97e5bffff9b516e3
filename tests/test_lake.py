"""The DuckLake target: the same warehouse as the file, one snapshot per run, cost that
follows the change, upkeep, and every bad option or environment as one clear line.

Real lakes (DuckDB with the ducklake and sqlite extensions from their wheels, a SQLite
catalog and a Parquet folder in tmp_path), the library's run loop and the CLI as a
subprocess.  Concurrency (several writers, a reader during a run) is in
tests/test_lake_concurrency.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from ingest import schema
from ingest.config import ConfigError, RunConfig
from ingest.generate import generate_corpus
from ingest.lake.maintain import maintain
from ingest.lake.migrate import duplicate_keys
from ingest.lake.snapshots import open_lake, snapshot_ids
from ingest.lake.spec import attach, parse
from ingest.lake.target import LakeTarget
from ingest.pipeline import remove_source_run, run_pipeline
from wh_helpers import RUN_COLUMNS
from wh_helpers import snapshot as file_snapshot

TABLES = [*schema.document_tables(), "source_files"]


class Lake:
    """A lake in a folder: its options, runs into it, and its tables read back."""

    def __init__(self, folder: Path) -> None:
        self.catalog = f"sqlite:{folder / 'catalog.sqlite'}"
        self.data = str(folder / "data")

    def cfg(self, *sources: str, **kw: object) -> RunConfig:
        return RunConfig(
            sources=list(sources),
            lake=self.catalog,
            lake_data=self.data,
            workers=1,
            batch_size=7,
            **kw,  # type: ignore[arg-type]
        )

    def run(self, *sources: str) -> dict[str, int]:
        return run_pipeline(self.cfg(*sources)).counts()

    def tables(self, snapshot: int | None = None) -> dict[str, list[tuple]]:
        with open_lake(self.catalog, self.data, snapshot=snapshot) as con:
            return _rows(con)

    def query(self, sql: str) -> list[tuple]:
        with open_lake(self.catalog, self.data) as con:
            return con.execute(sql).fetchall()

    def snapshots(self) -> dict[str, int]:
        return snapshot_ids(self.catalog, self.data)


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    out = {}
    for name in TABLES:
        cols = [c for c in schema.tables()[name].names if c not in RUN_COLUMNS]
        out[name] = sorted(
            con.execute(f"SELECT {', '.join(cols)} FROM {name}").fetchall(), key=repr
        )
    return out


def _cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "mono"
    generate_corpus(src, 16, seed=5, bad_share=0.2)
    return src


def _edit_one(src: Path) -> Path:
    """Change one loaded document (a new paragraph), return it."""
    target = sorted(p for p in src.rglob("*.md") if "bad" not in p.parts)[0]
    target.write_text(target.read_text() + "\n\nA paragraph added by the edit.\n")
    return target


def test_a_lake_holds_exactly_what_the_file_holds_run_after_run(
    tmp_path: Path, corpus: Path
) -> None:
    """Cold run, a changed document (delete-then-insert), a removed one: after each, the
    lake's tables equal the file's, and no key is held twice."""
    lake, db = Lake(tmp_path / "lake"), tmp_path / "file.duckdb"
    file_cfg = RunConfig(sources=[f"mono={corpus}"], db=str(db), workers=1, batch_size=7)
    steps = [lambda: None, lambda: _edit_one(corpus), lambda: _remove_one(corpus)]
    for step in steps:
        step()
        want = run_pipeline(file_cfg).counts()
        assert lake.run(f"mono={corpus}") == want
        assert lake.tables() == file_snapshot(db)
        with open_lake(lake.catalog, lake.data) as con:
            assert duplicate_keys(con) == {}
            quarantined = con.execute("SELECT count(*) FROM quarantine").fetchone()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchone() == quarantined
        # The file has no snapshots: its runs' snapshot_id is null.
        assert con.execute("SELECT DISTINCT snapshot_id FROM ingest_runs").fetchall() == [(None,)]


def _remove_one(src: Path) -> None:
    sorted(p for p in src.rglob("*.md") if "bad" not in p.parts)[-1].unlink()


def test_each_run_is_one_snapshot_and_an_earlier_run_can_be_read(
    tmp_path: Path, corpus: Path
) -> None:
    lake = Lake(tmp_path / "lake")
    lake.run(f"mono={corpus}")
    first = lake.tables()
    edited = _edit_one(corpus)
    lake.run(f"mono={corpus}")
    runs = lake.snapshots()
    assert len(runs) == 2 and len(set(runs.values())) == 2
    assert dict(lake.query("SELECT run_id, snapshot_id FROM ingest_runs")) == runs
    old, new = sorted(runs.values())
    assert lake.tables(snapshot=old) == first
    assert lake.tables(snapshot=new) == lake.tables() != first
    changes = lake.query(
        f"SELECT count(*) FROM ducklake_snapshots('lake') WHERE snapshot_id > {old}"
    )[0][0]
    assert changes == 1  # the second run made exactly one snapshot
    path = edited.relative_to(corpus).as_posix()
    sha = "SELECT content_sha256 FROM documents AT (VERSION => {}) WHERE source_path = '{}'"
    assert lake.query(sha.format(old, path)) != lake.query(sha.format(new, path))
    done = _cli("lake", "snapshots", "--lake", lake.catalog, "--lake-data", lake.data)
    assert done.returncode == 0, done.stderr
    assert all(f"{sid:>8}" in done.stdout and rid in done.stdout for rid, sid in runs.items())


def test_a_one_file_change_writes_only_that_files_rows(tmp_path: Path, corpus: Path) -> None:
    """What the second run adds to the lake is the changed document's rows (and the run's
    bookkeeping), not a copy of anything that grows with the lake."""
    lake = Lake(tmp_path / "lake")
    lake.run(f"mono={corpus}")
    before = lake.query("SELECT count(*) FROM documents")[0][0]
    edited = _edit_one(corpus)
    assert lake.run(f"mono={corpus}")["loaded"] == 1
    snap = max(lake.snapshots().values())
    written = dict(
        lake.query(
            "SELECT t.table_name, sum(f.record_count) FROM __ducklake_metadata_lake.ducklake_data_file f "
            "JOIN __ducklake_metadata_lake.ducklake_table t USING (table_id) "
            f"WHERE f.begin_snapshot = {snap} AND t.end_snapshot IS NULL GROUP BY ALL"
        )
    )
    doc = lake.query(
        "SELECT doc_id FROM documents WHERE source_path = "
        f"'{edited.relative_to(corpus).as_posix()}'"
    )[0][0]
    for name in schema.document_tables():
        mine = lake.query(f"SELECT count(*) FROM {name} WHERE doc_id = '{doc}'")[0][0]
        assert written.get(name, 0) == mine, name
    # Besides the changed file: the files still bad, re-reported for this run (their
    # source_files rows carry the run that last reported them).
    bad = lake.query("SELECT count(*) FROM source_files WHERE status = 'quarantined'")[0][0]
    assert written.get("source_files") == 1 + bad and before > 1 + bad


@pytest.mark.slow
def test_maintain_merges_expires_and_cleans_without_changing_the_tables(
    tmp_path: Path, corpus: Path
) -> None:
    lake = Lake(tmp_path / "lake")
    lake.run(f"mono={corpus}")
    for _ in range(3):
        _edit_one(corpus)
        lake.run(f"mono={corpus}")
    tables = lake.tables()
    files_before = len(list(Path(lake.data).rglob("*.parquet")))
    done = maintain(parse(lake.catalog, lake.data), keep_days=0)
    assert done.merged_tables > 0 and done.expired_snapshots > 0 and done.deleted_files > 0
    assert len(list(Path(lake.data).rglob("*.parquet"))) < files_before
    assert lake.tables() == tables
    # Only the latest snapshot (maintenance's own) is left to travel to.
    assert lake.query("SELECT count(*) FROM ducklake_snapshots('lake')") == [(1,)]
    again = _cli("lake", "maintain", "--lake", lake.catalog, "--lake-data", lake.data)
    assert again.returncode == 0 and "maintained" in again.stdout, again.stderr


def test_remove_source_and_sources_on_a_lake(tmp_path: Path, corpus: Path) -> None:
    lake = Lake(tmp_path / "lake")
    other = tmp_path / "other"
    generate_corpus(other, 5, seed=9, bad_share=0.0)
    lake.run(f"mono={corpus}", f"other={other}")
    listed = _cli("sources", "--lake", lake.catalog, "--lake-data", lake.data)
    assert listed.returncode == 0 and "mono" in listed.stdout and "other" in listed.stdout
    keep = lake.query("SELECT * FROM documents WHERE source = 'other' ORDER BY doc_id")
    summary = remove_source_run("", "mono", target=LakeTarget(parse(lake.catalog, lake.data)))
    assert summary.removed > 0
    assert lake.query("SELECT DISTINCT source FROM documents") == [("other",)]
    assert lake.query("SELECT source FROM sources") == [("other",)]
    assert lake.query("SELECT * FROM documents ORDER BY doc_id") == keep


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lake", "mysql:x"], "write sqlite:PATH, postgres:DSN or duckdb:PATH"),
        (["--lake", "sqlite:"], "write sqlite:PATH, postgres:DSN or duckdb:PATH"),
        (["--lake", "sqlite:{tmp}/c.sqlite"], "needs --lake-data DIR"),
        (["--lake", "sqlite:{tmp}", "--lake-data", "{tmp}/d"], "is a folder, not a catalog"),
        (["--lake", "sqlite:{tmp}/c.sqlite", "--lake-data", "{file}"], "is a file, not a folder"),
    ],
)
def test_a_lake_option_that_cannot_work_is_a_usage_error(
    tmp_path: Path, corpus: Path, args: list[str], message: str
) -> None:
    (tmp_path / "f").write_text("x")
    args = [a.format(tmp=tmp_path, file=tmp_path / "f") for a in args]
    done = _cli("run", "--no-prefect", str(corpus), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c.sqlite").exists() and not (tmp_path / "d").exists()


def test_the_environment_names_the_lake(tmp_path: Path, corpus: Path) -> None:
    lake = Lake(tmp_path / "lake")
    env = {"INGEST_LAKE": lake.catalog, "INGEST_LAKE_DATA": lake.data}
    done = _cli("run", "--no-prefect", "--no-progress", f"mono={corpus}", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warehouse: lake sqlite:" in done.stdout and "@ snapshot" in done.stdout
    assert not (tmp_path / "warehouse").exists()  # the default file target was not written
    assert lake.query("SELECT count(*) FROM documents")[0][0] > 0
    before = lake.snapshots()
    # An explicit --db is the file, whatever the environment says; naming both is refused.
    db = tmp_path / "w.duckdb"
    done = _cli("run", "--no-prefect", f"mono={corpus}", "--db", str(db), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"warehouse: {db}" in done.stdout and db.is_file()
    both = ["--db", str(db), "--lake", lake.catalog, "--lake-data", lake.data]
    done = _cli("sources", *both, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "ingest: error: --db and --lake name two warehouses: give one of them"
    ]
    assert lake.snapshots() == before


def test_an_unreachable_catalog_is_one_line_and_nothing_is_written(
    tmp_path: Path, corpus: Path
) -> None:
    data = tmp_path / "data"
    bad = "postgres:dbname=nope host=127.0.0.1 port=1 user=postgres connect_timeout=2"
    done = _cli("run", "--no-prefect", str(corpus), "--lake", bad, "--lake-data", str(data))
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be opened" in lines[0] and "password" not in lines[0]
    assert not any(data.rglob("*.parquet"))


def test_commands_on_a_lake_that_is_not_there(tmp_path: Path) -> None:
    opts = ["--lake", f"sqlite:{tmp_path / 'none.sqlite'}", "--lake-data", str(tmp_path / "d")]
    for args in (["sources"], ["lake", "snapshots"], ["lake", "maintain"]):
        done = _cli(*args, *opts)
        assert done.returncode == 2, (args, done.stderr)
        assert "no lake at sqlite:" in done.stderr, args
    done = _cli("search", "aspirin", *opts)
    assert done.returncode == 2 and "search is not offered on a lake" in done.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_commands_on_a_lake_whose_first_run_has_not_committed(tmp_path: Path) -> None:
    """DuckLake creates an empty lake on the first attach, before the first run commits
    ingest's tables: commands say there is no warehouse yet (exit 2), not a bug."""
    spec = parse(f"sqlite:{tmp_path / 'c.sqlite'}", str(tmp_path / "d"))
    with duckdb.connect() as con:
        attach(con, spec)
    opts = ["--lake", f"sqlite:{tmp_path / 'c.sqlite'}", "--lake-data", str(tmp_path / "d")]
    for args in (["sources"], ["lake", "snapshots"], ["changes", "--since", "abc"]):
        done = _cli(*args, *opts)
        assert done.returncode == 2, (args, done.stderr)
        assert "no lake at" in done.stderr or "no ingest warehouse in lake" in done.stderr, args
        assert "bug" not in done.stderr, args


def test_a_lake_spec_keeps_a_password_out_of_messages() -> None:
    spec = parse("postgres:dbname=x host=h password=secret user=u", "/tmp/d")
    assert "secret" not in spec.label and "dbname=x" in spec.label
    with pytest.raises(ConfigError):
        parse("postgres:", "/tmp/d")


@pytest.mark.flow
@pytest.mark.slow
def test_the_prefect_flow_on_a_dask_cluster_loads_the_lake(
    prefect_harness: None, tmp_path: Path, corpus: Path
) -> None:
    """The target is part of the flow's one parameter; parse batches on a local Dask
    cluster, loading in the flow's process, into the lake: what the file gets."""
    from ingest.prefect.flow import run_flow

    lake, db = Lake(tmp_path / "lake"), tmp_path / "file.duckdb"
    cfg = RunConfig.from_dict(
        {**lake.cfg(f"mono={corpus}").as_dict(), "task_runner": "dask", "workers": 2}
    )
    summary = run_flow(cfg)
    want = run_pipeline(RunConfig(sources=[f"mono={corpus}"], db=str(db), workers=1))
    assert summary.counts() == want.counts() and "@ snapshot" in summary.db
    assert lake.tables() == file_snapshot(db)


@pytest.mark.slow
def test_a_lake_run_stopped_midway_leaves_the_lake_as_it_was(tmp_path: Path, corpus: Path) -> None:
    """SIGTERM while the run's rows are staged: exit 143, no snapshot, the tables as they
    were; the next run loads what the stopped one would have."""
    import signal
    import time

    lake = Lake(tmp_path / "lake")
    lake.run(f"mono={corpus}")
    more = tmp_path / "more"
    generate_corpus(more, 40, seed=8, bad_share=0.0)
    tables, runs = lake.tables(), lake.snapshots()
    # A short TMPDIR: the run's fork server listens on a socket there, and a socket path
    # may not exceed 107 bytes (pytest-xdist's tmp_path can).
    tmp = Path(tempfile.mkdtemp(prefix="lk-", dir="/tmp"))
    args = ["run", "--no-prefect", "--no-progress", "--workers", "1", "--batch-size", "2"]
    args += [f"mono={corpus}", f"more={more}", "--lake", lake.catalog, "--lake-data", lake.data]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    deadline = time.time() + 240
    while not list(tmp.glob("ingest-lake-*/build.stage/*.parquet")) and time.time() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert lake.tables() == tables and lake.snapshots() == runs
    assert not list(tmp.glob("ingest-lake-*"))  # the run's private folder went with it
    counts = lake.run(f"mono={corpus}", f"more={more}")
    assert counts["loaded"] == 40 and len(lake.snapshots()) == 2


def test_a_lake_insert_gets_its_largest_memory_limit_at_once(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lake run is one transaction, which an insert that ran out of memory aborts, so
    the loader cannot try it again under a larger limit as it does on the file: each
    insert starts with the limit the file's last try would have (a 98k-document cold
    run failed on its first try's 183 MB)."""
    from ingest import load
    from ingest.warehouse import Warehouse

    asked: dict[str, list[int]] = {"file": [], "lake": []}
    real = Warehouse.bulk_memory

    def spy(self: Warehouse, n_files: int, *, at_least_mb: int = 0):  # type: ignore[no-untyped-def]
        if at_least_mb:
            asked["lake" if not self.retries_statements else "file"].append(at_least_mb)
        return real(self, n_files, at_least_mb=at_least_mb)

    monkeypatch.setattr(Warehouse, "bulk_memory", spy)
    Lake(tmp_path / "lake").run(f"mono={corpus}")
    run_pipeline(RunConfig(sources=[f"mono={corpus}"], db=str(tmp_path / "f.duckdb"), workers=1))
    first = min(asked["file"])
    assert asked["lake"] and set(asked["lake"]) == {first * load._RETRY_FACTORS[-1]}


def test_what_counts_as_another_writer_first() -> None:
    """The messages a lost race gives are retried; a real schema error is not."""
    from ingest.lake.warehouse import is_conflict

    race = duckdb.Error(
        'Failed to initialize DuckLake: Failed to execute query "CREATE TABLE '
        '"public"."ducklake_metadata"(...)": ERROR:  relation "ducklake_metadata" already exists'
    )
    assert is_conflict(race)
    assert is_conflict(duckdb.Error("TransactionContext Error: database is locked"))
    assert not is_conflict(duckdb.Error("Catalog Error: Table with name facts already exists!"))
    assert not is_conflict(RuntimeError("database is locked"))  # not DuckDB's: not a commit

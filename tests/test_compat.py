"""Analysts' clients open the warehouse: DuckDB 1.5 and 2.0 Python clients, the DuckDB CLI.

The DuckDB 2.0 client lives apart from the project's environment (``make install``
puts it in ``.venv/duckdb-2.0``) and runs in a subprocess, as an analyst's would.
Also: a file written by DuckDB 2.0 gets a one-line refusal from ingest, and the
README's conversion turns it into a warehouse ingest carries on with.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline

ROOT = Path(__file__).resolve().parents[1]
DUCKDB_2 = Path(sys.prefix) / "duckdb-2.0"
README = ROOT / "README.md"

needs_duckdb_2 = pytest.mark.skipif(
    not (DUCKDB_2 / "duckdb").is_dir(), reason="DuckDB 2.0 client not installed (make install)"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("compat")
    src, db = tmp / "src", tmp / "w.duckdb"
    generate_corpus(src, 30, seed=17, bad_share=0.1)
    run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))
    return src, db


def _duckdb2(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(DUCKDB_2)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


QUERY = (
    "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM current_quarantine), "
    "(SELECT count(*) FROM table_cells_wide), "
    "(SELECT value FROM ingest_meta WHERE key = 'min_reader_version')"
)


def test_python_client_of_this_line_reads_it(warehouse: tuple[Path, Path]) -> None:
    _, db = warehouse
    with duckdb.connect(str(db), read_only=True) as con:
        n_docs, n_bad, n_cells, reader = con.execute(QUERY).fetchone()  # type: ignore[misc]
    assert n_docs > 0 and n_bad > 0 and n_cells > 0 and reader == "1.1.0"
    meta = dict(duckdb.connect(str(db), read_only=True).execute("FROM ingest_meta").fetchall())
    assert meta["duckdb_version"] == duckdb.__version__ == "1.5.5"
    assert meta["storage_version"] == "64"


@needs_duckdb_2
def test_python_client_of_the_other_line_reads_it(warehouse: tuple[Path, Path]) -> None:
    _, db = warehouse
    res = _duckdb2(
        f"import duckdb; con = duckdb.connect({str(db)!r}, read_only=True); "
        f"print(duckdb.__version__); print(con.execute({QUERY!r}).fetchone())"
    )
    assert res.returncode == 0, res.stderr
    version, row = res.stdout.splitlines()
    assert version.startswith("2.")
    with duckdb.connect(str(db), read_only=True) as con:
        assert row == str(con.execute(QUERY).fetchone())


def test_duckdb_cli_reads_it(warehouse: tuple[Path, Path]) -> None:
    _, db = warehouse
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli, "the DuckDB CLI (duckdb-cli) is a dev dependency"
    res = subprocess.run(
        [
            cli,
            "-readonly",
            "-csv",
            str(db),
            "-c",
            "SELECT family, count(*) FROM documents GROUP BY ALL ORDER BY 1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "family,count_star()"
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.5.5")


@needs_duckdb_2
def test_a_duckdb_2_file_is_refused_in_one_line_then_converted(
    warehouse: tuple[Path, Path], tmp_path: Path
) -> None:
    src, ours = warehouse
    db = tmp_path / "ingest.duckdb"
    # What ingest wrote before it moved to the 1.5 line: a DuckDB 2.0 file.
    res = _duckdb2(
        f"import duckdb; con = duckdb.connect({str(db)!r}); "
        f"con.execute(\"ATTACH '{ours}' AS src (READ_ONLY)\"); "
        "con.execute('COPY FROM DATABASE src TO ingest')"
    )
    assert res.returncode == 0, res.stderr
    assert db.read_bytes()[8:12] == b"DUCK"
    run = [sys.executable, "-m", "ingest.cli", "run", str(src), "--db", str(db), "--no-prefect"]
    refused = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    assert re.search(
        r"written by DuckDB v2\.\d+\.\d+ in a format DuckDB 1\.5\.5 cannot read", refused.stderr
    )
    listing = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "sources", "--db", str(db)],
        capture_output=True,
        text=True,
    )
    assert listing.returncode == 1 and "cannot read" in listing.stderr
    # The README's conversion, run with the DuckDB 2.0 client.
    snippet = (
        _readme_conversion()
        .replace("warehouse/ingest.duckdb", str(db))
        .replace("warehouse/ingest-1x.duckdb", str(tmp_path / "ingest-1x.duckdb"))
    )
    res = _duckdb2(snippet)
    assert res.returncode == 0, res.stderr
    os.replace(tmp_path / "ingest-1x.duckdb", db)
    again = subprocess.run(
        [*run, "--report-json", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert " 0 loaded" in again.stdout and " 0 removed" in again.stdout


def _readme_conversion() -> str:
    """The Python the README gives for converting a DuckDB 2.0 warehouse."""
    text = README.read_text(encoding="utf-8")
    m = re.search(r"<!-- convert-2.0 -->\s*```python\n(.*?)```", text, re.S)
    assert m, "README lost its DuckDB 2.0 conversion snippet"
    return m.group(1)

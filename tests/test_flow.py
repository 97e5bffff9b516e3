"""The Prefect flow for real: prefect_test_harness, real DuckDB files, and the Dask
task runner on a local cluster giving the same warehouse as the default runner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig
from wh_helpers import counts, snapshot

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SNAPSHOT = Path(__file__).parent / "snapshots" / "seed_row_counts.json"
pytestmark = pytest.mark.flow


def _flow(cfg: RunConfig):
    from ingest.prefect.flow import run_flow

    return run_flow(cfg)


def test_seed_corpus_loads_with_expected_row_counts(
    prefect_harness: None, seeds: Path, tmp_path: Path, update_golden: bool
) -> None:
    db = tmp_path / "w.duckdb"
    summary = _flow(RunConfig(sources=[str(seeds)], db=str(db), workers=2, batch_size=1))
    assert summary.counts() == {
        "seen": 2,
        "loaded": 2,
        "unchanged": 0,
        "quarantined": 0,
        "removed": 0,
    }
    got = {k: v for k, v in counts(db).items() if k not in ("ingest_runs",)}
    if update_golden or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    assert got == json.loads(SNAPSHOT.read_text())
    again = _flow(RunConfig(sources=[str(seeds)], db=str(db), workers=2))
    assert (again.loaded, again.unchanged) == (0, 2)


def test_flow_quarantines_and_reports_artifact(prefect_harness: None, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client

    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 40, seed=21, bad_share=0.15)
    summary = _flow(RunConfig(sources=[str(src)], db=str(db), workers=2, batch_size=7))
    c = summary.counts()
    assert c["seen"] == 40 == c["loaded"] + c["quarantined"] and c["quarantined"] > 0
    assert counts(db)["quarantine"] == c["quarantined"]

    async def artifact() -> str:
        async with get_client() as client:
            arts = await client.read_artifacts()
            return next(
                a.data
                for a in arts
                if a.key == "ingest-run-summary" and a.description == f"ingest run {summary.run_id}"
            )

    import asyncio

    md = asyncio.run(artifact())
    assert "| 40 |" in md and "## Quarantined" in md


def test_dask_runner_gives_identical_warehouse(prefect_harness: None, tmp_path: Path) -> None:
    src = tmp_path / "src"
    generate_corpus(src, 60, seed=31, bad_share=0.05)
    default_db, dask_db = tmp_path / "default.duckdb", tmp_path / "dask.duckdb"
    a = _flow(RunConfig(sources=[str(src)], db=str(default_db), workers=2, batch_size=10))
    b = _flow(
        RunConfig(sources=[str(src)], db=str(dask_db), workers=2, batch_size=10, task_runner="dask")
    )
    assert a.counts() == b.counts()
    assert snapshot(default_db) == snapshot(dask_db)


def test_prefect_yaml_parameters_fit_the_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prefect deploy` stores prefect.yaml's parameters as JSON; the flow must rebuild
    its RunConfig from them, as Prefect does for every deployment run."""
    import yaml

    from ingest.config import RunConfig, Source
    from ingest.prefect.flow import ingest_flow

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    (deployment,) = spec["deployments"]
    assert deployment["entrypoint"] == "flows/ingest_flow.py:ingest_flow"
    monkeypatch.chdir(tmp_path)  # the deployment's working directory
    params = ingest_flow.validate_parameters(json.loads(json.dumps(deployment["parameters"])))
    cfg = params["config"]
    assert isinstance(cfg, RunConfig)
    assert cfg.sources == [Source("corpus", str(tmp_path / "examples" / "corpus"), named=True)]
    assert cfg.db == "warehouse/ingest.duckdb" and cfg.batch_size == 500

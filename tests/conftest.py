"""Shared fixtures: paths to the shared corpus (skipped when absent), a golden-file
update flag, and one Prefect test harness per session for the flow tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres import postgres_dsn, postgres_server  # noqa: F401  (a real PostgreSQL)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SEEDS = CORPUS / "seeds"
REAL = CORPUS / "real"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.json from the current output (review the diff!)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip("shared corpus (../shared/corpus/seeds) is not present")
    return SEEDS


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    if not REAL.is_dir():
        pytest.skip("shared corpus (../shared/corpus/real) is not present")
    return REAL


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield

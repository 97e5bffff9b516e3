"""The offline extension wheels load by path, including those shipped under a short name."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest import extensions


@pytest.mark.parametrize("name", ["fts", "ducklake", "sqlite", "postgres"])
def test_every_pinned_extension_loads_from_its_wheel(name: str) -> None:
    con = duckdb.connect()
    path = extensions.load(con, name)
    loaded = con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
    assert extensions.CANONICAL.get(name, name) in {row[0] for row in loaded}
    assert path.name == f"{extensions.CANONICAL.get(name, name)}.duckdb_extension"


def test_a_short_named_wheel_is_loaded_through_a_canonical_symlink() -> None:
    link = extensions.loadable_path("sqlite")
    assert link.is_symlink() and link.resolve() == extensions.extension_path("sqlite").resolve()
    assert Path.home() not in link.parents


def test_a_ducklake_on_a_sqlite_catalog_attaches_offline(tmp_path: Path) -> None:
    con = duckdb.connect()
    for name in ("ducklake", "sqlite"):
        extensions.load(con, name)
    catalog, data = tmp_path / "catalog.sqlite", tmp_path / "data"
    con.execute(f"ATTACH 'ducklake:sqlite:{catalog}' AS lake (DATA_PATH '{data}')")
    con.execute("CREATE TABLE lake.t AS SELECT 1 AS a")
    assert con.execute("SELECT a FROM lake.t").fetchall() == [(1,)]


def test_a_missing_wheel_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "_package_folders", lambda package: [])
    with pytest.raises(extensions.ExtensionMissing) as err:
        extensions.load(duckdb.connect(), "ducklake")
    assert "pip install duckdb-extension-ducklake==1.5.5" in str(err.value)

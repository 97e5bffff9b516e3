"""The up-to-date check ``ingest run`` makes before starting Prefect.

Its one promise: it never answers "nothing to parse" when the plan would parse a
file.  Each case below mutates a loaded corpus, asks the check, and compares its
answer with what the real plan decides on the same files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import same_size_edit
from ingest.config import Source
from ingest.discover import iter_files
from ingest.entries import represent_path
from ingest.freshness import needs_parsing
from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline
from ingest.plan import plan_run
from ingest.prefect.settings import server_configured
from ingest.selection import Selection
from ingest.warehouse import Warehouse


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    """A corpus with a few bad files, loaded once."""
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 40, seed=21, bad_share=0.1)
    counts = run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1)).counts()
    assert counts["quarantined"] > 0 and counts["loaded"] > 0
    return src, db


def _files(src: Path) -> list[Path]:
    return sorted(p for p in src.rglob("*") if p.is_file())


def _plan_parses(sources: list[Path], db: Path, rehash: bool = False) -> int:
    cfg = RunConfig(sources=[str(s) for s in sources], db=str(db), rehash=rehash)
    with Warehouse(db) as wh:  # a private build: the live file is not touched
        return plan_run(cfg, wh, "probe").to_parse


def _append(p: Path) -> None:
    p.write_bytes(p.read_bytes() + b"\nOne more line.\n")


def _touch(p: Path) -> None:
    os.utime(p, ns=(1, 1_000_000_000))


def _new_file(p: Path) -> None:
    (p.parent / "zz_new.md").write_text("# New\n\nA new note.\n", encoding="utf-8")


MUTATIONS: dict[str, tuple[Callable[[Path], None], bool]] = {
    # name: (mutation of the first file, does anything need parsing afterwards)
    "nothing": (lambda p: None, False),
    "appended": (_append, True),
    "new file": (_new_file, True),
    "touched, same bytes": (_touch, False),
    "removed": (lambda p: p.unlink(), False),  # removal is SQL, not parsing
    "emptied": (lambda p: p.write_bytes(b""), True),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_answer_matches_the_plan(loaded: tuple[Path, Path], name: str) -> None:
    src, db = loaded
    mutate, expected = MUTATIONS[name]
    mutate(_files(src)[0])
    assert needs_parsing([src], db) is expected
    assert (_plan_parses([src], db) > 0) is expected


def test_same_size_same_mtime_edit_is_trusted_unless_rehash(loaded: tuple[Path, Path]) -> None:
    """The plan trusts size+mtime (as git and rsync do); so does the check, and both
    see the edit under --rehash."""
    src, db = loaded
    same_size_edit(next(p for p in _files(src) if b"a" in p.read_bytes()))
    assert needs_parsing([src], db) is False and _plan_parses([src], db) == 0
    assert needs_parsing([src], db, rehash=True) is True
    assert _plan_parses([src], db, rehash=True) == 1


def test_new_parser_version_means_parse_again(loaded: tuple[Path, Path]) -> None:
    src, db = loaded
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE source_files SET parser_version = 'an older one'")
    assert needs_parsing([src], db) is True
    assert _plan_parses([src], db) > 0


def test_same_paths_in_two_sources_are_checked_per_source(tmp_path: Path) -> None:
    """Two sources holding the same relative paths are two sets of documents: a change
    in either one's copy is seen, and only that copy is parsed."""
    a, b, db = tmp_path / "a", tmp_path / "b", tmp_path / "w.duckdb"
    generate_corpus(a, 8, seed=22, bad_share=0.0)
    shutil.copytree(a, b)
    run_pipeline(RunConfig(sources=[str(a), str(b)], db=str(db), workers=1))
    assert needs_parsing([a, b], db) is False and _plan_parses([a, b], db) == 0
    _append(_files(b)[0])  # the second source's copy changes, the first's does not
    assert needs_parsing([a, b], db) is True and _plan_parses([a, b], db) == 1
    assert needs_parsing([a], db) is False and _plan_parses([a], db) == 0


def test_no_or_unreadable_warehouse_means_parse(loaded: tuple[Path, Path], tmp_path: Path) -> None:
    src, db = loaded
    assert needs_parsing([src], tmp_path / "absent.duckdb") is True
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    assert needs_parsing([src], junk) is True
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()  # a DuckDB file without our tables
    assert needs_parsing([src], empty) is True
    with duckdb.connect(str(db)):  # held read-write: a read-only open is refused
        assert needs_parsing([src], db) is True
    assert needs_parsing([src], db) is False


def test_up_to_date_run_in_process_equals_a_flow_free_rerun(loaded: tuple[Path, Path]) -> None:
    """What the CLI does for an up-to-date warehouse is a library run: re-reports the
    bad files and removes vanished ones, parses nothing."""
    src, db = loaded
    gone = _files(src)[-1]
    gone.unlink()
    assert needs_parsing([src], db) is False
    counts = run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1)).counts()
    assert counts["loaded"] == 0 and counts["removed"] == 1
    assert counts["unchanged"] + counts["quarantined"] == counts["seen"] == len(_files(src))


def test_server_configured_reads_env_and_active_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("PREFECT_API_URL", "PREFECT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert server_configured() is False  # no profiles file
    (tmp_path / "profiles.toml").write_text(
        'active = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n\n'
        "[profiles.ephemeral]\nPREFECT_SERVER_ALLOW_EPHEMERAL_MODE = true\n",
        encoding="utf-8",
    )
    assert server_configured() is True
    monkeypatch.setenv("PREFECT_PROFILE", "ephemeral")
    assert server_configured() is False
    (tmp_path / "profiles.toml").write_text("not [ toml", encoding="utf-8")
    assert server_configured() is False
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert server_configured() is True


def test_after_a_run_touched_files_are_not_read_again(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkout or copy gives every file a new mtime: the next run hashes them once
    and remembers the new stat, so the check after it reads no file at all."""
    src, db = loaded
    for p in _files(src):
        _touch(p)
    assert needs_parsing([src], db) is False  # hashed: same bytes
    run_pipeline(RunConfig(sources=[str(src)], db=str(db), workers=1))

    def no_reading(path: str) -> str:
        raise AssertionError(f"read {path}")

    monkeypatch.setattr("ingest.freshness.sha256_file", no_reading)
    assert needs_parsing([src], db) is False


# "\udcff" is how Python spells the byte 0xFF of a name that is not UTF-8.
_NAME = st.text(alphabet="aAz0-._ é/\\\udcff", min_size=1, max_size=6).filter(
    lambda s: (
        not s.startswith((".", "/"))
        and "//" not in s
        and not s.endswith("/")
        and all(part and not part.startswith(".") for part in s.split("/"))
    )
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_NAME, min_size=1, max_size=12, unique=True))
def test_the_walk_comes_out_in_duckdb_order(names: list[str]) -> None:
    """The merge with source_files relies on the walk yielding paths in exactly the
    order DuckDB's ORDER BY gives them (names that are not UTF-8 as escaped)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = []
        for name in names:
            p = root / name
            if any(q.is_file() for q in [*p.parents][: -len(root.parts)] if q != root):
                continue  # a file where a folder would be needed
            if p.is_dir():
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("x")
            made.append(name)
        every = Selection(include=["*"])
        walked = [f.source_path for f in iter_files([Source("t", str(root))], every)]
        assert sorted(walked) == sorted(represent_path(m) for m in made)
        with duckdb.connect() as con:
            ordered = [
                r[0]
                for r in con.execute(
                    "SELECT p FROM (SELECT unnest(?) AS p) ORDER BY p", [walked]
                ).fetchall()
            ]
        assert walked == ordered

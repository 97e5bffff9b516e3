"""Keys and typed dates: every table's primary key is declared and enforced, dates are
typed with their text kept, replaced documents re-use their keys, and a warehouse
written before keys and typed dates is migrated to what a fresh run writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from ingest import failures, keys, migrate, schema
from ingest.dates import parse_date, parse_timestamp
from ingest.document import process_bytes
from ingest.generate import generate_corpus
from ingest.pipeline import RunConfig, run_pipeline
from ingest.validate import validate_batch
from ingest.warehouse import Warehouse
from wh_helpers import snapshot

PRE_KEYS = Path(__file__).parent / "fixtures" / "pre_keys" / "schema.sql"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023-12-01", date(2023, 12, 1)),
        ("2022-01-01 10:00:00 +1000", date(2022, 1, 1)),  # the day as written
        ("2025-09-22T17:21:53.909Z", date(2025, 9, 22)),
        ("March 2023", date(2023, 3, 1)),
        ("Sept. 2021", date(2021, 9, 1)),
        ("15 March 2023", date(2023, 3, 15)),
        ("Mar. 15, 2023", date(2023, 3, 15)),
        ("2018", date(2018, 1, 1)),
        ("A Scientific Statement From the American Heart Association", None),
        ("2025-13-01", None),
        ("February 30 2024", None),
        ("0999", None),
        ("", None),
    ],
)
def test_dates_as_documents_write_them(text: str, day: date | None) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2025-09-22T17:21:53.909Z", datetime(2025, 9, 22, 17, 21, 53, 909000, tzinfo=UTC)),
        ("2026-01-04T20:55:17-05:00", datetime(2026, 1, 5, 1, 55, 17, tzinfo=UTC)),
        ("2022-01-01 10:00:00 +1000", datetime(2022, 1, 1, 0, 0, tzinfo=UTC)),
        ("2025-03-24T10:00:00", datetime(2025, 3, 24, 10, 0, tzinfo=UTC)),  # no offset: UTC
        ("2023-12-01", datetime(2023, 12, 1, tzinfo=UTC)),
        ("December 2025", datetime(2025, 12, 1, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_timestamps_are_instants_in_utc(text: str | None, instant: datetime | None) -> None:
    assert parse_timestamp(text) == instant


def test_an_unreadable_date_keeps_its_text_and_warns() -> None:
    res = process_bytes(
        b"---\ntitle: X\ndate: A Scientific Statement\nlastModified: '2025-09-22T17:21:53Z'\n"
        b"---\n# X\n\nSome text.\n",
        "x.md",
        source="s",
    )
    assert res.error is None
    doc = res.rows["documents"][0]
    assert (doc["published"], doc["published_text"]) == (None, "A Scientific Statement")
    assert doc["last_modified"] == datetime(2025, 9, 22, 17, 21, 53, tzinfo=UTC)
    [warning] = [w for w in res.rows["document_warnings"] if w["code"] == "unreadable_date"]
    assert warning["position"] == 1
    assert warning["message"] == (
        "published 'A Scientific Statement' is not a date ingest can read; kept as text in "
        "published_text"
    )
    frames = validate_batch([res], "run")  # the row passes the contract: nothing else lost
    assert len(frames["documents"]) == 1 and len(frames["sections"]) == 1


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("keys")
    src, db = tmp / "docs", tmp / "fresh.duckdb"
    generate_corpus(src, 24, seed=5, bad_share=0.1)
    (src / "odd-date.md").write_text("---\ntitle: Odd\ndate: sometime in spring\n---\n# Odd\n\nx\n")
    _run(db, src)
    return src, db


def _run(db: Path, src: Path) -> dict:
    return run_pipeline(RunConfig(sources=[f"docs={src}"], db=str(db), workers=1)).counts()


def test_every_table_has_its_declared_primary_key(built: tuple[Path, Path]) -> None:
    _, db = built
    with duckdb.connect(str(db), read_only=True) as con:
        keys = dict(
            con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
        comments = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL "
            "AND NOT internal"
        ).fetchall()
        views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND comment IS NULL"
        ).fetchall()
        typed = con.execute(
            "SELECT published, published_text, last_modified FROM documents "
            "WHERE source_path = 'odd-date.md'"
        ).fetchall()
        odd = con.execute(
            "SELECT code FROM document_warnings JOIN documents USING (doc_id) "
            "WHERE source_path = 'odd-date.md'"
        ).fetchall()
    assert {t: tuple(k) for t, k in keys.items() if t in schema.tables()} == {
        name: t.key for name, t in schema.tables().items()
    }
    assert all(t.key for t in schema.tables().values())
    assert [c for c in comments if c[0] in schema.tables()] == []
    assert views == []
    assert typed == [(None, "sometime in spring", None)] and odd == [("unreadable_date",)]


def test_the_key_is_enforced(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, db = built
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        n = con.execute("SELECT count(*) FROM table_cells").fetchone()
        with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):
            con.execute("INSERT INTO table_cells SELECT * FROM table_cells LIMIT 1")
        assert con.execute("SELECT count(*) FROM table_cells").fetchone() == n


def test_a_changed_document_replaces_its_keyed_rows(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    src, db = built
    src2, db2 = tmp_path / "docs", tmp_path / "w.duckdb"
    shutil.copytree(src, src2)
    shutil.copy(db, db2)
    path = next(p for p in sorted(src2.rglob("*.md")) if "guides" in p.parts)
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    before = snapshot(db2)
    counts = _run(db2, src2)
    assert counts["loaded"] == 1
    after = snapshot(db2)
    # Same keys, same rows (sections' text of the last section aside), nothing lost.
    for name in ("table_cells", "citations", "faqs", "reference_entries"):
        assert after[name] == before[name], name
    assert len(after["sections"]) == len(before["sections"])


def test_a_warehouse_from_before_keys_is_migrated(built: tuple[Path, Path], tmp_path: Path) -> None:
    src, fresh = built
    old = tmp_path / "old.duckdb"
    _write_pre_keys(fresh, old)
    counts = _run(old, src)
    assert (counts["loaded"], counts["removed"]) == (0, 0)  # nothing re-parsed
    assert snapshot(old) == snapshot(fresh)
    with duckdb.connect(str(old), read_only=True) as con:
        got = con.execute("DESCRIBE documents").fetchall()
        meta = dict(con.execute("FROM ingest_meta").fetchall())
        n_keys = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchone()
    with duckdb.connect(str(fresh), read_only=True) as con:
        want = con.execute("DESCRIBE documents").fetchall()
    assert got == want  # same columns, order and types as a fresh warehouse
    assert meta["migration_dropped_duplicates.quarantine"] == "1"
    assert n_keys == (len(schema.tables()) + 1,)  # and ingest_meta's


def test_a_rebuild_short_of_memory_is_tried_again_under_a_larger_limit(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, fresh = built
    old = tmp_path / "old.duckdb"
    _write_pre_keys(fresh, old)
    # A limit the first try of a table cannot fit in (as 183 MB was for the 98k-document
    # benchmark warehouse), but a retry's doubled one can.
    monkeypatch.setattr(migrate, "_REBUILD_MEMORY_MB", 2)
    short: list[str] = []
    real = keys.out_of_memory

    def noted(exc: duckdb.Error) -> bool:
        if real(exc):
            short.append(str(exc))
        return real(exc)

    monkeypatch.setattr(keys, "out_of_memory", noted)
    counts = _run(old, src)
    assert short, "the small limit was never short: the test proves nothing"
    assert (counts["loaded"], counts["removed"]) == (0, 0)
    assert snapshot(old) == snapshot(fresh)


def _write_pre_keys(fresh: Path, old: Path) -> None:
    """``fresh``'s rows in a warehouse of the previous layout: dates as text, warnings
    without position, no keys, and one quarantine row written twice."""
    with duckdb.connect(str(old)) as con:
        con.execute(PRE_KEYS.read_text(encoding="utf-8"))
        con.execute("CREATE TABLE ingest_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute(f"ATTACH '{fresh}' AS f (READ_ONLY)")
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'old' "
            "AND table_name <> 'ingest_meta'"
        ).fetchall():
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
            exprs = [
                f"{c}_text AS {c}" if name == "documents" and c in _TEXT_DATES else c for c in cols
            ]
            con.execute(f"INSERT INTO {name} SELECT {', '.join(exprs)} FROM f.{name}")
        con.execute("INSERT INTO quarantine SELECT * FROM quarantine LIMIT 1")
        con.execute("INSERT INTO ingest_meta SELECT * FROM f.ingest_meta WHERE key <> 'schema'")


_TEXT_DATES = ("published", "last_modified")


DUCKDB_2 = Path(sys.prefix) / "duckdb-2.0"


@pytest.mark.skipif(not (DUCKDB_2 / "duckdb").is_dir(), reason="DuckDB 2.0 client not installed")
def test_the_other_client_line_reads_keys_and_typed_dates(built: tuple[Path, Path]) -> None:
    """A lookup by key goes through the primary key's index, which the client must read."""
    _, db = built
    code = (
        f"import duckdb; con = duckdb.connect({str(db)!r}, read_only=True); "
        f"print(*con.execute({_LOOKUP!r}).fetchone())"
    )
    env = {**os.environ, "PYTHONPATH": str(DUCKDB_2)}
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        want = con.execute(_LOOKUP).fetchone()
    assert want is not None and want[0] == 1
    assert res.stdout.split() == [str(v) for v in want]


_LOOKUP = (
    "SELECT (SELECT count(*) FROM table_cells WHERE doc_id = (SELECT min(doc_id) FROM "
    "table_cells) AND table_id = 1 AND row_index = 1 AND col_index = 1), "
    "strftime(max(published), '%Y-%m-%d'), epoch(max(last_modified))::BIGINT FROM documents"
)


def test_chunks_group_files_up_to_the_row_limit() -> None:
    assert keys.chunks({"a": 3, "b": 3, "c": 5, "d": 1}, limit=6) == [["a", "b"], ["c", "d"]]
    assert keys.chunks({"big": 10, "x": 1}, limit=6) == [["big"], ["x"]]
    assert keys.chunks({}, limit=6) == []


def test_a_statement_out_of_memory_is_retried_and_a_commit_out_of_memory_is_not() -> None:
    assert keys.out_of_memory(duckdb.OutOfMemoryException("could not allocate block"))
    for text in ("failed to allocate data of size 64 KiB", "could not allocate block"):
        commit = duckdb.TransactionException(f"Failed to commit: {text}")
        assert not keys.out_of_memory(commit) and keys.commit_out_of_memory(commit)
    assert not keys.out_of_memory(duckdb.TransactionException("Conflict on update"))
    assert not keys.commit_out_of_memory(duckdb.TransactionException("Conflict on update"))
    assert not keys.out_of_memory(duckdb.ConstraintException("Duplicate key"))


def test_a_commit_out_of_memory_leaves_a_keyed_table_that_a_retry_cannot_fill() -> None:
    """Why a commit that ran out of memory is not tried again (DuckDB 1.5.5): the retry
    reports duplicate keys that are not in the table. If DuckDB fixes this, the loader
    may retry commits again."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE src AS SELECT i AS a, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS b "
        "FROM range(100000) t(i)"
    )
    con.execute("CREATE TABLE dst (a BIGINT, b VARCHAR, PRIMARY KEY (a, b))")
    con.execute("SET memory_limit = '16MB'")
    with pytest.raises(duckdb.Error) as first:
        con.execute("INSERT OR IGNORE INTO dst SELECT * FROM src")
    if not keys.commit_out_of_memory(first.value):
        pytest.skip(f"DuckDB failed otherwise here: {first.value}")
    con.execute("SET memory_limit = '512MB'")
    assert con.execute("SELECT count(*) FROM dst").fetchone() == (0,)
    with pytest.raises(duckdb.ConstraintException, match="Duplicate key"):
        con.execute("INSERT OR IGNORE INTO dst SELECT * FROM src")


def test_a_commit_out_of_memory_is_one_line_saying_what_to_raise() -> None:
    line, code = failures.explain(keys.index_out_of_memory(1536)) or ("", 0)
    assert code == failures.EXIT_FAILED and "\n" not in line
    assert "INGEST_DUCKDB_MEMORY_LIMIT" in line and "nothing was published" in line


def test_a_load_checkpointed_between_small_chunks_has_every_row(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path a large corpus takes (the index checkpointed out after every chunk),
    forced on a small one: the rows are exactly a one-chunk load's."""
    src, fresh = built
    monkeypatch.setattr(keys, "CHUNK_ROWS", 50)
    monkeypatch.setattr(keys, "ART_BUDGET_MB", -1)
    checkpoints: list[float] = []
    real = Warehouse.checkpoint
    monkeypatch.setattr(
        Warehouse, "checkpoint", lambda self: checkpoints.append(real(self)) or checkpoints[-1]
    )
    db = tmp_path / "chunked.duckdb"
    _run(db, src)
    assert len(checkpoints) > 10  # one per chunk, and the publish's
    assert snapshot(db) == snapshot(fresh)


def test_a_checkpoint_never_lowers_the_limit_below_the_index_it_must_write(
    tmp_path: Path,
) -> None:
    """The keys' index cannot be evicted until a checkpoint writes it out, so the
    checkpoint cannot run under a limit below what the index holds: a 98k-document load
    failed lowering 192 MB to the checkpoint's 128 MB. A checkpoint limit smaller than any
    index (1 MB) reproduces it on a small corpus."""
    src, db = tmp_path / "src", tmp_path / "w.duckdb"
    generate_corpus(src, 120, seed=3)
    env = {**os.environ, "INGEST_DUCKDB_CHECKPOINT_MEMORY_LIMIT": "1MB"}
    done = subprocess.run(
        [sys.executable, "-m", "ingest.cli", "run", str(src), "--db", str(db), "--no-prefect"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM table_cells").fetchone()[0] > 1000  # type: ignore[index]

"""The column-wise frame builder gives exactly the frame ``schema.frame`` gives, or none.

:func:`ingest.frames.build` is what the run's pandera validation sees; it must be
the frame of the general path (same dtypes, values, nulls, column order, index), so
pandera's verdicts cannot change.  Checked on every table of a generated corpus of
every family and of the shared corpora, and on hostile values put into every column
of every table one at a time: each either builds the same frame or is handed back
(``None``) to the general path, and the values that are not of the column's exact
Python type are always handed back.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import ok
from ingest import frames, schema
from ingest.discover import discover
from ingest.document import DocResult, process_file
from ingest.generate.write import generate_corpus
from ingest.rowcheck import table_rows
from ingest.selection import Selection
from test_rowcheck import RICH, _hostile


def _same_or_handed_back(name: str, rows: list[dict[str, Any]]) -> bool:
    """True when built here (and equal to the general path), False when handed back."""
    fast = frames.build(name, copy.deepcopy(rows))
    if fast is None:
        return False
    try:
        general = schema.frame(name, copy.deepcopy(rows))
    except (ValueError, TypeError) as exc:  # the general path refuses what was built
        raise AssertionError(f"{name}: built a frame the general path refuses: {exc}") from exc
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    return True


def _tables_of(results: list[DocResult]) -> dict[str, list[dict[str, Any]]]:
    good = [r for r in results if r.ok]
    return {name: table_rows(name, good, "r") for name in schema.parsed_tables()}


def test_generated_corpus_every_table(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 120, seed=11, bad_share=0.1)
    files = discover([tmp_path], Selection(include=["*"]))
    results = [process_file(Path(f.path), f.source_path, source="g") for f in files]
    built = [n for n, rows in _tables_of(results).items() if _same_or_handed_back(n, rows)]
    # documents has dates and timestamps: the general path's; every other table here.
    assert "documents" not in built
    assert {"sections", "table_cells", "citations", "reference_entries"} <= set(built), built


def test_shared_corpora(seeds: Path, real_corpus: Path) -> None:
    files = discover([seeds, real_corpus], Selection(include=["*"]))
    results = [process_file(Path(f.path), f.source_path, source=f.source) for f in files]
    built = [n for n, rows in _tables_of(results).items() if _same_or_handed_back(n, rows)]
    assert "table_cells" in built and "sections" in built


def _exact(col: schema.Column, value: Any) -> bool:
    want = {"string": str, "integer": int, "boolean": bool}.get(col.type)
    return value is None or (want is not None and type(value) is want)


def test_every_column_hostile_value() -> None:
    base = ok(RICH, "rich.md")
    built = handed_back = 0
    for table in schema.parsed_tables():
        if table == "documents":
            continue  # dates and timestamps: never built here (see the corpus tests)
        for col in schema.tables()[table].columns:
            for value in _hostile(col):
                rows = copy.deepcopy(base.rows[table])
                if not rows:
                    continue
                rows[-1][col.name] = value
                done = _same_or_handed_back(table, rows)
                built += done
                handed_back += not done
                if not _exact(col, value):
                    assert not done, (table, col.name, value)
    assert built > 200 and handed_back > 50, (built, handed_back)


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("integer", [1, None, 2**63 - 1, -(2**63)]),
        ("boolean", [True, None, False]),
        ("string", ["a", None, "é", ""]),
    ],
)
def test_nulls_and_bounds_of_each_type(kind: str, values: list[Any]) -> None:
    # Any column of the type (a null in a column that may not hold one is pandera's to
    # refuse: the frame must still be the same).
    table = next(
        n
        for n in schema.parsed_tables()
        if n != "documents" and any(c.type == kind for c in schema.tables()[n].columns)
    )
    col = next(c for c in schema.tables()[table].columns if c.type == kind)
    base = ok(RICH, "rich.md").rows[table][0]
    rows = [{**base, col.name: v} for v in values]
    assert _same_or_handed_back(table, rows)


def test_missing_key_is_a_null_as_from_records_gives() -> None:
    rows = copy.deepcopy(ok(RICH, "rich.md").rows["sections"])
    nullable = next(c.name for c in schema.tables()["sections"].columns if c.nullable)
    del rows[0][nullable]
    assert _same_or_handed_back("sections", rows)


def test_out_of_range_integer_is_handed_back() -> None:
    rows = copy.deepcopy(ok(RICH, "rich.md").rows["sections"])
    rows[0]["level"] = 2**64
    assert frames.build("sections", rows) is None

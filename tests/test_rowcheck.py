"""The pandas-free schema check of ``ingest validate`` gives pandera's verdicts, word for word.

Every case runs both ways on deep copies of the same results: pandera
(:func:`ingest.validate.validate_batch`, what ``ingest run`` uses) and
:func:`ingest.rowcheck.validate_results`; the errors (code and message) must be
equal document by document.  Cases: a generated corpus of every family (with its
broken files), the shared seed and real corpora, and hostile rows: every column of
every document table set to values that break or skirt its checks (nulls, bounds,
lengths, markup, a question ending in a newline, non-ASCII digits, duplicate keys
within and across documents, and values of the wrong type, which the light
checker must hand to pandera).
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from helpers import ok
from ingest import rowcheck, schema
from ingest.batch import process_batch
from ingest.discover import discover
from ingest.document import DocResult, process_file
from ingest.generate.write import generate_corpus
from ingest.selection import Selection
from ingest.validate import validate_batch

RICH = """---
title: Rich
description: "- Cut off..."
faqs:
  - q: Is it safe?
    a: Mostly.
---
# Rich

Intro with a citation [1] and **bold** text.

- **Class:** Statin.
- plain item

## Table

| a | b |
|---|---|
| 1 | 2 [2] |

## FAQ

**Q: Is it safe?**
A: Mostly.

## References

1. First. Journal. 2020;1:2. https://example.org/a
2. Second [example.org]
"""


def _both(results: list[DocResult]) -> tuple[list[Any], list[Any]]:
    a, b = copy.deepcopy(results), copy.deepcopy(results)
    validate_batch(a, "validate")
    rowcheck.validate_results(b, "validate")
    return [r.error for r in a], [r.error for r in b]


def _assert_same(results: list[DocResult]) -> int:
    by_pandera, light = _both(results)
    for r, x, y in zip(results, by_pandera, light, strict=True):
        assert x == y, (r.source_path, x, y)
    return sum(e is not None and e.code == "schema_violation" for e in by_pandera)


def _renamed(base: DocResult, i: int) -> DocResult:
    r = copy.deepcopy(base)
    r.source_path = f"case{i}.md"
    r.doc_id = f"{i:016x}"
    for rows in r.rows.values():
        for row in rows:
            row["doc_id"] = r.doc_id
    return r


def _hostile(col: schema.Column) -> list[Any]:
    values: list[Any] = [None]
    if col.type == "string":
        values += ["", "**", "a**b", "Q: x?", "Why?", "a?\n", "a?\nb", "é？", "\u0663",
                   "x" * 70, "monograph", "tsv", "utf-8", "0" * 16, "f" * 64]  # fmt: skip
        values += [1, 1.5, True, "\udcff"]  # wrong types, a lone surrogate: pandera decides
    elif col.type == "integer":
        values += [0, -1, 1, 6, 7, 2**40, 2**63]
        values += ["1", 1.0, True]
    elif col.type == "boolean":
        values += [True, False, 1, "yes"]
    elif col.type == "date":
        values += [date(2023, 3, 1), date(1000, 1, 1), date(9999, 12, 31)]
        values += [datetime(2023, 3, 1, tzinfo=UTC), "2023-03-01", 2023]  # pandera decides
    elif col.type == "timestamp":
        values += [datetime(2025, 9, 22, 17, 21, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)]
        values += [datetime(2025, 9, 22), date(2025, 9, 22), "2025"]  # pandera decides
    return values


def test_rich_document_has_rows_in_every_table() -> None:
    r = ok(RICH, "rich.md")
    empty = [t for t in schema.parsed_tables() if not r.rows[t]]
    assert empty == [], empty  # so that the mutations below reach every table
    assert _assert_same([r]) == 0


def test_every_column_mutated_gives_the_same_verdicts() -> None:
    base = ok(RICH, "rich.md")
    cases: list[DocResult] = []
    n_type_cases = 0
    for table in schema.parsed_tables():
        for col in schema.tables()[table].columns:
            for value in _hostile(col):
                r = _renamed(base, len(cases))
                if not r.rows[table]:
                    continue
                r.rows[table][-1][col.name] = value
                if col.name == "doc_id":
                    r.rows[table][-1][col.name] = value if value is None else r.doc_id
                cases.append(r)
                n_type_cases += type(value) not in (str, int, bool, type(None))
    # Judged one case at a time where the light checker hands over to pandera, and all
    # at once otherwise (one pandera call over a batch of hundreds of documents).
    typed, untyped = [], []
    for r in cases:
        (untyped if _needs_pandera([r]) else typed).append(r)
    assert len(typed) > 300 and untyped, (len(typed), len(untyped))
    assert _assert_same(typed) > 100
    for r in untyped[:: max(1, len(untyped) // 6)]:
        _assert_same([r])


def _needs_pandera(results: list[DocResult]) -> bool:
    try:
        rowcheck._batch_failures(copy.deepcopy(results), "validate")
    except rowcheck.NeedsPandera:
        return True
    return False


def test_duplicate_keys_within_and_across_documents() -> None:
    base = ok(RICH, "rich.md")
    within = _renamed(base, 1)
    within.rows["sections"].append(dict(within.rows["sections"][0]))
    within.rows["faqs"].append(dict(within.rows["faqs"][0]))
    clean = _renamed(base, 2)
    twin_a, twin_b = _renamed(base, 3), _renamed(base, 3)  # the same doc_id twice
    twin_b.source_path = "twin.md"
    assert _assert_same([within, clean, twin_a, twin_b]) == 3


def test_generated_corpus_of_every_family(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 120, seed=11, bad_share=0.1)
    files = discover([tmp_path], Selection(include=["*"]))
    results = [process_file(Path(f.path), f.source_path, source="g") for f in files]
    assert len(results) == 120 and sum(r.error is not None for r in results) >= 5
    assert _assert_same(results) == 0


def test_shared_corpora(seeds: Path, real_corpus: Path) -> None:
    files = discover([seeds, real_corpus], Selection(include=["*"]))
    results = [process_file(Path(f.path), f.source_path, source=f.source) for f in files]
    _assert_same(results)


def test_batch_verdicts_match_the_run(real_corpus: Path) -> None:
    """What ``ingest validate`` reports for the real corpus is what a run quarantines."""
    from ingest.lint import check_batch

    files = discover([real_corpus], Selection(include=["*"]))
    run = process_batch(files, "validate", to_arrow=False).outcomes
    checks = check_batch(files)
    assert [o.error for o in run] == [
        c.issues[0] if o.error else None for o, c in zip(run, checks, strict=True)
    ]


@pytest.mark.parametrize("kind", ["float", "timestamp"])
def test_types_it_does_not_judge_go_to_pandera(kind: str) -> None:
    col = schema.Column("x", kind, False, "", ())
    with pytest.raises(rowcheck.NeedsPandera):
        rowcheck._check_types("t", col, [1.0])

"""Structure budgets counted before parsing (``ingest.parse.read.preflight``): hostile documents are
refused with ``resource_limit``, naming the budget, the measured count and the line
where the budget ran out; real documents sit far below every budget."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.document import process_bytes
from ingest.generate import generate_corpus
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.parse.read.decode import decode
from ingest.parse.read.front import parse_front_matter
from ingest.parse.read.preflight import _measure, _surely_within

FRONT = "---\ntitle: Hostile\n---\n\n# Hostile\n\nIntro.\n\n"
TIGHT = dataclasses.replace(
    DEFAULT_LIMITS,
    max_table_cells=400,
    max_html_cells=100,
    max_citation_markers=50,
    max_headings=20,
    max_list_items=100,
    max_quote_levels=200,
)

# shape -> (document text, budget name, what one line holds of the shape)
CASES = {
    "pipe table": (
        FRONT + "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 200,
        "max_table_cells",
        lambda ln: ln.count("|") - 1 if "|" in ln else 0,  # "| a | b |": 2 cells
    ),
    "tab table": (
        "Title: T\n\nname\tv1\tv2\n" + "n\t1\t2\n" * 200,
        "max_table_cells",
        lambda ln: ln.count("\t") + 1 if "\t" in ln else 0,
    ),
    "html table": (
        "<table>\n" + "<tr><td>1</td><td>2</td></tr>\n" * 60,
        "max_html_cells",
        lambda ln: ln.count("<td"),
    ),
    "citations": (
        FRONT + "See [1], [2-4] and [5, 6].\n" * 40,
        "max_citation_markers",
        lambda ln: len(re.findall(r"\[\s*\d", ln)),
    ),
    "headings": (FRONT + "## H\n\ntext\n\n" * 30, "max_headings", lambda ln: ln.startswith("#")),
    "list items": (
        FRONT + "- a\n  - b\n" * 60,
        "max_list_items",
        lambda ln: ln.lstrip().startswith("- "),
    ),
    "quotes": (
        FRONT + "> > > > > deep\n\n" * 50,
        "max_quote_levels",
        lambda ln: ln.count(">"),
    ),
}


def first_line_over(text: str, per_line: Callable[[str], int], cap: int) -> int:
    """The 1-based line where the running count of the shape first exceeds ``cap``."""
    total = 0
    for i, line in enumerate(text.split("\n"), start=1):
        total += int(per_line(line))
        if total > cap:
            return i
    raise AssertionError("the case never exceeds its budget")


@pytest.mark.parametrize("shape", list(CASES))
def test_hostile_shape_is_refused_naming_budget_count_and_line(shape: str) -> None:
    text, budget, per_line = CASES[shape]
    line = first_line_over(text, per_line, getattr(TIGHT, budget))
    res = process_bytes(text.encode(), f"{shape}.md", TIGHT)
    assert res.error is not None, f"{shape} was accepted"
    assert (res.error.stage, res.error.code) == ("parse", "resource_limit")
    assert f"({budget})" in res.error.message and "over the budget of" in res.error.message
    assert res.error.line == line, res.error.message
    count = int(res.error.message.split(" ", 1)[0].replace(",", ""))
    assert count > getattr(TIGHT, budget)
    assert res.rows == {}


@pytest.mark.parametrize("shape", list(CASES))
def test_the_same_shapes_within_their_budget_parse(shape: str) -> None:
    text, budget, _per_line = CASES[shape]
    roomy = dataclasses.replace(TIGHT, **{budget: 10**6})
    res = process_bytes(text.encode(), f"{shape}.md", roomy)
    assert res.error is None or res.error.code != "resource_limit", res.error


def test_a_bomb_just_under_the_size_cap_is_refused_before_parsing() -> None:
    """The 8 MB pipe table that took 3.8 GB in the Markdown parser: refused by counting."""
    head = FRONT + "| a | b | c |\n|---|---|---|\n"
    row = "| 1 | x | y |\n"
    text = head + row * ((DEFAULT_LIMITS.max_file_bytes - len(head) - 4096) // len(row))
    res = process_bytes(text.encode(), "bomb.md")
    assert res.error is not None and res.error.code == "resource_limit"
    assert "max_table_cells" in res.error.message


def _counts(text: str) -> dict[str, int]:
    body = parse_front_matter(decode(text.encode()).text).body
    unbounded = Limits(**{f.name: 10**12 for f in dataclasses.fields(Limits)})
    return {b.limit: n for b, n, _ in _measure(body, unbounded)}


def _assert_far_below(paths: list[Path]) -> None:
    worst: dict[str, tuple[int, str]] = {}
    for p in paths:
        try:
            counts = _counts(p.read_text(encoding="utf-8", errors="replace"))
        except Exception:  # undecodable or broken front matter: other stages refuse it
            continue
        for limit, n in counts.items():
            if n > worst.get(limit, (-1, ""))[0]:
                worst[limit] = (n, p.name)
    for limit, (n, name) in worst.items():
        cap = getattr(DEFAULT_LIMITS, limit)
        assert n * 4 <= cap, f"{name}: {n:,} against {limit}={cap:,} (want 4x headroom)"


def test_real_documents_are_far_below_every_budget(real_corpus: Path) -> None:
    _assert_far_below([p for p in real_corpus.rglob("*") if p.is_file()])


def test_realistic_generated_documents_are_far_below_every_budget(tmp_path: Path) -> None:
    generate_corpus(tmp_path, 300, seed=5, bad_share=0.0, profile="realistic")
    _assert_far_below([p for p in tmp_path.rglob("*") if p.is_file()])


def test_shapes_that_only_look_like_budget_shapes_skip_nothing_and_pass() -> None:
    """The character counts that settle most documents early over-count (``#`` inside
    words, ``[`` without a number, ``<`` of other tags, lines that are not list
    items): past them the exact counts decide, and these stay within TIGHT."""
    text = FRONT + "C# [a] <b>x</b> > no quote\n" * 120
    body = parse_front_matter(decode(text.encode()).text).body
    assert not _surely_within(body, TIGHT)  # every character bound is over TIGHT's
    res = process_bytes(text.encode(), "lookalike.md", TIGHT)
    assert res.error is None, res.error
    assert _surely_within(body, DEFAULT_LIMITS)  # and the default budgets settle it early


@pytest.mark.parametrize("shape", list(CASES))
def test_the_early_settlement_never_accepts_what_a_budget_refuses(shape: str) -> None:
    text, _budget, _per_line = CASES[shape]
    body = parse_front_matter(decode(text.encode()).text).body
    assert not _surely_within(body, TIGHT)

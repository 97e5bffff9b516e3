"""The parse layer's fast paths give what the slow paths they skip would give.

Each fast path (HTML tables read without a BeautifulSoup tree, text cleaning that
skips passes, one-pass citation scanning, the "Available at" note) is checked
against the general code it short-cuts, on hand-picked edge cases and on seeded
random inputs; and the fast HTML reader must actually be taken for well-formed
tables (else the speed-up is silently gone).
"""

from __future__ import annotations

import random
import re

import pytest

from helpers import ok, rows
from ingest.parse.shapes import boilerplate, citations, clean, tables
from ingest.parse.shapes.htmltable import read_tables
from ingest.parse.shapes.references import (
    _ACCESS_NOTE,
    _SENTENCE_END,
    _YEAR_AFTER_STOP,
    _YEAR_SEGMENT,
    _drop_access_note,
)
from ingest.parse.shapes.tables import RawTable, html_tables, soup_tables

WELL_FORMED = [
    "<table>\n<tr><th>A</th><th>B</th></tr>\n<tr><td>1</td><td>2</td></tr>\n</table>",
    (
        '<table class="t" border=1>\n<thead><tr><th>Drug</th><th>Dose</th></tr></thead>\n'
        "<tbody>\n\n<tr><td>A<br>oral</td><td>5 mg<sup>[3]</sup></td></tr>\n"
        '<tr><td><a href="#">[7]</a> x</td><td>  spaced  text </td></tr>\n</tbody>\n</table>'
    ),
    "<table><tr><td>only data</td><td></td></tr><tr><td>b<br/>c<br />d</td></tr></table>",
    "<table><thead><tr></tr></thead><tr><td>x</td></tr></table>",  # empty header row
    "<table><tr><th>h</th><td>mixed</td></tr><tr><th>k</th><th>l</th></tr></table>",
    "<table></table>\n<table><tr><td>second</td></tr></table>",  # empty table skipped
    '<table><tr><td><span class="x" title="y">s</span> <b>b</b> <em>e</em></td></tr></table>',
    "  \n<table>\n<tfoot><tr><td>f</td></tr></tfoot>\n</table>\n  ",
]

OUTSIDE_THE_SUBSET = [
    "<table><tr><td>a<td>b</tr></table>",  # omitted </td>
    "<table><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",  # nested
    "<table><tr><td>A &amp; B</td></tr></table>",  # entity
    "<table><tr><td>a > b</td></tr></table>",  # '>' in text
    "<table><tr><td>a < b</td></tr></table>",  # '<' that opens no tag
    "<TABLE><TR><TD>upper</TD></TR></TABLE>",
    "<table><!-- c --><tr><td>x</td></tr></table>",
    "<p>intro</p><table><tr><td>x</td></tr></table>",
    "text before<table><tr><td>x</td></tr></table>",
    "<table><tr><td><a href='#'>single quotes</a></td></tr></table>",
    "<table><tr><td><span hidden>bare attribute</span></td></tr></table>",
    '<table><tr><td><a href="1" href="2">dup</a></td></tr></table>',
    '<table><tr><td><a  href="#">two spaces</a></td></tr></table>',
    "<table><tr><td>x<br >y</td></tr></table>",
    "<table><tr><td>x</br>y</td></tr></table>",
    "<table><tr><td>unclosed</td></tr>",
    "<table><tr><td>x</td></tr>stray text</table>",
    "<table><tr><td/></tr></table>",
    "<table><tr><td><b>unclosed bold</td></tr></table>",
    "<table><tr><td><div>block</div></td></tr></table>",
    '<table><tr><td><a href="a>b">gt in value</a></td></tr></table>',
]


@pytest.mark.parametrize("html", WELL_FORMED)
def test_well_formed_tables_take_the_fast_path_and_match_beautifulsoup(html: str) -> None:
    fast = read_tables(html, 7)
    assert fast is not None
    assert [RawTable("html", *t) for t in fast] == soup_tables(html, 7)


@pytest.mark.parametrize("html", OUTSIDE_THE_SUBSET)
def test_markup_outside_the_subset_goes_to_beautifulsoup(html: str) -> None:
    assert read_tables(html, 3) is None
    assert html_tables(html, 3) == soup_tables(html, 3)


_PIECES = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    "</th>",
    "<thead>",
    "</thead>",
    "<tbody>",
    "</tbody>",
    "<br>",
    "<sup>",
    "</sup>",
    '<a href="#">',
    "</a>",
    "[1]",
    "text",
    " ",
    "\n",
    "&amp;",
    "<p>",
    "<!-- -->",
    "<TD>",
    "x > y",
]


_CELLS = ["text", "", " a\nb ", "x<br>y", "<sup>[1]</sup>", '<a href="#">[2]</a>', "<b>b</b>"]


def _random_fragment(rnd: random.Random) -> str:
    """A table skeleton with random pieces spliced in: mostly near the well-formed
    subset, often just outside it."""
    cells = "".join(
        "<tr>" + "".join(f"<td>{rnd.choice(_CELLS)}</td>" for _ in range(3)) + "</tr>\n"
        for _ in range(rnd.randint(0, 3))
    )
    parts = ["<table>\n", cells, "</table>"]
    for _ in range(rnd.randint(0, 2)):
        at = rnd.randint(0, len(parts))
        parts.insert(at, rnd.choice(_PIECES))
    return "".join(parts)


def test_random_fragments_agree_with_beautifulsoup_whenever_read_fast() -> None:
    rnd = random.Random(2026)
    fast = 0
    for _ in range(600):
        html = _random_fragment(rnd)
        got = read_tables(html, 1)
        if got is None:
            continue
        fast += 1
        assert [RawTable("html", *t) for t in got] == soup_tables(html, 1), html
    assert 150 < fast < 500  # both paths were exercised


def test_documents_rows_are_the_same_with_the_fast_reader_off(monkeypatch) -> None:
    text = (
        "# Guide\n\n## Results\n\n<table>\n<thead><tr><th>Arm</th><th>Rate</th>"
        "<th>Ref</th></tr></thead>\n<tbody>\n<tr><td>Drug<br>(n=304)</td><td>42.6%</td>"
        '<td><sup>[1][2]</sup></td></tr>\n<tr><td>Placebo</td><td>12.0%</td><td><a href="#">'
        "[3]</a></td></tr>\n</tbody>\n</table>\n\n## References\n\n1. One\n2. Two\n3. Three\n"
    )
    fast = ok(text)
    monkeypatch.setattr(tables, "read_tables", lambda html, line: None)
    slow = ok(text)
    assert fast.rows == slow.rows
    assert [c["text"] for c in rows(fast, "table_cells")][:3] == ["Drug\n(n=304)", "42.6%", ""]
    assert [(c["ref_number"], c["row_index"]) for c in rows(fast, "citations")] == [
        (1, 1),
        (2, 1),
        (3, 2),
    ]


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("33.0%", {"cell": True}, "33.0%"),
        ("a , b", {}, "a, b"),  # prose: no space before punctuation
        ("a , b", {"cell": True}, "a , b"),  # a cell keeps the source's spacing
        ("a\u200bb", {}, "a b"),  # U+200B counts as a space, though split() keeps it
        ("a\x85b", {}, "a\x85b"),  # whitespace to split() that _SPACES leaves alone
        ("a\u2028b", {"cell": True}, "a\u2028b"),
        ("  a \t b\n", {}, "a b"),
        ("x\n\n y", {"keep_newlines": True}, "x\ny"),
        ("**[link](u)** and `c`", {}, "link and c"),
        ("[[Page | alias]] [[Other]]", {}, "alias Other"),
        ("[outer [inner](a)](b)", {}, "outer inner"),
        ("*", {"cell": True}, "*"),
    ],
)
def test_plain_fast_paths_keep_the_results(text: str, kwargs: dict, expected: str) -> None:
    assert clean.plain(text, **kwargs) == expected


_CITE_TOKENS = ["[1]", "[0]", "[2-4]", "[5, 6]", "[^7]", "[8]:", "\n", " ", "x", ".", ",", "(", "["]
_CITE_TOKENS += ["<sup>[9][10]</sup>", '<a href="#">[11]</a>', "[\\[12\\]](#)", "[13](url)", ":"]


def test_scan_is_find_and_strip_in_one_pass() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice(_CITE_TOKENS) for _ in range(rnd.randint(0, 10)))
        marks, stripped = citations.scan(text)
        assert marks == citations.find(text)
        assert stripped == (citations.strip(text) if marks else text), text


def test_access_note_dropped_as_the_pattern_would() -> None:
    rnd = random.Random(11)
    tokens = ["Available at", "Retrieved from", "Accessed", " ", ":", ".", "\n", "x", "\u2003"]
    for _ in range(5000):
        text = "".join(rnd.choice(tokens) for _ in range(rnd.randint(0, 8)))
        assert _drop_access_note(text) == _ACCESS_NOTE.sub("", text), repr(text)


def test_journal_guard_never_turns_away_a_journal_style_entry() -> None:
    """``_split_journal`` answers None at once without a sentence opening with a year;
    the full split must then find no year segment either."""
    rnd = random.Random(13)
    tokens = ["Smith J", ". ", ".", " ", "2020", "1999", ";4:5", "Title", "Lancet", "x2020", "\n"]
    for _ in range(5000):
        text = "".join(rnd.choice(tokens) for _ in range(rnd.randint(0, 9)))
        if _YEAR_AFTER_STOP.search(text):
            continue
        parts = [p.strip() for p in _SENTENCE_END.split(text.rstrip(". ")) if p.strip()]
        assert not any(_YEAR_SEGMENT.match(p) for p in parts[2:]), repr(text)


def _boilerplate_as_one_pattern() -> re.Pattern[str]:
    """The phrase list as a single pattern, the "offers custom synthesis" phrase included
    (the code tries that one apart, behind a cheap test)."""
    phrases = boilerplate._PARAGRAPH.pattern[len("^(?:") : -len(")$")]
    offers = boilerplate._OFFERS.pattern[len("^") :] + ".*"
    return re.compile(f"^(?:{phrases}|{offers})$", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize(
    "text",
    [
        "Acme offers custom synthesis of any compound.",
        "ACME OFFERS CUSTOM SYNTHESIS",
        "Acme offerſ cuſtom ſyntheſis.",  # long s: the same letter to the pattern
        "x" * 80 + " offers custom synthesis",  # the phrase starting at character 81
        "x" * 79 + " offers custom synthesis",
        "x" * 80 + "offers custom synthesis",  # no word boundary before it
        "We offers custom synthesisers",  # nor after it
        "Get a quote",
        "Synthesis routes are discussed below.",
        "",
        "offers custom synthesis " * 30,  # 600 characters or more: never furniture
    ],
)
def test_boilerplate_phrases_tried_in_two_steps_match_the_whole_list(text: str) -> None:
    whole = bool(text) and len(text) < 600 and _boilerplate_as_one_pattern().match(text)
    assert boilerplate.is_boilerplate(text) == bool(whole)


def test_random_phrases_agree_with_the_whole_list() -> None:
    rnd = random.Random(3)
    words = ["offers", "custom", "synthesis", "SYNTHESIS", "ſ", "x" * 30, " ", "-", "get a quote"]
    whole = _boilerplate_as_one_pattern()
    for _ in range(3000):
        text = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 9)))
        expected = bool(text) and len(text) < 600 and whole.match(text) is not None
        assert boilerplate.is_boilerplate(text) == expected, repr(text)

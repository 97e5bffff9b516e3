"""Citation markers: every spelling, expansion of ranges, no pseudo-citations."""

from __future__ import annotations

import pytest

from helpers import ok, rows
from ingest.parse.shapes.citations import find, strip


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("drug.<sup>[1]</sup>", [1]),
        ("drug.<sup>[1][2]</sup>", [1, 2]),
        ("drug.[2][3] next", [2, 3]),
        ("drug.[\\[9\\]](#)", [9]),
        ("drug.[\\[2\\]](#)[\\[11\\]](#)", [2, 11]),
        ('see <a href="#">[7]</a>', [7]),
        ("lists [6, 7]", [6, 7]),
        ("ranges [3-5]", [3, 4, 5]),
        ("en dash [3–5]", [3, 4, 5]),
        ("mixed [1, 3-4]", [1, 3, 4]),
        ("footnote[^4] here", [4]),
        ("as shown [17]: where", [17]),
        ("lists [52, 71, 91]: and more", [52, 71, 91]),
        ("a footnote mid-line[^3]: then text", [3]),
    ],
)
def test_marker_spellings(text: str, numbers: list[int]) -> None:
    assert [m.number for m in find(text)] == numbers
    assert "[" not in strip(text).replace("[^", "")


@pytest.mark.parametrize(
    "text",
    [
        "at [02:04:00] the lecture",
        "H<sup>+</sup>/K<sup>+</sup> ATPase",
        "- [ ] todo",
        "[x] done",
        "[link](https://x.org/1)",
        "[1]: https://example.org",
        "[^1]: a definition",
        "   [2]: https://example.org/indented-definition",
        "text\n[3]: https://example.org/definition-on-its-own-line",
        "[a-b] letters",
    ],
)
def test_pseudo_citations_are_ignored(text: str) -> None:
    assert find(text) == []


def test_huge_range_is_not_expanded() -> None:
    # wider than Limits.max_citation_range: the endpoints only, never 5,000 rows
    assert [m.number for m in find("[1-5000]")] == [1, 5000]
    assert find("[1-100000]") == []  # not a citation number at all (over 4 digits)


def test_citations_are_linked_and_resolved() -> None:
    text = (
        "# Guide\n\n## Intro\n\nFirst claim.<sup>[1]</sup> Second [2][5].\n\n"
        "## References\n\n- 1. A title - PubMed [pubmed.ncbi.nlm.nih.gov]\n"
        "- 2. b.org [b.org]\n- 3. Never cited - Wiley [wiley.com]\n"
    )
    res = ok(text)
    cites = [
        (c["ref_number"], c["resolved"], c["section_id"], c["line_start"])
        for c in rows(res, "citations")
    ]
    assert cites == [(1, True, 2, 5), (2, True, 2, 5), (5, False, 2, 5)]
    codes = {w.code: w.message for w in res.warnings}
    assert "[5]" in codes["dangling_citation"] and "[3]" in codes["uncited_reference"]
    sec = next(s for s in rows(res, "sections") if s["heading"] == "Intro")
    assert sec["text"] == "First claim. Second."


def test_marker_before_a_colon_is_recorded_in_prose_and_table_cells() -> None:
    """``[17]:`` mid-line is a citation followed by a colon; only a label opening its line
    is a definition."""
    text = (
        "# Guide\n\n## Results\n\nThe effect, as shown [17]: where it matters.\n\n"
        "| arm | effect |\n|---|---|\n| A | 0.41 [52, 71, 91]: pooled |\n\n"
        "## References\n\n[17]: https://example.org/seventeen\n"
    )
    res = ok(text)
    numbers = sorted(c["ref_number"] for c in rows(res, "citations"))
    assert numbers == [17, 52, 71, 91]
    sec = next(s for s in rows(res, "sections") if s["heading"] == "Results")
    assert "as shown: where it matters." in sec["text"] and "[17]" not in sec["text"]
    cells = [c["text"] for c in rows(res, "table_cells")]
    assert "0.41: pooled" in cells, cells

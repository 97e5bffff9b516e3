"""Tables: TSV in prose, pipe and HTML; shapes, clean cells, citations linked to rows."""

from __future__ import annotations

import pytest

from helpers import ok, rows
from ingest.parse.shapes.tables import tsv_segments


def _cells(res, table_id=1):
    out: dict[int, list[str]] = {}
    for c in rows(res, "table_cells"):
        if c["table_id"] == table_id:
            out.setdefault(c["row_index"], []).append(c["text"])
    return out


def test_tsv_in_prose_with_header_ragged_rows_and_trailing_tabs() -> None:
    text = (
        "# G\n\n## Results\n\nIntro line before the table.\n"
        "Endpoint\tDrug\tControl\tCitation\n"
        'Flares\t42.6%\t68.4%\t<a href="#">[7]</a>\t\t\n'
        "Days\t7\n"
        "Safety\t12 &amp; 3\t5\t[8]\n"
    )
    res = ok(text)
    (t,) = rows(res, "doc_tables")
    assert (t["format"], t["n_rows"], t["n_cols"], t["line_start"], t["header"]) == (
        "tsv",
        3,
        4,
        6,
        True,
    )
    assert t["section_id"] == 2
    assert _cells(res) == {
        1: ["Flares", "42.6%", "68.4%", ""],
        2: ["Days", "7", "", ""],
        3: ["Safety", "12 & 3", "5", ""],
    }
    names = {c["column_name"] for c in rows(res, "table_cells")}
    assert names == {"Endpoint", "Drug", "Control", "Citation"}
    cites = [
        (c["ref_number"], c["table_id"], c["row_index"], c["line_start"])
        for c in rows(res, "citations")
    ]
    assert cites == [(7, 1, 1, 7), (8, 1, 3, 9)]
    assert rows(res, "sections")[1]["text"] == "Intro line before the table."


def test_tsv_first_row_of_numbers_is_not_a_header() -> None:
    (t,) = [s for s in tsv_segments(["1\t2\t3", "4\t5\t6"], 10) if not isinstance(s, tuple)]
    assert t.header is None and len(t.rows) == 2 and t.row_lines == [10, 11]


def test_tsv_empty_cells_in_the_middle_are_kept() -> None:
    (t,) = [s for s in tsv_segments(["a\tb\tc", "x\t\tz", "\ty\t"], 1) if not isinstance(s, tuple)]
    assert t.rows == [["x", "", "z"], ["", "y", ""]]


def test_pipe_table_with_wiki_link_pipes_and_markup() -> None:
    text = (
        "# P\n\n| Poison | Antidote |\n|---|---|\n"
        "| [[Organophosphate Poisoning | OP]] | **Atropine** [2] |\n"
        "| Paracetamol | N-acetyl\\|cysteine |\n"
    )
    res = ok(text)
    (t,) = rows(res, "doc_tables")
    assert (t["format"], t["n_rows"], t["n_cols"], t["line_start"]) == ("pipe", 2, 2, 3)
    assert _cells(res) == {1: ["OP", "Atropine"], 2: ["Paracetamol", "N-acetyl|cysteine"]}
    assert [(c["ref_number"], c["row_index"], c["line_start"]) for c in rows(res, "citations")] == [
        (2, 1, 5)
    ]


def test_html_table_entities_br_and_blank_lines_inside() -> None:
    text = (
        "# H\n\n<table>\n<thead><tr><th>Drug</th><th>Dose &amp; route</th></tr></thead>\n\n"
        "<tr><td>A&nbsp;&lt;1</td><td>5 mg<br>oral <sup>[3]</sup></td></tr>\n"
        "<tr><td>B</td><td>10 mg</td></tr>\n</table>\n\nAfter the table.\n"
    )
    res = ok(text)
    (t,) = rows(res, "doc_tables")
    assert (t["format"], t["n_rows"], t["n_cols"], t["line_start"]) == ("html", 2, 2, 3)
    assert _cells(res) == {1: ["A <1", "5 mg\noral"], 2: ["B", "10 mg"]}
    assert [c["column_name"] for c in rows(res, "table_cells")][:2] == ["Drug", "Dose & route"]
    assert [(c["ref_number"], c["row_index"], c["line_start"]) for c in rows(res, "citations")] == [
        (3, 1, 6)
    ]
    assert rows(res, "sections")[0]["text"] == "After the table."


def test_tsv_header_with_year_columns_and_blank_corner() -> None:
    (t,) = [
        s
        for s in tsv_segments(["\t2019\t2020", "Patients\t120\t135", "Deaths\t3\t1"], 1)
        if not isinstance(s, tuple)
    ]
    assert t.header == ["", "2019", "2020"] and len(t.rows) == 2
    (u,) = [
        s
        for s in tsv_segments(["Parameter\t2019\t2020", "Patients\t120\t135"], 1)
        if not isinstance(s, tuple)
    ]
    assert u.header == ["Parameter", "2019", "2020"]


def test_cell_text_is_only_trimmed_of_whitespace_and_citation_markers() -> None:
    """Significance marks, operators and the source's spacing stay; markers go, with the
    spaces before them when punctuation follows."""
    text = (
        "# T\n\n| estimate | formula | note |\n|---|---|---|\n"
        "| 0.41 (0.03) * | x ** 2 | a : b |\n"
        "| 0.12 (0.02) *** | (0.6 , 0.9) | shown [3]: pooled |\n"
    )
    cells = [c["text"] for c in rows(ok(text), "table_cells")]
    assert cells == [
        "0.41 (0.03) *",
        "x ** 2",
        "a : b",
        "0.12 (0.02) ***",
        "(0.6 , 0.9)",
        "shown: pooled",
    ]


@pytest.mark.parametrize(
    ("table", "header"),
    [
        # an empty top-left cell: the header line starts with a tab
        ("\tDose\tRate\nAdults\t10 mg\t1/day\nChildren\t5 mg\t2/day\n", ["col_1", "Dose", "Rate"]),
        # rows written as list items
        (
            "- Name\tDose\tRate\n- Adults\t10 mg\t1/day\n- Children\t5 mg\t2/day\n",
            ["Name", "Dose", "Rate"],
        ),
        # a header and rows ending with empty cells
        (
            "Name\tDose\tRate\t\t\nAdults\t10 mg\t1/day\t\t\nChildren\t5 mg\t2/day\t\n",
            ["Name", "Dose", "Rate"],
        ),
    ],
)
def test_tab_tables_in_the_shapes_markdown_splits(table: str, header: list[str]) -> None:
    res = ok("# T\n\nIntro.\n\n" + table)
    (t,) = rows(res, "doc_tables")
    cells = [(c["row_index"], c["column_name"], c["text"]) for c in rows(res, "table_cells")]
    assert cells == [
        (1, header[0], "Adults"),
        (1, header[1], "10 mg"),
        (1, header[2], "1/day"),
        (2, header[0], "Children"),
        (2, header[1], "5 mg"),
        (2, header[2], "2/day"),
    ]
    assert t["n_rows"] == 2

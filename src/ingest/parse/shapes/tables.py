"""Tables in three spellings: tab-separated lines in prose, Markdown pipe tables, HTML.

Each becomes a :class:`RawTable` of raw cell strings with the file line of every
row; cleaning cells and linking their citation markers happens in
:mod:`ingest.document`, the same way for all three formats.

Tab-separated tables have no markup at all, so they are found by shape: two or
more consecutive lines that each hold a tab.  The first row is the header unless
it looks like data (numbers or empty cells).  Ragged rows are padded to the
widest row after trailing empty cells are dropped.  The Markdown parser splits some
such tables (:func:`merge_tab_runs` joins them again).  HTML tables go through
BeautifulSoup, which decodes entities and tolerates the broken markup that real
pages carry; ``<br>`` becomes a line break inside the cell.  Well-formed tables skip
building its tree (:mod:`ingest.parse.shapes.htmltable` reads them to the same cells, much faster).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Tag

from .. import collector
from .htmltable import read_tables

_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMERIC = re.compile(r"^[\s\d.,%<>=≤≥±~+\-–()/]*\d[\s\d.,%<>=≤≥±~+\-–()/a-zA-Zµμ]*$")


@dataclass(slots=True)
class RawTable:
    """A table as read, before cleaning: format, header, rows and their lines."""

    format: str  # tsv | pipe | html
    line: int  # file line of the first row
    header: list[str] | None
    rows: list[list[str]]
    row_lines: list[int] = field(default_factory=list)

    @property
    def n_cols(self) -> int:
        """Width of the widest row (the header included)."""
        widths = [len(r) for r in self.rows]
        if self.header:
            widths.append(len(self.header))
        return max(widths, default=0)


def tsv_segments(lines: list[str], first_line: int) -> list[tuple[int, str] | RawTable]:
    """Split a paragraph's source lines into prose runs ``(line, text)`` and TSV tables."""
    out: list[tuple[int, str] | RawTable] = []
    prose: list[str] = []
    prose_line = first_line
    i, n = 0, len(lines)
    while i < n:
        j = i
        while j < n and "\t" in lines[j] and lines[j].strip():
            j += 1
        if j - i >= 2:
            if prose:
                out.append((prose_line, "\n".join(prose)))
                prose = []
            out.append(_tsv_table(lines[i:j], first_line + i))
            i = j
            prose_line = first_line + i
            continue
        if not prose:
            prose_line = first_line + i
        prose.append(lines[i])
        i += 1
    if prose:
        out.append((prose_line, "\n".join(prose)))
    return out


def merge_tab_runs(blocks: list[Any], lines: list[str]) -> list[Any]:
    """Join adjacent blocks whose source lines all hold tabs into one paragraph, so a
    tab-separated table is seen whole: a header with an empty top-left cell starts
    with a tab and parses as a one-line code block; rows written ``- name<TAB>...``
    parse as list items.  (``Block``s, from :mod:`ingest.parse.read.blocks`.)"""
    out: list[Any] = []
    for b in blocks:
        prev = out[-1] if out else None
        if (
            prev is not None
            and b.line == prev.end + 1
            and prev.kind in _TAB_KINDS
            and b.kind in _TAB_KINDS
            and prev.quote == b.quote
            and _tabbed(lines, prev)
            and _tabbed(lines, b)
        ):
            merged = copy.copy(prev)
            merged.kind, merged.end, merged.level = "para", b.end, 0
            merged.text = "\n".join(lines[prev.line - 1 : b.end])
            out[-1] = merged
            continue
        out.append(b)
    return out


_TAB_KINDS = ("para", "item", "code")


def _tabbed(lines: list[str], b: Any) -> bool:
    first = b.line - 1  # most blocks fail on their first line: no slice for them
    if first < len(lines) and "\t" not in lines[first]:
        return False
    return all("\t" in ln for ln in lines[first : b.end])


_LIST_MARKER = re.compile(r"^\s*(?:[-+*]|\d{1,9}[.)])[ \t]+")


def _tsv_table(lines: list[str], line: int) -> RawTable:
    if all(_LIST_MARKER.match(ln) for ln in lines):  # rows written as list items
        lines = [_LIST_MARKER.sub("", ln, count=1) for ln in lines]
    rows = [_trim(ln.rstrip("\n").split("\t")) for ln in lines]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header: list[str] | None = None
    if _looks_like_header(rows[0], rows[1:]):
        header = rows[0]
        rows = rows[1:]
        row_lines = list(range(line + 1, line + 1 + len(rows)))
    else:
        row_lines = list(range(line, line + len(rows)))
    return RawTable("tsv", line, header, rows, row_lines)


def _trim(cells: list[str]) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _looks_like_header(first: list[str], rest: list[list[str]]) -> bool:
    """A header names its columns: filled (a blank top-left corner is allowed) and
    distinct.  Plain figures in the first row mean it is data; years may name columns
    (``Parameter 2019 2020``) when the rows below hold other figures in those columns."""
    if not first or any(not c for c in first[1:]):
        return False
    names = [c.lower() for c in first if c]
    if len(set(names)) != len(names):
        return False
    if any(_NUMERIC.match(c) and not _YEAR.match(c) for c in first if c):
        return False
    years = [i for i, c in enumerate(first) if c and _YEAR.match(c)]
    return not any(i < len(r) and _YEAR.match(r[i]) for r in rest for i in years)


def pipe_table(rows: list[list[str]], line: int) -> RawTable:
    """A GFM pipe table as parsed by markdown-it: header row, delimiter row, body rows."""
    header = [c.strip() for c in rows[0]] if rows else None
    body = [[c.strip() for c in r] for r in rows[1:]]
    # markdown-it puts the delimiter row on line+1; body rows follow one per line.
    row_lines = list(range(line + 2, line + 2 + len(body)))
    return RawTable("pipe", line, header, body, row_lines)


def html_tables(html: str, line: int) -> list[RawTable]:
    """Every top-level ``<table>`` in an HTML fragment that starts on file line ``line``:
    read directly when the fragment is well formed (:mod:`ingest.parse.shapes.htmltable`), through
    BeautifulSoup otherwise."""
    fast = read_tables(html, line)
    if fast is not None:
        return [RawTable("html", *t) for t in fast]
    return soup_tables(html, line)


def soup_tables(html: str, line: int) -> list[RawTable]:
    """:func:`html_tables` through BeautifulSoup's tolerant tree (any markup)."""
    try:
        return _soup_tables(BeautifulSoup(html, "html.parser"), line)
    finally:
        collector.collect_dropped()  # the tree is a web of cycles


def _soup_tables(soup: BeautifulSoup, line: int) -> list[RawTable]:
    out: list[RawTable] = []
    for table in soup.find_all("table"):
        if not isinstance(table, Tag) or table.find_parent("table") is not None:
            continue
        header: list[str] | None = None
        rows: list[list[str]] = []
        row_lines: list[int] = []
        for tr in table.find_all("tr"):
            if not isinstance(tr, Tag) or tr.find_parent("table") is not table:
                continue
            cells = [c for c in tr.find_all(["td", "th"], recursive=False) if isinstance(c, Tag)]
            raw = [c.decode_contents() for c in cells]
            is_head = tr.find_parent("thead") is not None or (
                cells and all(c.name == "th" for c in cells)
            )
            if header is None and not rows and is_head:
                header = raw
                continue
            rows.append(raw)
            row_lines.append(line + (tr.sourceline or 1) - 1)
        if header is None and not rows:
            continue
        first = line + (table.sourceline or 1) - 1
        out.append(RawTable("html", first, header, rows, row_lines))
    return out

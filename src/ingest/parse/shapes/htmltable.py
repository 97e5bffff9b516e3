"""A fast reader for the HTML tables that are already well formed.

Building a BeautifulSoup tree for every ``<table>`` cost more than everything else
a document's parse does together: most tables in real pages (and in the generated
corpus) are plain ``table > [thead|tbody|tfoot] > tr > td|th`` with text and a few
inline tags in the cells.  :func:`read_tables` reads exactly that subset with one
regular-expression scan and gives the same :class:`~ingest.parse.shapes.tables.RawTable` rows
BeautifulSoup would: each cell is the string ``Tag.decode_contents()`` returns, so
everything downstream (citation markers, cell cleaning) sees the same input.

It is deliberately strict and answers ``None`` (meaning: hand the fragment to
BeautifulSoup) for anything whose tree or serialisation it does not reproduce
exactly: omitted end tags, nested tables, comments, entities, ``>`` in text, tags in
upper case, inline tags outside a small list, attributes BeautifulSoup would
rewrite (no value, single quotes, odd spacing, repeated names).  Broken markup
therefore keeps the tolerant parser's behaviour, and the fast path's agreement with
it is tested on both the test fragments and the benchmark corpus.
"""

from __future__ import annotations

import re

# (file line of the table, header cells or None, rows of cells, file line of each row)
Table = tuple[int, list[str] | None, list[list[str]], list[int]]

# A tag, a run of text, or a '<' that starts neither (BeautifulSoup's business).
_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9]*)([^<>]*)>|([^<]+)|<")
_STRUCT = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th"})
_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_INLINE = frozenset(
    {"a", "abbr", "b", "cite", "code", "em", "i", "mark", "small", "span", "strong"}
    | {"sub", "sup", "u"}
)
# Attributes on table structure are not part of any cell's text; they only have to
# end where html.parser ends them.
_STRUCT_ATTRS = re.compile(r'(?:\s+[a-z][a-z0-9-]*(?:="[^"<>]*"|=[a-z0-9#%.-]+)?)*\s*')
# Attributes on inline tags are serialised back by BeautifulSoup as ` name="value"`;
# accept only that spelling, so the source text is the serialisation.
_INLINE_ATTRS = re.compile(r'(?: [a-z][a-z0-9-]*="[^"<>&\']*")*')
_ATTR_NAME = re.compile(r' ([a-z][a-z0-9-]*)="')
_BR = frozenset({"", "/", " /"})


class _Unsupported(Exception):
    """The fragment needs the tolerant parser."""


class _Reader:
    """State of one scan: the open elements, the table being read, line numbers."""

    def __init__(self, html: str, line: int) -> None:
        self.html = html
        self.first = line
        self.stack: list[str] = []
        self.tables: list[Table] = []
        self.cell: list[str] | None = None
        self.cells: list[str] = []
        self.cell_kinds: list[str] = []
        self.row_line = 0
        self.table_line = 0
        self.header: list[str] | None = None
        self.rows: list[list[str]] = []
        self.row_lines: list[int] = []
        self.pos = 0
        self.lineno = line

    def line_at(self, pos: int) -> int:
        """File line of character ``pos`` (scans forward only)."""
        self.lineno += self.html.count("\n", self.pos, pos)
        self.pos = pos
        return self.lineno

    def text(self, text: str) -> None:
        """Text goes into the open cell; between structure it must be blank."""
        if self.cell is not None:
            if "&" in text or ">" in text:
                raise _Unsupported
            self.cell.append(text)
        elif not text.isspace():
            raise _Unsupported

    def start(self, name: str, attrs: str, pos: int) -> None:
        """An opening tag: inline inside a cell, structure where it may stand."""
        if self.cell is not None and name not in _STRUCT:
            self.inline(name, attrs)
            return
        if _STRUCT_ATTRS.fullmatch(attrs) is None or attrs.endswith("/"):
            raise _Unsupported
        parent = self.stack[-1] if self.stack else ""
        if name == "table" and not self.stack:
            self.table_line = self.line_at(pos)
            self.header, self.rows, self.row_lines = None, [], []
        elif name in _SECTIONS and parent == "table":
            pass
        elif name == "tr" and (parent == "table" or parent in _SECTIONS):
            self.row_line = self.line_at(pos)
            self.cells, self.cell_kinds = [], []
        elif name in ("td", "th") and parent == "tr":
            self.cell = []
            self.cell_kinds.append(name)
        else:
            raise _Unsupported
        self.stack.append(name)

    def inline(self, name: str, attrs: str) -> None:
        """An inline tag inside a cell, kept as BeautifulSoup would write it."""
        assert self.cell is not None
        if name == "br":
            if attrs not in _BR:
                raise _Unsupported
            self.cell.append("<br/>")
            return
        if name not in _INLINE or _INLINE_ATTRS.fullmatch(attrs) is None:
            raise _Unsupported
        if attrs.count('="') > 1:
            names = _ATTR_NAME.findall(attrs)
            if len(set(names)) != len(names):
                raise _Unsupported
        self.cell.append(f"<{name}{attrs}>")
        self.stack.append(name)

    def end(self, name: str, attrs: str) -> None:
        """A closing tag must close the innermost open element, nothing implied."""
        if attrs or not self.stack or self.stack[-1] != name:
            raise _Unsupported
        self.stack.pop()
        if name in ("td", "th"):
            assert self.cell is not None
            self.cells.append("".join(self.cell))
            self.cell = None
        elif name in _INLINE:
            assert self.cell is not None
            self.cell.append(f"</{name}>")
        elif name == "tr":
            self.end_row()
        elif name == "table":
            self.end_table()

    def end_row(self) -> None:
        """A row is the header if it is the table's first and is in ``<thead>`` or
        made only of ``<th>`` cells (the rule of the tolerant path)."""
        in_head = self.stack[-1] == "thead"
        is_head = in_head or bool(self.cell_kinds and all(k == "th" for k in self.cell_kinds))
        if self.header is None and not self.rows and is_head:
            self.header = self.cells
            return
        self.rows.append(self.cells)
        self.row_lines.append(self.row_line)

    def end_table(self) -> None:
        """A table with neither header nor rows is no table."""
        if self.header is None and not self.rows:
            return
        self.tables.append((self.table_line, self.header, self.rows, self.row_lines))


def read_tables(html: str, line: int) -> list[Table] | None:
    """Every table of a well-formed HTML fragment starting on file line ``line``, or
    ``None`` when the fragment is outside the subset this reader reproduces."""
    reader = _Reader(html, line)
    try:
        for m in _TOKEN.finditer(html):
            slash, name, attrs, text = m.groups()
            if text is not None:
                reader.text(text)
            elif name is None:
                raise _Unsupported
            elif slash:
                reader.end(name, attrs)
            else:
                reader.start(name, attrs, m.start())
    except _Unsupported:
        return None
    if reader.stack:
        return None
    return reader.tables

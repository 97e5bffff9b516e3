"""The walk: one pass over a document's blocks that fills the typed model.

Each block lands in the section it belongs to: headings open sections (their parent
found on a stack of open headings, so the walk stays linear), prose and list items
become section parts (with their citation markers, list items and ``**Key:** value``
facts), tables of any format become :class:`~ingest.parse.model.Table` objects, and
boilerplate is dropped here because only the walk knows where a block sits.  Nothing
is repaired and no row is built: the passes and the row builders do that afterwards.
"""

from __future__ import annotations

import re

from ..errors import IngestError
from .model import Citation, Document, Fact, FaqBlock, ListItem, Part, Section, Table
from .read.blocks import Block
from .shapes import boilerplate, citations, clean, faq, references
from .shapes.tables import RawTable, html_tables, merge_tab_runs, pipe_table, tsv_segments

_FACT = re.compile(r"^\s*\*\*([^*\n]{1,120}?)(?::\s*\*\*|\*\*\s*:)\s*(.+)$", re.DOTALL)


def walk(doc: Document, blocks: list[Block]) -> None:
    """Fill ``doc`` from ``blocks`` (in source order)."""
    _Walk(doc).run(blocks)


class _Walk:
    """Where the walk is: the open headings and whether prose came just before."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.open: list[Section] = []  # the current section and its ancestors
        self.prev_para: dict[int, bool] = {}  # per section: the last block was prose
        # Clean text of the cells seen so far, without and with line breaks kept: a
        # document's tables repeat most of their cells ("", units, verdicts).
        self.cells: tuple[dict[str, str], dict[str, str]] = ({"": ""}, {"": ""})

    def run(self, blocks: list[Block]) -> None:
        skip_until = 0
        for b in boilerplate.mark_furniture(merge_tab_runs(blocks, self.doc.lines)):
            if b.line <= skip_until:
                continue
            if b.kind == "heading":
                self.heading(b)
                continue
            sec = self.current()
            if sec.boiler or b.furniture:
                sec.dropped += 1
            elif b.kind in ("para", "item"):
                self.prose(b, sec)
            elif b.kind == "table":
                if b.rows:
                    self.table(pipe_table(b.rows, b.line), sec)
                self.prev_para[sec.id] = False
            elif b.kind == "html":
                skip_until = self.html(b, sec)
            else:
                self.prev_para[sec.id] = False

    # -- sections --------------------------------------------------------------------
    def heading(self, b: Block) -> None:
        text = clean.heading(citations.strip(b.text))
        self.doc.headings.append(text)  # for family detection, after the walk
        sec = self.new_section(b.level, text, b.line)
        if sec.faq:
            sec.heading = faq.strip_prefix(sec.heading) or sec.heading
        if sec.faq and not sec.boiler:
            self.doc.faq_blocks.append(FaqBlock(b.text, "heading", b.line))

    def new_section(self, level: int, heading: str, line: int) -> Section:
        while self.open and self.open[-1].level >= level:
            self.open.pop()
        parent = self.open[-1] if self.open else None
        sec = Section(len(self.doc.sections) + 1, parent, level, heading, line)
        if parent is not None:
            sec.boiler, sec.faq = parent.boiler, parent.faq
        if boilerplate.is_boilerplate_heading(heading, self.doc.vendor):
            sec.boiler = True
        if references.HEADING.match(heading):
            sec.refs = True
        elif faq.SECTION.search(heading):
            sec.faq = True
        self.doc.sections.append(sec)
        self.open.append(sec)
        return sec

    def current(self) -> Section:
        if not self.doc.sections:
            return self.new_section(0, "", 1)
        return self.doc.sections[-1]

    # -- prose -----------------------------------------------------------------------
    def prose(self, b: Block, sec: Section) -> None:
        if sec.refs or (
            "[^" in b.text and references.FOOTNOTE_DEF.match(b.text.partition("\n")[0])
        ):
            return  # reference lists and footnote definitions are read from raw lines
        if b.kind == "para" and "\t" in b.text:
            for seg in tsv_segments(self.doc.lines[b.line - 1 : b.end], b.line):
                if isinstance(seg, RawTable):
                    self.table(seg, sec)
                    self.prev_para[sec.id] = False
                else:
                    self.text(seg[1], "para", seg[0], sec, b.quote)
        else:
            self.text(b.text, b.kind, b.line, sec, b.quote, b.level)

    def text(
        self, raw: str, kind: str, line: int, sec: Section, quote: int = 0, depth: int = 0
    ) -> None:
        doc = self.doc
        marks, stripped = citations.scan(raw, doc.limits.max_citation_range)
        text = clean.plain(stripped)
        if not text:
            return
        if boilerplate.is_boilerplate(text):
            sec.dropped += 1
            return
        if kind == "para" and not sec.faq and self.metadata_line(text):
            return
        for mk in marks:
            at = line + raw.count("\n", 0, mk.offset)
            doc.citations.append(Citation(len(doc.citations) + 1, mk.number, at, sec))
        if sec.faq:
            doc.faq_blocks.append(FaqBlock(stripped, kind, line))
            text = faq.strip_prefix(text) or text
        sec.kept_content += 1
        if kind == "item":
            self.item(stripped, text, line, sec, depth)
            self.prev_para[sec.id] = False
            return
        sec.parts.append(Part(text, kind, line, self.prev_para.get(sec.id, False)))
        self.prev_para[sec.id] = quote == 0

    def metadata_line(self, text: str) -> bool:
        """Take ``Author: ...`` style lines into ``doc.fields``; True if it was one."""
        found = boilerplate.metadata_fields(text)
        if not found:
            return False
        for k, v in found.items():
            self.doc.fields.setdefault(k, clean.plain(v))
        if "author" in found:
            self.doc.vendor = boilerplate.vendor_from_author(found["author"])
        return True

    def item(self, stripped: str, text: str, line: int, sec: Section, depth: int) -> None:
        doc = self.doc
        doc.items.append(ListItem(sec, len(doc.items) + 1, depth, text, line))
        fm = _FACT.match(stripped) if "**" in stripped else None  # (the pattern needs it)
        if fm:
            value = clean.plain(fm.group(2))
            key = clean.heading(fm.group(1))
            if value and key:
                doc.facts.append(Fact(sec, len(doc.facts) + 1, key, value, line))
        sec.parts.append(Part(text, "item", line, False))

    # -- tables ----------------------------------------------------------------------
    def html(self, b: Block, sec: Section) -> int:
        """An HTML block: its tables (which may run past a blank line), else its text.
        Returns the last line consumed, so blocks inside a long table are skipped."""
        self.prev_para[sec.id] = False
        low = b.text.lower()
        if "<table" not in low:
            text = clean.plain(citations.strip(b.text))
            if text and not boilerplate.is_boilerplate(text):
                self.text(b.text, "para", b.line, sec)
            return 0
        html, end = b.text, b.end
        if "</table>" not in low:  # an HTML block ends at a blank line; tables may not
            lines = self.doc.lines
            for i in range(b.end, len(lines)):
                if "</table>" in lines[i].lower():
                    end = i + 1
                    break
            html = "\n".join(lines[b.line - 1 : end])
        for t in html_tables(html, b.line):
            self.table(t, sec)
        return end

    def table(self, t: RawTable, sec: Section) -> None:
        doc = self.doc
        n_cols = t.n_cols
        doc.n_cells += n_cols * (len(t.rows) + 1)
        if doc.n_cells > doc.limits.max_table_cells:
            raise IngestError(
                "extract",
                "too_many_table_cells",
                f"tables hold more than {doc.limits.max_table_cells:,} cells",
                line=t.line,
            )
        table = Table(len(doc.tables) + 1, t, sec, column_names(t.header, n_cols), [])
        keep_nl = t.format == "html"
        for r, row in enumerate(t.rows, start=1):
            line = t.row_lines[r - 1] if r - 1 < len(t.row_lines) else t.line
            table.cells.append(self.row(table, r, row, line, keep_nl))
        sec.kept_content += 1
        doc.tables.append(table)

    def row(self, table: Table, r: int, row: list[str], line: int, keep_nl: bool) -> list[str]:
        """Clean text of one body row, padded to the table's width; its citation
        markers are recorded.  Kept lean: most rows hold no ``[`` and skip the scan,
        and a cell seen before in the document is not cleaned again."""
        n = len(table.names)
        cells = row[:n] + [""] * (n - len(row)) if len(row) != n else row
        seen = self.cells[keep_nl]
        if "[" not in "".join(cells):
            return [
                t if (t := seen.get(raw)) is not None else self.cell(raw, keep_nl) for raw in cells
            ]
        doc = self.doc
        out: list[str] = []
        for raw in cells:
            if "[" in raw:
                marks, raw = citations.scan(raw, doc.limits.max_citation_range)
                for mk in marks:
                    k = len(doc.citations) + 1
                    doc.citations.append(Citation(k, mk.number, line, None, table.id, r))
            out.append(t if (t := seen.get(raw)) is not None else self.cell(raw, keep_nl))
        return out

    def cell(self, raw: str, keep_nl: bool) -> str:
        """Clean text of a cell (remembered for the rest of the document)."""
        text = self.cells[keep_nl][raw] = clean.plain(raw, keep_newlines=keep_nl, cell=True)
        return text


def column_names(header: list[str] | None, n_cols: int) -> list[str]:
    """Unique, non-empty column names (``col_N`` where the header has none)."""
    names: list[str] = []
    seen: set[str] = set()
    for i in range(n_cols):
        raw = header[i] if header and i < len(header) else ""
        name = clean.plain(citations.strip(raw)) or f"col_{i + 1}"
        base, k = name, 2
        while name.lower() in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name.lower())
        names.append(name)
    return names

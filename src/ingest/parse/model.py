"""The typed document model: what the walk finds in one document, before any row exists.

The walk (:mod:`ingest.parse.walk`) fills a :class:`Document` from blocks; the passes
(:mod:`ingest.parse.passes`) read and amend it; the row builders
(:mod:`ingest.parse.rows`) turn it into warehouse rows.  Keeping this middle layer
typed, instead of building rows while walking, is what lets each pass be a small pure
function and a family read a document through named fields rather than a parser's
private state.  Objects refer to each other directly (an item to its section); ids
exist only in rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Issue, warning
from ..limits import Limits
from .shapes.faq import Faq
from .shapes.references import Reference
from .shapes.tables import RawTable


@dataclass(slots=True)
class Section:
    """A heading and what follows it up to the next heading of any level."""

    id: int  # order of appearance, from 1
    parent: Section | None
    level: int  # 0 for the text before the first heading
    heading: str
    line: int
    boiler: bool = False  # vendor boilerplate: dropped with everything under it
    refs: bool = False  # a reference list: read from raw lines, not as prose
    faq: bool = False  # a FAQ block: its paragraphs are also question/answer sources
    parts: list[Part] = field(default_factory=list)
    dropped: int = 0  # blocks dropped as boilerplate
    kept_content: int = 0  # blocks kept (text or tables)
    out_id: int | None = None  # id in the rows; None when the section is pruned


@dataclass(slots=True)
class Part:
    """One piece of a section's text: a paragraph or a list item's text."""

    text: str
    kind: str  # para | item
    line: int
    after_para: bool  # the block before it in its section was unquoted prose


@dataclass(slots=True)
class ListItem:
    """A list item (any depth) with its cleaned text."""

    section: Section
    position: int
    depth: int
    text: str
    line: int


@dataclass(slots=True)
class Fact:
    """A ``**Key:** value`` list item."""

    section: Section
    position: int
    key: str
    value: str
    line: int


@dataclass(slots=True)
class Table:
    """A table as found (pipe, tab-separated or HTML) with its cleaned cells."""

    id: int
    raw: RawTable
    section: Section
    names: list[str]  # unique column names
    cells: list[list[str]]  # cleaned text, one list per body row, n_cols long


@dataclass(slots=True)
class Citation:
    """One citation marker, in prose (``section``) or in a table cell."""

    position: int
    number: int
    line: int
    section: Section | None
    table_id: int | None = None
    row_index: int | None = None
    resolved: bool = False


@dataclass(slots=True)
class Repair:
    """A logged change to the source's text (field, rule, before, after, line)."""

    field: str
    rule: str
    before: str
    after: str
    line: int | None


@dataclass(slots=True)
class FaqBlock:
    """A block inside a FAQ section, kept raw for question/answer parsing."""

    raw: str
    kind: str
    line: int


@dataclass(slots=True)
class Document:
    """Everything extracted from one document, in source order."""

    doc_id: str
    source: str
    source_path: str
    content_sha256: str
    n_bytes: int
    limits: Limits
    encoding: str = "utf-8"
    front_matter_format: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    body: str = ""
    body_line: int = 1
    reader: str = "markdown"  # which reader made the blocks: markdown or a family's name
    headings: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # metadata lines (Author: ...)
    vendor: str | None = None
    sections: list[Section] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    cited: set[int] = field(default_factory=set)
    faq_blocks: list[FaqBlock] = field(default_factory=list)
    faqs: list[Faq] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    family: str = "generic"
    title: str = ""
    description: str | None = None
    description_truncated: bool = False
    n_cells: int = 0

    def repair(self, fld: str, rule: str, before: str, after: str, line: int | None) -> None:
        """Log a change made to the source's text."""
        self.repairs.append(Repair(fld, rule, before, after, line))

    def warn(
        self,
        stage: str,
        code: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        """Record a warning about this document (it is still loaded)."""
        self.warnings.append(warning(stage, code, self.source_path, message, line, column))

    @property
    def citation_count(self) -> int:
        """Number of citation markers found (prose and tables)."""
        return len(self.citations)

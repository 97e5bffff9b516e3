"""Research comparison guides: prose with inline citations, a numbered reference
list, tab-separated/HTML tables, metadata lines (author, date, compound, catalogue
number) and vendor boilerplate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Document
    from ..read.blocks import Block

NAME = "guide"
RANK = 20
COLUMNS = ("compound_name", "catalog_number", "cas_number")


def detect(doc: Document) -> int:
    """References, citations and product metadata lines."""
    score = 0
    if doc.references:
        score += 4
    if doc.citation_count >= 3:
        score += 3
    score += 3 * len({"compound_name", "catalog_number"} & doc.fields.keys())
    if "author" in doc.fields:
        score += 2
    return score


def columns(doc: Document) -> dict[str, Any]:
    """The product named by the guide's metadata lines."""
    return {c: doc.fields.get(c) for c in COLUMNS}


def blocks(doc: Document) -> list[Block] | None:
    """Read by the Markdown reader."""
    return None

"""Research comparison guides: prose with inline citations, a numbered reference
list, tab-separated/HTML tables, metadata lines (author, date, compound, catalogue
number) and vendor boilerplate."""

from __future__ import annotations

from typing import Any

NAME = "guide"


def detect(doc: Any) -> int:
    score = 0
    if doc.references:
        score += 4
    if doc.citation_count >= 3:
        score += 3
    score += 3 * len({"compound_name", "catalog_number"} & doc.fields.keys())
    if "author" in doc.fields:
        score += 2
    return score


def metadata(doc: Any) -> dict[str, Any]:
    return {}

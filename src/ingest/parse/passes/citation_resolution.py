"""Citation resolution: each marker against the reference list.

A marker resolves when its number is listed; a reference is cited when some marker
names it.  Markers with no entry (dangling), a document that cites with no list at
all, and entries nobody cites are warnings, each naming the numbers and the first line.
"""

from __future__ import annotations

from ..model import Document
from .numbers import shown


def resolve_citations(doc: Document) -> None:
    """Set ``resolved`` on every citation and ``doc.cited``; warn about the rest."""
    numbers = {r.number for r in doc.references}
    dangling: dict[int, int] = {}
    for c in doc.citations:
        doc.cited.add(c.number)
        c.resolved = c.number in numbers
        if not c.resolved:
            dangling.setdefault(c.number, c.line)
    if dangling:
        code, text = (
            ("dangling_citation", "cited but not in the reference list: {}")
            if numbers
            else ("no_reference_list", "document cites {} but has no reference list")
        )
        doc.warn("extract", code, text.format(shown(dangling)), min(dangling.values()))
    uncited = sorted(numbers - doc.cited)
    if uncited and doc.cited:
        doc.warn(
            "extract",
            "uncited_reference",
            f"references never cited in the text: {shown(uncited)}",
            next(r.line for r in doc.references if r.number == uncited[0]),
        )

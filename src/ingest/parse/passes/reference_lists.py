"""Reference lists: numbered entries under a References heading, and footnotes.

The walk skips the prose of reference sections; here their raw lines are parsed into
:class:`~ingest.parse.shapes.references.Reference` entries (lines matter: an entry may
wrap), footnote definitions elsewhere in the body are added, and a number listed twice
keeps its first entry with a warning.
"""

from __future__ import annotations

from ..model import Document
from ..shapes import references
from ..shapes.references import Reference
from .numbers import shown


def read_reference_lists(doc: Document) -> None:
    """Fill ``doc.references`` from reference sections and footnote definitions."""
    found: list[Reference] = []
    starts = [s.line for s in doc.sections]
    in_lists: set[int] = set()
    for i, sec in enumerate(doc.sections):
        if not sec.refs or sec.boiler:
            continue
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(doc.lines)
        found.extend(references.parse_list(doc.lines[sec.line : end], sec.line + 1))
        in_lists.update(range(sec.line, end))
    if "[^" in doc.body:  # footnote definitions anywhere else in the body
        found.extend(references.footnotes(doc.lines, doc.body_line, in_lists))
    doc.references = _first_of_each(doc, found)


def _first_of_each(doc: Document, found: list[Reference]) -> list[Reference]:
    seen: dict[int, Reference] = {}
    dupes: list[Reference] = []
    for ref in found:
        if ref.number in seen:
            dupes.append(ref)
        else:
            seen[ref.number] = ref
    if dupes:
        doc.warn(
            "extract",
            "duplicate_reference_number",
            "reference numbers listed more than once (first kept): "
            + shown(dict.fromkeys(r.number for r in dupes)),
            dupes[0].line,
        )
    return list(seen.values())

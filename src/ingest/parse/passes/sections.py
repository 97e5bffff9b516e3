"""Section pruning: boilerplate sections, and sections that only held boilerplate, go.

A section survives unless it is boilerplate, or everything in it was dropped as
boilerplate and no surviving section sits under it (a reference list survives even
then).  Survivors are numbered again from 1 (``out_id``); rows of pruned sections
follow their section out (list items, facts) or lose their section link (tables,
citations) when the rows are built.
"""

from __future__ import annotations

from ..model import Document


def prune_sections(doc: Document) -> None:
    """Set ``out_id`` on the sections that survive, in document order."""
    keep: set[int] = set()
    kept_children: set[int] = set()
    for sec in reversed(doc.sections):
        empty_vendor = sec.dropped > 0 and sec.kept_content == 0 and sec.id not in kept_children
        if sec.boiler or (empty_vendor and not sec.refs):
            continue
        keep.add(sec.id)
        if sec.parent is not None:
            kept_children.add(sec.parent.id)
    n = 0
    for sec in doc.sections:
        if sec.id in keep:
            n += 1
            sec.out_id = n

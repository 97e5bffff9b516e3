"""Title and description of a document, from front matter or its headings.

The title is the front-matter title, else the first H1, else the first heading, else
the file name.  The description is the front-matter description (or summary) with a
stray list marker and extra whitespace repaired; one cut off at the source ("...") is
flagged and warned about, on the line the description is written on.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ..model import Document
from ..read.front import key_position
from ..shapes import clean


def describe(doc: Document) -> None:
    """Set ``doc.title``, ``doc.description`` and ``doc.description_truncated``."""
    doc.title = title(doc)
    raw = doc.meta.get("description", doc.meta.get("summary"))
    if not isinstance(raw, str) or not raw.strip():
        return
    d = raw.strip()
    if d.startswith(("- ", "* ")):
        doc.repair("description", "description_list_marker", d[:80], d[2:82], None)
        d = d[2:]
    squashed = clean.squash(d)
    if squashed != d:
        doc.repair("description", "whitespace", d, squashed, None)
    doc.description = squashed
    doc.description_truncated = squashed.endswith(("...", "…"))
    if doc.description_truncated:
        line, column = key_position(doc.lines[: doc.body_line - 1], ("description", "summary"))
        doc.warn(
            "front_matter",
            "truncated_description",
            "front-matter description is cut off (ends with '...')",
            line,
            column,
        )


def title(doc: Document) -> str:
    """The document's title (see the module docstring)."""
    t = doc.meta.get("title")
    if isinstance(t, str) and t.strip():
        return clean.plain(t)
    for s in doc.sections:
        if s.level == 1 and s.heading:
            return s.heading
    for s in doc.sections:
        if s.heading:
            return s.heading
    return PurePosixPath(doc.source_path).stem

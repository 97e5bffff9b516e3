"""Quality checks that need the whole document: a monograph without sections, an
unfilled template (``{PLACEHOLDER}`` / ``{{ name }}`` in its first 400 lines), and a
date that is not a date (kept as text, see :mod:`ingest.dates`)."""

from __future__ import annotations

import re

from ..model import Document
from ..rows import DATE_READERS, date_texts

_PLACEHOLDER = re.compile(r"\{[A-Z][A-Z0-9_]{2,}\}|\{\{\s*[a-z_]+\s*\}\}")


def check_quality(doc: Document) -> None:
    """Warn about shapes that suggest the document is not what it claims to be, and
    about dates that cannot be read (their text is kept, the typed column is null)."""
    for column, value in date_texts(doc).items():
        if value and DATE_READERS[column](value) is None:
            doc.warn(
                "extract",
                "unreadable_date",
                f"{column} {value[:80]!r} is not a date ingest can read; kept as text in "
                f"{column}_text",
            )
    if doc.family == "monograph" and not any(s.level > 0 for s in doc.sections):
        doc.warn("extract", "no_sections", "monograph has no headed sections")
    sample = "\n".join(doc.lines[:400])
    m = _PLACEHOLDER.search(sample)
    if m:
        doc.warn(
            "extract",
            "template_placeholders",
            f"document looks like an unfilled template ({m.group()})",
            sample.count("\n", 0, m.start()) + 1,
            m.start() - sample.rfind("\n", 0, m.start()),
        )

"""What parsing one document returns: its rows, or one structured error, plus warnings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import Issue

Row = dict[str, Any]


def doc_id_for(source: str, source_path: str) -> str:
    """Stable id of a document: the first 16 hex digits of sha256 of
    ``"<source>:<source_path>"`` (source names never hold ``:``).  The warehouse's
    migration computes the same value in SQL (:mod:`ingest.migrate`)."""
    return hashlib.sha256(f"{source}:{source_path}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class DocResult:
    """One document's outcome: rows per table (empty on error), warnings, timings."""

    source_path: str
    doc_id: str
    content_sha256: str
    n_bytes: int
    family: str | None = None
    rows: dict[str, list[Row]] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None
    timings: dict[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when the document parsed (it may still carry warnings)."""
        return self.error is None

"""Any other Markdown or text document: sections, tables and citations only."""

from __future__ import annotations

from typing import Any

NAME = "generic"


def detect(doc: Any) -> int:
    return 1


def metadata(doc: Any) -> dict[str, Any]:
    return {}

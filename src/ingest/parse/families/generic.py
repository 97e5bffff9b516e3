"""Any other Markdown or text document: sections, tables and citations only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Document
    from ..read.blocks import Block

NAME = "generic"
RANK = 90
COLUMNS: tuple[str, ...] = ()


def detect(doc: Document) -> int:
    """Always a candidate, the weakest."""
    return 1


def columns(doc: Document) -> dict[str, Any]:
    """No columns of its own."""
    return {}


def blocks(doc: Document) -> list[Block] | None:
    """Read by the Markdown reader."""
    return None

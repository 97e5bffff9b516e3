"""Drug monographs: Markdown with YAML front matter (title, description, is_banned,
lastModified, faqs) and a fixed outline (Usage, Dosage, Side Effects, ...)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Document
    from ..read.blocks import Block

NAME = "monograph"
RANK = 10
COLUMNS = ("is_banned",)

_FM_KEYS = {
    "faqs",
    "faq",
    "is_banned",
    "generic_name",
    "drug_class",
    "brand_names",
    "dosage",
    "indications",
    "contraindications",
    "side_effects",
    "mechanism",
}
_OUTLINE = re.compile(
    r"^(usage|uses|indications?|dosage|dosing|side effects|adverse (?:effects|reactions)"
    r"|contraindications?|drug interactions|interactions|precautions|warnings|mechanism of action"
    r"|how it works|pharmacokinetics|pregnancy.*|generic name|brand names?|alternate names"
    r"|overdose|storage|administration)\b",
    re.IGNORECASE,
)


def detect(doc: Document) -> int:
    """Monograph front-matter keys and outline headings."""
    score = 3 * len(_FM_KEYS & {k.lower() for k in doc.meta})
    score += 2 * sum(1 for h in doc.headings if _OUTLINE.match(h))
    return score


def columns(doc: Document) -> dict[str, Any]:
    """The front matter's ban flag."""
    meta = doc.meta
    return {
        "is_banned": _bool(meta.get("is_banned", meta.get("isBanned"))),
    }


def blocks(doc: Document) -> list[Block] | None:
    """Read by the Markdown reader."""
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    return None

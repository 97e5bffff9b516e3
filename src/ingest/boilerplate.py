"""Vendor page furniture and document metadata lines.

Comparison guides exported from vendor pages carry navigation and sales text
("Get Quote", "Need Custom Synthesis?", contact blocks, disclaimers, "To cite this
document") that must never reach section text, and a few lines that are really
document fields (author, date, compound name, catalogue number).  Both are
recognised on a block's plain text, with patterns anchored to the whole block so
that prose merely mentioning a quote or an email is kept.
"""

from __future__ import annotations

import re

_PARAGRAPH = re.compile(
    r"^(?:"
    r"get (?:a )?quote|request (?:a )?(?:custom synthesis )?quote(?: online)?\.?"
    r"|add to (?:cart|basket)|buy now|in stock\.?|inquire now|contact us\.?"
    r"|\[?click to (?:download|enlarge|view)[^.]*\]?\.?"
    r"|need (?:custom synthesis|industrial/bulk grade|help)\??.*"
    r"|.{0,80}\boffers custom synthesis\b.*"
    r"|(?:e-?mail|phone|tel|fax|address)\s*:.*"
    r"|to cite this (?:document|article|page|guide)\b.*"
    r"|technical support\s*:.*"
    r"|(?:for )?research use only.*"
    r"|our mission is to\b.*"
    r"|unsure if this (?:reagent|product)\b.*"
    r"|the information provided in this document is for research use only.*"
    r"|©.*|copyright ©?.*all rights reserved\.?"
    r")$",
    re.IGNORECASE | re.DOTALL,
)
_HEADING = re.compile(
    r"^(?:disclaimers?(?:\b.*)?|contact(?: us| information)?|about us|technical support"
    r"|need custom synthesis\??|request (?:a )?quote|related products|recommended products"
    r"|customer support|ordering information)$",
    re.IGNORECASE,
)

_AUTHOR_DATE = re.compile(
    r"^author\s*:\s*(?P<author>.+?)\.?\s*(?:date\s*:\s*(?P<date>.+?))?\.?$", re.IGNORECASE
)
_FIELDS = {
    "published": re.compile(r"^(?:date|published|publication date)\s*:\s*(.+?)\.?$", re.I),
    "compound_name": re.compile(r"^compound(?: name)?\s*:\s*(.+?)$", re.I),
    "catalog_number": re.compile(
        r"^cat(?:alog(?:ue)?)?\.?\s*(?:no\.?|number|#)\s*:\s*(.+?)$", re.I
    ),
    "cas_number": re.compile(r"^cas(?: no\.?| number| rn)?\s*:\s*([\d-]+)\.?$", re.I),
}


def is_boilerplate(text: str) -> bool:
    """True when a whole block (plain text) is vendor furniture."""
    return bool(text) and len(text) < 600 and _PARAGRAPH.match(text) is not None


def is_boilerplate_heading(text: str, vendor: str | None = None) -> bool:
    if _HEADING.match(text):
        return True
    return bool(vendor) and text.strip().lower() == (vendor or "").lower()


def metadata_fields(text: str) -> dict[str, str]:
    """Document fields spelled by a metadata line, e.g. ``Author: X. Date: Y``."""
    if len(text) > 300 or ":" not in text:
        return {}
    m = _AUTHOR_DATE.match(text)
    if m:
        out = {"author": m.group("author").strip()}
        if m.group("date"):
            out["published"] = m.group("date").strip()
        return out
    for name, pattern in _FIELDS.items():
        f = pattern.match(text)
        if f:
            return {name: f.group(1).strip()}
    return {}


def vendor_from_author(author: str | None) -> str | None:
    """``BenchChem Technical Support Team`` -> ``BenchChem``."""
    if not author:
        return None
    m = re.match(
        r"^([A-Z][\w&.-]+)\s+(?:technical|support|team|editorial|staff|research)\b",
        author,
        re.IGNORECASE,
    )
    return m.group(1) if m else None

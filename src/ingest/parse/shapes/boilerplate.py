"""Vendor page furniture and document metadata lines.

Comparison guides exported from vendor pages carry navigation and sales text
("Get Quote", "Need Custom Synthesis?", contact blocks, disclaimers, "To cite this
document") that must never reach section text, and a few lines that are really
document fields (author, date, compound name, catalogue number).  Both are
recognised on a block's plain text, with patterns anchored to the whole block so
that prose merely mentioning a quote or an email is kept.

Phrases only catch the vendors already seen, so furniture is also recognised by its
shape (:func:`mark_furniture`): a call to action is a block made only of links that
go nowhere (``[Request a Quote](#)``); a short question right before one is its
pitch ("Looking for bulk quantities?"); a contact block is a heading whose blocks
hold nothing but contact lines (a street address, a phone number, an e-mail).
"""

from __future__ import annotations

import re
from typing import Any

from . import clean

_PARAGRAPH = re.compile(
    r"^(?:"
    r"get (?:a )?quote|request (?:a )?(?:custom synthesis )?quote(?: online)?\.?"
    r"|add to (?:cart|basket)|buy now|in stock\.?|inquire now|contact us\.?"
    r"|\[?click to (?:download|enlarge|view)[^.]*\]?\.?"
    r"|need (?:custom synthesis|industrial/bulk grade|help)\??.*"
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


# Apart from _PARAGRAPH: tried at up to 80 places of every paragraph, it cost more than
# all the other phrases together.  It can only match where the first 104 characters
# hold "ynth" in some case (no other character matches y, n, t or h ignoring case).
_OFFERS = re.compile(r"^.{0,80}\boffers custom synthesis\b", re.IGNORECASE | re.DOTALL)
_OFFERS_REACH = 80 + len("offers custom synthesis") + 1


def is_boilerplate(text: str) -> bool:
    """True when a whole block (plain text) is vendor furniture."""
    if not text or len(text) >= 600:
        return False
    if _PARAGRAPH.match(text) is not None:
        return True
    return "ynth" in text[:_OFFERS_REACH].lower() and _OFFERS.match(text) is not None


def is_boilerplate_heading(text: str, vendor: str | None = None) -> bool:
    """True for a heading that opens vendor boilerplate (its whole section goes)."""
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


_DEAD_LINK = re.compile(
    r"\[[^\]\n]*\]\(\s*(?:#!?|javascript:[^()\s]*(?:\([^()]*\))?;?)?\s*\)", re.IGNORECASE
)
_LINK_GLUE = re.compile(r"^[\s|•·>»→*_-]*$")
_PHONE = re.compile(r"(?:\+|\b)\d[\d\s().-]{6,}\d\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_STREET = re.compile(
    r"^\d{1,6}\s+\S.*\b(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln"
    r"|way|suite|ste|floor|parkway|pkwy|court|ct|place|pl)\b",
    re.IGNORECASE,
)
_PITCH_MAX = 160
_SMALL_HEADING = 3
_CONTACT_LINE_MAX = 120


def is_call_to_action(raw: str) -> bool:
    """A block made only of links to nowhere (``#``, empty, ``javascript:``; links to a
    named anchor, a table of contents, go somewhere)."""
    if "](" not in raw:
        return False
    rest = _DEAD_LINK.sub("", raw)
    return rest != raw and _LINK_GLUE.match(rest) is not None


def _contact_signals(line: str) -> int:
    return sum(
        bool(p.search(line)) if p is not _STREET else bool(p.match(line))
        for p in (_PHONE, _EMAIL, _STREET)
    )


def _short_lines(text: str) -> bool:
    """``text`` has a non-blank line, and every line is short enough for a contact block."""
    if len(text) <= _CONTACT_LINE_MAX:  # so is every line of it
        return bool(text.strip())
    lines = [ln.strip() for ln in text.split("\n")]
    return any(lines) and all(len(ln) <= _CONTACT_LINE_MAX for ln in lines)


def _signals(blocks: list[Any]) -> int:
    """Contact signals (address, phone, e-mail) in the non-blank lines of ``blocks``."""
    return sum(
        _contact_signals(s) for b in blocks for ln in b.text.split("\n") if (s := ln.strip())
    )


def mark_furniture(blocks: list[Any]) -> list[Any]:
    """Set ``furniture`` on blocks that are vendor furniture by their shape (see the
    module doc); returns ``blocks``."""
    for i, b in enumerate(blocks):
        if b.kind in ("para", "item") and is_call_to_action(b.text):
            b.furniture = True
            prev = blocks[i - 1] if i else None
            if prev is not None and prev.kind == "para" and prev.end >= b.line - 2:
                pitch = clean.plain(prev.text)
                if len(pitch) <= _PITCH_MAX and pitch.endswith("?"):
                    prev.furniture = True
    _mark_contact_sections(blocks)
    return blocks


def _mark_contact_sections(blocks: list[Any]) -> None:
    """Blocks under a small heading (level 3 or deeper: a page's sidebar, not an
    article's "Author" section) that hold only short lines and at least two contact
    signals (address, phone, e-mail) are a contact block."""
    start = 0
    while start < len(blocks):
        if blocks[start].kind != "heading":
            start += 1
            continue
        small = blocks[start].level >= _SMALL_HEADING
        end = start + 1
        while end < len(blocks) and blocks[end].kind != "heading":
            end += 1
        body = blocks[start + 1 : end]
        # The raw source: these shapes survive markup, and most sections fail on
        # the first long line, before any signal is looked for.
        if (
            small
            and body
            and all(b.kind in ("para", "item") for b in body)
            and all(_short_lines(b.text) for b in body)
            and _signals(body) >= 2
        ):
            for b in body:
                b.furniture = True
        start = end

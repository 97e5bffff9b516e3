"""Paragraph rejoin: a paragraph split in two by a page break becomes one again.

The walk records, for each part, whether unquoted prose came just before it in its
section; a part that starts in lower case right after prose that ends mid-sentence is
glued back onto it, and the repair is logged with both sides of the seam.
"""

from __future__ import annotations

from ..model import Document, Part, Section


def rejoin(doc: Document) -> None:
    """Join split paragraphs in every section, in document order."""
    for sec in doc.sections:
        if len(sec.parts) > 1:
            sec.parts = _joined(doc, sec)


def _joined(doc: Document, sec: Section) -> list[Part]:
    out: list[Part] = []
    for part in sec.parts:
        if part.kind == "para" and part.after_para and out and _continues(out[-1].text, part):
            prev = out[-1].text
            doc.repair(
                f"sections[{sec.id}].text",
                "rejoin_split_paragraph",
                prev[-80:] + "\n\n" + part.text[:80],
                prev[-80:] + " " + part.text[:80],
                part.line,
            )
            out[-1].text = prev + " " + part.text
        else:
            out.append(part)
    return out


def _continues(prev: str, part: Part) -> bool:
    text = part.text
    return text[:1].islower() and len(text.split(None, 3)) > 2 and open_ended(prev)


def open_ended(text: str) -> bool:
    """True when ``text`` reads as prose cut mid-sentence (several words, ending on a
    word, comma or hyphen): the first half of a paragraph split by a page break."""
    last = text[-1:]
    return (last.isalnum() or last in ",-–") and len(text.split(None, 6)) > 6

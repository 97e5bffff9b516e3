"""FAQ reconcile: the front matter's FAQ list against the body's FAQ section.

Both sides are parsed (:mod:`ingest.parse.shapes.faq`), matched and merged; every
difference resolved is a logged repair, and a question left without an answer on
either side is a warning.  In the body, paragraphs after an ``A:``-labelled answer
that carry no label are held back: they join the answer if another question follows,
and are dropped after the last one (a disclaimer under the list is not an answer).
"""

from __future__ import annotations

from ..model import Document
from ..shapes import faq


def reconcile_faqs(doc: Document) -> None:
    """Fill ``doc.faqs`` from front matter and body, logging the repairs."""
    repairs: list[faq.Repair] = []
    meta = doc.meta
    front = faq.from_front_matter(meta.get("faqs", meta.get("faq", meta.get("FAQs"))), repairs)
    merged = faq.reconcile(front, body_faqs(doc), repairs)
    for fld, rule, before, after, where in repairs:
        doc.repair(fld, rule, before, after, where)
    for i, f in enumerate(merged, start=1):
        if not f.answer:
            doc.warn(
                "repair",
                "faq_missing_answer",
                f"FAQ {i} has no answer on either side: {f.question}",
                f.line,
            )
    doc.faqs = merged


def body_faqs(doc: Document) -> list[faq.Faq]:
    """Question/answer pairs of the body's FAQ blocks."""
    body: list[faq.Faq] = []
    cur: faq.Faq | None = None
    labelled = False
    held: list[str] = []
    for block in doc.faq_blocks:
        q, a = faq.parse_body_block(block.raw, block.kind)
        if q:
            if cur is not None and held:
                cur.answer = " ".join([cur.answer, *held]).strip()
            held = []
            cur = faq.Faq(q, a or "", "body", block.line)
            body.append(cur)
        elif a and cur is not None:
            is_label = faq.labelled_answer(block.raw)
            labelled = labelled or is_label
            if labelled and not is_label and cur.answer:
                held.append(a)
            else:
                cur.answer = f"{cur.answer} {a}".strip() if cur.answer else a
    return body

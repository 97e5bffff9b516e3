"""FAQ repair: clean question/answer pairs from front matter and body, reconciled.

The sources break FAQs in a handful of recurring ways: the answer pasted into
``q`` after ``**`` / ``**A:**``, ``a`` starting with ``A:**`` or ``**A:**``,
questions wrapped as ``**Q: ...**``, stray whitespace, missing answers.  The
body repeats the FAQ as ``### **Q1: ...?**`` + ``**A:** ...`` (or bullets,
or bold lines).  Each fix is a named rule and every change is logged as a
repair, so an analyst can see exactly what was altered and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import clean

Repair = tuple[str, str, str, str, int | None]  # field, rule, before, after, line

SECTION = re.compile(
    r"\b(faqs?|frequently asked questions?|questions and answers|q\s*&\s*a)\b", re.IGNORECASE
)
_EMBEDDED = re.compile(
    r"\s*\*\*\s*(?:\n\s*)*\*\*\s*A\s*[:.]\s*\*\*\s*"  # ...?**\n\n**A:** answer
    r"|\s*\*\*\s*A\s*[:.]\s*\*\*\s*"  # ...? **A:** answer
    r"|\s*\*\*\s*(?:\n\s*)+A\s*[:.]\s*"  # ...?**\n\nA: answer
    r"|(?<=[?？])\s*(?:\n\s*)*A\s*[:.]\s+",  # ...?\n\nA: answer
)
_Q_PREFIX = re.compile(r"^\s*(?:\*\*)?\s*Q\s*\d*\s*[:.)]\s*", re.IGNORECASE)
_A_PREFIX = re.compile(r"^\s*(?:\*\*\s*)?A\s*[:.]\s*(?:\*\*)?\s*", re.IGNORECASE)
_WRAPPED = re.compile(r"^\s*\*\*(.+?)\*\*\s*$", re.DOTALL)
_LEAD_BOLD_Q = re.compile(r"^\s*\*\*(.+?[?？])\s*\*\*\s*(.*)$", re.DOTALL)
_LEAD_BOLD_QPREFIX = re.compile(
    r"^\s*\*\*\s*Q\s*\d*\s*[:.)]\s*(.+?)\*\*\s*(.*)$", re.DOTALL | re.IGNORECASE
)
_KEY = re.compile(r"[^\w]+")
# A whole answer in single emphasis: ``*A: answer*`` / ``_A: answer_``.
_EMPHASIS = re.compile(r"^\s*([*_])(?![*_\s])(.+?)(?<![*_\s])\1\s*$", re.DOTALL)


def unwrap_emphasis(text: str) -> str:
    """``text`` without single emphasis around all of it (``*...*``, ``_..._``)."""
    m = _EMPHASIS.match(text)
    return m.group(2) if m else text


@dataclass(slots=True)
class Faq:
    """One question and answer, and which side(s) it came from."""

    question: str
    answer: str
    origin: str  # front_matter | body | both
    line: int | None = None


def strip_prefix(text: str) -> str:
    """Clean text without a leading ``Q1:`` / ``A:`` label."""
    return _A_PREFIX.sub("", _Q_PREFIX.sub("", text, count=1), count=1)


def key(question: str) -> str:
    """A question reduced to lower-case words: how the two FAQ sides are matched."""
    return _KEY.sub(" ", question.lower()).strip()


def repair_question(raw: str, field: str, repairs: list[Repair]) -> tuple[str, str]:
    """Clean one question; returns (question, answer found embedded in it or '')."""
    q = raw
    embedded = ""
    m = _EMBEDDED.search(q)
    if m:
        embedded = q[m.end() :]
        q = q[: m.start()]
        repairs.append((field, "q_embedded_answer", raw, q, None))
    before = q
    w = _WRAPPED.match(q)
    if w:
        q = w.group(1)
    if _Q_PREFIX.match(q):
        q = _Q_PREFIX.sub("", q)
    if q != before:
        repairs.append((field, "q_prefix_or_wrapper", before, q, None))
    q = _clean_logged(q, "q", field, repairs)
    if q and not q.endswith(("?", "？")):
        repairs.append((field, "q_add_question_mark", q, q + "?", None))
        q += "?"
    return q, embedded


def repair_answer(raw: Any, field: str, repairs: list[Repair]) -> str:
    """A front-matter answer as clean text, each change logged in ``repairs``."""
    if raw is None:
        return ""
    a = str(raw)
    before = a
    a = unwrap_emphasis(a)
    if _A_PREFIX.match(a):
        a = _A_PREFIX.sub("", a, count=1)
        repairs.append((field, "a_prefix", before, a, None))
    return _clean_logged(a, "a", field, repairs)


def _clean_logged(text: str, side: str, field: str, repairs: list[Repair]) -> str:
    """Plain text of ``text``; logs ``{side}_stray_markup`` or ``whitespace`` if it changed."""
    out = clean.plain(text)
    if out != text.strip():
        rule = f"{side}_stray_markup" if "*" in text or "<" in text else "whitespace"
        repairs.append((field, rule, text, out, None))
    return out


def from_front_matter(items: Any, repairs: list[Repair]) -> list[Faq]:
    """Repair a front-matter ``faqs`` list of ``{q, a}`` mappings."""
    if not isinstance(items, list):
        return []
    out: list[Faq] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            raw_q = item.get("q", item.get("question", item.get("Q")))
            raw_a = item.get("a", item.get("answer", item.get("A")))
        elif isinstance(item, str):
            raw_q, raw_a = item, None
        else:
            continue
        if raw_q is None or not str(raw_q).strip():
            continue
        q, embedded = repair_question(str(raw_q), f"faqs[{i}].q", repairs)
        a = repair_answer(raw_a, f"faqs[{i}].a", repairs)
        if embedded:
            emb = repair_answer(embedded, f"faqs[{i}].q", [])
            if not a and emb:
                repairs.append((f"faqs[{i}].a", "a_from_question", str(raw_a or ""), emb, None))
                a = emb
        elif not a:
            repairs.append((f"faqs[{i}].a", "a_missing", str(raw_a or ""), "", None))
        if q:
            out.append(Faq(q, a, "front_matter"))
    return out


def parse_body_block(raw: str, kind: str) -> tuple[str | None, str | None]:
    """(question, answer) spelled by one body block; either may be None.  See
    :func:`labelled_answer` for whether an answer carried an ``A:`` label."""
    if kind == "heading":
        text = clean.heading(raw)
        text = _Q_PREFIX.sub("", text)
        return (text, None) if text.endswith(("?", "？")) else (None, None)
    m = _LEAD_BOLD_QPREFIX.match(raw) or _LEAD_BOLD_Q.match(raw)
    if m:
        q = clean.plain(_Q_PREFIX.sub("", m.group(1)))
        rest = m.group(2).strip()
        ans = clean.plain(_A_PREFIX.sub("", rest, count=1)) if rest else None
        if q.endswith(("?", "？")):
            return q, ans or None
    if _Q_PREFIX.match(raw):
        text = raw
        emb = _EMBEDDED.search(text)
        ans = None
        if emb:
            ans = clean.plain(text[emb.end() :])
            text = text[: emb.start()]
        q = clean.plain(_Q_PREFIX.sub("", text))
        if q:
            return q if q.endswith(("?", "？")) else q + "?", ans
    if labelled_answer(raw):
        return None, clean.plain(_A_PREFIX.sub("", unwrap_emphasis(raw), count=1))
    return None, clean.plain(raw) or None


def labelled_answer(raw: str) -> bool:
    """Whether a body block is an answer labelled ``A:`` (bold, emphasised or plain)."""
    return bool(_A_PREFIX.match(unwrap_emphasis(raw)))


def reconcile(front: list[Faq], body: list[Faq], repairs: list[Repair]) -> list[Faq]:
    """Merge both sides: answers from whichever has them, duplicates merged, origin set."""
    merged: dict[str, Faq] = {}
    for f in front:
        k = key(f.question)
        if k in merged:
            prev = merged[k]
            repairs.append(("faqs", "duplicate_merged", f.question, prev.question, None))
            if not prev.answer and f.answer:
                prev.answer = f.answer
            continue
        merged[k] = Faq(f.question, f.answer, f.origin, f.line)
    for b in body:
        k = key(b.question)
        found = merged.get(k)
        if found is None:
            merged[k] = Faq(b.question, b.answer, "body", b.line)
            continue
        prev = found
        if prev.origin == "body":
            repairs.append(("faqs", "duplicate_merged", b.question, prev.question, b.line))
            if not prev.answer and b.answer:
                prev.answer = b.answer
            continue
        prev.origin = "both"
        prev.line = prev.line or b.line
        if not prev.answer and b.answer:
            repairs.append(("faqs", "a_from_body", "", b.answer, b.line))
            prev.answer = b.answer
    return list(merged.values())

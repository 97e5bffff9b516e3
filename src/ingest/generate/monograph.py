"""The realistic monograph writer: :func:`monograph_realistic`.

The seed's shape (YAML front matter with malformed FAQs, an outline of bold ``##``
sections, the FAQ section at the end) grown to a byte budget: the required outline sections, then
optional ones in a random order until the budget is reached, a cited reference list
sometimes, then extra subsections (studies, products, cases, ...).  Sections are written
to separate buffers and put back in outline order at the end, so a document always reads
in the order real monographs do, whatever was drawn first.  The sections themselves are in
:mod:`.monograph_sections`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .doc import _Doc
from .monograph_sections import _M_EXTRAS, _M_OPTIONAL, _m_dosage, _m_side, _m_usage
from .outline import _faq_section, _yaml_block
from .phrases import _CLINICAL
from .vocab_realistic import _FORMS, _FREQ, _LABS, _MORE_EFFECTS, _POPULATIONS, _SERIOUS
from .writer import _W, _a, _ref_citation


def _faq_treatment(w: _W, drug: str, other: str, more: Callable[[], str]) -> list[tuple[str, str]]:
    """The eight questions about taking the drug (dose, pregnancy, side effects, ...);
    ``more`` returns an extra answer sentence or ``""``."""
    return [
        (
            f"What is the recommended dosage for {drug}?",
            f"Take {w.num(1, 20) * 5} mg {w.pick(_FREQ)} for {w.cond}.{more()}",
        ),
        (
            f"Can {drug} be used during pregnancy?",
            f"Use only if the benefit outweighs the risk; data from {w.num(10, 400)} "
            "pregnancies are limited.",
        ),
        (
            f"What are the common side effects of {drug}?",
            f"The most common are {w.pick(_MORE_EFFECTS)} and {w.pick(_MORE_EFFECTS)}.{more()}",
        ),
        (
            f"Does {drug} interact with {other}?",
            f"Yes, {other} may raise {drug} exposure by about {w.num(10, 80)}%.",
        ),
        (
            f"How long can {drug} be used?",
            f"Courses of up to {w.num(2, 52)} weeks were studied; re-evaluate after that.",
        ),
        (
            f"Is {drug} safe for children?",
            f"It is approved from age {w.num(2, 12)} at a reduced dose.",
        ),
        (
            f"Can I use {drug} while breastfeeding?",
            f"Small amounts pass into milk (about {w.num(1, 9)}% of the maternal dose); "
            "discuss it with your doctor.",
        ),
        (
            f"What should I do if I miss a dose of {drug}?",
            f"Take it within {w.num(4, 12)} hours; otherwise skip it and continue as usual.",
        ),
    ]


def _faq_safety(w: _W, drug: str, other: str, more: Callable[[], str]) -> list[tuple[str, str]]:
    """The eight questions about safety and practicalities (alcohol, overdose, storage, ...)."""
    return [
        (
            f"Can {drug} be taken with alcohol?",
            f"Alcohol may worsen {w.pick(_MORE_EFFECTS)}; limit intake while on treatment.",
        ),
        (
            f"How quickly does {drug} start working?",
            f"Most patients notice an effect within {w.num(2, 21)} days.{more()}",
        ),
        (
            f"What happens if I take too much {drug}?",
            f"Overdose may cause {w.pick(_SERIOUS)}; seek emergency care at once.",
        ),
        (
            f"Is {drug} safe in kidney disease?",
            f"Reduce the dose when creatinine clearance is below {w.num(15, 60)} mL/min.",
        ),
        (
            f"Can {drug} be stopped suddenly?",
            f"Taper over {w.num(1, 6)} weeks to avoid rebound {w.cond}.",
        ),
        (
            f"Which tests are needed while taking {drug}?",
            f"Check {w.pick(_LABS)[0]} and {w.pick(_LABS)[0]} every {w.num(2, 12)} weeks.",
        ),
        (
            f"How should {drug} be stored?",
            f"Store below {w.num(20, 30)} degrees C in the original pack, away from moisture.",
        ),
        (
            f"Is {drug} better than {other}?",
            f"Head-to-head data show {w.pct()} versus {w.pct()} response; choice depends on "
            "tolerability.",
        ),
    ]


def _faq_pairs_r(w: _W, n: int, rich: bool) -> list[tuple[str, str]]:
    """``n`` of the sixteen FAQ pairs in a random order; ``rich`` adds a clinical sentence
    to some answers.  The pairs are drawn in a fixed order before the shuffle, so a seed
    always gives the same answers."""
    drug, other = w.drug, w.pick(w.others)
    more: Callable[[], str] = (lambda: " " + w.sentence(_CLINICAL)) if rich else str
    qs = _faq_treatment(w, drug, other, more)
    qs += _faq_safety(w, drug, other, more)
    w.d.rng.shuffle(qs)
    return qs[:n]


def _sq(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mono_front(w: _W, pairs: list[tuple[str, str]], body_only: bool) -> list[str]:
    desc = (
        f"- {w.drug} is prescribed for {w.cond} in {w.pick(_POPULATIONS)} when first-line "
        f"options fail.  It is a {w.d.cls.lower()} given as {_a(w.pick(_FORMS))}. "
        + w.para(_CLINICAL, 0, 2)
    ).rstrip()
    if w.rand() < 0.5:
        desc = desc[: max(60, len(desc) - w.num(10, 80))].rstrip() + "..."
    fm = [
        "---",
        f"title: {w.drug}",
        f"description: {_yaml_block(_wrap(desc, 78), 2)}",
        f"is_banned: {str(w.rand() < 0.1).lower()}",
        f"lastModified: '2025-{w.num(1, 12):02d}-{w.num(1, 28):02d}T{w.num(0, 23):02d}:"
        f"{w.num(0, 59):02d}:00.000Z'",
    ]
    if w.rand() < 0.4:
        fm += [f"generic_name: {w.drug.lower()}", f"drug_class: {w.d.cls}"]
    if w.rand() < 0.3:
        fm.append("brand_names:")
        fm += [f"  - {w.name()}" for _ in range(w.num(1, 4))]
    fm.append("faqs:")
    for q, a in pairs[:-1] if body_only else pairs:
        style = w.num(0, 5)
        if style == 0:
            fm += [
                f"  - q: {_yaml_block(q + '**' + chr(10) + chr(10) + _wrap('**A:** ' + a, 72), 6)}",
                f"    a: {_yaml_block(_wrap('A:** ' + a, 72), 6)}",
            ]
        elif style == 1:
            fm += [f"  - q: {_sq('**Q: ' + q + '**')}", f"    a: {_sq('**A:** ' + a)}"]
        elif style == 2:
            fm += [f'  - q: "{q}   "', f"    a: {_sq('A: ' + a + '  ')}"]
        elif style == 3:
            fm += [f"  - q: {_sq(q)}", "    a: ''"]
        elif style == 4:
            fm += [f"  - q: {_sq(q.rstrip('?'))}", f"    a: {_sq(a)}"]
        else:
            fm += [f"  - q: {_sq(q)}", f"    a: {_sq(a)}"]
    fm.append("---")
    return fm


def _wrap(text: str, width: int) -> str:
    """Hard-wrap ``text`` at spaces (as YAML exporters fold long scalars)."""
    out: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n".join(out)


def _section(w: _W, fn: Callable[..., None], *args: Any) -> list[str]:
    """Run ``fn(w, *args)`` on an empty line buffer and return the lines it added (the
    byte count keeps running)."""
    saved = w.lines
    w.lines = []
    fn(w, *args)
    out, w.lines = w.lines, saved
    return out


def monograph_realistic(d: _Doc, target: int) -> str:
    """A monograph of about ``target`` bytes: the seed outline, then more of it (optional
    outline sections, clinical studies, product tables, organ-system lists, cases)."""
    w = _W(d)
    small = target < 3_000
    n_faqs = w.num(2, 3) if small else min(16, w.num(3, 5) + target // 12_000)
    pairs = _faq_pairs_r(w, n_faqs, not small)
    body_only = w.rand() < 0.3
    front = _mono_front(w, pairs, body_only)
    w.add(*front)
    faqs = _faq_section(pairs)
    w.add(*faqs)
    parts: list[tuple[int, list[str]]] = [(14, faqs)]  # (outline slot, lines)
    required: list[tuple[int, Callable[[_W], None]]] = [(0, _m_usage), (3, _m_dosage), (4, _m_side)]
    for slot, fn in required:
        parts.append((slot, _section(w, fn)))
    optional = list(_M_OPTIONAL)
    d.rng.shuffle(optional)
    for slot, fn in optional:
        if w.size >= target:
            break
        parts.append((slot, _section(w, fn)))
    if w.size < target * 0.8 and w.rand() < 0.5:  # a cited evidence section
        w.n_refs = max(3, min(400, (target - w.size) // 1500))
        refs = ["## **References**", ""]
        refs += [f"{n}. {_ref_citation(w, n)}" for n in range(1, w.n_refs + 1)]
        w.add(*refs, "")
        parts.append((15, [*refs, ""]))
    extras: dict[int, list[str]] = {}
    k = 0
    while w.size < target:
        kind = 0 if k == 0 and w.n_refs else w.num(0, len(_M_EXTRAS) - 1)
        heading, extra = _M_EXTRAS[kind]
        if kind not in extras:
            extras[kind] = [heading, ""]
            w.add(heading, "")
        k += 1
        extras[kind] += _section(w, extra, k)
    parts += [(13, extras[kind]) for kind in sorted(extras)]
    parts.sort(key=lambda p: p[0])
    body = [ln for _, lines in parts for ln in lines]
    return "\n".join(front) + "\n" + "\n".join(body)

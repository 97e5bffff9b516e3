"""The realistic research-guide writer: :func:`guide_realistic`.

The vendor comparison guide of the seed (header box, mechanism, comparative efficacy,
vendor promotion, references, footer) grown to a byte budget with more comparisons,
protocols, safety and data sections, tables of six shapes and a longer, cited reference
list.  The tail (promotion, references, footer) is drawn first since it does not depend on
the body, so the body can be written to the exact remaining budget.  Section headings of
guides must not read as monograph outline headings (Usage, Dosage, Side Effects,
Interactions, Pharmacokinetics, ...): those score for the monograph family.
"""

from __future__ import annotations

from collections.abc import Callable

from .doc import _Doc
from .outline import _guide_head, _pathway, _vendor_footer, _vendor_promo
from .phrases import _MECHANISM, _RESEARCH
from .vocab import _MONTHS, _PUBLISHERS, _TOPICS, _VENDORS
from .vocab_realistic import (
    _ASSAYS,
    _DESIGNS,
    _DOMAINS,
    _ENDPOINTS,
    _MODELS,
    _MORE_EFFECTS,
    _POPULATIONS,
    _SURNAMES,
    _TARGETS,
)
from .writer import _W, _cap, _Core, _ref_citation, _rows_text, _sample

_Rows = tuple[list[str], list[list[str]]]


def _t_efficacy(w: _W, drug: str, other: str, n: int) -> _Rows:
    """Endpoint results of the drug and a comparator, with study duration and population."""
    header = ["Efficacy Endpoint", drug, other, "Study Duration", "Patient Population"]
    rows = [
        [
            _cap(w.pick(_ENDPOINTS)),
            w.pct(),
            w.pct(),
            f"{w.num(4, 104)} weeks",
            _cap(w.pick(_POPULATIONS)),
        ]
        for _ in range(n)
    ]
    return header, rows


def _t_adverse(w: _W, drug: str, other: str, n: int) -> _Rows:
    """Adverse-event rates of the drug, a comparator and placebo (arm sizes in the header)."""
    header = ["Adverse Event", f"{drug} (n={w.num(50, 900)})", f"{other} (n={w.num(50, 900)})"]
    header.append("Placebo")
    rows = [[_cap(e), w.pct(), w.pct(), w.pct()] for e in _sample(w, _MORE_EFFECTS, n)]
    return header, rows


def _t_potency(w: _W, drug: str, other: str, n: int) -> _Rows:
    """In-vitro potency of the drug and its comparators: target, IC50, selectivity, assay."""
    header = ["Compound", "Target", "IC50 (nM)", "Selectivity", "Assay"]
    rows = [
        [
            w.pick([drug, *w.others]),
            w.pick(_TARGETS),
            str(w.num(1, 5000)),
            f"{w.num(2, 900)}-fold",
            w.pick(_ASSAYS),
        ]
        for _ in range(n)
    ]
    return header, rows


def _t_pk(w: _W, drug: str, other: str, n: int) -> _Rows:
    """Pharmacokinetic parameters of the drug and a comparator with their units."""
    header = ["Parameter", drug, other, "Units"]
    params = [
        ("Cmax", "ng/mL"),
        ("Tmax", "h"),
        ("AUC0-inf", "ng*h/mL"),
        ("Half-life", "h"),
        ("Clearance", "L/h"),
        ("Volume of distribution", "L"),
        ("Protein binding", "%"),
        ("Bioavailability", "%"),
    ]
    rows = [[p, str(w.num(1, 900)), str(w.num(1, 900)), u] for p, u in _sample(w, params, n)]
    return header, rows


def _t_subgroups(w: _W, drug: str, other: str, n: int) -> _Rows:
    """Response by population subgroup for the drug and a comparator, with an odds ratio."""
    header = ["Subgroup", "N", f"Response ({drug})", f"Response ({other})", "Odds Ratio"]
    rows = [
        [
            _cap(p),
            str(w.num(20, 2000)),
            w.pct(),
            w.pct(),
            f"{w.num(50, 300) / 100:.2f}",
        ]
        for p in _sample(w, _POPULATIONS, n)
    ]
    return header, rows


def _t_studies(w: _W, drug: str, other: str, n: int) -> _Rows:
    """A list of studies: author and year, design, size, primary endpoint and verdict."""
    header = ["Study", "Design", "N", "Primary Endpoint", "Result"]
    rows = [
        [
            f"{w.pick(_SURNAMES)} {w.num(2001, 2025)}",
            w.pick(_DESIGNS),
            str(w.num(20, 5000)),
            w.pick(_ENDPOINTS),
            w.pick(["Superior", "Non-inferior", "Similar", "Inferior", "Inconclusive"]),
        ]
        for _ in range(n)
    ]
    return header, rows


# The six table schemas, indexed by the drawn schema number (the order is part of the
# byte-for-byte output for a seed).
_G_SCHEMAS: list[Callable[[_W, str, str, int], _Rows]] = [
    _t_efficacy,
    _t_adverse,
    _t_potency,
    _t_pk,
    _t_subgroups,
    _t_studies,
]


def _g_table(w: _W, kind: str, n: int = 0) -> list[str]:
    """A data table of one of six shapes with ``n`` rows (0: drawn), a citation per row."""
    drug, other = w.drug, w.pick(w.others)
    schema = w.num(0, 5)
    if not n:
        n = w.num(3, 8) if w.rand() < 0.8 else w.num(9, 30)
    header, rows = _G_SCHEMAS[schema](w, drug, other, n)
    header = [*header, "Citation"]
    rows = [[*r, w.cites()] for r in rows]
    return _rows_text(w, kind, header, rows, n_note=True)


def _g_table_kind(w: _W) -> str:
    return w.pick(["tsv", "tsv", "html", "pipe"])


def _g_versus(w: _W, k: int) -> None:
    other = w.others[k % len(w.others)]
    w.add(f"### {w.drug} vs. {other}", "", w.para(_RESEARCH, 2, 5, 0.6), "")
    if w.rand() < 0.7:
        w.add(*_g_table(w, _g_table_kind(w)), "")
    w.add(w.para(_RESEARCH, 1, 4, 0.5), "")


def _g_protocol(w: _W, k: int) -> None:
    w.add(
        f"## Experimental Protocols: {_cap(w.pick(_ASSAYS))} in {w.pick(_MODELS)} ({k})",
        "",
        w.para(_RESEARCH, 1, 3, 0.5),
        "",
    )
    steps = ["Sample preparation", "Treatment", "Incubation", "Readout", "Analysis", "Controls"]
    for j, step in enumerate(steps[: w.num(3, 6)], start=1):
        w.add(f"{j}. **{step}:** {w.sentence(_RESEARCH)}")
    w.add("")


def _g_safety(w: _W, k: int) -> None:
    w.add(
        f"## Safety and Tolerability in {_cap(w.pick(_POPULATIONS))}",
        "",
        w.para(_RESEARCH, 2, 4, 0.6),
        "",
    )
    if w.rand() < 0.6:
        w.add(*_g_table(w, _g_table_kind(w)), "")


def _g_data(w: _W, k: int) -> None:
    w.add(f"## Quantitative Data Summary {k}", "", w.para(_RESEARCH, 1, 2, 0.5), "")
    w.add(*_g_table(w, _g_table_kind(w)), "")
    if w.rand() < 0.5:
        w.add("", f"**Caption:** {w.sentence(_RESEARCH)}")
    w.add("")


def _g_prose(w: _W, k: int) -> None:
    heading = w.pick(
        [
            "Preclinical Evidence",
            "Long-Term Outcomes",
            "Cost-Effectiveness Considerations",
            "Biomarker Response",
            "Signaling Pathway Analysis",
            "Formulation and Stability",
            "Real-World Evidence",
            "Limitations of the Evidence",
            "Translational Perspective",
            "Regulatory Status",
        ]
    )
    w.add(f"## {heading}: {w.drug} in {_cap(w.pick(_POPULATIONS))}", "")
    for _ in range(w.num(1, 3)):
        w.add(w.para(_RESEARCH, 2, 6, 0.6), "")
    if w.rand() < 0.3:
        w.add(*[f"- {w.sentence(_RESEARCH)}{w.cites()}" for _ in range(w.num(2, 6))], "")


def _g_workflow(w: _W, k: int) -> None:
    w.add(f"## Typical Clinical Trial Workflow ({k})", "", w.para(_RESEARCH, 1, 2), "")
    stages = ["Screening", "Randomisation", "Run-in", "Treatment", "Follow-up", "Analysis"]
    for stage in stages[: w.num(3, 6)]:
        w.add(f"- **{stage}:** {w.sentence(_RESEARCH)}")
    w.add("")


_G_EXTRAS: list[Callable[[_W, int], None]] = [
    _g_versus,
    _g_versus,
    _g_protocol,
    _g_safety,
    _g_data,
    _g_prose,
    _g_prose,
    _g_workflow,
]


def _guide_reference(w: _W, n: int, style: int) -> str:
    dom = w.pick(_DOMAINS)
    title = (
        f"{_cap(w.pick(_TOPICS))} of {w.drug} in {w.pick(_POPULATIONS)} with "
        f"{w.cond}: {w.pick(_DESIGNS)}"
    )
    roll = w.rand()
    if style == 0:  # the seed's spelling, with its bare-domain and link variants
        if roll < 0.2:
            return f"- {n}. {dom} [{dom}]"
        if roll < 0.35:
            return f"- {n}. [{title}](https://{dom}/{w.uid.lower()}-{n})"
        pub = w.pick(_PUBLISHERS)[0]
        return f"- {n}. {title} - {pub} [{dom}]"
    if style == 1:
        return f"{n}. {_ref_citation(w, n)}"
    return f"{n}. {_ref_citation(w, n)} Available at: https://{dom}/{w.num(10**6, 10**7)}"


_G_QUESTIONS: list[_Core] = [
    lambda w: f"What does the evidence show for {w.drug} in {w.pick(_POPULATIONS)}?",
    lambda w: f"How does {w.drug} compare with {w.pick(w.others)} on {w.pick(_ENDPOINTS)}?",
    lambda w: f"Which assays are used to measure {w.drug} activity in {w.pick(_MODELS)}?",
    lambda w: f"Is {w.drug} suitable for studies longer than {w.num(12, 104)} weeks?",
    lambda w: f"What concentrations of {w.drug} are used in vitro?",
    lambda w: f"How should {w.drug} hydrate be stored and reconstituted?",
    lambda w: f"Which biomarkers predict response to {w.drug} in {w.cond}?",
    lambda w: f"Can {w.drug} be combined with {w.pick(w.others)} in animal models?",
]


def _guide_tail(w: _W, vendor: str, cat: str) -> list[str]:
    """The end of a guide: vendor promotion, the ``w.n_refs`` references in one drawn
    style (sometimes split by a blank line halfway) and the vendor footer."""
    tail = _vendor_promo(vendor)
    style = w.pick((0, 0, 0, 1, 2))
    blank_at = w.n_refs // 2 if w.rand() < 0.3 else -1
    for n in range(1, w.n_refs + 1):
        tail.append(_guide_reference(w, n, style))
        if n == blank_at:
            tail.append("")
    tail += _vendor_footer(vendor, w.drug, cat, w.num(1, 9999), w.num(100, 999))
    return tail


def _g_faq(w: _W) -> None:
    """A FAQ section of two to five questions in bold, each answered by a paragraph."""
    w.add("## Frequently Asked Questions", "")
    for question in w.d.rng.sample(_G_QUESTIONS, w.num(2, 5)):
        w.add(f"**{question(w)}**", "", w.para(_RESEARCH, 1, 3, 0.5), "")


def guide_realistic(d: _Doc, target: int) -> str:
    """A comparison guide of about ``target`` bytes: more comparisons, protocols, tables,
    citations and a longer reference list than the seed."""
    w = _W(d)
    vendor = w.pick(_VENDORS)
    cat = f"B{w.num(10_000_000, 99_999_999)}"
    small = target < 6_000
    w.n_refs = max(3 if small else 6, min(1800, int(target / (350 + w.rand() * 900))))
    # The end of the document first (it does not depend on the body), so that the body
    # can be written to the exact remaining budget.
    tail = _guide_tail(w, vendor, cat)
    tail_size = sum(map(len, tail)) + len(tail) + (0 if small else 400)  # + conclusion
    date = f"{w.pick(_MONTHS)} {w.num(2019, 2025)}"
    w.add(
        *_guide_head(w.drug, w.cond, d.i, vendor, date, cat),
        f"This guide compares {w.drug} with {', '.join(w.others[:-1])} and {w.others[-1]} "
        f"for {w.cond}. {w.para(_RESEARCH, 1, 2 if small else 4, 0.6)}",
        "",
        "## Mechanism of Action",
        "",
        w.para(_MECHANISM, 1 if small else 2, 2 if small else 4, 0.7),
        "",
    )
    if w.rand() < 0.5:
        w.add(*_pathway(w.drug, w.cond, w.cites()))
    w.add(
        f"## Comparative Efficacy: {w.drug} vs. Alternatives",
        "",
        w.para(_RESEARCH, 1, 3, 0.7),
        "",
        *_g_table(w, _g_table_kind(w), w.num(2, 4) if small else 0),
        "",
    )
    faq_at = w.num(4, 12) if w.rand() < 0.4 else -1
    k = 0
    while w.size + tail_size < target:
        k += 1
        if k == faq_at:
            _g_faq(w)
            continue
        w.pick(_G_EXTRAS)(w, k)
    if not small:
        w.add("## Conclusion", "", w.para(_RESEARCH, 2, 3, 0.4), "")
    w.add(*tail)
    return "\n".join(w.lines) + "\n"

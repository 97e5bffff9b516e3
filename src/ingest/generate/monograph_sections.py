"""The sections of a realistic monograph, each a function that writes to a :class:`~.writer._W`.

``_m_*`` are outline sections (Usage, Dosage, Side Effects, How It Works, Interactions,
...), each at a fixed slot of the outline; ``_M_OPTIONAL`` lists those a document may have.
``_x_*`` are the extra subsections (a study, a product table, an organ system, a case, a
titration schedule) a large document repeats under their ``_M_EXTRAS`` heading until it
reaches its size.  :mod:`.monograph` decides which run and in what order.
"""

from __future__ import annotations

from collections.abc import Callable

from .outline import _page_break
from .phrases import (
    _CLINICAL,
    _CONTRA,
    _MECHANISM,
    _MONITOR,
    _OVERDOSE,
    _PK,
    _RESEARCH,
    _STORAGE,
    _WARN,
)
from .vocab import _CONDITIONS
from .vocab_realistic import (
    _DESIGNS,
    _ENDPOINTS,
    _ENZYMES,
    _FORMS,
    _FREQ,
    _LABS,
    _MORE_EFFECTS,
    _ORGANS,
    _POPULATIONS,
    _REGIONS,
    _SERIOUS,
)
from .writer import _W, _cap, _Pool, _rows_text


def _fact(w: _W, key: str, pool: _Pool, lo: int = 1, hi: int = 2) -> str:
    return f"- **{key}:** {w.para(pool, lo, hi)}"


def _m_usage(w: _W) -> None:
    w.add(
        "## **Usage**",
        "",
        f"- {w.drug} is prescribed for {w.cond}.  {w.para(_CLINICAL, 1, 3)}",
        f"- **Pharmacological Classification:** {w.d.cls}.",
        f"- **Mechanism of Action:** {w.para(_MECHANISM, 1, 2)}",
        "",
    )


def _m_alternate(w: _W) -> None:
    w.add(
        "## **Alternate Names**",
        "",
        f"- **Brand Names:** {', '.join(w.name() for _ in range(w.num(1, 4)))}",
        f"- **International/Regional Variations:** {w.name()} ({w.pick(_REGIONS)}), "
        f"{w.name()} ({w.pick(_REGIONS)})",
        "",
    )


_PK_KEYS = {"Pharmacokinetics", "Elimination Pathways", "Onset and Duration"}


def _m_how(w: _W) -> None:
    keys = ["Pharmacodynamics", "Pharmacokinetics", "Mode of Action", "Receptor Binding"]
    keys += ["Elimination Pathways", "Enzyme Inhibition", "Onset and Duration"]
    w.add("## **How It Works**", "")
    for k in keys[: w.num(2, len(keys))]:
        w.add(_fact(w, k, _PK if k in _PK_KEYS else _MECHANISM, 1, 3))
    w.add("")


def _m_dosage(w: _W) -> None:
    dose = w.num(1, 20) * 5
    w.add(
        "## **Dosage**",
        "",
        "",
        "### **Standard Dosage**",
        "",
        "#### **Adults:**",
        "",
        f"- {dose} mg {w.pick(_FREQ)}.",
        f"- {w.pick(['Take with food.', 'Take on an empty stomach.', 'Swallow whole.'])}",
    )
    if w.rand() < 0.6:
        w.add(f"- {w.sentence(_CLINICAL)}")
    w.add("")
    if w.rand() < 0.7:
        w.add(
            f"#### **Children ({w.num(2, 12)} years and older):**",
            "",
            f"- {max(1, dose // w.num(2, 4))} mg {w.pick(_FREQ)}, or "
            f"{w.num(1, 20) / 10:.1f} mg/kg.",
            f"- Pediatric Safety Considerations: {w.sentence(_WARN)}",
            "",
        )
    w.add(
        "#### **Special Cases:**",
        "",
        f"- **Renal Impairment:** reduce to {max(5, dose // 2)} mg daily.",
        f"- **Elderly Patients:** {w.pick(['no adjustment needed.', 'start low and titrate.'])}",
    )
    if w.rand() < 0.7:
        w.add(f"- **Hepatic Dysfunction:** {w.sentence(_PK)}")
    if w.rand() < 0.5:
        w.add(f"- **Comorbid Conditions:** {w.sentence(_WARN)}")
    w.add("")
    if w.rand() < 0.5:
        header = ["Indication", "Starting Dose", "Maintenance", "Maximum"]
        rows = [
            [
                _cap(c),
                f"{w.num(1, 10) * 5} mg",
                f"{w.num(1, 20) * 5} mg {w.pick(_FREQ)}",
                f"{w.num(10, 80) * 5} mg/day",
            ]
            for c in w.d.rng.sample(_CONDITIONS, w.num(2, 5))
        ]
        w.add("### **Dosing by Indication**", "", *_rows_text(w, "pipe", header, rows), "")


def _m_side(w: _W) -> None:
    w.add("## **Side Effects**", "", "", "### **Common Side Effects**", "")
    w.add(*[f"- {_cap(e)}." for e in w.d.rng.sample(_MORE_EFFECTS, w.num(2, 7))], "")
    if w.rand() < 0.7:
        w.add("### **Serious Side Effects**", "")
        w.add(*[f"- {_cap(e)}." for e in w.d.rng.sample(_SERIOUS, w.num(1, 5))])
        w.add("")


def _m_list(heading: str, pool: _Pool) -> Callable[[_W], None]:
    def section(w: _W) -> None:
        w.add(f"## **{heading}**", "")
        cores = w.d.rng.sample(pool.cores, min(len(pool.cores), w.num(2, 6)))
        w.add(*[f"- {w.sentence(pool, core)}" for core in cores], "")

    return section


def _m_interactions(w: _W) -> None:
    w.add("## **Drug Interactions**", "")
    for o in w.d.rng.sample(w.others, min(len(w.others), w.num(2, 5))):
        effect = w.pick(
            [
                f"raises {w.drug} exposure by about {w.num(10, 240)}%; reduce the dose.",
                f"lowers {w.drug} levels by {w.num(10, 80)}% through {w.pick(_ENZYMES)} induction.",
                f"additive risk of {w.pick(_MORE_EFFECTS)}; avoid the combination.",
                f"separate doses by {w.num(2, 6)} hours.",
                f"no clinically relevant interaction in {w.num(12, 60)} volunteers.",
            ]
        )
        w.add(f"- **{o}:** {_cap(effect)}")
    w.add("")
    if w.rand() < 0.5:
        header = ["Interacting Drug", "Effect", "Management"]
        rows = [
            [
                w.name(),
                f"{w.pick(['Raises', 'Lowers'])} {w.drug} levels by {w.num(10, 90)}%",
                w.pick(["Avoid", "Monitor", "Reduce dose", "Separate by 4 hours"]),
            ]
            for _ in range(w.num(3, 9))
        ]
        w.add(*_rows_text(w, w.pick(["pipe", "pipe", "tsv", "html"]), header, rows), "")


_PREGNANCY = [
    "Animal studies showed reproductive toxicity; avoid unless clearly needed.",
    "Human data are limited; use only if the benefit justifies the risk.",
    "Contraindicated; women of childbearing potential need effective contraception.",
    "No increase in malformations was seen in registry data.",
]
_FERTILITY = [
    "No effect on fertility was seen in animal studies.",
    "Reversible effects on sperm count were reported in rats.",
    "No human data are available.",
]


def _m_pregnancy(w: _W) -> None:
    w.add(
        "## **Pregnancy and Lactation**",
        "",
        f"- **Pregnancy:** {w.pick(_PREGNANCY)}",
        f"- **Breastfeeding:** about {w.num(1, 9)}% of the maternal dose reaches milk.",
        f"- **Fertility:** {w.pick(_FERTILITY)}",
        "",
    )


def _m_notes(w: _W) -> None:
    w.add("## **Clinical Notes**", "", w.para(_CLINICAL, 2, 4), "")
    if w.rand() < 0.4:
        w.add(*_page_break(w.drug, w.cond))


_M_OPTIONAL: list[tuple[int, Callable[[_W], None]]] = [
    (1, _m_alternate),
    (2, _m_how),
    (5, _m_list("Contraindications", _CONTRA)),
    (6, _m_interactions),
    (7, _m_list("Warnings and Precautions", _WARN)),
    (8, _m_pregnancy),
    (9, _m_list("Overdose", _OVERDOSE)),
    (10, _m_list("Storage", _STORAGE)),
    (11, _m_list("Monitoring Parameters", _MONITOR)),
    (12, _m_notes),
]


def _x_study(w: _W, k: int) -> None:
    design, pop = w.pick(_DESIGNS), w.pick(_POPULATIONS)
    w.add(f"### Study {k}: {design} in {pop}", "", w.para(_RESEARCH, 2, 5, 0.5), "")
    if w.rand() < 0.6:
        header = ["Outcome", w.drug, w.pick(w.others), "Difference"]
        rows = [
            [_cap(w.pick(_ENDPOINTS)), w.pct(), w.pct(), f"{w.num(-30, 40)} points"]
            for _ in range(w.num(2, 8))
        ]
        w.add(*_rows_text(w, w.pick(["pipe", "tsv", "html"]), header, rows), "")


def _x_products(w: _W, k: int) -> None:
    header = ["Product", "Strength", "Form", "Manufacturer", "Pack"]
    strengths = [f"{w.num(1, 50) * 5} mg" for _ in range(w.num(3, 12))]
    rows = [
        [
            f"{w.name()} {strength}",
            strength,
            w.pick(_FORMS),
            w.company(),
            f"{w.pick([7, 14, 28, 30, 56, 90])} units",
        ]
        for strength in strengths
    ]
    w.add(f"### Products registered in {w.pick(_REGIONS)} ({k})", "")
    w.add(*_rows_text(w, w.pick(["pipe", "pipe", "html"]), header, rows), "")


def _x_organs(w: _W, k: int) -> None:
    w.add(f"### {w.pick(_ORGANS)} disorders", "")
    for e in w.d.rng.sample(_MORE_EFFECTS, w.num(3, 8)):
        freq = w.pick(["Very common", "Common", "Uncommon", "Rare", "Not known"])
        w.add(f"- **{e[0].upper() + e[1:]}:** {freq} ({w.pct()} in pooled trials).")
    w.add("")


def _x_case(w: _W, k: int) -> None:
    age = w.num(4, 92)
    sex = w.pick(["man", "woman", "boy", "girl"] if age < 16 else ["man", "woman"])
    w.add(
        f"### Case {k}: a {age}-year-old {sex} with {w.cond}",
        "",
        w.para(_CLINICAL, 2, 4, 0.4),
        "",
        f"- **Outcome:** {w.sentence(_CLINICAL)}",
        f"- **Lesson:** {w.sentence(_CLINICAL)}",
        "",
    )


def _x_titration(w: _W, k: int) -> None:
    start = w.num(1, 5) * 5
    header = ["Week", "Morning", "Evening", "Check"]
    rows = [
        [
            f"Week {j}",
            f"{start * j} mg",
            f"{start * (j - 1)} mg",
            w.pick(_LABS)[0] if w.rand() < 0.6 else "none",
        ]
        for j in range(1, w.num(3, 10))
    ]
    w.add(f"### Titration schedule {k} ({w.pick(_POPULATIONS)})", "")
    w.add(*_rows_text(w, w.pick(["pipe", "tsv"]), header, rows), "")


_M_EXTRAS: list[tuple[str, Callable[[_W, int], None]]] = [
    ("## **Clinical Evidence**", _x_study),
    ("## **Product Information**", _x_products),
    ("## **Adverse Reactions by Organ System**", _x_organs),
    ("## **Case Discussions**", _x_case),
    ("## **Titration Schedules**", _x_titration),
]

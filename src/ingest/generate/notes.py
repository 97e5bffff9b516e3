"""The realistic generic-notes writer: :func:`generic_realistic`.

Ward or study notes: optional TOML or YAML front matter, then rounds, checklists, lab
tables, handovers, reading lists, callouts, dose tables, code blocks and open questions
until the byte budget is reached.  No monograph outline headings, no numbered citations or reference
list, no Author:/Compound:/Cat. No.: lines: generic notes must not score for another
family.
"""

from __future__ import annotations

from collections.abc import Callable

from .doc import _Doc
from .phrases import _NOTES
from .vocab import _TOPICS
from .vocab_realistic import (
    _DAYS,
    _DOMAINS,
    _LABS,
    _MORE_EFFECTS,
    _POPULATIONS,
    _SPECIALTIES,
    _SURNAMES,
    _WARDS,
)
from .writer import _W, _cap, _rows_text


def _n_rounds(w: _W, k: int) -> None:
    w.add(f"## Rounds, day {k}", "")
    for _ in range(w.num(2, 6)):
        w.add(f"- {w.sentence(_NOTES)}")
        if w.rand() < 0.3:
            w.add(f"  - {w.sentence(_NOTES)}")
    w.add("")


def _n_checklist(w: _W, k: int) -> None:
    w.add(f"## Checklist {k}", "")
    for _ in range(w.num(3, 8)):
        box = "x" if w.rand() < 0.4 else " "
        w.add(f"- [{box}] {w.sentence(_NOTES)}")
    w.add("")


def _n_labs(w: _W, k: int) -> None:
    labs = w.d.rng.sample(_LABS, w.num(3, 6))
    header = ["Date", *(f"{name} ({unit})" for name, unit, _, _ in labs)]
    rows = [
        [
            f"2025-{w.num(1, 12):02d}-{w.num(1, 28):02d}",
            *(f"{lo + w.rand() * (hi - lo):.1f}" for _, _, lo, hi in labs),
        ]
        for _ in range(w.num(3, 12))
    ]
    w.add(f"## Lab trends {k}", "", *_rows_text(w, w.pick(["pipe", "pipe", "tsv"]), header, rows))
    w.add("")


def _n_handover(w: _W, k: int) -> None:
    w.add(f"## Handover {w.pick(_DAYS)} ({k})", "")
    for _ in range(w.num(1, 3)):
        w.add(w.para(_NOTES, 2, 5), "")


def _n_reading(w: _W, k: int) -> None:
    w.add(f"## Reading list {k}", "")
    for _ in range(w.num(2, 6)):
        dom = w.pick(_DOMAINS)
        w.add(
            f"- [{_cap(w.pick(_TOPICS))} of {w.pick([w.drug, *w.others])} in "
            f"{w.cond}](https://{dom}/{w.num(10**5, 10**7)}) - {w.pick(_SURNAMES)}"
        )
    w.add("")


def _n_callout(w: _W, k: int) -> None:
    kind = w.pick(["note", "tip", "warning", "question"])
    w.add(f"> [!{kind}] {w.sentence(_NOTES)}", f"> {w.sentence(_NOTES)}", "")


def _n_doses(w: _W, k: int) -> None:
    w.add(
        f"## Doses used on {w.pick(_WARDS)} ({k})",
        "",
        "| Population | Dose | Notes |",
        "|---|---|---|",
    )
    for pop in w.d.rng.sample(_POPULATIONS, w.num(2, 6)):
        w.add(f"| {_cap(pop)} | {w.num(1, 30) * 5} mg | {w.pick(_MORE_EFFECTS)} watch |")
    w.add("")


def _n_code(w: _W, k: int) -> None:
    w.add(
        f"### Calculator {k}",
        "",
        "```",
        f"crcl = (140 - {w.num(18, 95)}) * {w.num(40, 120)} / (0.815 * {w.num(50, 200)})",
        f"dose_mg = {w.num(1, 20) * 5} if crcl > {w.num(30, 60)} else {w.num(1, 10) * 5}",
        "```",
        "",
    )


def _n_questions(w: _W, k: int) -> None:
    w.add(f"## Open questions {k}", "")
    w.add(*[f"- {w.sentence(_NOTES)[:-1]}?" for _ in range(w.num(2, 5))], "")


_N_EXTRAS: list[Callable[[_W, int], None]] = [
    _n_rounds,
    _n_rounds,
    _n_checklist,
    _n_labs,
    _n_handover,
    _n_handover,
    _n_reading,
    _n_callout,
    _n_doses,
    _n_code,
    _n_questions,
]


def generic_realistic(d: _Doc, target: int) -> str:
    """Ward/study notes of about ``target`` bytes: rounds, checklists, lab tables, links."""
    w = _W(d)
    roll = w.rand()
    if roll < 0.3:
        tags = ", ".join(f'"{t}"' for t in w.d.rng.sample(_SPECIALTIES, w.num(1, 3)))
        w.add(
            "+++",
            f'title = "Notes on {w.drug}"',
            f"date = 2024-0{w.num(1, 9)}-1{w.num(0, 9)}",
            f"tags = [{tags}]",
            "+++",
        )
    elif roll < 0.6:
        w.add(
            "---",
            f'title: "Ward notes: {w.drug}"',
            f"tags: [{', '.join(w.d.rng.sample(_SPECIALTIES, w.num(1, 3)))}]",
            f"created: 2025-{w.num(1, 12):02d}-{w.num(1, 28):02d}",
            f"status: {w.pick(['draft', 'wip', 'reviewed'])}",
            "---",
        )
    w.add(f"# {w.drug} ward notes {d.i}", "", w.para(_NOTES, 1, 3), "")
    k = 0
    while w.size < target:
        k += 1
        w.pick(_N_EXTRAS)(w, k)
    return "\n".join(w.lines) + "\n"

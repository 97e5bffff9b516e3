"""The ``small`` profile's writers: the original seed documents of ~2 KB each.

:func:`monograph`, :func:`guide` and :func:`generic` write one document each from a
:class:`~.doc._Doc`, drawing from its rng with ``choice``/``randint`` (unlike the realistic
writers).  Their bytes for a seed must never change (tests, golden numbers and the
example corpus depend on them), so this module is frozen: a new kind of structure goes to
the realistic writers.  The text they share with those writers lives in :mod:`.outline`.
"""

from __future__ import annotations

from .doc import _Doc
from .outline import (
    _faq_section,
    _guide_head,
    _page_break,
    _pathway,
    _vendor_footer,
    _vendor_promo,
    _yaml_block,
)
from .vocab import _EFFECTS, _MONTHS, _PUBLISHERS, _TOPICS, _VENDORS


def _faq_pairs(d: _Doc, n: int) -> list[tuple[str, str]]:
    r = d.rng
    qs = [
        (
            f"What is the recommended dosage for {d.drug}?",
            f"Take {r.randint(1, 20) * 5} mg {r.choice(['once', 'twice'])} daily for {d.cond}.",
        ),
        (
            f"Can {d.drug} be used during pregnancy?",
            f"Use only if the benefit outweighs the risk; data from {r.randint(10, 400)} "
            "pregnancies are limited.",
        ),
        (
            f"What are the common side effects of {d.drug}?",
            f"The most common are {r.choice(_EFFECTS)} and {r.choice(_EFFECTS)}.",
        ),
        (
            f"Does {d.drug} interact with {d.other}?",
            f"Yes, {d.other} may raise {d.drug} exposure by about {r.randint(10, 80)}%.",
        ),
        (
            f"How long can {d.drug} be used?",
            f"Courses of up to {r.randint(2, 52)} weeks were studied; re-evaluate after that.",
        ),
        (
            f"Is {d.drug} safe for children?",
            f"It is approved from age {r.randint(2, 12)} at a reduced dose.",
        ),
    ]
    r.shuffle(qs)
    return qs[:n]


def _fm_faq(d: _Doc, q: str, a: str) -> list[str]:
    """The front-matter lines of one FAQ pair in one of the six spellings seen in the seed.

    The spellings (answer pasted into the question, ``**Q:**`` markers, stray spaces, an
    empty answer, a question without its ``?``, the plain one) are what the FAQ cleaner must
    undo; one is drawn per pair.
    """
    style = d.rng.randrange(6)
    if style == 0:  # seed style: answer pasted into q, a with A:** prefix
        return [
            f"  - q: {_yaml_block(q + '**' + chr(10) + chr(10) + '**A:** ' + a, 6)}",
            f"    a: {_yaml_block('A:** ' + a, 6)}",
        ]
    if style == 1:
        return [f"  - q: '**Q: {q}**'", f"    a: '**A:** {a}'"]
    if style == 2:
        return [f'  - q: "{q}   "', f"    a: 'A: {a}  '"]
    if style == 3:  # missing answer: recovered from the body
        return [f"  - q: '{q}'", "    a: ''"]
    if style == 4:
        return [f"  - q: '{q.rstrip('?')}'", f"    a: '{a}'"]
    return [f"  - q: '{q}'", f"    a: '{a}'"]


def _mono_front(d: _Doc, pairs: list[tuple[str, str]]) -> list[str]:
    """The YAML front matter of a small monograph, ``---`` to ``---``.

    The description is a folded block that sometimes ends in ``...``; in about three
    documents in ten the last FAQ pair is left out of the front matter so that it exists only
    in the body's FAQ section.
    """
    r = d.rng
    desc = (
        f"- {d.drug} is prescribed for {d.cond} in adults when first-line options fail.  "
        f"It is a {d.cls.lower()} taken by mouth"
    )
    desc = desc + "..." if r.random() < 0.5 else desc + "."
    fm = [
        "---",
        f"title: {d.drug}",
        f"description: {_yaml_block(desc, 2)}",
        f"is_banned: {str(r.random() < 0.1).lower()}",
        f"lastModified: '2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T10:00:00.000Z'",
        "faqs:",
    ]
    body_only = r.random() < 0.3
    fm_pairs = pairs[:-1] if body_only else pairs
    for q, a in fm_pairs:
        fm += _fm_faq(d, q, a)
    fm.append("---")
    return fm


def _mono_outline(d: _Doc) -> list[str]:
    """The bold ``##`` outline of a small monograph (usage to clinical notes), as lines."""
    r = d.rng
    dose = r.randint(1, 20) * 5
    return [
        "## **Usage**",
        "",
        f"- {d.drug} is prescribed for {d.cond}.  It is typically a second-line option.",
        f"- **Pharmacological Classification:** {d.cls}.",
        f"- **Mechanism of Action:** {d.drug} binds its target with a Kd of "
        f"{r.randint(1, 900)} nM.",
        "",
        "## **Alternate Names**",
        "",
        f"- **Brand Names:** {d.other.upper()[:4]}ex, {d.drug[:4]}ora",
        "",
        "## **Dosage**",
        "",
        "",
        "### **Standard Dosage**",
        "",
        "#### **Adults:**",
        "",
        f"- {dose} mg {r.choice(['once', 'twice'])} daily.",
        "- Take with food.",
        "",
        "#### **Special Cases:**",
        "",
        f"- **Renal Impairment:** reduce to {max(5, dose // 2)} mg daily.",
        "- **Elderly Patients:** no adjustment needed.",
        "",
        "## **Side Effects**",
        "",
        *[f"- {e.capitalize()}." for e in r.sample(_EFFECTS, r.randint(2, 5))],
        "",
        "## **Clinical Notes**",
        "",
        d.sentence() + " " + d.sentence(),
        "",
    ]


def monograph(d: _Doc) -> str:
    """A seed-style drug monograph (~2 KB): YAML front matter with malformed FAQs, the
    bold ``##`` outline, sometimes a page-break artefact, and the FAQ section at the end."""
    r = d.rng
    pairs = _faq_pairs(d, r.randint(3, 6))
    fm = _mono_front(d, pairs)
    body = _mono_outline(d)
    if r.random() < 0.4:
        body += _page_break(d.drug, d.cond)
    body += _faq_section(pairs)
    return "\n".join(fm) + "\n" + "\n".join(body)


def _cite(d: _Doc, nums: list[int]) -> str:
    r = d.rng
    style = r.randrange(6)
    if style == 0:
        return "<sup>" + "".join(f"[{n}]" for n in nums) + "</sup>"
    if style == 1:
        return "".join(f"[{n}]" for n in nums)
    if style == 2:
        return "".join(f"[\\[{n}\\]](#)" for n in nums)
    if style == 3:
        return " ".join(f'<a href="#">[{n}]</a>' for n in nums)
    if style == 4 and len(nums) > 1:
        return "[" + ", ".join(str(n) for n in nums) + "]"
    if len(nums) > 2 and nums == list(range(nums[0], nums[-1] + 1)):
        return f"[{nums[0]}{r.choice(['-', '–'])}{nums[-1]}]"
    return f"[{nums[0]}]"


def _tsv_table(d: _Doc, header: list[str], rows: list[list[str]], n_refs: int) -> list[str]:
    """A tab-separated table with a citation column; its second row is sometimes cut short
    and rows sometimes end in a stray tab, as pasted tables do."""
    r = d.rng
    out = ["\t".join(header)]
    for j, row in enumerate(rows):
        cells = [*row, _cite(d, [r.randint(1, n_refs)])]
        if j == 1 and r.random() < 0.5:
            cells = cells[:3]  # ragged row
        out.append("\t".join(cells) + ("\t" if r.random() < 0.3 else ""))
    return out


def _html_table(d: _Doc, header: list[str], rows: list[list[str]], n_refs: int) -> list[str]:
    """An HTML ``<table>`` whose cells carry entities, ``<br>`` and linked citations."""
    r = d.rng
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = [
            row[0].replace(" ", " &amp; ", 1),
            f"{row[1]}<br>(n={r.randint(20, 300)})",
            row[2],
            row[3],
            f'<a href="#">[{r.randint(1, n_refs)}]</a>',
        ]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return out


def _pipe_table(d: _Doc, header: list[str], rows: list[list[str]], n_refs: int) -> list[str]:
    """A Markdown pipe table with a bracketed citation per row."""
    r = d.rng
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        out.append("| " + " | ".join([*row, f"[{r.randint(1, n_refs)}]"]) + " |")
    return out


def _guide_table(d: _Doc, n_refs: int) -> list[str]:
    """The comparative-efficacy table of a small guide: tab-separated (half the time), HTML
    or pipe, two to six endpoint rows comparing the drug with the other one."""
    r = d.rng
    kind = r.choice(["tsv", "tsv", "html", "pipe"])
    rows = [
        [f"{r.choice(_TOPICS).title()} {j}", d.pct(), d.pct(), f"{r.randint(4, 52)} weeks"]
        for j in range(r.randint(2, 6))
    ]
    header = ["Endpoint", d.drug, d.other, "Duration", "Citation"]
    if kind == "tsv":
        return _tsv_table(d, header, rows, n_refs)
    if kind == "html":
        return _html_table(d, header, rows, n_refs)
    return _pipe_table(d, header, rows, n_refs)


def _guide_refs(d: _Doc, n_refs: int) -> list[str]:
    """The numbered reference list ``1..n_refs``: bare domains, links or title - publisher
    lines, sometimes with a blank line halfway that splits the list."""
    r = d.rng
    out: list[str] = []
    for n in range(1, n_refs + 1):
        pub, dom = r.choice(_PUBLISHERS)
        title = f"{r.choice(_TOPICS).capitalize()} of {d.drug} in {d.cond}: study {n}"
        if r.random() < 0.2:
            out.append(f"- {n}. {dom} [{dom}]")
        elif r.random() < 0.2:
            out.append(f"- {n}. [{title}](https://{dom}/{d.i}{n})")
        else:
            out.append(f"- {n}. {title} - {pub} [{dom}]")
        if n == n_refs // 2 and r.random() < 0.3:
            out.append("")
    return out


def guide(d: _Doc) -> str:
    """A seed-style vendor research guide (~2 KB): header box, cited mechanism and
    efficacy prose, one comparison table, vendor promotion, references and footer."""
    r = d.rng
    n_refs = r.randint(6, 16)
    vendor = r.choice(_VENDORS)
    cat = f"B{r.randint(10_000_000, 99_999_999)}"

    def cites() -> str:
        start = r.randint(1, n_refs)
        k = r.randint(1, 3)
        return _cite(d, list(range(start, min(n_refs, start + k - 1) + 1)))

    date = f"{r.choice(_MONTHS)} {r.randint(2019, 2025)}"
    out = [
        *_guide_head(d.drug, d.cond, d.i, vendor, date, cat),
        f"This guide compares {d.drug} with {d.other} for {d.cond}. {d.sentence()}{cites()}",
        "",
        "## Mechanism of Action",
        "",
        f"{d.sentence()}{cites()} {d.sentence()}{cites()}",
        "",
    ]
    if r.random() < 0.5:
        out += _pathway(d.drug, d.cond, cites())
    out += ["## Comparative Efficacy", "", d.sentence() + cites(), ""]
    out += _guide_table(d, n_refs)
    out += [
        "",
        f"{d.sentence()} {d.sentence()}{cites()}",
        "",
        *_vendor_promo(vendor),
    ]
    out += _guide_refs(d, n_refs)
    out += _vendor_footer(vendor, d.drug, cat, 1, r.randint(100, 999))
    return "\n".join(out) + "\n"


def generic(d: _Doc) -> str:
    """A short ward-notes page for the ``notes`` folder: optional TOML or YAML front matter,
    a checklist and a pipe table of doses (the generic, non-monograph, non-guide page)."""
    r = d.rng
    head = ""
    if r.random() < 0.3:
        head = f'+++\ntitle = "Notes on {d.drug}"\ndate = 2024-0{r.randint(1, 9)}-1{r.randint(0, 9)}\n+++\n'
    elif r.random() < 0.4:
        head = f'---\ntitle: "Ward notes: {d.drug}"\ntags: [pharmacy, notes]\n---\n'
    body = [
        f"# {d.drug} ward notes {d.i}",
        "",
        d.sentence(),
        "",
        "## Checklist",
        "",
        f"- Confirm {d.cond} diagnosis",
        f"- Check {r.choice(_EFFECTS)} at day {r.randint(2, 14)}",
        "",
        "## Doses",
        "",
        "| Population | Dose | Notes |",
        "|---|---|---|",
    ]
    for pop in r.sample(["Adults", "Children", "Elderly", "Renal", "Hepatic"], r.randint(2, 4)):
        body.append(f"| {pop} | {r.randint(1, 30) * 5} mg | {r.choice(_EFFECTS)} watch |")
    body += ["", d.sentence() + " " + d.sentence(), ""]
    return head + "\n".join(body)

"""A deterministic generator of realistic source documents of every family.

Used by ``make run`` (the bundled example corpus), the tests and the benchmark.
Every document is unique (names, numbers, wording) and varied in the ways real
sources are: the FAQ malformations of the seed monographs, tab/HTML/pipe tables
of different shapes, five citation spellings, split paragraphs, vendor
boilerplate, BOMs, CRLF and Windows-1252 bytes, plus a small share of files that
must be quarantined (broken YAML, empty, binary, alias bombs, Python tags,
undecodable bytes).  The same seed always writes the same bytes.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

_SYL = [
    "ca",
    "zo",
    "ri",
    "mab",
    "tel",
    "vo",
    "nex",
    "pra",
    "lu",
    "fen",
    "dra",
    "xi",
    "mo",
    "sar",
    "ti",
    "quin",
    "bro",
    "lam",
    "ve",
    "dor",
    "ka",
    "pi",
    "sul",
    "nor",
    "ze",
    "rol",
    "ta",
    "gin",
]
_SUFFIX = [
    "mab",
    "pril",
    "olol",
    "azole",
    "statin",
    "vir",
    "cillin",
    "mycin",
    "tinib",
    "dronate",
    "lukast",
    "sartan",
    "zepam",
    "triptan",
    "limus",
    "parin",
    "fibrate",
    "setron",
]
_CLASSES = [
    "Topical Calcineurin Inhibitor",
    "Beta Blocker",
    "ACE Inhibitor",
    "Statin",
    "Proton Pump Inhibitor",
    "Monoclonal Antibody",
    "Antiviral",
    "Kinase Inhibitor",
    "Leukotriene Antagonist",
    "Angiotensin Receptor Blocker",
    "Benzodiazepine",
    "5-HT3 Antagonist",
    "Bisphosphonate",
    "Anticoagulant",
]
_CONDITIONS = [
    "atopic dermatitis",
    "hypertension",
    "hyperlipidemia",
    "asthma",
    "migraine",
    "rheumatoid arthritis",
    "chronic hepatitis B",
    "osteoporosis",
    "nausea",
    "generalized anxiety",
    "psoriasis",
    "heart failure",
    "type 2 diabetes",
]
_EFFECTS = [
    "headache",
    "nausea",
    "dizziness",
    "fatigue",
    "application site burning",
    "rash",
    "diarrhoea",
    "dry mouth",
    "insomnia",
    "cough",
    "muscle pain",
    "itching",
    "flushing",
]
_PUBLISHERS = [
    ("PubMed", "pubmed.ncbi.nlm.nih.gov"),
    ("PMC", "pmc.ncbi.nlm.nih.gov"),
    ("NCBI Bookshelf", "ncbi.nlm.nih.gov"),
    ("Karger", "karger.com"),
    ("JAMA Network", "jamanetwork.com"),
    ("The Lancet", "thelancet.com"),
    ("Wiley Online Library", "onlinelibrary.wiley.com"),
    ("MDPI", "mdpi.com"),
]
_VENDORS = ["BenchChem", "ChemPharmix", "MolSource", "Synthara"]
_TOPICS = [
    "efficacy",
    "safety",
    "pharmacokinetics",
    "dose response",
    "tolerability",
    "long-term outcomes",
    "adherence",
    "cost effectiveness",
]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


class _Doc:
    def __init__(self, rng: random.Random, i: int) -> None:
        self.rng = rng
        self.i = i
        base = "".join(rng.choice(_SYL) for _ in range(rng.randint(1, 2)))
        self.drug = (base + rng.choice(_SUFFIX)).capitalize()
        self.uid = f"{self.drug}-{i}"
        self.cls = rng.choice(_CLASSES)
        self.cond = rng.choice(_CONDITIONS)
        self.other = (rng.choice(_SYL) + rng.choice(_SUFFIX)).capitalize()

    def pct(self) -> str:
        return f"{self.rng.uniform(5, 95):.1f}%"

    def sentence(self) -> str:
        r = self.rng
        templates = [
            f"{self.drug} reduced {self.cond} symptoms in {r.randint(40, 900)} patients over "
            f"{r.randint(4, 52)} weeks",
            f"In trial {self.uid}-{r.randint(1, 99)}, {self.pct()} of patients on {self.drug} "
            f"reached the primary endpoint compared with {self.pct()} on {self.other}",
            f"Common adverse events included {r.choice(_EFFECTS)} and {r.choice(_EFFECTS)}",
            f"The {r.choice(_TOPICS)} of {self.drug} was assessed at doses of "
            f"{r.randint(1, 40) * 5} mg",
            f"Plasma half-life of {self.drug} is about {r.randint(2, 96)} hours in adults",
        ]
        return r.choice(templates) + "."


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


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return ">-\n" + "\n".join(pad + ln if ln else "" for ln in text.split("\n"))


def monograph(d: _Doc) -> str:
    r = d.rng
    pairs = _faq_pairs(d, r.randint(3, 6))
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
        style = r.randrange(6)
        if style == 0:  # seed style: answer pasted into q, a with A:** prefix
            fm += [
                f"  - q: {_yaml_block(q + '**' + chr(10) + chr(10) + '**A:** ' + a, 6)}",
                f"    a: {_yaml_block('A:** ' + a, 6)}",
            ]
        elif style == 1:
            fm += [f"  - q: '**Q: {q}**'", f"    a: '**A:** {a}'"]
        elif style == 2:
            fm += [f'  - q: "{q}   "', f"    a: 'A: {a}  '"]
        elif style == 3:  # missing answer: recovered from the body
            fm += [f"  - q: '{q}'", "    a: ''"]
        elif style == 4:
            fm += [f"  - q: '{q.rstrip('?')}'", f"    a: '{a}'"]
        else:
            fm += [f"  - q: '{q}'", f"    a: '{a}'"]
    fm.append("---")
    dose = r.randint(1, 20) * 5
    body = [
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
    if r.random() < 0.4:  # a paragraph split by a page break
        body += [
            f"Monitoring of {d.drug} should continue while the",
            "",
            f"patient remains on therapy for {d.cond}.",
            "",
        ]
    body += ["## **FAQs (Frequently Asked Questions)**", ""]
    for k, (q, a) in enumerate(pairs, start=1):
        body += [f"### **Q{k}: {q}**", f"**A:** {a}", ""]
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


def guide(d: _Doc) -> str:
    r = d.rng
    n_refs = r.randint(6, 16)
    vendor = r.choice(_VENDORS)
    cat = f"B{r.randint(10_000_000, 99_999_999)}"

    def cites() -> str:
        start = r.randint(1, n_refs)
        k = r.randint(1, 3)
        return _cite(d, list(range(start, min(n_refs, start + k - 1) + 1)))

    out = [
        "",
        "",
        f"# Evaluating {d.drug} in {d.cond.title()}: A Comparative Guide ({d.i})",
        "",
        f"**Author:** {vendor} Technical Support Team. **Date:** "
        f"{r.choice(_MONTHS)} {r.randint(2019, 2025)}",
        "",
        "## Compound of Interest",
        "",
        f"Compound Name: *{d.drug} hydrate*",
        "",
        f"Cat. No.: *{cat}*",
        "",
        "[Get Quote](#)",
        "",
        f"This guide compares {d.drug} with {d.other} for {d.cond}. {d.sentence()}{cites()}",
        "",
        "## Mechanism of Action",
        "",
        f"{d.sentence()}{cites()} {d.sentence()}{cites()}",
        "",
    ]
    if r.random() < 0.5:
        out += [
            f"**Signaling Pathway:** {d.drug} inhibits the pathway,",
            "",
            f"which lowers cytokine release in {d.cond}.{cites()}",
            "",
        ]
    out += ["## Comparative Efficacy", "", d.sentence() + cites(), ""]
    kind = r.choice(["tsv", "tsv", "html", "pipe"])
    rows = [
        [f"{r.choice(_TOPICS).title()} {j}", d.pct(), d.pct(), f"{r.randint(4, 52)} weeks"]
        for j in range(r.randint(2, 6))
    ]
    header = ["Endpoint", d.drug, d.other, "Duration", "Citation"]
    if kind == "tsv":
        out.append("\t".join(header))
        for j, row in enumerate(rows):
            cells = [*row, _cite(d, [r.randint(1, n_refs)])]
            if j == 1 and r.random() < 0.5:
                cells = cells[:3]  # ragged row
            out.append("\t".join(cells) + ("\t" if r.random() < 0.3 else ""))
    elif kind == "html":
        out.append("<table>")
        out.append("<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>")
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
    else:
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        for row in rows:
            out.append("| " + " | ".join([*row, f"[{r.randint(1, n_refs)}]"]) + " |")
    out += [
        "",
        f"{d.sentence()} {d.sentence()}{cites()}",
        "",
        "[Click to download full resolution via product page](#)",
        "",
        "**Need Custom Synthesis?**",
        "",
        f"{vendor} offers custom synthesis for rare compounds.",
        "",
        f"Email: [info@{vendor.lower()}.com](mailto:info@{vendor.lower()}.com)",
        "",
        "## References",
        "",
    ]
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
    out += [
        f"- To cite this document: {vendor}. [{d.drug}]. Available at: "
        f"[https://www.{vendor.lower()}.com/{cat.lower()}]",
        "",
        "---",
        "",
        "### Disclaimer & Data Validity:",
        "",
        "The information provided in this document is for Research Use Only (RUO).",
        "",
        f"## {vendor}",
        "",
        "Our mission is to be the trusted source of chemicals.",
        "",
        "### Contact",
        "",
        "Address: 1 Example Road  ",
        f"Phone: (555) {r.randint(100, 999)}-0100",
    ]
    return "\n".join(out) + "\n"


def generic(d: _Doc) -> str:
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


def bad(d: _Doc, kind: str) -> bytes:
    if kind == "broken_yaml":
        return f"---\ntitle: {d.drug}: broken: yaml\n  - x\n---\n# {d.drug}\n".encode()
    if kind == "empty":
        return b""
    if kind == "binary":
        return bytes(d.rng.randrange(256) for _ in range(512)) + b"\x00\x00"
    if kind == "alias_bomb":
        lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        prev = "a"
        for c in "bcdefghi":
            lines.append(f"{c}: &{c} [{','.join(['*' + prev] * 9)}]")
            prev = c
        return ("\n".join([*lines, "---", f"# {d.drug}", ""])).encode()
    if kind == "python_tag":
        return f"---\ntitle: {d.drug}\nx: !!python/object/apply:os.system ['echo owned']\n---\nbody\n".encode()
    return b"# " + d.drug.encode() + b"\n\x81\x8d\x8f\x90\x9d invalid bytes\n"


_BAD_KINDS = ["broken_yaml", "empty", "binary", "alias_bomb", "python_tag", "undecodable"]


def render(i: int, seed: int, bad_share: float) -> tuple[str, str, bytes]:
    """(folder, file name, bytes) of document ``i``; pure function of (i, seed)."""
    rng = random.Random(seed * 1_000_003 + i)
    d = _Doc(rng, i)
    if rng.random() < bad_share:
        kind = rng.choice(_BAD_KINDS)
        return "bad", f"{i:06d}_{kind}.md", bad(d, kind)
    roll = rng.random()
    if roll < 0.45:
        folder, text = "monographs", monograph(d)
    elif roll < 0.85:
        folder, text = "guides", guide(d)
    else:
        folder, text = "notes", generic(d)
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if rng.random() < 0.03:
        data = b"\xef\xbb\xbf" + data
    elif rng.random() < 0.02:
        data = text.replace("’", "'").encode("cp1252", errors="replace")
        text = text + " café"  # make sure a non-ASCII byte is there
        data = text.encode("cp1252", errors="replace")
    ext = ".txt" if folder == "guides" and rng.random() < 0.5 else ".md"
    return folder, f"{i:06d}_{d.drug.lower()}{ext}", data


def generate_corpus(out: Path, n: int, seed: int = 7, bad_share: float = 0.02) -> dict[str, Any]:
    """Write ``n`` documents under ``out`` (sharded 1000 per folder)."""
    kinds: Counter[str] = Counter()
    total = 0
    made: set[Path] = set()
    for i in range(n):
        folder, name, data = render(i, seed, bad_share)
        shard = out / folder / f"{i // 1000:03d}"
        if shard not in made:
            shard.mkdir(parents=True, exist_ok=True)
            made.add(shard)
        (shard / name).write_bytes(data)
        kinds[folder] += 1
        total += len(data)
    return {"files": n, "bytes": total, "by_kind": dict(sorted(kinds.items()))}

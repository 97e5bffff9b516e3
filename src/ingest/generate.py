"""A deterministic generator of realistic source documents of every family.

Used by ``make run`` (the bundled example corpus), the tests and the benchmark.
Every document is unique (names, numbers, wording) and varied in the ways real
sources are: the FAQ malformations of the seed monographs, tab/HTML/pipe tables
of different shapes, five citation spellings, split paragraphs, vendor
boilerplate, BOMs, CRLF and Windows-1252 bytes, plus a small share of files that
must be quarantined (broken YAML, empty, binary, alias bombs, Python tags,
undecodable bytes).  The same seed always writes the same bytes.

Two profiles (:data:`PROFILES`).  ``small`` is the original corpus of ~2 KB files
(its bytes for a seed never change: tests and golden numbers depend on them).
``realistic`` follows the size profile of the real-document acceptance corpus
(``shared/corpus/real``): the family mix of that corpus, and per family a size drawn
from a lognormal fitted to its median and mean, clipped to 1 KB..400 KB.  The size is
reached with more real structure (outline sections, studies, FAQs, tables in all three
spellings, citations and longer reference lists), never with filler.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .workers import process_pool

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


# ---------------------------------------------------------------------------------------
# The "realistic" profile: real-corpus document sizes, reached with more real structure.
# ---------------------------------------------------------------------------------------

#: Corpus profiles ``generate_corpus`` can write.  ``small`` is the original ~2 KB-per-file
#: corpus (its bytes never change for a seed); ``realistic`` follows the size profile of the
#: real-document acceptance corpus.
PROFILES: tuple[str, ...] = ("small", "realistic")

#: (median, mean) file size in bytes per folder of the real-document acceptance corpus
#: (``shared/corpus/real``: 91 files, families from its MANIFEST.tsv).
REAL_SIZES: dict[str, tuple[int, int]] = {
    "monographs": (5_015, 13_299),
    "guides": (15_876, 55_576),
    "notes": (8_975, 15_759),
}
#: Size range every realistic document is clipped to (far under ``Limits.max_file_bytes``).
MIN_DOC_BYTES = 1_024
MAX_DOC_BYTES = 400_000
# The real corpus's family mix (50 monographs, 29 guides, 12 generic of 91), cumulative.
_REAL_MIX = ((0.55, "monographs"), (0.87, "guides"), (1.0, "notes"))

T = TypeVar("T")


def _clipped_lognormal_mean(mu: float, sigma: float, lo: float, hi: float) -> float:
    """Mean of ``min(max(X, lo), hi)`` for ``X ~ LogNormal(mu, sigma)``."""
    root2 = math.sqrt(2.0)

    def cdf(x: float) -> float:
        return 0.5 * (1.0 + math.erf((math.log(x) - mu) / (sigma * root2)))

    def partial(x: float) -> float:  # E[X; X < x]
        z = (math.log(x) - mu - sigma * sigma) / (sigma * root2)
        return math.exp(mu + sigma * sigma / 2) * 0.5 * (1.0 + math.erf(z))

    return lo * cdf(lo) + hi * (1.0 - cdf(hi)) + partial(hi) - partial(lo)


def fit_lognormal(median: float, mean: float, lo: float, hi: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a lognormal with this median whose values clipped to
    ``[lo, hi]`` have this mean (bisection on sigma; the median is kept exactly)."""
    mu = math.log(median)
    a, b = 1e-3, 5.0
    for _ in range(80):
        mid = (a + b) / 2
        if _clipped_lognormal_mean(mu, mid, lo, hi) < mean:
            a = mid
        else:
            b = mid
    return mu, (a + b) / 2


_SIZE_PARAMS = {
    k: fit_lognormal(med, mean, MIN_DOC_BYTES, MAX_DOC_BYTES)
    for k, (med, mean) in REAL_SIZES.items()
}


def target_bytes(folder: str, rng: random.Random) -> int:
    """A document size for ``folder`` drawn from the fitted, clipped lognormal."""
    mu, sigma = _SIZE_PARAMS[folder]
    return int(min(MAX_DOC_BYTES, max(MIN_DOC_BYTES, rng.lognormvariate(mu, sigma))))


# -- vocabulary -----------------------------------------------------------------------------
_POPULATIONS = [
    "adults",
    "children aged 2 to 11 years",
    "adolescents",
    "older adults",
    "patients with renal impairment",
    "patients with hepatic impairment",
    "treatment-naive patients",
    "previously treated patients",
    "patients with obesity",
    "patients on dialysis",
    "infants",
    "patients with moderate disease",
    "patients with severe disease",
    "post-menopausal women",
    "current smokers",
    "outpatients",
    "hospitalised patients",
    "patients with diabetes",
    "patients of East Asian ancestry",
    "patients with prior biologic exposure",
]
_MORE_EFFECTS = [
    *_EFFECTS,
    "palpitations",
    "constipation",
    "abdominal pain",
    "vomiting",
    "somnolence",
    "tremor",
    "peripheral oedema",
    "hypotension",
    "bradycardia",
    "elevated liver enzymes",
    "hyperkalaemia",
    "weight gain",
    "photosensitivity",
    "blurred vision",
    "tinnitus",
    "arthralgia",
    "back pain",
    "nasopharyngitis",
    "upper respiratory tract infection",
    "urinary tract infection",
    "anaemia",
    "anxiety",
    "dyspepsia",
    "taste disturbance",
    "injection site reaction",
    "hot flushes",
    "paraesthesia",
    "vertigo",
    "urticaria",
]
_SERIOUS = [
    "angioedema",
    "QT prolongation",
    "acute pancreatitis",
    "drug-induced hepatitis",
    "interstitial lung disease",
    "Stevens-Johnson syndrome",
    "anaphylaxis",
    "rhabdomyolysis",
    "lactic acidosis",
    "seizures",
    "serotonin syndrome",
    "agranulocytosis",
    "severe hypoglycaemia",
    "acute kidney injury",
    "major bleeding",
    "malignant lymphoma",
]
_ORGANS = [
    "Cardiovascular",
    "Gastrointestinal",
    "Nervous system",
    "Skin and subcutaneous tissue",
    "Hepatobiliary",
    "Renal and urinary",
    "Respiratory",
    "Musculoskeletal",
    "Psychiatric",
    "Blood and lymphatic",
    "Immune system",
    "Metabolism and nutrition",
    "Eye",
    "Reproductive system",
    "Endocrine",
]
_FORMS = [
    "film-coated tablet",
    "extended-release tablet",
    "oral solution",
    "hard capsule",
    "cream",
    "ointment",
    "solution for injection",
    "prefilled pen",
    "powder for infusion",
    "inhalation powder",
    "eye drops",
    "transdermal patch",
    "orodispersible tablet",
    "oral suspension",
    "nasal spray",
]
_DESIGNS = [
    "randomised, double-blind, placebo-controlled trial",
    "open-label extension study",
    "multicentre active-comparator trial",
    "prospective cohort study",
    "retrospective chart review",
    "two-period crossover study",
    "phase 2 dose-finding study",
    "phase 3 pivotal trial",
    "pragmatic randomised trial",
    "systematic review and meta-analysis",
    "network meta-analysis",
    "post-marketing surveillance study",
    "pharmacokinetic study in healthy volunteers",
    "non-inferiority trial",
    "real-world registry analysis",
]
_ENDPOINTS = [
    "HbA1c change from baseline",
    "EASI-75 response",
    "time to first flare",
    "systolic blood pressure reduction",
    "LDL-C reduction",
    "annualised exacerbation rate",
    "pain score reduction",
    "ACR20 response",
    "sustained virological response",
    "bone mineral density change",
    "complete response rate",
    "monthly headache days",
    "FEV1 improvement",
    "six-minute walk distance",
    "all-cause hospitalisation",
    "remission at week 12",
    "IGA 0/1 success",
    "PASI-90 response",
    "HAM-A total score change",
    "progression-free survival",
]
_TARGETS = [
    "calcineurin",
    "the beta-1 adrenergic receptor",
    "angiotensin-converting enzyme",
    "HMG-CoA reductase",
    "the gastric proton pump",
    "JAK1",
    "the 5-HT3 receptor",
    "the CysLT1 receptor",
    "the AT1 receptor",
    "GABA-A receptors",
    "factor Xa",
    "farnesyl pyrophosphate synthase",
    "viral reverse transcriptase",
    "the mTOR complex",
    "PDE4",
    "the IL-4 receptor alpha subunit",
    "tumour necrosis factor alpha",
    "the CGRP receptor",
    "SGLT2",
    "DPP-4",
]
_CYTOKINES = [
    "IL-2",
    "IL-4",
    "IL-6",
    "IL-13",
    "IL-17A",
    "TNF-alpha",
    "IFN-gamma",
    "IL-23",
    "TGF-beta",
]
_CELLS = [
    "T-lymphocytes",
    "mast cells",
    "keratinocytes",
    "hepatocytes",
    "macrophages",
    "osteoclasts",
    "eosinophils",
    "platelets",
    "cardiomyocytes",
    "dendritic cells",
    "B cells",
    "neutrophils",
]
_ENZYMES = [
    "CYP3A4",
    "CYP2D6",
    "CYP2C9",
    "CYP2C19",
    "CYP1A2",
    "UGT1A1",
    "P-glycoprotein",
    "OATP1B1",
]
_ASSAYS = [
    "ELISA",
    "flow cytometry",
    "Western blot",
    "qPCR",
    "LC-MS/MS",
    "patch-clamp recording",
    "a luciferase reporter assay",
    "surface plasmon resonance",
    "immunohistochemistry",
    "high-content imaging",
]
_MODELS = [
    "a murine model",
    "human PBMC cultures",
    "HEK293 cells",
    "primary human keratinocytes",
    "a rat collagen-induced arthritis model",
    "ex vivo skin explants",
    "zebrafish larvae",
    "patient-derived organoids",
    "non-human primates",
    "a minipig dermal model",
]
_SURNAMES = [
    "Smith",
    "Nakamura",
    "Garcia",
    "Okafor",
    "Lindqvist",
    "Chen",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Fernandes",
    "Dubois",
    "Patel",
    "Novak",
    "Andersen",
    "Kim",
    "Moreau",
    "Schneider",
    "Tanaka",
    "Oliveira",
    "Murphy",
]
_JOURNALS = [
    "J Allergy Clin Immunol",
    "Br J Dermatol",
    "N Engl J Med",
    "Lancet",
    "JAMA",
    "Clin Pharmacokinet",
    "Drugs",
    "Ann Intern Med",
    "BMJ",
    "Eur Heart J",
    "Diabetes Care",
    "Pediatrics",
    "Clin Ther",
    "Br J Clin Pharmacol",
    "J Clin Oncol",
    "Hepatology",
    "Arthritis Rheumatol",
    "Headache",
    "Thorax",
    "Osteoporos Int",
]
_DOMAINS = [
    *(dom for _, dom in _PUBLISHERS),
    "go.drugbank.com",
    "synapse.patsnap.com",
    "droracle.ai",
    "academic.oup.com",
    "sciencedirect.com",
    "frontiersin.org",
    "nature.com",
    "link.springer.com",
    "tandfonline.com",
    "bmj.com",
    "nejm.org",
    "ahajournals.org",
    "clinicaltrials.gov",
    "fda.gov",
    "ema.europa.eu",
    "publications.aap.org",
]
_REGIONS = [
    "United States",
    "European Union",
    "United Kingdom",
    "Japan",
    "Canada",
    "Australia",
    "India",
    "Brazil",
    "South Africa",
    "Malaysia",
    "Mexico",
    "Switzerland",
]
_COMPANY = ["Pharma", "Labs", "Therapeutics", "Biosciences", "Healthcare", "Generics"]
_WARDS = [
    "ward 4B",
    "the ICU",
    "the day unit",
    "the outpatient clinic",
    "the renal unit",
    "the cardiology ward",
    "the paediatric ward",
    "the emergency department",
    "the dermatology clinic",
    "the respiratory ward",
]
_LABS = [
    ("Sodium", "mmol/L", 128.0, 148.0),
    ("Potassium", "mmol/L", 3.1, 5.9),
    ("Creatinine", "umol/L", 48.0, 190.0),
    ("eGFR", "mL/min", 22.0, 115.0),
    ("ALT", "U/L", 9.0, 150.0),
    ("Haemoglobin", "g/L", 88.0, 168.0),
    ("WBC", "x10^9/L", 2.8, 16.0),
    ("Platelets", "x10^9/L", 85.0, 430.0),
    ("CRP", "mg/L", 0.5, 130.0),
    ("Glucose", "mmol/L", 3.4, 15.0),
    ("INR", "ratio", 0.9, 3.6),
    ("Magnesium", "mmol/L", 0.55, 1.15),
]
_SPECIALTIES = [
    "pharmacy",
    "nursing",
    "dermatology",
    "cardiology",
    "nephrology",
    "paediatrics",
    "respiratory",
    "rheumatology",
    "neurology",
    "endocrinology",
]
_FREQ = ["once daily", "twice daily", "three times daily", "every 12 hours", "weekly", "at night"]
_FOOD = [
    "unaffected by food",
    "reduced by a high-fat meal",
    "increased by food",
    "lower with antacids",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

_Core = Callable[["_W"], str]


class _Pool(NamedTuple):
    """Sentence material of one register: openers + core + tail, then upper-cased.  A core
    starts lower case unless it starts with a name (it may follow an opener)."""

    openers: list[str]
    cores: list[_Core]
    tails: list[str]


_CLIN_OPEN = [*[""] * 8, "In practice, ", "In clinical use, ", "According to the label, "]
_CLIN_OPEN += ["Generally, ", "For most patients, ", "Where possible, "]
_CLIN_TAIL = [*[""] * 8, " in most patients", ", particularly in the first month"]
_CLIN_TAIL += [" unless the prescriber advises otherwise", ", as for other drugs of this class"]
_RES_OPEN = [*[""] * 6, "Notably, ", "By contrast, ", "In a post hoc analysis, ", "Overall, "]
_RES_OPEN += [
    "In the pooled data, ",
    "As expected, ",
    "Importantly, ",
    "In a sensitivity analysis, ",
]
_RES_TAIL = [*[""] * 6, ", although the confidence interval was wide"]
_RES_TAIL += [", consistent with earlier reports", " after adjustment for baseline severity"]
_RES_TAIL += [", which was not statistically significant", " in the per-protocol population"]
_RES_TAIL += [", a finding replicated in an independent cohort"]
_RES_TAIL += [" across all prespecified subgroups", " (p < 0.05)"]
_NOTE_OPEN = [*[""] * 8, "Reminder: ", "FYI ", "Also, ", "NB: ", "Per handover, "]
_NOTE_TAIL = [*[""] * 8, " (see chart)", " - to confirm", " - done", " (ask pharmacy)", " today"]

_CLINICAL = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"{w.drug} is prescribed for {w.cond} in {w.pick(_POPULATIONS)} when "
            f"first-line options are not tolerated"
        ),
        lambda w: f"the usual maintenance dose is {w.num(1, 40) * 5} mg {w.pick(_FREQ)}",
        lambda w: (
            f"{w.drug} reduced {w.cond} symptoms in {w.num(40, 900)} patients over "
            f"{w.num(4, 52)} weeks"
        ),
        lambda w: (
            f"the plasma half-life of {w.drug} is about {w.num(2, 96)} hours in "
            f"{w.pick(_POPULATIONS)}"
        ),
        lambda w: (
            f"patients should be monitored for {w.pick(_MORE_EFFECTS)} during the first "
            f"{w.num(2, 12)} weeks"
        ),
        lambda w: (
            f"co-administration with {w.pick(w.others)} raised exposure by about {w.num(10, 240)}%"
        ),
        lambda w: (
            f"{w.pick(_MORE_EFFECTS)} was reported in {w.pct()} of patients compared with "
            f"{w.pct()} on placebo"
        ),
        lambda w: f"{w.drug} should be stopped if {w.pick(_SERIOUS)} is suspected",
        lambda w: f"no dose adjustment is needed in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.drug} is not recommended for {w.pick(_POPULATIONS)} because data are "
            f"limited to {w.num(10, 300)} patients"
        ),
        lambda w: f"tapering over {w.num(2, 6)} weeks reduces the risk of rebound {w.cond}",
        lambda w: f"treatment response should be assessed after {w.num(2, 16)} weeks",
        lambda w: (
            f"patients switching from {w.pick(w.others)} can start {w.drug} the day after "
            f"the last dose"
        ),
        lambda w: (
            f"{w.drug} is typically a {w.pick(['first', 'second', 'third'])}-line option "
            f"in {w.pick(_REGIONS)} guidelines"
        ),
        lambda w: (
            f"adherence improves when the {w.pick(_FORMS)} is taken at the same time each day"
        ),
        lambda w: f"it has been used for {w.cond} since {w.num(1985, 2022)}",
    ],
    _CLIN_TAIL,
)
_PK = _Pool(
    _CLIN_OPEN,
    [
        lambda w: f"the plasma half-life is about {w.num(2, 96)} hours in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.drug} is metabolised mainly by {w.pick(_ENZYMES)} and excreted in the "
            f"{w.pick(['urine', 'faeces', 'bile'])}"
        ),
        lambda w: f"peak concentrations are reached {w.num(2, 8)} hours after an oral dose",
        lambda w: f"bioavailability is {w.num(8, 98)}% and is {w.pick(_FOOD)}",
        lambda w: f"protein binding is about {w.num(20, 99)}%",
        lambda w: f"the volume of distribution is {w.num(10, 900)} L",
        lambda w: f"steady state is reached after {w.num(2, 14)} days of dosing",
        lambda w: (
            f"{w.pick(_POPULATIONS)} had {w.num(12, 80)}% higher exposure than healthy volunteers"
        ),
        lambda w: f"about {w.num(1, 60)}% of a dose is excreted unchanged",
        lambda w: f"the onset of action is within {w.num(1, 12)} hours of the first dose",
    ],
    _CLIN_TAIL,
)
_CONTRA = _Pool(
    [""],
    [
        lambda w: f"hypersensitivity to {w.drug} or to any of the excipients",
        lambda w: f"severe hepatic impairment (Child-Pugh {w.pick(['B', 'C'])})",
        lambda w: f"creatinine clearance below {w.num(10, 30)} mL/min",
        lambda w: (
            f"concomitant use of {w.pick(w.others)} or other strong {w.pick(_ENZYMES)} inhibitors"
        ),
        lambda w: f"a history of {w.pick(_SERIOUS)}",
        lambda w: f"children younger than {w.num(2, 12)} years",
        lambda w: f"pregnancy, especially the {w.pick(['first', 'second', 'third'])} trimester",
        lambda w: f"active {w.pick(['infection', 'bleeding', 'malignancy', 'liver disease'])}",
    ],
    [""],
)
_WARN = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"{w.drug} may cause {w.pick(_MORE_EFFECTS)}; advise patients not to drive until "
            "they know how it affects them"
        ),
        lambda w: f"cases of {w.pick(_SERIOUS)} have been reported; stop treatment at once",
        lambda w: f"use with caution in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"check {w.pick(_LABS)[0].lower()} before starting and after {w.num(2, 12)} weeks"
        ),
        lambda w: (
            f"the risk of {w.pick(_MORE_EFFECTS)} rises with doses above {w.num(4, 40) * 5} mg"
        ),
        lambda w: f"abrupt withdrawal may cause rebound {w.cond}",
        lambda w: f"the {w.pick(_FORMS)} contains lactose and sodium",
    ],
    _CLIN_TAIL,
)
_OVERDOSE = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"symptoms include {w.pick(_MORE_EFFECTS)}, {w.pick(_MORE_EFFECTS)} and, at high "
            f"doses, {w.pick(_SERIOUS)}"
        ),
        lambda w: "there is no specific antidote; treatment is supportive",
        lambda w: f"activated charcoal may help if given within {w.num(1, 4)} hours",
        lambda w: f"haemodialysis removes about {w.num(5, 60)}% of the drug",
        lambda w: f"monitor the ECG for at least {w.num(6, 48)} hours after ingestion",
        lambda w: f"doses above {w.num(10, 100) * 10} mg have been fatal in adults",
    ],
    _CLIN_TAIL,
)
_MONITOR = _Pool(
    _CLIN_OPEN,
    [
        lambda w: f"{w.pick(_LABS)[0]} at baseline and every {w.num(2, 12)} weeks",
        lambda w: f"blood pressure and heart rate at each visit for the first {w.num(2, 8)} weeks",
        lambda w: f"symptom scores for {w.cond} after {w.num(4, 16)} weeks",
        lambda w: f"signs of {w.pick(_SERIOUS)}, especially in {w.pick(_POPULATIONS)}",
        lambda w: f"body weight every {w.num(1, 6)} months",
        lambda w: f"trough levels when {w.pick(w.others)} is added or stopped",
    ],
    [""],
)
_RESEARCH = _Pool(
    _RES_OPEN,
    [
        lambda w: (
            f"in trial {w.uid}-{w.num(1, 999)}, {w.pct()} of patients on {w.drug} reached "
            f"the primary endpoint compared with {w.pct()} on {w.pick(w.others)}"
        ),
        lambda w: (
            f"{w.drug} inhibited {w.pick(_CYTOKINES)} release from {w.pick(_CELLS)} with an "
            f"IC50 of {w.num(1, 950)} nM"
        ),
        lambda w: (
            f"in {w.pick(_MODELS)}, {w.drug} reduced {w.pick(_CYTOKINES)} levels by "
            f"{w.num(10, 90)}% as measured by {w.pick(_ASSAYS)}"
        ),
        lambda w: (
            f"{_a(w.pick(_DESIGNS))} of {w.num(30, 4000)} {w.pick(_POPULATIONS)} reported "
            f"{w.pick(_ENDPOINTS)} as the primary outcome"
        ),
        lambda w: (
            f"the {w.pick(_TOPICS)} of {w.drug} was assessed at doses of {w.num(1, 40) * 5} mg"
        ),
        lambda w: (
            f"{w.pick(w.others)} showed a numerically higher response ({w.pct()} versus "
            f"{w.pct()}) at week {w.num(4, 52)}"
        ),
        lambda w: (
            f"the odds ratio for {w.pick(_ENDPOINTS)} was {w.num(105, 390) / 100:.2f} "
            f"(95% CI {w.num(100, 150) / 100:.2f} to {w.num(151, 480) / 100:.2f})"
        ),
        lambda w: (
            f"discontinuation due to adverse events occurred in {w.pct()} of the {w.drug} arm"
        ),
        lambda w: (
            f"heterogeneity across the {w.num(3, 40)} included studies was moderate "
            f"(I2 = {w.num(20, 75)}%)"
        ),
        lambda w: f"the number needed to treat was {w.num(3, 25)} over {w.num(8, 104)} weeks",
        lambda w: (
            f"exposure-response modelling supported a {w.num(1, 40) * 5} mg {w.pick(_FREQ)} regimen"
        ),
        lambda w: (
            f"{w.pick(_MORE_EFFECTS)} and {w.pick(_MORE_EFFECTS)} were the most frequent "
            f"treatment-emergent events"
        ),
        lambda w: (
            f"the effect on {w.pick(_ENDPOINTS)} was maintained through week "
            f"{w.num(24, 156)} in the extension phase"
        ),
        lambda w: (
            f"these data position {w.drug} as an alternative to {w.pick(w.others)} for {w.cond}"
        ),
        lambda w: (
            f"long-term use did not increase the rate of {w.pick(_SERIOUS)} "
            f"({w.num(0, 9)} events per {w.num(1, 9) * 1000} patient-years)"
        ),
        lambda w: (
            f"the mean change in {w.pick(_ENDPOINTS)} was {w.num(-60, -5)}% with {w.drug} "
            f"and {w.num(-40, 5)}% with placebo"
        ),
        lambda w: (
            f"{w.num(30, 95)}% of the {w.num(40, 3000)} enrolled patients completed "
            f"{w.num(12, 104)} weeks of follow-up"
        ),
        lambda w: (
            f"dose-dependent effects were seen between {w.num(1, 10) * 5} and "
            f"{w.num(11, 60) * 5} mg"
        ),
        lambda w: (
            f"{w.pick(_SURNAMES)} and colleagues found no difference in {w.pick(_ENDPOINTS)} "
            f"between {w.drug} and {w.pick(w.others)}"
        ),
        lambda w: (
            f"responders had lower baseline {w.pick(_CYTOKINES)} concentrations than non-responders"
        ),
    ],
    _RES_TAIL,
)
_MECHANISM = _Pool(
    _RES_OPEN,
    [
        lambda w: (
            f"{w.drug} blocks {w.pick(_TARGETS)}, which lowers {w.pick(_CYTOKINES)} "
            f"signalling in {w.pick(_CELLS)}"
        ),
        lambda w: (
            f"binding to {w.pick(_TARGETS)} prevents downstream activation of "
            f"{w.pick(_CYTOKINES)} and {w.pick(_CYTOKINES)}"
        ),
        lambda w: (
            f"{w.drug} inhibited {w.pick(_CYTOKINES)} release from {w.pick(_CELLS)} with an "
            f"IC50 of {w.num(1, 950)} nM"
        ),
        lambda w: (
            f"in {w.pick(_MODELS)}, {w.drug} reduced {w.pick(_CYTOKINES)} levels by "
            f"{w.num(10, 90)}% as measured by {w.pick(_ASSAYS)}"
        ),
        lambda w: (
            f"selectivity for {w.pick(_TARGETS)} over {w.pick(_TARGETS)} exceeded "
            f"{w.num(10, 900)}-fold"
        ),
        lambda w: f"{w.drug} binds {w.pick(_TARGETS)} with a Kd of {w.num(1, 900)} nM",
        lambda w: f"the resulting complex reduces activation of {w.pick(_CELLS)}",
    ],
    _RES_TAIL,
)
_STORAGE = _Pool(
    [""],
    [
        lambda w: f"store the {w.pick(_FORMS)} below {w.num(20, 30)} degrees C",
        lambda w: (
            f"keep the {w.pick(_FORMS)} in the original pack to protect it from "
            f"{w.pick(['light', 'moisture', 'heat'])}"
        ),
        lambda w: f"discard opened containers after {w.num(2, 12)} weeks",
        lambda w: f"do not freeze; if frozen, the {w.pick(_FORMS)} must be discarded",
        lambda w: (
            f"keep out of the reach of children and use before the expiry date on the "
            f"{w.pick(['carton', 'blister', 'label'])}"
        ),
    ],
    [""],
)
_NOTES = _Pool(
    _NOTE_OPEN,
    [
        lambda w: f"{w.pick(_WARDS)} asked whether {w.drug} can be crushed for the NG tube",
        lambda w: (
            f"bed {w.num(1, 40)} started {w.drug} {w.num(1, 30) * 5} mg yesterday; "
            f"recheck {w.pick(_LABS)[0]} tomorrow"
        ),
        lambda w: (
            f"pharmacy confirmed stock of the {w.pick(_FORMS)} until the end of {w.pick(_MONTHS)}"
        ),
        lambda w: f"document {w.pick(_MORE_EFFECTS)} on the chart at each round",
        lambda w: f"the consultant prefers {w.pick(w.others)} for {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.pick(_SURNAMES)} from {w.pick(_SPECIALTIES)} will review the plan on "
            f"{w.pick(_DAYS)}"
        ),
        lambda w: f"the audit found {w.num(2, 40)} charts without a documented indication",
        lambda w: f"teaching session on {w.cond} booked for {w.pick(_DAYS)} at {w.num(8, 17)}:00",
        lambda w: f"switching from {w.pick(w.others)} needs a washout of {w.num(1, 14)} days",
        lambda w: f"patient reported {w.pick(_MORE_EFFECTS)} after dose {w.num(2, 9)}",
        lambda w: (
            f"trend for {w.pick(_LABS)[0]} is {w.pick(['up', 'down', 'flat', 'erratic'])} "
            f"over the last {w.num(2, 10)} days"
        ),
        lambda w: f"the checklist needs a line for {w.pick(_SERIOUS)} screening",
        lambda w: f"bed {w.num(1, 40)}: {w.drug} held overnight because of {w.pick(_MORE_EFFECTS)}",
        lambda w: (
            f"{w.pick(_SURNAMES)} wants {w.drug} levels drawn before the {w.num(6, 11)}:00 dose"
        ),
        lambda w: f"discharge letter for bed {w.num(1, 40)} must list the {w.drug} taper",
        lambda w: (
            f"family of bed {w.num(1, 40)} asked about {w.drug} and "
            f"{w.pick(['driving', 'alcohol', 'travel', 'missed doses', 'cost', 'school'])}; "
            f"{w.pick(['leaflet given', 'pharmacist to call back', 'discussed at the bedside'])}"
        ),
        lambda w: (
            f"{w.pick(_LABS)[0]} {w.num(1, 200)} this morning, down from {w.num(1, 200)} "
            f"on {w.pick(_DAYS)}"
        ),
        lambda w: f"night team gave an extra {w.num(1, 10) * 5} mg at {w.num(0, 5)}:30",
        lambda w: f"order more {w.pick(_FORMS)} stock before the long weekend",
        lambda w: f"compare with the {w.pick(w.others)} protocol used on {w.pick(_WARDS)}",
        lambda w: f"the interpreter is booked for bed {w.num(1, 40)} on {w.pick(_DAYS)}",
        lambda w: f"{w.cond} clinic moved to {w.pick(_DAYS)} afternoons from {w.pick(_MONTHS)}",
        lambda w: f"physio says mobility is {w.pick(['better', 'unchanged', 'worse'])} on {w.drug}",
        lambda w: f"guideline update due in {w.pick(_MONTHS)}: check the {w.drug} section",
    ],
    _NOTE_TAIL,
)


def _a(phrase: str) -> str:
    """``phrase`` with its indefinite article."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _cap(phrase: str) -> str:
    """Upper-case the first character only (``IGA 0/1 success`` stays as it is)."""
    return phrase[:1].upper() + phrase[1:]


class _W:
    """A document being written: one rng, running line list and byte count."""

    def __init__(self, d: _Doc) -> None:
        self.d = d
        self.rand = d.rng.random
        self.drug: str = d.drug
        self.uid: str = d.uid
        self.cond: str = d.cond
        self.others: list[str] = [d.other, *(self.name() for _ in range(2 + self.num(0, 5)))]
        self.lines: list[str] = []
        self.size = 0
        self.n_refs = 0
        self.cursor = 1
        self.cite_style = self.num(0, 4)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rand() * len(seq))]

    def num(self, lo: int, hi: int) -> int:
        return lo + int(self.rand() * (hi - lo + 1))

    def pct(self) -> str:
        return f"{5 + self.rand() * 90:.1f}%"

    def name(self) -> str:
        base = self.pick(_SYL) + (self.pick(_SYL) if self.rand() < 0.5 else "")
        return (base + self.pick(_SUFFIX)).capitalize()

    def company(self) -> str:
        return f"{(self.pick(_SYL) + self.pick(_SYL)).capitalize()} {self.pick(_COMPANY)}"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
        self.size += sum(map(len, lines)) + len(lines)

    def sentence(self, pool: _Pool, core: _Core | None = None) -> str:
        body = (core or self.pick(pool.cores))(self)
        s = self.pick(pool.openers) + body + self.pick(pool.tails) + "."
        return s[0].upper() + s[1:]

    def para(self, pool: _Pool, lo: int, hi: int, cite: float = 0.0) -> str:
        out = []
        for _ in range(self.num(lo, hi)):
            s = self.sentence(pool)
            if cite and self.rand() < cite:
                s += self.cites()
            out.append(s)
        return " ".join(out)

    # -- citations --------------------------------------------------------------------------
    def cites(self) -> str:
        """A citation marker for the next 1-3 references (in reading order, as real
        documents cite), sometimes going back to an earlier one."""
        if not self.n_refs:
            return ""
        if self.cursor > self.n_refs or self.rand() < 0.15:
            start = self.num(1, self.n_refs)
        else:
            start = self.cursor
        k = self.pick((1, 1, 1, 2, 2, 3, 4))
        nums = list(range(start, min(self.n_refs, start + k - 1) + 1))
        self.cursor = max(self.cursor, nums[-1] + 1)
        return self.cite(nums)

    def cite(self, nums: list[int]) -> str:
        style = self.cite_style if self.rand() < 0.85 else self.num(0, 4)
        if style == 0:
            return "<sup>" + "".join(f"[{n}]" for n in nums) + "</sup>"
        if style == 1:
            if len(nums) > 2:
                return f"[{nums[0]}{self.pick(['-', '–'])}{nums[-1]}]"
            return "".join(f"[{n}]" for n in nums)
        if style == 2:
            return "".join(f"[\\[{n}\\]](#)" for n in nums)
        if style == 3:
            return " ".join(f'<a href="#">[{n}]</a>' for n in nums)
        return "[" + ", ".join(str(n) for n in nums) + "]"


def _rows_text(
    w: _W, kind: str, header: list[str], rows: list[list[str]], n_note: bool = False
) -> list[str]:
    """One table in ``kind`` (tsv | html | pipe) spelling, as source lines."""
    if kind == "tsv":
        out = ["\t".join(header)]
        for j, row in enumerate(rows):
            cells = row
            if j and w.rand() < 0.08:
                cells = row[:-1]  # ragged row
            elif j and w.rand() < 0.06:
                cells = [row[0], "", *row[2:]]  # empty cell
            out.append("\t".join(cells) + ("\t" if w.rand() < 0.2 else ""))
        return out
    if kind == "html":
        out = ["<table>"]
        if w.rand() < 0.5:
            out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>")
            out.append("<tbody>")
            tail = ["</tbody>", "</table>"]
        else:
            out.append("<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>")
            tail = ["</table>"]
        for row in rows:
            cells = [c.replace("&", "&amp;") for c in row]
            if n_note and w.rand() < 0.3:
                cells[1] += f"<br>(n={w.num(12, 900)})"
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return out + tail
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


# -- monographs ------------------------------------------------------------------------------
def _faq_pairs_r(w: _W, n: int, rich: bool) -> list[tuple[str, str]]:
    drug, other = w.drug, w.pick(w.others)
    more: Callable[[], str] = (lambda: " " + w.sentence(_CLINICAL)) if rich else str
    qs: list[tuple[str, str]] = [
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
    if w.rand() < 0.4:  # a paragraph split by a page break
        w.add(
            f"Monitoring of {w.drug} should continue while the",
            "",
            f"patient remains on therapy for {w.cond}.",
            "",
        )


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
    faqs = ["## **FAQs (Frequently Asked Questions)**", ""]
    for k, (q, a) in enumerate(pairs, start=1):
        faqs += [f"### **Q{k}: {q}**", f"**A:** {a}", ""]
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


def _ref_citation(w: _W, n: int) -> str:
    """A Vancouver-style reference: authors, title, journal, year;volume:pages."""
    authors = ", ".join(
        f"{w.pick(_SURNAMES)} {chr(65 + w.num(0, 25))}{chr(65 + w.num(0, 25))}"
        for _ in range(w.num(1, 4))
    )
    etal = ", et al" if w.rand() < 0.4 else ""
    title = (
        f"{_cap(w.pick(_TOPICS))} of {w.drug} versus {w.pick(w.others)} in "
        f"{w.pick(_POPULATIONS)} with {w.cond}: {_a(w.pick(_DESIGNS))}"
    )
    page = w.num(1, 1900)
    return (
        f"{authors}{etal}. {title}. {w.pick(_JOURNALS)}. {w.num(1995, 2025)};"
        f"{w.num(1, 160)}({w.num(1, 12)}):{page}-{page + w.num(3, 19)}."
    )


# -- guides --------------------------------------------------------------------------------
# Section headings of guides must not read as monograph outline headings (Usage, Dosage,
# Side Effects, Interactions, Pharmacokinetics, ...): those score for the monograph family.
def _g_table(w: _W, kind: str, n: int = 0) -> list[str]:
    """A data table of one of six shapes with ``n`` rows (0: drawn), a citation per row."""
    drug, other = w.drug, w.pick(w.others)
    schema = w.num(0, 5)
    if not n:
        n = w.num(3, 8) if w.rand() < 0.8 else w.num(9, 30)
    if schema == 0:
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
    elif schema == 1:
        header = ["Adverse Event", f"{drug} (n={w.num(50, 900)})", f"{other} (n={w.num(50, 900)})"]
        header.append("Placebo")
        rows = [[_cap(e), w.pct(), w.pct(), w.pct()] for e in _sample(w, _MORE_EFFECTS, n)]
    elif schema == 2:
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
    elif schema == 3:
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
    elif schema == 4:
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
    else:
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
    header = [*header, "Citation"]
    rows = [[*r, w.cites()] for r in rows]
    return _rows_text(w, kind, header, rows, n_note=True)


def _sample(w: _W, seq: Sequence[T], n: int) -> list[T]:
    if n <= len(seq):
        return w.d.rng.sample(list(seq), n)
    return [w.pick(seq) for _ in range(n)]


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
    tail = [
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
    style = w.pick((0, 0, 0, 1, 2))
    blank_at = w.n_refs // 2 if w.rand() < 0.3 else -1
    for n in range(1, w.n_refs + 1):
        tail.append(_guide_reference(w, n, style))
        if n == blank_at:
            tail.append("")
    tail += [
        f"- To cite this document: {vendor}. [{w.drug}]. Available at: "
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
        f"Address: {w.num(1, 9999)} Example Road  ",
        f"Phone: (555) {w.num(100, 999)}-0100",
    ]
    tail_size = sum(map(len, tail)) + len(tail) + (0 if small else 400)  # + conclusion
    w.add(
        "",
        "",
        f"# Evaluating {w.drug} in {w.cond.title()}: A Comparative Guide ({d.i})",
        "",
        f"**Author:** {vendor} Technical Support Team. **Date:** "
        f"{w.pick(_MONTHS)} {w.num(2019, 2025)}",
        "",
        "## Compound of Interest",
        "",
        f"Compound Name: *{w.drug} hydrate*",
        "",
        f"Cat. No.: *{cat}*",
        "",
        "[Get Quote](#)",
        "",
        f"This guide compares {w.drug} with {', '.join(w.others[:-1])} and {w.others[-1]} "
        f"for {w.cond}. {w.para(_RESEARCH, 1, 2 if small else 4, 0.6)}",
        "",
        "## Mechanism of Action",
        "",
        w.para(_MECHANISM, 1 if small else 2, 2 if small else 4, 0.7),
        "",
    )
    if w.rand() < 0.5:
        w.add(
            f"**Signaling Pathway:** {w.drug} inhibits the pathway,",
            "",
            f"which lowers cytokine release in {w.cond}.{w.cites()}",
            "",
        )
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
            w.add("## Frequently Asked Questions", "")
            for question in w.d.rng.sample(_G_QUESTIONS, w.num(2, 5)):
                w.add(f"**{question(w)}**", "", w.para(_RESEARCH, 1, 3, 0.5), "")
            continue
        w.pick(_G_EXTRAS)(w, k)
    if not small:
        w.add("## Conclusion", "", w.para(_RESEARCH, 2, 3, 0.4), "")
    w.add(*tail)
    return "\n".join(w.lines) + "\n"


# -- generic notes -------------------------------------------------------------------------
# No monograph outline headings, no numbered citations or reference list, no Author:/
# Compound:/Cat. No.: lines: generic notes must not score for another family.
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


# Writers stop at the first section that reaches their budget, so they overshoot it by
# about half a section on average (measured): the budget is the target minus that.
_OVERSHOOT = {"monographs": 350, "guides": 650, "notes": 290}

_REALISTIC: dict[str, Callable[[_Doc, int], str]] = {
    "monographs": monograph_realistic,
    "guides": guide_realistic,
    "notes": generic_realistic,
}


def render(i: int, seed: int, bad_share: float, profile: str = "small") -> tuple[str, str, bytes]:
    """(folder, file name, bytes) of document ``i``; pure function of its arguments."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    rng = random.Random(seed * 1_000_003 + i)
    d = _Doc(rng, i)
    if rng.random() < bad_share:
        kind = rng.choice(_BAD_KINDS)
        return "bad", f"{i:06d}_{kind}.md", bad(d, kind)
    roll = rng.random()
    if profile == "small":
        if roll < 0.45:
            folder, text = "monographs", monograph(d)
        elif roll < 0.85:
            folder, text = "guides", guide(d)
        else:
            folder, text = "notes", generic(d)
    else:
        folder = next(name for limit, name in _REAL_MIX if roll < limit)
        budget = target_bytes(folder, rng) - _OVERSHOOT[folder]
        text = _REALISTIC[folder](d, budget)
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


_CHUNK = 200  # documents per pool task


def _write_range(
    out: str, start: int, stop: int, seed: int, bad_share: float, profile: str
) -> list[tuple[str, int]]:
    """Render and write documents ``start..stop-1``; their (folder, size) in order."""
    root = Path(out)
    made: set[Path] = set()
    done: list[tuple[str, int]] = []
    for i in range(start, stop):
        folder, name, data = render(i, seed, bad_share, profile)
        shard = root / folder / f"{i // 1000:03d}"
        if shard not in made:
            shard.mkdir(parents=True, exist_ok=True)
            made.add(shard)
        (shard / name).write_bytes(data)
        done.append((folder, len(data)))
    return done


def byte_stats(sizes: list[int]) -> dict[str, Any]:
    """files, bytes, mean, min, p10, median, p90, max of a list of file sizes."""
    if not sizes:
        return {"files": 0, "bytes": 0}
    s = sorted(sizes)
    cuts = statistics.quantiles(s, n=10, method="inclusive") if len(s) > 1 else [s[0]] * 9
    return {
        "files": len(s),
        "bytes": sum(s),
        "mean": round(sum(s) / len(s), 1),
        "min": s[0],
        "p10": round(cuts[0], 1),
        "median": statistics.median(s),
        "p90": round(cuts[8], 1),
        "max": s[-1],
    }


def generate_corpus(
    out: Path,
    n: int,
    seed: int = 7,
    bad_share: float = 0.02,
    profile: str = "small",
    workers: int = 1,
) -> dict[str, Any]:
    """Write ``n`` documents under ``out`` (``<folder>/<i // 1000>/``, 1000 per shard).

    ``profile`` is one of :data:`PROFILES`.  ``workers`` > 1 renders and writes in that
    many processes (the project's fork-server pool, so a calling script needs the usual
    ``if __name__ == "__main__":`` guard); every document is a pure function of
    ``(i, seed, bad_share, profile)``, so the files, and every stat but ``seconds`` and
    ``mb_per_s``, are the same for any ``workers``.  Returns ``files``, ``bytes``, ``mb`` (bytes / 1e6), ``by_kind`` (files
    per folder), ``bytes_by_kind`` (per folder: files, bytes, mean, min, p10, median, p90,
    max), ``profile``, ``seed``, ``seconds`` and ``mb_per_s``.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    t0 = time.perf_counter()
    where = str(out)
    if workers == 1 or n <= _CHUNK:
        done = _write_range(where, 0, n, seed, bad_share, profile)
    else:
        with process_pool(workers) as pool:
            futures = [
                pool.submit(
                    _write_range, where, start, min(n, start + _CHUNK), seed, bad_share, profile
                )
                for start in range(0, n, _CHUNK)
            ]
            done = [item for f in futures for item in f.result()]
    seconds = time.perf_counter() - t0
    sizes: dict[str, list[int]] = {}
    for folder, size in done:
        sizes.setdefault(folder, []).append(size)
    total = sum(sum(v) for v in sizes.values())
    return {
        "files": n,
        "bytes": total,
        "by_kind": {k: len(v) for k, v in sorted(sizes.items())},
        "profile": profile,
        "seed": seed,
        "mb": total / 1e6,
        "bytes_by_kind": {k: byte_stats(v) for k, v in sorted(sizes.items())},
        "seconds": seconds,
        "mb_per_s": total / 1e6 / seconds if seconds > 0 else 0.0,
    }

"""Reference lists: every entry spelling, split entries, no 'To cite this document'."""

from __future__ import annotations

from helpers import ok, rows
from ingest.parse.shapes.references import parse_list


def test_vendor_style_entries() -> None:
    refs = parse_list(
        [
            "- 1. Pimecrolimus: a review - PubMed [pubmed.ncbi.nlm.nih.gov]",
            "- 2. droracle.ai [droracle.ai]",
            "- 5. Pimecrolimus - StatPearls - NCBI Bookshelf [ncbi.nlm.nih.gov]",
            "",
            "- 16. Tacrolimus Versus Pimecrolimus | Acta Dermato-Venereologica [medicaljournalssweden.se]",
            "- To cite this document: Vendor. [Title]. Available at: [https://example.com/x]",
        ],
        10,
    )
    got = [(r.number, r.title, r.source, r.domain, r.url, r.line) for r in refs]
    assert got == [
        (1, "Pimecrolimus: a review", "PubMed", "pubmed.ncbi.nlm.nih.gov", None, 10),
        (2, "droracle.ai", "droracle.ai", "droracle.ai", None, 11),
        (5, "Pimecrolimus - StatPearls", "NCBI Bookshelf", "ncbi.nlm.nih.gov", None, 12),
        (
            16,
            "Tacrolimus Versus Pimecrolimus",
            "Acta Dermato-Venereologica",
            "medicaljournalssweden.se",
            None,
            14,
        ),
    ]


def test_numbered_entries_with_urls_and_wrapping() -> None:
    refs = parse_list(
        [
            "1. Smith J. A trial of things. Lancet. 2020;1:2-3.",
            "   https://doi.org/10.1000/xyz",
            "2. [Effects of X - PubMed](https://pubmed.ncbi.nlm.nih.gov/123/)",
            "[3] Bracketed entry. Available at: https://example.org/page.",
            "[^4]: Footnote style entry. https://x.org/4",
        ],
        1,
    )
    assert [r.number for r in refs] == [1, 2, 3, 4]
    assert refs[0].url == "https://doi.org/10.1000/xyz" and refs[0].domain == "doi.org"
    assert (refs[1].title, refs[1].source, refs[1].url) == (
        "Effects of X",
        "PubMed",
        "https://pubmed.ncbi.nlm.nih.gov/123/",
    )
    assert refs[2].url == "https://example.org/page" and refs[2].title == "Bracketed entry"


def test_reference_section_rows_and_footnotes_anywhere() -> None:
    text = (
        "# Doc\n\nClaim[^1] and claim[^2].\n\n[^1]: First source. https://a.org/1\n"
        "[^2]: Second source.\n"
    )
    res = ok(text)
    got = [
        (r["ref_number"], r["title"], r["url"], r["cited"], r["line_start"])
        for r in rows(res, "reference_entries")
    ]
    assert got == [
        (1, "First source", "https://a.org/1", True, 5),
        (2, "Second source", None, True, 6),
    ]
    assert all(c["resolved"] for c in rows(res, "citations"))
    assert rows(res, "sections")[0]["text"] == "Claim and claim."


def test_urls_keep_their_balanced_parentheses() -> None:
    refs = parse_list(
        [
            "1. Foo. https://en.wikipedia.org/wiki/Foo_(bar).",
            "2. [Foo (bar)](https://en.wikipedia.org/wiki/Foo_(bar))",
            "3. A trial. Lancet. https://doi.org/10.1016/S0140-6736(20)30183-5",
            "4. Aside (see https://x.org/a).",
        ],
        1,
    )
    assert [r.url for r in refs] == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://doi.org/10.1016/S0140-6736(20)30183-5",
        "https://x.org/a",  # the closing parenthesis is the sentence's, not the URL's
    ]
    assert refs[1].title == "Foo (bar)"


def test_journal_style_entries_split_title_and_journal() -> None:
    refs = parse_list(
        [
            "1. Efficacy of tacrolimus in atopic dermatitis. J Am Acad Dermatol. 2019.",
            "2. Smith J, Doe A. Long-term safety of Z. N Engl J Med. 2018;378(4):345-353.",
            "3. What works? A review. BMJ. 2021.",
            "4. Something happened in 2020. Then more.",  # no journal-and-year tail
        ],
        1,
    )
    got = [(r.title, r.source) for r in refs]
    assert got == [
        ("Efficacy of tacrolimus in atopic dermatitis", "J Am Acad Dermatol"),
        ("Long-term safety of Z", "N Engl J Med"),
        ("What works? A review", "BMJ"),
        ("Something happened in 2020. Then more", None),
    ]

"""Sections, facts, items, rejoined paragraphs, boilerplate and guide metadata lines."""

from __future__ import annotations

from datetime import date

from helpers import ok, rows

GUIDE = """

# A Comparative Guide to Xylomab

**Author:** ChemPharmix Technical Support Team. **Date:** March 2024

## Compound of Interest

Compound Name: *Xylomab hydrate*

Cat. No.: *B1234567*

[Get Quote](#)

Xylomab is compared with alternatives here.

## Mechanism

Xylomab binds the receptor and
blocks signalling.<sup>[1]</sup> The effect persists for the

whole dosing interval in most patients.[2]

[Click to download full resolution via product page](#)

**Need Custom Synthesis?**

ChemPharmix offers custom synthesis for rare compounds.

Email: [info@chempharmix.com](mailto:info@chempharmix.com) or [Request Quote Online](#).

## References

- 1. A paper - PubMed [pubmed.ncbi.nlm.nih.gov]
- 2. b.org [b.org]
- To cite this document: ChemPharmix. [Guide]. Available at: [https://x.com]

---

### Disclaimer & Data Validity:

The information provided in this document is for Research Use Only (RUO).

## ChemPharmix

Our mission is to be the trusted global source of chemicals.

### Contact

Address: 1 Road
Phone: (555) 000-0000
"""


def test_guide_metadata_boilerplate_and_rejoin() -> None:
    res = ok(GUIDE, "guides/x.txt")
    doc = rows(res, "documents")[0]
    assert doc["family"] == "guide"
    assert (doc["author"], doc["published_text"], doc["compound_name"], doc["catalog_number"]) == (
        "ChemPharmix Technical Support Team",
        "March 2024",
        "Xylomab hydrate",
        "B1234567",
    )
    assert doc["published"] == date(2024, 3, 1)  # a month alone is its first day
    assert doc["title"] == "A Comparative Guide to Xylomab"
    headings = [s["heading"] for s in rows(res, "sections")]
    assert headings == [
        "A Comparative Guide to Xylomab",
        "Compound of Interest",
        "Mechanism",
        "References",
    ]
    all_text = "\n".join(s["text"] for s in rows(res, "sections"))
    for junk in (
        "Get Quote",
        "Click to download",
        "Custom Synthesis",
        "info@",
        "To cite",
        "Research Use Only",
        "mission",
        "Phone",
        "Compound Name",
        "Author",
    ):
        assert junk not in all_text, junk
    mech = rows(res, "sections")[2]
    assert mech["text"] == (
        "Xylomab binds the receptor and blocks signalling. The effect persists "
        "for the whole dosing interval in most patients."
    )
    assert [r["rule"] for r in rows(res, "repairs")] == ["rejoin_split_paragraph"]
    assert [r["line_start"] for r in rows(res, "repairs")] == [22]


def test_monograph_heading_tree_facts_and_items() -> None:
    text = (
        "---\ntitle: Drug\nis_banned: false\n---\n## **Usage**\n\n- Used for things.\n"
        "- **Pharmacological Classification:** Statin.\n- **Brand Names**: Foo, Bar\n\n"
        "## **Dosage**\n\n### **Standard Dosage:**\n\n#### **Adults:**\n\n- 5 mg daily.\n"
    )
    res = ok(text)
    secs = [
        (s["section_id"], s["parent_section_id"], s["level"], s["heading"], s["line_start"])
        for s in rows(res, "sections")
    ]
    assert secs == [
        (1, None, 2, "Usage", 5),
        (2, None, 2, "Dosage", 11),
        (3, 2, 3, "Standard Dosage", 13),
        (4, 3, 4, "Adults", 15),
    ]
    facts = [(f["section_id"], f["key"], f["value"]) for f in rows(res, "facts")]
    assert facts == [
        (1, "Pharmacological Classification", "Statin."),
        (1, "Brand Names", "Foo, Bar"),
    ]
    assert rows(res, "sections")[0]["text"] == (
        "Used for things.\nPharmacological Classification: Statin.\nBrand Names: Foo, Bar"
    )
    assert [i["text"] for i in rows(res, "list_items")][-1] == "5 mg daily."
    assert rows(res, "documents")[0]["is_banned"] is False


def test_no_rejoin_after_terminal_punctuation_or_capital() -> None:
    res = ok("# T\n\nEnds here.\n\nlower start stays.\n\nNo stop\n\nCapital start stays.\n")
    assert rows(res, "sections")[0]["text"] == (
        "Ends here.\nlower start stays.\nNo stop\nCapital start stays."
    )
    assert rows(res, "repairs") == []


def test_truncated_description_is_noted() -> None:
    res = ok(
        "---\ntitle: D\ndescription: >-\n  - D is used for things. It is typically c...\n---\n"
    )
    doc = rows(res, "documents")[0]
    assert doc["description"] == "D is used for things. It is typically c..."
    assert doc["description_truncated"] is True
    assert any(w.code == "truncated_description" for w in res.warnings)
    assert "description_list_marker" in {r["rule"] for r in rows(res, "repairs")}


def test_template_and_empty_monograph_are_flagged() -> None:
    res = ok("---\ntitle: T\nfaqs: []\n---\n# {MEDICATION_NAME}\n\n- **Dose**: {DOSE}\n")
    assert "template_placeholders" in {w.code for w in res.warnings}
    res = ok("---\ntitle: Omega-\nis_banned: false\n---\nI cannot write this page.\n")
    assert "no_sections" in {w.code for w in res.warnings}


def test_vendor_furniture_is_recognised_by_its_shape_not_its_phrases() -> None:
    """Calls to action that are only links to nowhere, the short pitch right before one,
    and a contact block under a small heading: phrasings no pattern lists."""
    text = (
        "# Guide\n\n## Results\n\nThe compound was potent [1].\n\n"
        "Looking for bulk quantities?\n\n[Request a Quote](#)\n\n"
        "[**Talk to a scientist**](#) | [Download the brochure](javascript:void(0))\n\n"
        "### Reach our lab\n\nAcme Labs Inc.\n1200 Harbor Boulevard, Suite 4\n"
        "Phone: +1 (555) 010-2000\nsales@acme-labs.example\n\n"
        "## Discussion\n\nQuestions remain? Yes, see [the paper](https://x.org/p).\n\n"
        "- [Back to results](#results)\n"
    )
    secs = {s["heading"]: s["text"] for s in rows(ok(text), "sections")}
    assert secs["Results"] == "The compound was potent."
    assert "Reach our lab" not in secs  # all of it was contact lines
    # A question followed by prose, and a link to a named anchor, are content.
    assert secs["Discussion"].startswith("Questions remain? Yes, see the paper.")
    assert "Back to results" in secs["Discussion"]

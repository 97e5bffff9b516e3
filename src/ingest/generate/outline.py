"""Fixed outline text that the small and the realistic writers both emit.

The realistic writers grew out of the small ones and keep the seed documents' skeleton:
a guide's vendor header, promotion block and footer, a monograph's FAQ section and the
paragraph split by a page break.  That text is written once, here.  These helpers draw
nothing from an rng: every random value is passed in, drawn by the caller at the same
point as before the helpers existed, so each profile's draw order (and bytes) is kept.
"""

from __future__ import annotations


def _yaml_block(text: str, indent: int) -> str:
    """``text`` as a folded (``>-``) YAML block scalar indented by ``indent``."""
    pad = " " * indent
    return ">-\n" + "\n".join(pad + ln if ln else "" for ln in text.split("\n"))


# -- monographs ----------------------------------------------------------------------------
def _faq_section(pairs: list[tuple[str, str]]) -> list[str]:
    """The body's FAQ section: numbered bold questions, each with its ``**A:**`` answer."""
    out = ["## **FAQs (Frequently Asked Questions)**", ""]
    for k, (q, a) in enumerate(pairs, start=1):
        out += [f"### **Q{k}: {q}**", f"**A:** {a}", ""]
    return out


def _page_break(drug: str, cond: str) -> list[str]:
    """A paragraph split in two by a page break (the parser must join it again)."""
    return [
        f"Monitoring of {drug} should continue while the",
        "",
        f"patient remains on therapy for {cond}.",
        "",
    ]


# -- guides --------------------------------------------------------------------------------
def _guide_head(drug: str, cond: str, i: int, vendor: str, date: str, cat: str) -> list[str]:
    """Title, author line and the vendor's compound box that open every guide."""
    return [
        "",
        "",
        f"# Evaluating {drug} in {cond.title()}: A Comparative Guide ({i})",
        "",
        f"**Author:** {vendor} Technical Support Team. **Date:** {date}",
        "",
        "## Compound of Interest",
        "",
        f"Compound Name: *{drug} hydrate*",
        "",
        f"Cat. No.: *{cat}*",
        "",
        "[Get Quote](#)",
        "",
    ]


def _pathway(drug: str, cond: str, cite: str) -> list[str]:
    """The "Signaling Pathway" paragraph, split by a page break after its first line."""
    return [
        f"**Signaling Pathway:** {drug} inhibits the pathway,",
        "",
        f"which lowers cytokine release in {cond}.{cite}",
        "",
    ]


def _vendor_promo(vendor: str) -> list[str]:
    """The vendor's promotion block before the reference list, and its heading."""
    return [
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


def _vendor_footer(vendor: str, drug: str, cat: str, street: int, phone: int) -> list[str]:
    """The vendor page's tail after the references: cite-this line, disclaimer, contact."""
    return [
        f"- To cite this document: {vendor}. [{drug}]. Available at: "
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
        f"Address: {street} Example Road  ",
        f"Phone: (555) {phone}-0100",
    ]

"""The html family: a plain HTML page read by its own family module, rows through the
same walk, passes and row builders as Markdown.  Expectations written by hand."""

from __future__ import annotations

from pathlib import Path

from helpers import ok, rows

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Warfarin - Clinical Notes</title>
  <meta name="description" content="Dosing and interactions of warfarin.">
  <script>var tracker = "do not index";</script>
  <style>p { color: red }</style>
</head>
<body>
<!-- analytics -->
<nav><a href="/">Home</a> | <a href="/drugs">Drugs</a></nav>
<main>
<h1>Warfarin</h1>
<p>Warfarin is an anticoagulant that inhibits vitamin K epoxide reductase [1].</p>
<h2>Interactions</h2>
<ul>
  <li>Amiodarone raises the INR</li>
  <li>Rifampicin lowers it
    <ul><li>within a week</li></ul>
  </li>
</ul>
<table>
  <tr><th>Drug</th><th>Effect</th></tr>
  <tr><td>Amiodarone</td><td>INR up [2]</td></tr>
  <tr><td>Rifampicin</td><td>INR down</td></tr>
</table>
<p><a href="/signup">Sign up for our newsletter</a></p>
<h2>Dosing</h2>
<p>Start at 5 mg daily and adjust to the INR.</p>
</main>
<footer>Copyright 2026 Example Pharmacy, 1 Main Street</footer>
</body>
</html>
"""


def test_page_becomes_sections_items_tables_and_citations() -> None:
    res = ok(PAGE, "notes/warfarin.html")
    assert res.family == "html"
    doc = rows(res, "documents")[0]
    assert doc["title"] == "Warfarin - Clinical Notes"
    assert doc["description"] == "Dosing and interactions of warfarin."
    secs = rows(res, "sections")
    assert [(s["level"], s["heading"]) for s in secs] == [
        (1, "Warfarin"),
        (2, "Interactions"),
        (2, "Dosing"),
    ]
    assert [s["line_start"] for s in secs] == [13, 15, 28]
    assert secs[0]["text"].startswith("Warfarin is an anticoagulant that inhibits")
    assert secs[2]["text"] == "Start at 5 mg daily and adjust to the INR."
    items = rows(res, "list_items")
    assert [(i["depth"], i["text"]) for i in items] == [
        (0, "Amiodarone raises the INR"),
        (0, "Rifampicin lowers it"),
        (1, "within a week"),
    ]
    cells = [c["text"] for c in rows(res, "table_cells")]
    assert cells == ["Amiodarone", "INR up", "Rifampicin", "INR down"]
    cites = rows(res, "citations")
    assert [(c["ref_number"], c["section_id"], c["table_id"]) for c in cites] == [
        (1, 1, None),
        (2, None, 1),
    ]


def test_furniture_goes_by_structure() -> None:
    res = ok(PAGE, "notes/warfarin.html")
    text = " ".join(s["text"] for s in rows(res, "sections"))
    for furniture in ("tracker", "color: red", "analytics", "Home", "newsletter", "Copyright"):
        assert furniture not in text


def test_markdown_with_html_blocks_stays_markdown() -> None:
    md = "# Title\n\n<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>\n"
    res = ok(md, "doc.md")
    assert res.family != "html"
    assert len(rows(res, "doc_tables")) == 1


def test_layout_table_is_unwrapped_not_read_as_data() -> None:
    page = (
        "<html><body><table><tr><td><h1>Drug X</h1></td><td>print</td></tr></table>"
        "<p>Body text of the page about drug X.</p></body></html>"
    )
    res = ok(page, "x.html")
    assert rows(res, "doc_tables") == []
    assert [s["heading"] for s in rows(res, "sections")] == ["Drug X"]


def test_real_saved_page(real_corpus: Path) -> None:
    """A French summary of product characteristics saved from a public site
    (windows-1252, site navigation around the monograph, numbered titles set as
    styled paragraphs)."""
    path = real_corpus / "scossin__FrenchSPC/HTML_SPC_DOWNLOADED__69235513.html"
    res = ok(path.read_bytes(), "spc.html")
    assert res.family == "html"
    secs = {s["heading"]: s for s in rows(res, "sections")}
    indications = secs["4.1. Indications thérapeutiques"]
    assert indications["level"] == 2
    assert (
        secs[next(h for h in secs if h.startswith("4. DONNEES CLINIQUES"))]["section_id"]
        == indications["parent_section_id"]
    )
    assert "Traitement de la goutte" in indications["text"]
    assert "4.9. Surdosage" in secs and "6.1. Liste des excipients" in secs
    text = " ".join(s["text"] for s in secs.values())
    assert "document.write" not in text and "Google Analytics" not in text
    tables = rows(res, "doc_tables")
    assert any("Clairance de la créatinine" in t["columns"] for t in tables)

"""Every real public document is either parsed or rejected with a structured error."""

from __future__ import annotations

from pathlib import Path

from ingest.batch import process_batch
from ingest.discover import discover
from ingest.selection import Selection

# Files of the real corpus that are genuinely broken, and why.
EXPECTED_ERRORS = {
    "victor-muzi__victor-muzi.github.io/_posts__2022-01-01-psychedelics-overview@53d7e5a.md": "yaml_syntax",
}


def test_every_real_file_parses_or_fails_cleanly(real_corpus: Path) -> None:
    # Every file, not only the document types a run takes by default (the .bib, .toml
    # and MANIFEST.tsv too): none may crash the parser.
    files = discover([real_corpus], Selection(include=["*"]))
    assert len(files) > 50
    res = process_batch(files, "test", to_arrow=False)
    errors = {o.source_path: o.error.code for o in res.outcomes if o.error}
    assert all(code != "internal_error" for code in errors.values()), errors
    assert errors == EXPECTED_ERRORS
    loaded = {o.source_path for o in res.outcomes if not o.error}
    n_docs = len(res.tables["documents"])
    assert n_docs == len(loaded) == len(files) - len(errors)


def test_hard_cases_come_out_right(real_corpus: Path) -> None:
    from ingest.document import process_file

    def load(rel: str):
        r = process_file(real_corpus / rel, rel)
        assert r.error is None, r.error
        return r

    # windows-1252 HTML with mixed line endings
    spc = load("scossin__FrenchSPC/HTML_SPC_DOWNLOADED__69235513.html")
    assert spc.rows["documents"][0]["encoding"] == "windows-1252"
    # inline <sup>+</sup> is chemistry, not a citation
    tena = load("RxHive__RxHive.github.io/composition__t__tenatoprazole.md")
    assert tena.rows["citations"] == []
    # real tab-separated tables with empty cells
    tsv = load("ErickCastilloVargas__Castillo-Vargas-Erick-Marcos-PEC1/metadatos_ST000291.md")
    assert {t["format"] for t in tsv.rows["doc_tables"]} == {"tsv"}
    assert any(c["text"] == "" for c in tsv.rows["table_cells"])
    # citation ranges and lists in a 276 KB review
    rv = load(
        "shah0006__CitationSculptor/test_samples__Right Ventricular Dilation in Previously "
        "Athletic Individuals Distinguishing Physiologic Adaptation from Pathology.md"
    )
    nums = {c["ref_number"] for c in rv.rows["citations"]}
    assert {90, 91, 92, 11, 12} <= nums
    # front matter only
    sema = load("richkuo__stillnatty/src__content__peptides__semaglutide.md")
    assert sema.rows["documents"][0]["title"] and sema.rows["sections"] == []
    # timestamps are not citations
    for f in (real_corpus / "sieve-data__tubegraph").glob("*.md"):
        r = load(f"sieve-data__tubegraph/{f.name}")
        assert all(c["ref_number"] < 1000 for c in r.rows["citations"])

"""Validation: a document with any invalid row is quarantined whole; the batch goes on."""

from __future__ import annotations

from helpers import ok
from ingest.validate import validate_batch


def _doc(name: str, question: str = "Why?") -> object:
    return ok(
        f"---\ntitle: {name}\nfaqs:\n  - q: '{question}'\n    a: 'Yes.'\n---\n## Use\n\n- x\n",
        f"{name}.md",
    )


def test_invalid_document_quarantined_whole_others_load() -> None:
    good, bad_doc, other = _doc("a"), _doc("b"), _doc("c")
    bad_doc.rows["faqs"][0]["question"] = "**no question mark"
    bad_doc.rows["sections"][0]["level"] = 9
    frames = validate_batch([good, bad_doc, other], "run1")
    assert bad_doc.error is not None and bad_doc.error.code == "schema_violation"
    assert bad_doc.error.stage == "validate"
    msg = bad_doc.error.message
    assert "faqs.question" in msg and "sections.level" in msg and len(msg) <= 2000
    assert good.error is None and other.error is None
    for name, df in frames.items():
        assert bad_doc.doc_id not in set(df["doc_id"]), name
    assert set(frames["documents"]["doc_id"]) == {good.doc_id, other.doc_id}
    assert len(frames["sections"]) == 2 and set(frames["documents"]["run_id"]) == {"run1"}


def test_failure_message_is_bounded() -> None:
    docs = [_doc("x")]
    docs[0].rows["list_items"] = [
        dict(docs[0].rows["list_items"][0], position=0, text="y" * 10_000)
    ] * 5000
    validate_batch(docs, "r")
    assert docs[0].error is not None and len(docs[0].error.message) <= 2000

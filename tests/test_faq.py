"""FAQ repair: one test per malformation, the body spellings, and reconciliation."""

from __future__ import annotations

import pytest

from helpers import ok, rows
from ingest.parse.shapes import faq


def _fm(q: str, a: str | None) -> str:
    a_line = "" if a is None else f"    a: {a}\n"
    return f"---\ntitle: Drug\nfaqs:\n  - q: {q}\n{a_line}---\n"


SEED_Q = ">-\n      Is it safe?**\n\n      **A:** Yes, mostly.\n"


@pytest.mark.parametrize(
    ("q", "a", "rules"),
    [
        (SEED_Q, "'A:** Yes, mostly.'", {"q_embedded_answer", "a_prefix"}),
        ("'Is it safe? **A:** Yes, mostly.'", "''", {"q_embedded_answer", "a_from_question"}),
        ("'**Q: Is it safe?**'", "'**A:** Yes, mostly.'", {"q_prefix_or_wrapper", "a_prefix"}),
        ("'Is it safe?'", "'A: Yes, mostly.'", {"a_prefix"}),
        ("'Is it safe?   '", "'Yes,   mostly.  '", {"whitespace"}),
        ("'Is it safe'", "'Yes, mostly.'", {"q_add_question_mark"}),
        ("'Is it safe?**'", "'Yes, mostly.'", {"q_stray_markup"}),
    ],
)
def test_front_matter_malformations(q: str, a: str, rules: set[str]) -> None:
    res = ok(_fm(q, a) + "# Drug\n")
    (row,) = rows(res, "faqs")
    assert row["question"] == "Is it safe?"
    assert row["answer"] == "Yes, mostly."
    assert row["origin"] == "front_matter"
    got = {r["rule"] for r in rows(res, "repairs")}
    assert rules <= got, got
    for r in rows(res, "repairs"):
        assert r["field"].startswith("faqs[0]") and r["before"] != r["after"]


def test_missing_answer_recovered_from_body() -> None:
    text = _fm("'How long can it be used?'", None) + (
        "## FAQs\n\n### **Q1: How long can it be used?**\n**A:** Up to 6 weeks.\n"
    )
    res = ok(text)
    (row,) = rows(res, "faqs")
    assert (row["answer"], row["origin"], row["line_start"]) == ("Up to 6 weeks.", "both", 8)
    assert "a_from_body" in {r["rule"] for r in rows(res, "repairs")}


def test_no_answer_anywhere_is_kept_with_warning() -> None:
    res = ok(_fm("'Orphan question?'", "''") + "# D\n")
    (row,) = rows(res, "faqs")
    assert row["answer"] is None
    assert any(w.code == "faq_missing_answer" for w in res.warnings)


def test_body_only_questions_and_duplicates() -> None:
    text = _fm("'Is it safe?'", "'Yes.'") + (
        "## **FAQs (Frequently Asked Questions)**\n\n"
        "### **Q1: Is it safe?**\n**A:** Yes.\n\n"
        "### **Q2:  Can I drive?**\n**A:** Not on day one.\n\n"
        "### **Q3: Can I drive?**\n**A:** Not on day one.\n"
    )
    res = ok(text)
    got = [(r["question"], r["answer"], r["origin"]) for r in rows(res, "faqs")]
    assert got == [("Is it safe?", "Yes.", "both"), ("Can I drive?", "Not on day one.", "body")]


@pytest.mark.parametrize(
    "body",
    [
        "## FAQs\n\n* **Q: Can I drive?** A: Not on day one.\n",
        "## FAQs\n\n* **Q: Can I drive?**\n    * **A:** Not on day one.\n",
        "## FAQs\n\n**Q: Can I drive?**\n\nA: Not on day one.\n",
        "## FAQs\n\n* **Can I drive?** Not on day one.\n",
        "## Frequently Asked Questions\n\n**Q: Can I drive?**\n\nNot on day one.\n",
    ],
)
def test_body_faq_spellings(body: str) -> None:
    res = ok("# Drug\n\n" + body)
    got = [(r["question"], r["answer"], r["origin"]) for r in rows(res, "faqs")]
    assert got == [("Can I drive?", "Not on day one.", "body")]


def test_clean_output_has_no_markup_or_labels() -> None:
    q, emb = faq.repair_question("**Q: Why  now**\n\n**A:** because", "f", [])
    assert (q, emb) == ("Why now?", "because")
    assert faq.repair_answer("**A:**  fine  **", "f", []) == "fine"


def test_emphasised_answers_lose_their_label_and_a_trailing_disclaimer_is_not_an_answer() -> None:
    text = (
        "---\ntitle: T\nfaq:\n  - q: What is it?\n    a: '*A: It is a drug.*'\n---\n\n"
        "# T\n\n## FAQ\n\n### What is the dose?\n\n*A: Take one tablet daily.*\n\n"
        "With food.\n\n### Is it safe?\n\n_A: Mostly, yes._\n\n"
        "Disclaimer: this page is not medical advice.\n"
    )
    got = [(f["question"], f["answer"]) for f in rows(ok(text), "faqs")]
    assert got == [
        ("What is it?", "It is a drug."),
        ("What is the dose?", "Take one tablet daily. With food."),  # a second paragraph
        ("Is it safe?", "Mostly, yes."),  # the disclaimer after the list is not glued on
    ]

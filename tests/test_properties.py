"""Hypothesis: no input makes a stage raise; failures are always structured issues."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.document import process_bytes
from ingest.errors import Issue

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_TOKENS = [
    *list("abc XYZ019\n\t#*-_|[]()<>!:;.,?&^\\`'\"{}+=~/"),
    "---",
    "+++",
    "**Q:",
    "**A:**",
    "<sup>[1]</sup>",
    "[2-4]",
    "<table>",
    "<tr><td>",
    "</td></tr>",
    "</table>",
    "\r\n",
    "\ufeff",
    "\u00e9",
    "```",
    "## ",
    "- 1. ",
    "\n\n",
    "[^1]: ",
]
MARKDOWNISH = st.lists(st.sampled_from(_TOKENS), max_size=150).map("".join)


def _check(data: bytes) -> None:
    res = process_bytes(data, "p.md")
    if res.error is not None:
        assert isinstance(res.error, Issue)
        assert res.error.code != "internal_error", res.error
        assert res.error.message
    else:
        assert res.rows["documents"][0]["doc_id"] == res.doc_id


@SETTINGS
@given(MARKDOWNISH)
def test_arbitrary_markdownish_text(text: str) -> None:
    _check(text.encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=12,
)
_FAQS = st.lists(
    st.fixed_dictionaries(
        {
            "q": st.one_of(st.text(max_size=60), st.none()),
            "a": st.one_of(st.text(max_size=60), st.none(), st.integers()),
        }
    ),
    max_size=4,
)


@SETTINGS
@given(st.dictionaries(st.text(max_size=10), _VALUES, max_size=6), _FAQS, MARKDOWNISH)
def test_arbitrary_front_matter(meta: dict, faqs: list, body: str) -> None:
    meta = dict(meta)
    meta["faqs"] = faqs
    fm = yaml.safe_dump(meta, allow_unicode=True)
    _check(f"---\n{fm}---\n{body}".encode())


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_raw_front_matter_text(fm: str) -> None:
    _check(f"---\n{fm}\n---\nbody\n".encode())


def test_parser_panic_falls_back_to_pure_python(monkeypatch) -> None:
    """A panic in the Rust parser must not escape: the document is parsed by the
    pure-Python parser and a warning says so."""
    from ingest.parse.read import blocks

    class PanicException(BaseException):  # the name pyo3 gives Rust panics
        pass

    def boom(self):
        raise PanicException("index out of bounds")

    monkeypatch.setattr(blocks._Walker, "run", boom)
    res = process_bytes(b"# Title\n\nSome text [1].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "p.md")
    assert res.error is None
    assert [w.code for w in res.warnings][:1] == ["parser_fallback"]
    assert res.rows["sections"][0]["heading"] == "Title"
    assert len(res.rows["table_cells"]) == 2

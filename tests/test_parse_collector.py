"""The cyclic garbage collector is paused for one document's parse, and nothing leaks.

:mod:`ingest.parse.collector` turns the collector off while a document is parsed;
these check that the caller gets its collector back as it was (also when a document
fails), and that the parse leaves no reference cycles behind, the BeautifulSoup trees
of an HTML page or of an HTML table outside the fast reader's subset included (which
would otherwise stay in memory until the collector next runs).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ingest.document import process_bytes

MARKDOWN = (
    "---\ntitle: T\n---\n\n# Title\n\nProse [1].\n\n- item\n  1. nested\n\n> quoted\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n## References\n\n1. A source.\n"
)
# An HTML table with an omitted </td>: read by BeautifulSoup
SOUP = MARKDOWN + "\n<table><tr><td>a<td>b</tr></table>\n"
PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Page</title></head><body><main>"
    "<h1>Page</h1><p>Text.</p><table><tr><th>k</th><th>v</th></tr>"
    "<tr><td>a</td><td>1</td></tr></table></main></body></html>\n"
)


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector off (as a parse worker has it while it parses), back on after."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert process_bytes(MARKDOWN.encode(), "doc.md").ok
        assert gc.isenabled() is enabled
        assert process_bytes(b"\xff\xfe\x00binary\x00", "bad.md").error is not None
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize(
    ("text", "name"), [(MARKDOWN, "doc.md"), (SOUP, "soup.md"), (PAGE, "page.html")]
)
def test_a_parse_leaves_no_reference_cycles(text: str, name: str, collector_off: None) -> None:
    res = process_bytes(text.encode(), name)
    assert res.ok and res.rows["doc_tables"], res.error
    del res
    assert _cyclic_garbage_of_the_parse() == []


# Whose objects count: a parse's own and its libraries'. Under pytest-xdist the worker's
# messaging thread makes cyclic garbage of its own while a test runs.
_PARSE_PACKAGES = {"ingest", "bs4", "yaml", "frontmatter", "markdown_it", "markdown_it_pyrs"}


def _cyclic_garbage_of_the_parse() -> list[str]:
    """Objects of the parse found unreachable only through cycles, by type name."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = []
        for obj in gc.garbage:
            module = getattr(obj, "__module__", None) or type(obj).__module__
            if isinstance(module, str) and module.split(".")[0] in _PARSE_PACKAGES:
                found.append(f"{type(obj).__module__}.{type(obj).__qualname__}")
        return found
    finally:
        gc.set_debug(0)
        gc.garbage.clear()

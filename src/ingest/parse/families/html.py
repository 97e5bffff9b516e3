"""Plain HTML pages (a saved web page, an exported article): a family that reads its
own format.

The page is parsed with BeautifulSoup and turned into the same blocks the Markdown
reader makes, so the walk, the passes and the rows are shared: ``h1``-``h6`` and
numbered titles (``4.1. Indications``) set in their own paragraph style become
headings, ``p``/``li``/``dt``/``dd``/``pre`` and loose text become paragraphs and
items, and data tables stay HTML blocks for the table reader.  Page furniture goes by
structure, not by wording: scripts, styles, forms, ``nav``/``header``/``footer``/
``aside``, and tables used for layout (one row, or holding headings) are unwrapped
rather than read as data.  ``<title>`` and the description meta tag stand in for front
matter.  Each block keeps its source line.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from .. import collector
from ..read.blocks import Block

if TYPE_CHECKING:
    from ..model import Document

NAME = "html"
RANK = 30
COLUMNS: tuple[str, ...] = ()

_PAGE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.I | re.S)
_FURNITURE = ["script", "style", "noscript", "template", "nav", "header", "footer"]
_FURNITURE += ["aside", "form", "iframe", "svg", "button", "select", "head"]
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAVES = {"p": "para", "li": "item", "dt": "para", "dd": "para", "pre": "para"}
_INLINE = {"a", "abbr", "b", "br", "cite", "code", "em", "font", "i", "img", "small"}
_INLINE |= {"span", "strong", "sub", "sup", "u", "mark", "q", "s", "time", "var"}
_NUMBERED_TITLE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+\S")
_TITLE_MAX = 120


def detect(doc: Document) -> int:
    """Certain when this family read the page, else not at all."""
    return 100 if doc.reader == NAME else 0


def columns(doc: Document) -> dict[str, Any]:
    """No columns of its own."""
    return {}


def blocks(doc: Document) -> list[Block] | None:
    """Blocks of an HTML page; None for anything else (Markdown may hold HTML blocks)."""
    if not _PAGE.match(doc.body[:4096]):
        return None
    try:
        return _blocks(doc, BeautifulSoup(doc.body, "html.parser"))
    finally:
        collector.collect_dropped()  # the tree is a web of cycles


def _blocks(doc: Document, soup: BeautifulSoup) -> list[Block]:
    _front_matter(doc, soup)
    root = soup.find("main") or soup.find("article") or soup.find("body") or soup
    assert isinstance(root, Tag)
    for tag in root.find_all(_FURNITURE):
        tag.decompose()
    reader = _Reader(doc.body_line, _body_style(root))
    reader.container(root, 0)
    reader.flush()
    return reader.out


def _front_matter(doc: Document, soup: BeautifulSoup) -> None:
    """``<title>`` and ``<meta name=description>`` as the page's front matter."""
    title = soup.find("title")
    if title is not None and title.get_text(strip=True):
        doc.meta.setdefault("title", " ".join(title.get_text().split()))
    for meta in soup.find_all("meta"):
        if str(meta.get("name", "")).lower() == "description" and meta.get("content"):
            doc.meta.setdefault("description", str(meta["content"]))


def _body_style(root: Tag) -> str:
    """The paragraph class most paragraphs use: body text, never a title."""
    styles = Counter(" ".join(p.get("class") or []) for p in root.find_all("p"))
    return styles.most_common(1)[0][0] if styles else ""


class _Reader:
    """Turns a page's elements into blocks, in document order."""

    def __init__(self, first_line: int, body_style: str) -> None:
        self.first_line = first_line
        self.body_style = body_style
        self.out: list[Block] = []
        self.loose: list[str] = []  # inline text between blocks
        self.loose_links = 0  # characters of that text inside links
        self.loose_line = 0

    def line(self, el: Tag) -> int:
        return self.first_line + (el.sourceline or 1) - 1

    def container(self, el: Tag, depth: int) -> None:
        for child in el.children:
            if isinstance(child, PreformattedString):
                continue  # comments, doctype, CDATA, processing instructions
            if isinstance(child, NavigableString):
                self.inline(str(child), el)
            elif isinstance(child, Tag):
                self.element(child, depth)

    def element(self, el: Tag, depth: int) -> None:
        name = el.name
        if name in _INLINE:
            self.inline(el.get_text(" "), el, linked=name == "a" and el.has_attr("href"))
        elif name in _HEADINGS:
            self.emit("heading", el, _HEADINGS[name])
        elif name == "table" and _data_table(el):
            self.flush()
            self.out.append(Block("html", self.line(el), self.line(el), text=str(el)))
        elif name in _LEAVES:
            self.leaf(el, depth)
        else:
            self.flush()
            self.container(el, depth + (name in ("ul", "ol")))
            self.flush()

    def leaf(self, el: Tag, depth: int) -> None:
        nested = [t.extract() for t in el.find_all(["ul", "ol", "table"])]
        text = " ".join(el.get_text(" ").split())
        level = _numbered_level(text) if el.name == "p" else 0
        if level and " ".join(el.get("class") or []) != self.body_style:
            self.emit("heading", el, level, text)
        else:
            self.emit(_LEAVES[el.name], el, max(depth - 1, 0), text)
        for t in nested:
            self.element(t, depth)

    def inline(self, text: str, el: Tag, linked: bool = False) -> None:
        if text.strip():
            if not self.loose:
                self.loose_line = self.line(el)
            self.loose.append(text)
            self.loose_links += len(text.strip()) if linked else 0

    def flush(self) -> None:
        text = " ".join(" ".join(self.loose).split())
        if text:
            block = Block("para", self.loose_line, self.loose_line, text=text)
            block.furniture = _link_dense(self.loose_links, text)
            self.out.append(block)
        self.loose, self.loose_links = [], 0

    def emit(self, kind: str, el: Tag, level: int, text: str | None = None) -> None:
        self.flush()
        text = " ".join(el.get_text(" ").split()) if text is None else text
        if text:
            line = self.line(el)
            block = Block(kind, line, line, text=text, level=level)
            if kind != "heading":
                linked = sum(len(a.get_text(strip=True)) for a in el.find_all("a", href=True))
                block.furniture = _link_dense(linked, text)
            self.out.append(block)


def _data_table(table: Tag) -> bool:
    """A table holding data: two rows or more, and no headings (layout tables hold
    page furniture and titles, and are read as the blocks they contain)."""
    return len(table.find_all("tr")) >= 2 and table.find(list(_HEADINGS)) is None


def _link_dense(linked: int, text: str) -> bool:
    """Text that is mostly link text (a menu, a breadcrumb, "back to top") is page
    furniture, as in a Markdown page's link-only call-to-action lines."""
    letters = sum(1 for ch in text if ch.isalnum())
    return linked > 0 and linked >= 0.8 * max(letters, 1)


def _numbered_level(text: str) -> int:
    """Heading level of a short numbered title (``4.1. Indications`` -> 2), else 0."""
    m = _NUMBERED_TITLE.match(text)
    if m is None or len(text) > _TITLE_MAX:
        return 0
    return m.group(1).count(".") + 1

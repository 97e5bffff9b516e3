"""Stage 3, block structure: Markdown body to a flat list of blocks with source lines.

markdown-it-pyrs (the Rust port of markdown-it: CommonMark + GFM tables, raw HTML
allowed) does the block parse; every node carries its source span, which we turn
into 1-based file lines.  It parses about four times faster than markdown-it-py
with the same rules, and parsing is the largest share of our per-document time.

We keep each block's *raw* inline source rather than rendered text: citation
markers must be found in the raw text before any rendering, and
:mod:`ingest.parse.shapes.clean` strips inline markup.  The flat list (instead of a tree) is
what the extractors want: one pass, each block knowing its heading level, list
depth and blockquote depth.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, count
from operator import add
from typing import Any

from markdown_it_pyrs import MarkdownIt

# Obsidian wiki-links may hold a bare "|" ([[Page | alias]]) that would split a
# table cell; escape it so the table parser keeps the link whole.
_WIKI_PIPE = re.compile(r"\[\[([^\]\n|]*)\|([^\]\n]*)\]\]")
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*")
_BLOCK_NODES = frozenset(
    {
        "heading",
        "lheading",
        "paragraph",
        "bullet_list",
        "ordered_list",
        "list_item",
        "blockquote",
        "table",
        "html_block",
        "code_block",
        "fence",
        "hr",
        "definition",
        "footnote_definition",
    }
)

# Nodes whose children are blocks themselves (walked by ``_Walker.container``).
_CONTAINER_NODES = frozenset({"bullet_list", "ordered_list", "list_item", "blockquote"})


@dataclass(slots=True)
class Block:
    """One block of a document with its source lines (see the module docstring)."""

    kind: str  # heading | para | item | table | html | code | hr
    line: int  # 1-based first line in the original file
    end: int  # 1-based last line (inclusive)
    text: str = ""  # raw inline source (heading, para, item), HTML or code
    level: int = 0  # heading level, or list depth for items
    number: int | None = None  # ordered-list number of an item
    quote: int = 0  # blockquote depth
    rows: list[list[str]] = field(default_factory=list)  # pipe table cells, header first
    furniture: bool = False  # vendor page furniture, by its shape (ingest.parse.shapes.boilerplate)


_BLOCK_RULES: list[Any] = [
    "blockquote",
    "code",
    "fence",
    "heading",
    "lheading",
    "hr",
    "list",
    "paragraph",
    "reference",
    "html_block",
    "table",
]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Block rules only: inline text stays raw (see the module docstring), which is
    # faster and keeps the inline rules' edge cases out of the parse entirely.
    return MarkdownIt("zero").enable_many(_BLOCK_RULES)


def parse_blocks(body: str, first_line: int = 1) -> tuple[list[Block], bool]:
    """Blocks of ``body`` (``first_line`` is the file line the body starts on), and
    whether the pure-Python fallback parser had to be used."""
    if "[[" in body and "|" in body:
        body = _WIKI_PIPE.sub(r"[[\1\\|\2]]", body)
    try:
        return _Walker(body, first_line).run(), False
    except BaseException as exc:  # a Rust panic surfaces as a BaseException subclass
        if type(exc).__name__ != "PanicException":
            raise
        return _fallback_blocks(body, first_line), True


class _Walker:
    """Turns markdown-it-pyrs's tree into blocks.  Every attribute of a Rust node is
    built anew on each access and every Python call counts at ~700 nodes a document,
    so each node's attributes are read once and a block costs one or two calls."""

    def __init__(self, body: str, first_line: int) -> None:
        self.ascii = body.isascii()  # byte offsets are character offsets
        self.data = b"" if self.ascii else body.encode("utf-8")
        self.body = body
        self.first_line = first_line
        # Byte offset of every newline: the n-th ends line n, whose offset is the
        # lengths of lines 0..n plus n newlines (summed in C, not a loop of finds).
        lines = body.split("\n") if self.ascii else self.data.split(b"\n")
        lines.pop()
        self.newlines: list[int] = list(map(add, accumulate(map(len, lines)), count()))
        self.out: list[Block] = []

    def run(self) -> list[Block]:
        self.visit(_parser().tree(self.body), 0, 0)
        return self.out

    def lines(self, s: int, e: int) -> tuple[int, int]:
        """First and last file line of the byte span ``s:e``."""
        first, newlines = self.first_line, self.newlines
        return first + bisect_left(newlines, s), first + bisect_left(
            newlines, e - 1 if e > s else s
        )

    def raw(self, start: int, end: int) -> str:
        if self.ascii:
            return self.body[start:end]
        return self.data[start:end].decode("utf-8", "replace")

    def rows(self, table: Any) -> list[list[str]]:
        """A pipe table's cells, raw, header row first (each node's ``srcmap`` is read
        once: the Rust nodes build the tuple on every access)."""
        if self.ascii:  # slices of the text itself, without a call per cell
            body = self.body
            return [
                [body[span[0] : span[1]] if (span := c.srcmap) else "" for c in row.children]
                for section in table.children
                for row in section.children
            ]
        data = self.data
        return [
            [
                data[span[0] : span[1]].decode("utf-8", "replace") if (span := c.srcmap) else ""
                for c in row.children
            ]
            for section in table.children
            for row in section.children
        ]

    def inline(self, nodes: Sequence[Any], quote: int, nested: bool) -> str:
        """The raw source from the first inline node to the last (see :meth:`unprefixed`)."""
        if len(nodes) == 1:  # the usual case: one text node
            span = nodes[0].srcmap
            if not span:
                return ""
            s, e = span
        else:
            spans = [span for n in nodes if (span := n.srcmap)]
            if not spans:
                return ""
            s, e = spans[0][0], spans[-1][1]
        text = self.body[s:e] if self.ascii else self.data[s:e].decode("utf-8", "replace")
        if (quote or nested) and "\n" in text:
            return _unprefixed(text, quote)
        return text

    def visit(self, node: Any, depth: int, quote: int, number: int | None = None) -> None:
        children = node.children
        i, n = 0, len(children)
        while i < n:
            child = children[i]
            name = child.name  # (each access builds a new string)
            if name in _CONTAINER_NODES:
                self.container(child, name, depth, quote, number)
            elif name in _BLOCK_NODES:
                leaf = _LEAVES.get(name)  # other block kinds make no block
                if leaf is not None:
                    leaf(self, child, depth, quote, number)
            else:  # an inline run directly inside a (tight) list item
                j = i + 1
                while j < n and children[j].name not in _BLOCK_NODES:
                    j += 1
                if self.inline_run(children[i:j], depth, quote, number):
                    number = None
                i = j
                continue
            number = None
            i += 1

    def inline_run(self, nodes: Sequence[Any], depth: int, quote: int, number: int | None) -> bool:
        """A list item's text written without a paragraph: one block, if not empty."""
        text = self.inline(nodes, quote, depth > 0)
        if not text:
            return False
        s = nodes[0].srcmap or (0, 0)
        e = nodes[-1].srcmap or s
        line, end = self.lines(s[0], e[1])
        kind = "item" if depth else "para"
        self.out.append(Block(kind, line, end, text, depth, number, quote))
        return True

    def container(self, node: Any, name: str, depth: int, quote: int, number: int | None) -> None:
        """Walk into a list, list item or block quote: its children become blocks one
        level deeper (lists raise ``depth``, quotes raise ``quote``; an ordered list
        numbers its items from its ``start``)."""
        if name == "bullet_list":
            for item in node.children:
                self.visit(item, depth + 1, quote)
        elif name == "ordered_list":
            start = int(node.meta.get("start", 1))
            for k, item in enumerate(node.children):
                self.visit(item, depth + 1, quote, start + k)
        elif name == "list_item":
            self.visit(node, depth, quote, number)
        else:  # blockquote
            self.visit(node, depth, quote + 1)

    # -- the leaves: one block each --------------------------------------------------
    def heading(self, node: Any, depth: int, quote: int, number: int | None) -> None:
        line, end = self.lines(*(node.srcmap or (0, 0)))
        text = self.inline(node.children, quote, False)
        level = int(node.meta.get("level", 1))
        self.out.append(Block("heading", line, end, text, level, None, quote))

    def paragraph(self, node: Any, depth: int, quote: int, number: int | None) -> None:
        line, end = self.lines(*(node.srcmap or (0, 0)))
        text = self.inline(node.children, quote, depth > 0)
        self.out.append(Block("item" if depth else "para", line, end, text, depth, number, quote))

    def table(self, node: Any, depth: int, quote: int, number: int | None) -> None:
        line, end = self.lines(*(node.srcmap or (0, 0)))
        self.out.append(Block("table", line, end, "", depth, None, quote, self.rows(node)))

    def content(self, node: Any, depth: int, quote: int, number: int | None) -> None:
        """An HTML block or code (indented or fenced), its content as the parser gives it."""
        line, end = self.lines(*(node.srcmap or (0, 0)))
        kind = "html" if node.name == "html_block" else "code"
        self.out.append(Block(kind, line, end, node.meta.get("content", ""), depth, None, quote))

    def hr(self, node: Any, depth: int, quote: int, number: int | None) -> None:
        line, _ = self.lines(*(node.srcmap or (0, 0)))
        self.out.append(Block("hr", line, line, "", depth, None, quote))


# The method that makes the block of each leaf kind (a class-level table: bound
# methods held by the walker would make it a reference cycle).
_LEAVES: dict[str, Callable[[_Walker, Any, int, int, int | None], None]] = {
    "heading": _Walker.heading,
    "lheading": _Walker.heading,
    "paragraph": _Walker.paragraph,
    "table": _Walker.table,
    "html_block": _Walker.content,
    "code_block": _Walker.content,
    "fence": _Walker.content,
    "hr": _Walker.hr,
}


def _unprefixed(text: str, quote: int) -> str:
    """Continuation lines of a block's text without their block-quote prefixes (or, in
    a list, their indentation)."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(_QUOTE_PREFIX.sub("", ln) if quote else ln.lstrip() for ln in rest)])


# -- fallback: markdown-it-py, the same CommonMark rules in pure Python -------------------
@lru_cache(maxsize=1)
def _py_parser() -> Any:
    from markdown_it import MarkdownIt as PyMarkdownIt

    md = PyMarkdownIt("commonmark", {"html": True}).enable("table")
    md.core.ruler.disable(["inline", "text_join"], ignoreInvalid=True)
    return md


def _fallback_blocks(body: str, first_line: int) -> list[Block]:
    """The same blocks from markdown-it-py's token stream (used when the Rust parser
    fails on a document)."""
    tokens = _py_parser().parse(body)
    out: list[Block] = []
    depth = quote = 0
    number: int | None = None
    i, n, base = 0, len(tokens), first_line
    while i < n:
        tok = tokens[i]
        t, m = tok.type, tok.map
        if t in ("paragraph_open", "heading_open") and m:
            out.append(_text_block(tok, tokens[i + 1].content, base, depth, number, quote))
            number = number if t == "heading_open" else None
            i += 3
            continue
        if t in (
            "bullet_list_open",
            "ordered_list_open",
            "bullet_list_close",
            "ordered_list_close",
        ):
            depth += 1 if t.endswith("_open") else -1
        elif t == "list_item_open":
            number = int(tok.info) if tok.info.isdigit() else None
        elif t in ("blockquote_open", "blockquote_close"):
            quote += 1 if t == "blockquote_open" else -1
        elif t == "table_open" and m:
            rows, i = _table_rows(tokens, i)
            out.append(Block("table", base + m[0], base + m[1] - 1, "", depth, None, quote, rows))
        elif m and t in _LEAF_KINDS:
            text = "" if t == "hr" else tok.content
            end = base + (m[0] if t == "hr" else m[1] - 1)
            out.append(Block(_LEAF_KINDS[t], base + m[0], end, text, depth, None, quote))
        i += 1
    return out


_LEAF_KINDS = {"html_block": "html", "fence": "code", "code_block": "code", "hr": "hr"}


def _text_block(
    tok: Any, content: str, base: int, depth: int, number: int | None, quote: int
) -> Block:
    """A heading, paragraph or list item's paragraph from its opening token."""
    m = tok.map
    heading = tok.type == "heading_open"
    kind = "heading" if heading else ("item" if depth else "para")
    level = int(tok.tag[1]) if heading else depth
    return Block(
        kind, base + m[0], base + m[1] - 1, content, level, None if heading else number, quote
    )


def _table_rows(tokens: list[Any], i: int) -> tuple[list[list[str]], int]:
    """Cells of the table opening at ``tokens[i]``, and the index of its close."""
    rows: list[list[str]] = []
    while i < len(tokens) and tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type in ("th_open", "td_open"):
            rows[-1].append(tokens[i + 1].content)
        i += 1
    return rows, i

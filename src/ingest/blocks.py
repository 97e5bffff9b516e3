"""Stage 3, block structure: Markdown body to a flat list of blocks with source lines.

markdown-it-py (CommonMark + GFM tables, raw HTML allowed) does the block parse
and gives every block its source line range.  Its inline pass is switched off:
we keep each block's raw inline source, because citation markers must be found
in the raw text before any rendering, and :mod:`ingest.clean` strips inline
markup faster than an inline parse would.  The flat list (instead of a tree) is
what the extractors want: one pass, each block knowing its heading level, list
depth and blockquote depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt

# Obsidian wiki-links may hold a bare "|" ([[Page | alias]]) that would split a
# table cell; escape it so the table parser keeps the link whole.
_WIKI_PIPE = re.compile(r"\[\[([^\]\n|]*)\|([^\]\n]*)\]\]")


@dataclass(slots=True)
class Block:
    kind: str  # heading | para | item | table | html | code | hr
    line: int  # 1-based first line in the original file
    end: int  # 1-based last line (inclusive)
    text: str = ""  # raw inline source (heading, para, item), HTML or code
    level: int = 0  # heading level, or list depth for items
    number: int | None = None  # ordered-list number of an item
    quote: int = 0  # blockquote depth
    rows: list[list[str]] = field(default_factory=list)  # pipe table cells, header first


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.core.ruler.disable(["inline", "text_join"], ignoreInvalid=True)
    return md


def parse_blocks(body: str, first_line: int = 1) -> list[Block]:
    """Blocks of ``body``; ``first_line`` is the file line the body starts on."""
    if "[[" in body and "|" in body:
        body = _WIKI_PIPE.sub(r"[[\1\\|\2]]", body)
    tokens = _parser().parse(body)
    out: list[Block] = []
    depth = quote = 0
    number: int | None = None
    i, n = 0, len(tokens)
    base = first_line
    while i < n:
        tok = tokens[i]
        t = tok.type
        m = tok.map
        if t == "paragraph_open" and m:
            kind = "item" if depth else "para"
            out.append(
                Block(
                    kind, base + m[0], base + m[1] - 1, tokens[i + 1].content, depth, number, quote
                )
            )
            number = None
            i += 3
            continue
        if t == "heading_open" and m:
            level = int(tok.tag[1])
            out.append(
                Block(
                    "heading",
                    base + m[0],
                    base + m[1] - 1,
                    tokens[i + 1].content,
                    level,
                    None,
                    quote,
                )
            )
            i += 3
            continue
        if t in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t == "list_item_open":
            number = int(tok.info) if tok.info.isdigit() else None
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "table_open" and m:
            rows, i = _table_rows(tokens, i)
            out.append(Block("table", base + m[0], base + m[1] - 1, "", depth, None, quote, rows))
            continue
        elif t == "html_block" and m:
            out.append(Block("html", base + m[0], base + m[1] - 1, tok.content, depth, None, quote))
        elif t in ("fence", "code_block") and m:
            out.append(Block("code", base + m[0], base + m[1] - 1, tok.content, depth, None, quote))
        elif t == "hr" and m:
            out.append(Block("hr", base + m[0], base + m[0], "", depth, None, quote))
        i += 1
    return out


def _table_rows(tokens: list, i: int) -> tuple[list[list[str]], int]:
    rows: list[list[str]] = []
    row: list[str] = []
    while i < len(tokens):
        t = tokens[i].type
        if t == "tr_open":
            row = []
        elif t in ("th_open", "td_open"):
            row.append(tokens[i + 1].content)
            i += 1
        elif t == "tr_close":
            rows.append(row)
        elif t == "table_close":
            return rows, i + 1
        i += 1
    return rows, i

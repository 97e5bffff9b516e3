"""Inline Markdown/HTML to clean plain text.

Block structure comes from markdown-it; inline markup is stripped here with a
handful of precompiled regular expressions instead of a second inline parse.
That is several times faster than rendering inline tokens and is enough for the
job: we want the words a reader sees, not HTML.  Citation markers are removed
before this runs (see :mod:`ingest.parse.shapes.citations`), so ``[1]`` never reaches here as
a link.
"""

from __future__ import annotations

import html
import re
from operator import itemgetter

# Replacements by group: a callable costs less per call than a template ("\1"), which
# the re module re-reads in Python on every sub().
_G1 = itemgetter(1)
_G2 = itemgetter(2)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_BR = re.compile(r"<br\s*/?>|</br>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_REF_LINK = re.compile(r"\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
_WIKI = re.compile(r"\[\[(?:[^\]|\n]*\|)?([^\]\n]*)\]\]")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)
_ITALIC_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])", re.DOTALL)
_STRAY_BOLD = re.compile(r"\*\*+|(?<=\s)__+|^__+|__+$")
# In a table cell, only markers stuck to a word are stray markup; a run of stars
# standing alone is content: a significance mark ("0.41 (0.03) ***"), a power ("x ** 2").
_STRAY_BOLD_CELL = re.compile(r"\*\*+(?=[^\s*])|(?<=[^\s*])\*\*+|^__+(?=\S)|(?<=\S)__+$")
_CODE = re.compile(r"`+([^`]*)`+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_KRAMDOWN_ATTR = re.compile(r"\{:[^}\n]*\}")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?)])(?=\s|$)")
# Where _SPACE_BEFORE_PUNCT could match: one cheap scan before the costly one.
_PUNCT_AFTER_SPACE = re.compile(r" [,.;:!?)]")


def plain(text: str, *, keep_newlines: bool = False, cell: bool = False) -> str:
    """Return the visible text of an inline Markdown/HTML fragment.  A table ``cell``
    keeps its spacing around punctuation (``a : b``, ``(0.6 , 0.9)``): only runs of
    whitespace are collapsed there."""
    if not text:
        return ""
    if "<" in text:
        text = _tags(text, keep_newlines)
    if "[" in text:
        text = _links(text)
    if "{:" in text:
        text = _KRAMDOWN_ATTR.sub("", text)
    if "`" in text:
        text = _CODE.sub(_G1, text)
    if "*" in text or "_" in text:
        text = _emphasis(text, cell)
    if "\\" in text:
        text = _ESCAPE.sub(_G1, text)
    if "&" in text:
        text = html.unescape(text)
    if "\u200b" not in text and " ".join(text.split()) == text:  # squash()'s fast path
        return text if cell else _punctuation(text)
    return squash(text, keep_newlines=keep_newlines, punctuation=not cell)


# Each pass below runs only when the text holds the characters its pattern cannot
# match without (``](`` for a link, ``**`` or ``__`` for bold...): the same result,
# without a scan of every paragraph and cell by every pattern.
def _tags(text: str, keep_newlines: bool) -> str:
    """Autolinks keep their address, ``<br>`` is a break (or a space), tags go."""
    if ":" in text:
        text = _AUTOLINK.sub(_G1, text)
    text = _BR.sub("\n" if keep_newlines else " ", text)
    return _TAG.sub("", text)


def _links(text: str) -> str:
    """Images, wiki-links, links and reference links keep their text."""
    if "![" in text:
        text = _IMAGE.sub(_G1, text)
    if "[[" in text:
        text = _WIKI.sub(_G1, text)
    if "](" in text:
        text, n = _LINK.subn(_G1, text)
        if n:
            text = _LINK.sub(_G1, text)  # a link whose text was itself a link
    if "][" in text:
        text = _REF_LINK.sub(_G1, text)
    return text


def _emphasis(text: str, cell: bool) -> str:
    """Bold (nested once), italics, then stray bold markers (see ``_STRAY_BOLD_CELL``)."""
    if "**" in text or "__" in text:
        text, n = _BOLD.subn(_G2, text)
        if n:
            text = _BOLD.sub(_G2, text)
    if "*" in text:
        text = _ITALIC_STAR.sub(_G1, text)
    if "_" in text:
        text = _ITALIC_UNDER.sub(_G1, text)
    if "**" in text or "__" in text:
        text = (_STRAY_BOLD_CELL if cell else _STRAY_BOLD).sub("", text)
    return text


def squash(text: str, *, keep_newlines: bool = False, punctuation: bool = True) -> str:
    """Collapse runs of whitespace (keep line breaks only when asked); with
    ``punctuation``, also the spaces left before punctuation (``word ,``)."""
    # Words already joined by single spaces (most cells and many sentences) need
    # no pass; U+200B is no whitespace to split() but _SPACES counts it.
    if "\u200b" not in text and " ".join(text.split()) == text:
        return _punctuation(text) if punctuation else text
    if keep_newlines:
        lines = (_SPACES.sub(" ", ln).strip() for ln in text.split("\n"))
        text = "\n".join(ln for ln in lines if ln)
    else:
        text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    return _punctuation(text) if punctuation else text


def _punctuation(text: str) -> str:
    """No spaces before punctuation (``word ,`` -> ``word,``)."""
    if " " in text and _PUNCT_AFTER_SPACE.search(text):
        return _SPACE_BEFORE_PUNCT.sub(_G1, text)
    return text


_HEADING_NUMBER = re.compile(r"^\s*#+\s*")


def heading(text: str) -> str:
    """Clean heading text: no markup, no trailing colon or hashes."""
    text = plain(text)
    text = text.rstrip(" #").rstrip()
    while text.endswith((":", "：")):
        text = text[:-1].rstrip()
    return text

"""Reference lists: numbered entries under a References heading, and footnote definitions.

Reference lists are read from the section's raw source lines rather than from
Markdown list structure, because the spellings disagree about structure:
``- 1. Title - Publisher [domain]`` is a bullet holding an ordered list,
``1. Title.`` is an ordered list, entries are split by blank lines or wrapped
over several lines, and ``[^1]: ...`` footnote definitions are paragraphs.  A
line-oriented reader handles all of them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import clean

HEADING = re.compile(
    r"^(?:\d+\.?\s*)?(references?|bibliography|works cited|sources|citations|literature cited|"
    r"footnotes|notes and references|références|referencias|bibliografía)$",
    re.IGNORECASE,
)
_ENTRY = re.compile(r"^\s{0,6}(?:[-*+]\s+)?(?:\[\^?(\d{1,4})\]:?|(\d{1,4})[.)])\s+(\S.*)$")
_BULLET = re.compile(r"^\s{0,6}[-*+]\s+(\S.*)$")
FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^(\d{1,4})\]:\s*(.*)$")
CITE_THIS = re.compile(r"^\W*(?:[-*+]\s+)?to cite this (?:document|article|page|guide)", re.I)
# URLs may hold balanced parentheses (``.../wiki/Foo_(bar)``, DOIs like ``10.1016/S0140-6736(20)30183-5``).
_URL_BODY = r"(?:[^\s<>\[\]()\"']|\([^\s()<>]*\))+"
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((https?://" + _URL_BODY + r")\)")
_URL = re.compile(r"<?(https?://" + _URL_BODY + r")>?")
_DOMAIN = re.compile(r"\s*\[([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\]\s*\.?$")
_SEPARATORS = (" - ", " | ", " — ", " – ")
_ACCESS_PHRASES = ("Available at", "Retrieved from", "Accessed")
_ACCESS_NOTE = re.compile(r"\s*(?:Available at|Retrieved from|Accessed)\s*:?\s*\.?$")
_SENTENCE_END = re.compile(r"\.\s+")
_NAME_SEP = re.compile(r",|\band\b")
_AUTHOR = re.compile(r"[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* [A-Z]{1,3}|et al")


@dataclass(slots=True)
class Reference:
    """One entry of a reference list: number, title, source, URL and line."""

    number: int
    title: str
    source: str | None
    domain: str | None
    url: str | None
    line: int
    raw: str


def parse_list(lines: list[str], first_line: int) -> list[Reference]:
    """Reference entries in the source lines of a references section."""
    entries: list[tuple[int, int, list[str]]] = []  # (number, line, text parts)
    open_entry = False
    next_number = 1
    for offset, line in enumerate(lines):
        if not line.strip():
            open_entry = False
            continue
        if CITE_THIS.match(line) or line.lstrip().startswith("#"):
            open_entry = False
            continue
        m = _ENTRY.match(line)
        if m:
            number = int(m.group(1) or m.group(2))
            entries.append((number, first_line + offset, [m.group(3)]))
            next_number = number + 1
            open_entry = True
            continue
        b = _BULLET.match(line)
        if b:
            entries.append((next_number, first_line + offset, [b.group(1)]))
            next_number += 1
            open_entry = True
            continue
        if open_entry and entries:
            entries[-1][2].append(line.strip())
    return [_reference(num, line, " ".join(parts)) for num, line, parts in entries]


def footnotes(lines: list[str], first_line: int, skip: set[int]) -> list[Reference]:
    """``[^n]: text`` definitions (with indented continuation lines) outside ``skip``."""
    out: list[tuple[int, int, list[str]]] = []
    open_entry = False
    for idx in range(first_line - 1, len(lines)):
        line = lines[idx]
        if idx in skip:
            open_entry = False
            continue
        m = FOOTNOTE_DEF.match(line)
        if m:
            out.append((int(m.group(1)), idx + 1, [m.group(2)]))
            open_entry = True
        elif open_entry and line.startswith(("    ", "\t")) and line.strip():
            out[-1][2].append(line.strip())
        else:
            open_entry = False
    return [_reference(n, ln, " ".join(parts)) for n, ln, parts in out]


def _reference(number: int, line: int, raw: str) -> Reference:
    url = None
    title_src = raw
    # (the searches run only where their pattern could match: "](http", "http", "]")
    link = _MD_LINK.search(raw) if "](http" in raw else None
    if link:
        url = link.group(2)
        if link.start() == 0 or raw[: link.start()].strip() in ("", "-"):
            title_src = link.group(1) + raw[link.end() :]
    else:
        bare = _URL.search(raw) if "http" in raw else None
        if bare:
            url = bare.group(1).rstrip(".,;")
    domain = None
    d = _DOMAIN.search(title_src) if "]" in title_src else None
    if d:
        domain = d.group(1).lower()
        title_src = title_src[: d.start()]
    text = clean.plain(_URL.sub("", title_src)) if url else clean.plain(title_src)
    text = _drop_access_note(text).strip()
    title, publisher = _split_publisher(text)
    if domain is None and url:
        host = urlsplit(url).hostname
        domain = host.lower() if host else None
    source = publisher or domain
    return Reference(number, title.rstrip(" ."), source, domain, url, line, raw)


def _drop_access_note(text: str) -> str:
    """``text`` less a closing "Available at:" (the URL is already gone).  The note
    can only be the last of its phrases in the text, so the pattern is tried there
    (from the whitespace before it) instead of at every character of the entry."""
    at = max(text.rfind(p) for p in _ACCESS_PHRASES)
    if at < 0:
        return text
    while at > 0 and text[at - 1].isspace():
        at -= 1
    m = _ACCESS_NOTE.match(text, at)
    return text[:at] + text[m.end() :] if m else text


# Vancouver/NLM style: "[Authors.] Title. Journal. 2020;395(4):1-10." (journal names
# abbreviated without periods, as PubMed writes them).
_YEAR_SEGMENT = re.compile(r"^(?:19|20)\d\d\b")
_YEAR_AFTER_STOP = re.compile(r"\.\s+(?:19|20)\d\d\b")


def _split_journal(text: str) -> tuple[str, str] | None:
    """(title, journal) of a journal-style entry, or None when ``text`` is not one."""
    if not _YEAR_AFTER_STOP.search(text):  # no sentence opens with a year: not one
        return None
    parts = [p.strip() for p in _SENTENCE_END.split(text.rstrip(". ")) if p.strip()]
    k = next((i for i in range(len(parts) - 1, 1, -1) if _YEAR_SEGMENT.match(parts[i])), None)
    if k is None:
        return None
    journal = parts[k - 1]
    if len(journal) > 60 or len(journal.split()) > 8 or journal.endswith(("?", "!")):
        return None
    before = parts[: k - 1]
    title = before[-1] if len(before) <= 2 else ". ".join(before[1:])
    if len(before) == 2 and not _looks_like_authors(before[0]):
        title = ". ".join(before)
    return title, journal


def _looks_like_authors(text: str) -> bool:
    """ "Smith J, Doe AB" / "Smith J et al": surnames with initials."""
    names = [n.strip() for n in _NAME_SEP.split(text) if n.strip()]
    return bool(names) and all(_AUTHOR.fullmatch(n) for n in names)


def _split_publisher(text: str) -> tuple[str, str | None]:
    journal_style = _split_journal(text)
    if journal_style is not None:
        return journal_style
    best = -1
    sep_len = 0
    for sep in _SEPARATORS:
        pos = text.rfind(sep)
        if pos > best:
            best, sep_len = pos, len(sep)
    if best > 0:
        right = text[best + sep_len :].strip()
        if 0 < len(right) <= 80:
            return text[:best].strip(), right
    return text, None

"""In-text citation markers: find them, expand them, strip them.

One alternation covers every spelling seen in the sources: ``<sup>[1][2]</sup>``,
``<a href="#">[7]</a>``, ``[\\[9\\]](#)``, footnotes ``[^3]``, and bare ``[2]``,
``[6, 7]``, ``[3-5]``, ``[3–5]``.  Bare brackets must hold only numbers, commas
and dashes, so timestamps (``[02:04:00]``), checkboxes and ``H<sup>+</sup>`` are
never taken for citations; a bracket followed by ``(`` is a link, and one followed
by ``:`` at the start of a line is a reference or footnote definition; elsewhere
``[17]:`` is a citation followed by a colon (``as shown [17]: where``).  Ranges are expanded but bounded, so ``[1-100000]``
is treated as text, not a hundred thousand rows.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NUMS = r"\d{1,4}(?:\s*[-–—,]\s*\d{1,4})*"
MARKER = re.compile(
    r"<sup>\s*(?P<sup>(?:\[\s*" + _NUMS + r"\s*\]\s*,?\s*)+)</sup>"
    r"|<a\b[^>\n]*>\s*\[(?P<anchor>" + _NUMS + r")\]\s*</a>"
    r"|\[\\\[(?P<escaped>" + _NUMS + r")\\\]\]\([^)\n]*\)"
    r"|\[\^(?P<foot>\d{1,4})\]"
    r"|\[(?P<bare>" + _NUMS + r")\](?!\()",
)
_INNER = re.compile(r"\[\s*(" + _NUMS + r")\s*\]")
_PART = re.compile(r"(\d+)\s*(?:[-–—]\s*(\d+))?")


class Marker(NamedTuple):
    """One citation number and where its marker starts.  (A named tuple: documents
    make tens of thousands, and a tuple is the cheapest record to build.)"""

    number: int
    offset: int  # character offset of the marker in the scanned text


def expand(spec: str, max_range: int) -> list[int]:
    """``"3-5, 7"`` -> ``[3, 4, 5, 7]``; an unreasonable range yields its endpoints."""
    if spec.isascii() and spec.isdigit():  # one number, the usual case
        n = int(spec)
        return [n] if n > 0 else []
    out: list[int] = []
    for part in spec.split(","):
        m = _PART.search(part)
        if not m:
            continue
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if lo <= hi and hi - lo <= max_range:
            out.extend(range(lo, hi + 1))
        else:
            out.extend([lo, hi] if lo != hi else [lo])
    return [n for n in out if n > 0]


def find(text: str, max_range: int = 100) -> list[Marker]:
    """Every citation number in ``text``, in order, with the offset of its marker."""
    return scan(text, max_range)[0]


def scan(text: str, max_range: int = 100) -> tuple[list[Marker], str]:
    """:func:`find` and :func:`strip` in one pass over ``text``: its markers, and the
    text without them when there are any (``text`` itself when none was found)."""
    if "[" not in text:
        return [], text
    found: list[Marker] = []
    pieces: list[str] = []
    last = 0
    for m in MARKER.finditer(text):
        end = m.end()
        if text.startswith(":", end) and _definition(text, m):
            continue
        at = m.start()
        pieces += (text[last:at], _GAP)
        last = end
        kind = m.lastgroup
        spec = m[kind] if kind else None
        if kind != "sup" and spec is not None and spec.isdigit() and spec.isascii():
            if int(spec) > 0:  # one number, the usual case
                found.append(_marker(Marker, (int(spec), at)))
        else:
            _numbers(kind, spec, at, max_range, found)
    if not found:
        return found, text
    pieces.append(text[last:])
    return found, _ungap("".join(pieces))


_marker = tuple.__new__  # a Marker without the named tuple's Python-level __new__


def _numbers(
    kind: str | None, spec: str | None, at: int, max_range: int, found: list[Marker]
) -> None:
    """Append the numbers of a marker (its group ``kind`` and text ``spec``)."""
    if spec is None:
        return
    if kind == "sup":
        for inner in _INNER.finditer(spec):
            found.extend(Marker(n, at) for n in expand(inner.group(1), max_range))
    else:
        found.extend(Marker(n, at) for n in expand(spec, max_range))


def strip(text: str) -> str:
    """``text`` without its citation markers (definitions' labels stay)."""
    if "[" not in text:
        return text
    gapped = MARKER.sub(lambda m: m.group(0) if _definition(text, m) else _GAP, text)
    if _GAP not in gapped:
        return gapped
    return _ungap(gapped)


def _ungap(gapped: str) -> str:
    return _GAPS_BEFORE_PUNCT.sub("", gapped).replace(_GAP, "")


# Where markers were, until the spaces before them are settled: a run of markers and
# the spaces before it go when punctuation follows ("shown [17][18]: where" -> "shown:
# where"), so no later pass has to guess which spaces before punctuation were the
# source's own (table cells keep those).  NUL never survives decoding into text.
_GAP = "\0"
_GAPS_BEFORE_PUNCT = re.compile(r"[ \0]*\0(?=[,.;:!?)]|$)")


def _definition(text: str, m: re.Match[str]) -> bool:
    """A ``[n]:`` or ``[^n]:`` label opening its line (up to 3 spaces in, as Markdown
    allows): a reference or footnote definition, not a citation."""
    if m.lastgroup not in ("bare", "foot") or text[m.end() : m.end() + 1] != ":":
        return False
    begin = m.start(m.lastgroup) - (2 if m.lastgroup == "foot" else 1)  # at its '['
    line_start = text.rfind("\n", 0, begin) + 1
    lead = text[line_start:begin]
    return len(lead) <= 3 and not lead.strip()

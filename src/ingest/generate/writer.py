"""The realistic writers' running document, and the helpers every family shares.

:class:`_W` wraps a :class:`~.doc._Doc`: its one rng behind ``pick``/``num``/``pct``
(arithmetic on ``rng.random()``, not ``choice``/``randint``: which draws are made is part
of the output), the lines written so far with a running byte count (a writer grows its
document section by section until the count reaches its budget), and the citation state
(reference count, reading cursor, the document's preferred spelling).
A :class:`_Pool` is the sentence material of one register (:mod:`.phrases` holds them).
:func:`_rows_text` spells one table as TSV, HTML or a pipe table; :func:`_ref_citation`
writes a Vancouver-style reference, used by monographs and guides alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar

from .doc import _Doc
from .vocab import _SUFFIX, _SYL, _TOPICS
from .vocab_realistic import _COMPANY, _DESIGNS, _JOURNALS, _POPULATIONS, _SURNAMES

T = TypeVar("T")

#: One sentence core: a function of the writer (it draws what it needs).
_Core = Callable[["_W"], str]


class _Pool(NamedTuple):
    """Sentence material of one register: openers + core + tail, then upper-cased.  A core
    starts lower case unless it starts with a name (it may follow an opener)."""

    openers: list[str]
    cores: list[_Core]
    tails: list[str]


def _a(phrase: str) -> str:
    """``phrase`` with its indefinite article."""
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


def _cap(phrase: str) -> str:
    """Upper-case the first character only (``IGA 0/1 success`` stays as it is)."""
    return phrase[:1].upper() + phrase[1:]


class _W:
    """A document being written: one rng, running line list and byte count."""

    def __init__(self, d: _Doc) -> None:
        self.d = d
        self.rand = d.rng.random
        self.drug: str = d.drug
        self.uid: str = d.uid
        self.cond: str = d.cond
        self.others: list[str] = [d.other, *(self.name() for _ in range(2 + self.num(0, 5)))]
        self.lines: list[str] = []
        self.size = 0
        self.n_refs = 0
        self.cursor = 1
        self.cite_style = self.num(0, 4)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rand() * len(seq))]

    def num(self, lo: int, hi: int) -> int:
        return lo + int(self.rand() * (hi - lo + 1))

    def pct(self) -> str:
        return f"{5 + self.rand() * 90:.1f}%"

    def name(self) -> str:
        base = self.pick(_SYL) + (self.pick(_SYL) if self.rand() < 0.5 else "")
        return (base + self.pick(_SUFFIX)).capitalize()

    def company(self) -> str:
        return f"{(self.pick(_SYL) + self.pick(_SYL)).capitalize()} {self.pick(_COMPANY)}"

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)
        self.size += sum(map(len, lines)) + len(lines)

    def sentence(self, pool: _Pool, core: _Core | None = None) -> str:
        body = (core or self.pick(pool.cores))(self)
        s = self.pick(pool.openers) + body + self.pick(pool.tails) + "."
        return s[0].upper() + s[1:]

    def para(self, pool: _Pool, lo: int, hi: int, cite: float = 0.0) -> str:
        out = []
        for _ in range(self.num(lo, hi)):
            s = self.sentence(pool)
            if cite and self.rand() < cite:
                s += self.cites()
            out.append(s)
        return " ".join(out)

    # -- citations --------------------------------------------------------------------------
    def cites(self) -> str:
        """A citation marker for the next 1-3 references (in reading order, as real
        documents cite), sometimes going back to an earlier one."""
        if not self.n_refs:
            return ""
        if self.cursor > self.n_refs or self.rand() < 0.15:
            start = self.num(1, self.n_refs)
        else:
            start = self.cursor
        k = self.pick((1, 1, 1, 2, 2, 3, 4))
        nums = list(range(start, min(self.n_refs, start + k - 1) + 1))
        self.cursor = max(self.cursor, nums[-1] + 1)
        return self.cite(nums)

    def cite(self, nums: list[int]) -> str:
        style = self.cite_style if self.rand() < 0.85 else self.num(0, 4)
        if style == 0:
            return "<sup>" + "".join(f"[{n}]" for n in nums) + "</sup>"
        if style == 1:
            if len(nums) > 2:
                return f"[{nums[0]}{self.pick(['-', '–'])}{nums[-1]}]"
            return "".join(f"[{n}]" for n in nums)
        if style == 2:
            return "".join(f"[\\[{n}\\]](#)" for n in nums)
        if style == 3:
            return " ".join(f'<a href="#">[{n}]</a>' for n in nums)
        return "[" + ", ".join(str(n) for n in nums) + "]"


def _rows_text(
    w: _W, kind: str, header: list[str], rows: list[list[str]], n_note: bool = False
) -> list[str]:
    """One table in ``kind`` (tsv | html | pipe) spelling, as source lines."""
    if kind == "tsv":
        out = ["\t".join(header)]
        for j, row in enumerate(rows):
            cells = row
            if j and w.rand() < 0.08:
                cells = row[:-1]  # ragged row
            elif j and w.rand() < 0.06:
                cells = [row[0], "", *row[2:]]  # empty cell
            out.append("\t".join(cells) + ("\t" if w.rand() < 0.2 else ""))
        return out
    if kind == "html":
        out = ["<table>"]
        if w.rand() < 0.5:
            out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>")
            out.append("<tbody>")
            tail = ["</tbody>", "</table>"]
        else:
            out.append("<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>")
            tail = ["</table>"]
        for row in rows:
            cells = [c.replace("&", "&amp;") for c in row]
            if n_note and w.rand() < 0.3:
                cells[1] += f"<br>(n={w.num(12, 900)})"
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return out + tail
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _sample(w: _W, seq: Sequence[T], n: int) -> list[T]:
    """``n`` distinct items of ``seq`` when it has that many, else ``n`` picks."""
    if n <= len(seq):
        return w.d.rng.sample(list(seq), n)
    return [w.pick(seq) for _ in range(n)]


def _ref_citation(w: _W, n: int) -> str:
    """A Vancouver-style reference: authors, title, journal, year;volume:pages."""
    authors = ", ".join(
        f"{w.pick(_SURNAMES)} {chr(65 + w.num(0, 25))}{chr(65 + w.num(0, 25))}"
        for _ in range(w.num(1, 4))
    )
    etal = ", et al" if w.rand() < 0.4 else ""
    title = (
        f"{_cap(w.pick(_TOPICS))} of {w.drug} versus {w.pick(w.others)} in "
        f"{w.pick(_POPULATIONS)} with {w.cond}: {_a(w.pick(_DESIGNS))}"
    )
    page = w.num(1, 1900)
    return (
        f"{authors}{etal}. {title}. {w.pick(_JOURNALS)}. {w.num(1995, 2025)};"
        f"{w.num(1, 160)}({w.num(1, 12)}):{page}-{page + w.num(3, 19)}."
    )

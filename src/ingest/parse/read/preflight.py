"""Count a document's structure before any parser allocates for it, and refuse what
would explode.

The size cap (8 MB) bounds the bytes, not what parsers make of them.  Measured on
files just under the cap: a pipe table of 600k rows took 3.8 GB and 18 s in the
Markdown parser before the table-cell limit could see it, 40-deep block quotes
4.4 GB, 600k headings and 280k citation markers ran for minutes (extraction does
per-section and per-marker work), an HTML table of 270k rows 47 s in the HTML
parser.  Each of those shapes is visible to a single linear pass over the text:
lines holding ``|`` or tabs (table cells), ``<td``/``<th`` (HTML cells),
``[digit`` (citation markers), ATX headings, block-quote depth and list items.
From the same counts the memory of the parse is estimated (the Markdown parser's
tree, ~1 KB per node, is built in one call, a jump no check can interrupt, and the
walk over it takes another ~0.4 KB per node), so a document that would not fit the
memory budget (``max_parse_memory_mb``, :mod:`ingest.budgets`) is refused here,
before the tree is built.
:func:`check` counts them (one ``str`` pass per shape, no tokens) and raises a
``resource_limit`` error naming the budget, the measured value and the line where
the budget ran out; the budgets (:class:`~ingest.limits.Limits`) sit far above
what real documents hold (see ``tests/test_preflight.py``) and low enough that the
worst accepted file parses in well under 512 MB and 10 s (``bench/hostile.py``).
Because real documents sit so far below, a few character counts (``str.count``,
several times faster than the patterns) settle most documents before any pattern
runs: they bound every shape's count from above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...errors import IngestError
from ...limits import Limits

STAGE = "parse"
CODE = "resource_limit"
# Memory a parse takes per node of the Markdown parser's tree, measured on the hostile
# shapes of bench/hostile.py: the tree itself 870-990 bytes (markdown-it-pyrs builds it
# in one call, where the budgets' ticks cannot see it grow), the whole parse 1.3-1.4 KB.
NODE_BYTES = 1400

_CITATION = re.compile(r"\[\s*\d")
_HTML_CELL = re.compile(r"<t[dh][\s>/]", re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Budget:
    """One shape's budget: what is counted, and the limit's name in :class:`Limits`."""

    what: str
    limit: str


def check(body: str, first_line: int, limits: Limits) -> None:
    """Raise ``IngestError(resource_limit)`` for the first budget ``body`` exceeds."""
    if _surely_within(body, limits):
        return
    counts: dict[str, int] = {}
    for budget, count, line in _measure(body, limits):
        counts[budget.limit] = count
        cap = getattr(limits, budget.limit)
        if count > cap:
            raise IngestError(
                STAGE,
                CODE,
                f"{count:,} {budget.what}, over the budget of {cap:,} ({budget.limit}); "
                "refused before parsing, which would take memory and time out of proportion",
                line=first_line + line if line is not None else None,
            )
    nodes = parser_nodes(body, counts)
    parse_mb = nodes * NODE_BYTES / (1024 * 1024)
    if parse_mb > limits.max_parse_memory_mb:
        raise IngestError(
            STAGE,
            CODE,
            f"parsing would take ~{parse_mb:,.0f} MB (about {nodes:,} Markdown nodes), "
            f"over the memory budget of {limits.max_parse_memory_mb:,} MB "
            "(max_parse_memory_mb); refused before parsing",
        )


def _surely_within(body: str, limits: Limits) -> bool:
    """True when character counts alone prove that no budget is exceeded, the exact
    counts of :func:`_measure` (six regular-expression passes) being at most these:
    a heading holds a ``#``, a citation marker a ``[``, an HTML cell a ``<``, a
    block-quote level a ``>``, and a list item starts a line (and no line is blank,
    for the node estimate).  Only one-character counts: they run several times
    faster than longer ones.  Real documents all pass here, so only the ones near a
    budget pay for the exact counts (which then decide, and name the line, exactly
    as before)."""
    quick = body.count("|") + body.count("\t")
    if quick > limits.max_table_cells // 2:  # where _cells counts line by line
        return False
    lines = body.count("\n") + 1
    quotes = body.count(">")
    if (
        lines > limits.max_list_items
        or quotes > limits.max_quote_levels
        or body.count("#") > limits.max_headings
        or body.count("[") > limits.max_citation_markers
        or body.count("<") > limits.max_html_cells
    ):
        return False
    upper = 3 * lines + 2 * quick + quotes  # parser_nodes() with these counts, no blank line
    return upper * NODE_BYTES / (1024 * 1024) <= limits.max_parse_memory_mb


def parser_nodes(body: str, counts: dict[str, int]) -> int:
    """About how many nodes the Markdown parser's tree of ``body`` has (an upper
    estimate): two per non-blank line (a block and its text), two per table cell, one
    more per list item and per block-quote level (within 10% of the real count on the
    hostile shapes of ``bench/hostile.py``; tab tables, which the parser sees as
    paragraphs, are counted twice over)."""
    lines = body.count("\n") + 1
    blank = body.count("\n\n")
    return (
        2 * (lines - blank)
        + 2 * counts.get("max_table_cells", 0)
        + counts.get("max_list_items", 0)
        + counts.get("max_quote_levels", 0)
    )


def _measure(body: str, limits: Limits) -> Iterator[tuple[Budget, int, int | None]]:
    """(budget, count, line of the first excess or None) for each shape, cheapest first."""
    yield (
        Budget("table cells (pipe and tab separated)", "max_table_cells"),
        *_cells(body, limits.max_table_cells),
    )
    yield (
        Budget("HTML table cells", "max_html_cells"),
        *_count(_HTML_CELL, body, limits.max_html_cells),
    )
    yield (
        Budget("citation markers", "max_citation_markers"),
        *_count(_CITATION, body, limits.max_citation_markers),
    )
    yield Budget("headings", "max_headings"), *_count(_HEADING, body, limits.max_headings)
    yield Budget("list items", "max_list_items"), *_count(_LIST_ITEM, body, limits.max_list_items)
    yield (
        Budget("block-quote levels, summed over lines", "max_quote_levels"),
        *_quotes(body, limits.max_quote_levels),
    )


def _line_of(body: str, pos: int) -> int:
    return body.count("\n", 0, pos)


def _count(pattern: re.Pattern[str], body: str, cap: int) -> tuple[int, int | None]:
    """Matches of ``pattern`` and the line of the first one over ``cap``.  (Counted by
    ``findall``, a loop in C; the matches are walked only when there are too many.)"""
    n = len(pattern.findall(body))
    if n <= cap:
        return n, None
    for i, m in enumerate(pattern.finditer(body)):
        if i == cap:
            return n, _line_of(body, m.start())
    return n, None  # unreachable: finditer yields the same n > cap matches


def _cells(body: str, cap: int) -> tuple[int, int | None]:
    """Cells of lines that hold ``|`` or a tab: separators + 1 per such line, less the
    outer pipes of a ``| a | b |`` row (an upper bound on what the table readers make
    of them)."""
    quick = body.count("|") + body.count("\t")
    if quick <= cap // 2:
        return quick, None  # one pass: cells <= 2 x separators in any case
    n, over = 0, None
    for lineno, line in enumerate(body.split("\n")):
        seps = line.count("|") + line.count("\t")
        if seps:
            edge = line.strip(" ")
            n += seps + 1 - edge.startswith("|") - (len(edge) > 1 and edge.endswith("|"))
            if over is None and n > cap:
                over = lineno
    return n, over


def _quotes(body: str, cap: int) -> tuple[int, int | None]:
    """Block-quote levels summed over lines, and the line where the sum passes ``cap``."""
    if ">" not in body:
        return 0, None
    n, over = 0, None
    for m in _QUOTE_PREFIX.finditer(body):
        n += m.group(0).count(">")
        if over is None and n > cap:
            over = _line_of(body, m.start())
    return n, over

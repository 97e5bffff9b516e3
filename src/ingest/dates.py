"""Read the dates documents write as text into typed values for the warehouse.

``documents.published`` and ``documents.last_modified`` are typed (``DATE`` and
``TIMESTAMPTZ``) so that analysts can sort, filter and group by them; what the
document wrote is kept beside them (``published_text``, ``last_modified_text``).
The spellings are the ones seen in the corpora: ISO 8601 dates and timestamps
(``2025-09-22T17:21:53.909Z``, ``2022-01-01 10:00:00 +1000``), month and year
(``March 2023``), a day with a month name (``15 March 2023``, ``Mar. 15, 2023``)
and a year alone.  A date given to the month or the year is its first day (the
text column says which it was).  Anything else is ``None``: the caller keeps the
text and says so in a document warning.

One module, used both when a document's row is built and when an older
warehouse's text columns are migrated, so both give the same value.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            *("jan january", "feb february", "mar march", "apr april", "may", "jun june"),
            *("jul july", "aug august", "sep sept september", "oct october"),
            *("nov november", "dec december"),
        )
    )
    for name in names.split()
}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?=$|[tT ])")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_MONTH_YEAR = re.compile(r"([a-z]+)\.?,?\s+(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2}|Z)$")


def parse_date(text: str | None) -> date | None:
    """The calendar day ``text`` names (the first day of a month or year given alone);
    ``None`` when it names none."""
    if not text:
        return None
    s = text.strip().lower().rstrip(".")
    if m := _ISO_DAY.match(s):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    for pattern, order in (
        (_DAY_MONTH_YEAR, "dmy"),
        (_MONTH_DAY_YEAR, "mdy"),
        (_MONTH_YEAR, "my"),
        (_ISO_MONTH, "ym"),
        (_YEAR, "y"),
    ):
        if m := pattern.fullmatch(s):
            return _from_parts(dict(zip(order, m.groups(), strict=True)))
    return None


def parse_timestamp(text: str | None) -> datetime | None:
    """The instant ``text`` names, in UTC; a date alone is its midnight UTC, a time
    without an offset is taken as UTC.  ``None`` when it names none."""
    if not text:
        return None
    s = _SPACED_OFFSET.sub(r"\1", text.strip())
    try:
        ts = datetime.fromisoformat(s)
    except ValueError:
        day = parse_date(text)
        return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)
    if ts.year < 1000:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _from_parts(parts: dict[str, str]) -> date | None:
    month = parts.get("m")
    if month is not None and not month.isdigit():
        month = str(_MONTHS.get(month, 0))
    return _day(int(parts["y"]), int(month or 1), int(parts.get("d", 1)))


def _day(year: int, month: int, day: int) -> date | None:
    if not 1000 <= year <= 9999:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None

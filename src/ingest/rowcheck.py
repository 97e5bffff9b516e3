"""The warehouse schema checked on plain rows, without pandas or pandera: ``ingest validate``'s
fast path.

``ingest run`` validates batch frames with the pandera schemas generated from
``schemas/warehouse.yaml`` (:mod:`ingest.validate`).  Importing pandas and pandera
alone costs a pre-commit hook 0.5-1 s per call, more than parsing a file, so
``ingest validate`` checks the same rows against the same declaration
(:func:`ingest.schema.tables`) here, in plain Python, and gives the same verdicts and
the same messages (``documents.title failed str_length(1, None) in 1 row(s), e.g.
''``).  ``tests/test_rowcheck.py`` proves the two agree on the bundled and real corpora
and on hostile rows.

Only what can be decided exactly without pandas is decided here: every value must
already have the column's Python type (``str``, a 64-bit ``int``, ``bool``, or
``None``), as the extractors produce them.  A batch holding anything else (a float, a
string that is not valid UTF-8, a type pandas might coerce or refuse) is handed to
:func:`ingest.validate.validate_batch` whole, so such cases are judged by pandera
itself rather than by an imitation of its coercion rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from . import schema
from .errors import Issue, truncate

if TYPE_CHECKING:
    from .document import DocResult

STAGE = "validate"
_MAX_EXAMPLES = 3
_INT64 = 2**63
_PY_TYPES: dict[str, type] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "date": date,  # exactly: a datetime is not a date here
    "timestamp": datetime,  # with its time zone (see _check_types)
}

# (name as pandera reports it, passes(value), all pass(non-null values of a column))
Check = tuple[str, Callable[[Any], bool], Callable[[list[Any]], bool]]


class NeedsPandera(Exception):
    """A value this checker does not judge exactly: pandera must decide the batch."""


def validate_results(results: list[DocResult], run_id: str) -> None:
    """Set ``error`` (``schema_violation``) on every ``ok`` result whose rows fail the
    warehouse schema, as :func:`ingest.validate.validate_batch` does for a batch."""
    ok = [r for r in results if r.ok]
    try:
        failures = _batch_failures(ok, run_id)
    except NeedsPandera:
        from .validate import validate_batch

        validate_batch(results, run_id)
        return
    mark_failed(ok, failures)


def mark_failed(ok: list[DocResult], failures: dict[str, list[str]]) -> None:
    """Set a ``schema_violation`` error, naming up to 8 failures, on each failed result
    (the same verdict whichever checker, this one or pandera, found the failures)."""
    for r in ok:
        msgs = failures.get(r.doc_id)
        if msgs:
            r.error = Issue(
                STAGE,
                "schema_violation",
                r.source_path,
                truncate("rows failed the warehouse schema: " + "; ".join(msgs[:8])),
            )


def table_rows(name: str, ok: list[DocResult], run_id: str) -> list[dict[str, Any]]:
    """All documents' rows of one table, in order; ``documents`` rows get the run id
    (the rows both checkers judge)."""
    rows: list[dict[str, Any]] = []
    for r in ok:
        part = r.rows.get(name, [])
        if name == "documents":
            for row in part:
                row["run_id"] = run_id
        rows.extend(part)
    return rows


def _batch_failures(ok: list[DocResult], run_id: str) -> dict[str, list[str]]:
    failures: dict[str, list[str]] = defaultdict(list)
    for name in schema.document_tables():
        rows = table_rows(name, ok, run_id)
        if rows:
            for doc_id, msg in table_failures(name, rows):
                failures[doc_id].append(msg)
    return failures


def table_failures(name: str, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(doc_id, message)`` for every failing (document, column, check) of one table, in
    the order pandera reports them: column by column (nulls first, then the declared
    checks), then the table's key."""
    table = schema.tables()[name]
    out: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    columns: dict[str, list[Any]] = {}
    for col in table.columns:
        values = columns[col.name] = _column(rows, col.name)
        nulls = _check_types(name, col, values)
        for check_name, i, value in _column_failures(col, values, nulls):
            out[(_doc(rows, i), col.name, check_name)].append(value)
    for i, col_name in _duplicates(table.key, columns):
        out[(_doc(rows, i), col_name, "multiple_fields_uniqueness")].append(
            _shown(rows[i][col_name])
        )
    result = []
    for (doc_id, column, check), shown in out.items():
        examples = ", ".join(repr(v) for v in shown[:_MAX_EXAMPLES])
        result.append(
            (doc_id, f"{name}.{column} failed {check} in {len(shown)} row(s), e.g. {examples}")
        )
    return result


def _column(rows: list[dict[str, Any]], name: str) -> list[Any]:
    """One column's values; a row without the key holds a null (as in the run's frame)."""
    try:
        return list(map(itemgetter(name), rows))  # every row has it: the usual case
    except KeyError:
        return [row.get(name) for row in rows]


def _doc(rows: list[dict[str, Any]], i: int) -> str:
    return str(rows[i].get("doc_id"))


def _shown(value: Any) -> str:
    """A failing value as pandera's failure cases print it (nulls as ``<NA>``)."""
    return "<NA>" if value is None else str(value)[:60]


def _check_types(table: str, col: schema.Column, values: list[Any]) -> bool:
    """Raise :class:`NeedsPandera` unless every value has the column's Python type;
    returns whether any value is null.  (Whole-column builtins: this runs on every
    cell of every table.)"""
    want = _PY_TYPES.get(col.type)
    if want is None:
        raise NeedsPandera(f"{table}.{col.name}: type {col.type}")
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    odd = kinds - {want, type(None)}  # bool is not an int here, nor an int a bool
    if odd:
        raise NeedsPandera(f"{table}.{col.name}: {sorted(k.__name__ for k in odd)}")
    present = _present(values, nulls)
    if not present:
        return nulls
    if want is datetime and any(v.tzinfo is None for v in present):
        raise NeedsPandera(f"{table}.{col.name}: a timestamp without a time zone")
    if want is int and not (min(present) >= -_INT64 and max(present) < _INT64):
        raise NeedsPandera(f"{table}.{col.name}: beyond 64 bits")
    if (
        want is str
        and not all(map(str.isascii, present))
        and not all(_utf8(v) for v in present if not v.isascii())
    ):
        raise NeedsPandera(f"{table}.{col.name}: not UTF-8")
    return nulls


def _present(values: list[Any], nulls: bool) -> list[Any]:
    return [v for v in values if v is not None] if nulls else values


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: Arrow would refuse the string
        return False
    return True


def _column_failures(
    col: schema.Column, values: list[Any], nulls: bool
) -> Iterator[tuple[str, int, str]]:
    if nulls and not col.nullable:
        for i, v in enumerate(values):
            if v is None:
                yield "not_nullable", i, "<NA>"
    present = _present(values, nulls)
    for check_name, passes, all_pass in checks_of(col):
        if not present or all_pass(present):  # the common case, decided in C
            continue
        for i, v in enumerate(values):
            if v is not None and not passes(v):  # checks skip nulls, as pandera's do
                yield check_name, i, _shown(v)


_BUILT: dict[str, list[Check]] = {}


def checks_of(col: schema.Column) -> list[Check]:
    """The column's declared checks as (pandera's name for it, predicate on a value,
    predicate on all non-null values of the column); built once per declaration."""
    k = repr(col.checks)  # the arguments hold dicts: not hashable themselves
    built = _BUILT.get(k)
    if built is None:
        built = _BUILT[k] = [_check(kind, arg) for kind, arg in col.checks]
    return built


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _check(kind: str, arg: Any) -> Check:
    if kind == "isin":
        allowed = frozenset(arg)
        return f"isin({list(arg)!r})", allowed.__contains__, allowed.issuperset
    if kind == "ge":
        return f"greater_than_or_equal_to({arg})", lambda v: v >= arg, lambda vs: min(vs) >= arg
    if kind == "le":
        return f"less_than_or_equal_to({arg})", lambda v: v <= arg, lambda vs: max(vs) <= arg
    if kind == "str_length":
        lo, hi = arg.get("min"), arg.get("max")

        def length_ok(v: str) -> bool:
            return (lo is None or len(v) >= lo) and (hi is None or len(v) <= hi)

        return f"str_length({lo}, {hi})", length_ok, lambda vs: length_ok_all(vs, lo, hi)
    if kind == "matches":
        pattern = rf"^(?:{arg})$"  # as schema.pandera_schema declares it; pandas uses re
        rx = _regex(pattern)
        return (
            f"str_matches({pattern!r})",
            lambda v: rx.match(v) is not None,
            lambda vs: all(map(rx.match, vs)),
        )
    if kind == "not_contains":
        # Joined by NUL, values cannot make ``arg`` across a boundary unless it holds one.
        def none_contain(vs: list[str]) -> bool:
            return "\0" not in arg and arg not in "\0".join(vs)

        return f"must not contain {arg!r}", lambda v: arg not in v, none_contain
    raise ValueError(f"unknown check {kind!r}")


def length_ok_all(values: list[str], lo: int | None, hi: int | None) -> bool:
    """Whether every value's length is within [lo, hi]."""
    lengths = list(map(len, values))
    return (lo is None or min(lengths) >= lo) and (hi is None or max(lengths) <= hi)


def _duplicates(key: tuple[str, ...], columns: dict[str, list[Any]]) -> Iterator[tuple[int, str]]:
    """``(row index, key column)`` for every row whose key another row shares, column
    by column as pandera lists them."""
    if not key:
        return
    keys = list(zip(*(columns[c] for c in key), strict=True))
    if any(None in columns[c] for c in key):
        raise NeedsPandera("a null in a key")
    if len(set(keys)) == len(keys):
        return
    seen: dict[tuple[Any, ...], int] = {}
    dup: set[int] = set()
    for i, k in enumerate(keys):
        first = seen.setdefault(k, i)
        if first != i:
            dup.update((first, i))
    for col_name in key:
        for i in sorted(dup):
            yield i, col_name

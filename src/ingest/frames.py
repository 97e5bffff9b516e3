"""A batch's rows as typed DataFrames, built column by column: what pandera validates.

Parse workers hand every batch's rows to pandera (:mod:`ingest.validate`) as one
DataFrame per table with the contract's dtypes (``string[pyarrow]``, ``Int64``,
``boolean``...).  :func:`ingest.schema.frame` builds them the general way:
``DataFrame.from_records`` over the row dicts (pandas infers an object column for
every field, row by row) and then ``astype`` to the contract's dtypes.  On the
realistic corpus that was ~70% of the validation stage's CPU and ~10% of a parse
worker's, for 600k rows per 500 documents, far more than pandera's checks.

Here the same frame is built from one list per column (``itemgetter`` over the rows,
in C) converted straight to its array: ``pyarrow`` strings, NumPy values and masks.
Only what can be built *exactly* as :func:`ingest.schema.frame` would build it is
built here: every value must already have the column's Python type (``str``, an
``int`` that is not a ``bool``, ``bool``, or ``None``), and the table's columns must
be strings, integers or booleans only.  Anything else (a float, a ``date``, a
string Arrow refuses, an integer past 64 bits) returns ``None`` and the caller
uses :func:`ingest.schema.frame`, so odd values keep exactly today's treatment and
pandera sees the same frame either way (``tests/test_frames.py`` compares the two
on the corpora and on hostile rows).
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from . import schema

if TYPE_CHECKING:
    import pandas as pd

# The column types built here, with the one Python type their values may have.
_PY_TYPES: dict[str, type] = {"string": str, "integer": int, "boolean": bool}


class _NotExact(Exception):
    """A column this builder cannot build exactly as ``schema.frame`` does."""


def build(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame | None:
    """The frame of ``rows`` for table ``name``, equal to ``schema.frame(name, rows)``,
    or None when it cannot be built here exactly (the caller then uses that)."""
    import pandas as pd

    table = schema.tables()[name]
    if not rows or any(c.type not in _PY_TYPES for c in table.columns):
        return None
    try:
        data = {c.name: _array(c.type, _values(rows, c.name)) for c in table.columns}
    except (_NotExact, ValueError, TypeError, OverflowError):
        return None
    return pd.DataFrame(data, columns=list(table.names))


def _values(rows: list[dict[str, Any]], column: str) -> list[Any]:
    """One column's values; a row without the key holds a null, as ``from_records`` gives."""
    try:
        return list(map(itemgetter(column), rows))
    except KeyError:
        return [row.get(column) for row in rows]


def _array(kind: str, values: list[Any]) -> Any:
    """``values`` as the pandas array of the contract's dtype for ``kind``; raises
    :class:`_NotExact` when a value does not have the column's Python type."""
    want = _PY_TYPES[kind]
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    if kinds - {want, type(None)}:  # bool is not an int here, nor an int a bool
        raise _NotExact(kind)
    if kind == "string":
        return _strings(values)
    return _masked(kind, values, nulls)


def _strings(values: list[Any]) -> Any:
    import pandas as pd
    import pyarrow as pa

    # What astype("string[pyarrow]") holds: a large_string Arrow array.  Arrow refuses
    # a string that is not valid UTF-8 (a lone surrogate): ValueError, the general path.
    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(values, pa.large_string())]))


def _masked(kind: str, values: list[Any], nulls: bool) -> Any:
    """An ``Int64`` or ``boolean`` array: the values (nulls as 0/False) and a null mask."""
    import numpy as np
    import pandas as pd

    if kind == "integer":
        dtype: Any = np.int64
        filled = [0 if v is None else v for v in values] if nulls else values
    else:
        dtype = np.bool_
        filled = [False if v is None else v for v in values] if nulls else values
    data = np.array(filled, dtype=dtype)  # OverflowError past 64 bits: the general path
    mask = np.array([v is None for v in values], dtype=np.bool_) if nulls else None
    if mask is None:
        mask = np.zeros(len(values), dtype=np.bool_)
    if kind == "integer":
        return pd.arrays.IntegerArray(data, mask)
    return pd.arrays.BooleanArray(data, mask)

"""SQL literals for the small sets of values ingest writes itself.

DuckDB 1.5's Python client imports pandas before it binds the first parameter
of a process (duckdb/duckdb#18658): 0.3-0.4 s and ~60 MB, whatever the value.
A run that parses nothing, or a few files in a worker, would pay more for that
import than for its work.  So the loader binds no parameters for small row sets:
values are written as literals (strings quoted, ``'`` doubled, which is all a
DuckDB string literal needs), and parameters are kept for the large inserts of a
first load, where the import is lost in the noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any


def literal(value: Any) -> str:
    """One Python value as a DuckDB literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"'{value}'::DOUBLE"
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::TIMESTAMPTZ"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def values(rows: Sequence[Sequence[Any]]) -> str:
    """``VALUES (...), (...)`` for ``rows``."""
    return "VALUES " + ", ".join("(" + ", ".join(literal(v) for v in r) + ")" for r in rows)

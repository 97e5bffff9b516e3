"""Stage: validate rows with pandera, on concatenated batch frames.

All documents of a batch are validated together (one frame per table, lazy mode so
every failure is collected), then failures are mapped back to the documents
that produced them through ``doc_id``.  A document with any invalid row is
quarantined whole with a short plain-words summary; the rest of the batch goes on.
This keeps pandera's per-call overhead per batch instead of per document.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from . import frames, schema
from .document import DocResult
from .rowcheck import mark_failed, table_rows

STAGE = "validate"
_MAX_EXAMPLES = 3


def validate_batch(results: list[DocResult], run_id: str) -> dict[str, pd.DataFrame]:
    """Validate the rows of every ``ok`` result; set ``error`` on the ones that fail.

    Returns one DataFrame per document table holding only the rows of documents
    that passed.
    """
    ok = [r for r in results if r.ok]
    frames: dict[str, pd.DataFrame] = {}
    failures: dict[str, list[str]] = defaultdict(list)
    for name in schema.document_tables():
        frames[name] = _validate_table(name, table_rows(name, ok, run_id), ok, failures)
    if not failures:
        return frames
    mark_failed(ok, failures)
    bad = set(failures)
    return {name: df[~df["doc_id"].isin(bad)].reset_index(drop=True) for name, df in frames.items()}


def _validate_table(
    name: str, rows: list[dict[str, Any]], ok: list[DocResult], failures: dict[str, list[str]]
) -> pd.DataFrame:
    """The table's frame, its failures added to ``failures`` by document.

    A value of the wrong type (the frame cannot be built) fails every document of the
    batch, since the row cannot be traced back; an empty frame is returned then."""
    try:
        df = frames.build(name, rows)
        if df is None:  # a value only pandas' own conversions can judge
            df = schema.frame(name, rows)
    except (ValueError, TypeError) as exc:  # a value of the wrong type
        for r in ok:
            failures[r.doc_id].append(f"{name}: {exc}")
        return schema.frame(name, [])
    if not df.empty:
        for doc_id, msg in _failures(name, df):
            failures[doc_id].append(msg)
    return df


def _failures(name: str, df: pd.DataFrame) -> list[tuple[str, str]]:
    import pandera.errors as pe

    try:
        schema.pandera_schema(name).validate(df, lazy=True)
        return []
    except pe.SchemaErrors as exc:
        cases = exc.failure_cases
    out: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    all_docs = df["doc_id"]
    for case in cases.itertuples(index=False):
        idx = getattr(case, "index", None)
        column = str(getattr(case, "column", None) or "")
        check = str(getattr(case, "check", ""))
        value = str(getattr(case, "failure_case", ""))[:60]
        docs = (
            [str(all_docs.iloc[int(idx)])]
            if idx is not None and not pd.isna(idx)
            else list(all_docs.unique())
        )
        for d in docs:
            out[(d, column, check)].append(value)
    result = []
    for (doc_id, column, check), values in out.items():
        where = f"{name}.{column}" if column and column != "None" else name
        examples = ", ".join(repr(v) for v in values[:_MAX_EXAMPLES])
        result.append((doc_id, f"{where} failed {check} in {len(values)} row(s), e.g. {examples}"))
    return result

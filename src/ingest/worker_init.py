"""Imported once by the fork server of parse workers (see :mod:`ingest.workers`).

Everything a worker needs before its first batch: the parsers, pandas and
pandera, Parquet, and the pandera schemas built from the contract (~0.25 s, the
first validation's cost otherwise), and one validation of an empty frame: pandera
loads its backends on the first ``validate`` call (~0.15 s), which would otherwise
land on the first batch of every run.  Every worker forks from the server with all
of it in place.
"""

from __future__ import annotations

import contextlib

import pandera.errors
import pyarrow.parquet  # noqa: F401  (batches are staged as Parquet)

from . import document, schema, validate  # noqa: F401

for _table in schema.document_tables():
    schema.pandera_schema(_table)

with contextlib.suppress(pandera.errors.SchemaErrors):  # a warm-up must never fail
    schema.pandera_schema("documents").validate(schema.frame("documents", []), lazy=True)

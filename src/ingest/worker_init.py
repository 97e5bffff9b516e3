"""Imported once by the fork server of parse workers (see :mod:`ingest.workers`).

Everything a worker needs before its first batch: the parsers, pandas and
pandera, Parquet, and the pandera schemas built from the contract (~0.25 s, the
first validation's cost otherwise).  Every worker forks from the server with all
of it in place.
"""

from __future__ import annotations

import pyarrow.parquet  # noqa: F401  (batches are staged as Parquet)

from . import document, schema, validate  # noqa: F401

for _table in schema.document_tables():
    schema.pandera_schema(_table)

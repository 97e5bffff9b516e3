"""Imported once by the fork server of parse workers (see :mod:`ingest.workers`).

Everything a worker needs before its first batch: the parsers, pandas and
pandera, Parquet, and the pandera schemas built from the contract (~0.25 s, the
first validation's cost otherwise), and one validation of an empty frame: pandera
loads its backends on the first ``validate`` call (~0.15 s), which would otherwise
land on the first batch of every run.  Every worker forks from the server with all
of it in place.

Then the garbage collector is set for what a worker does.  Parsing a batch makes
millions of short-lived objects (rows, tokens) while the imported libraries hold
hundreds of thousands of long-lived ones, which every full collection walked again:
~15% of a worker's CPU on the realistic corpus.  :func:`gc.freeze` moves everything
imported so far out of the collector's sight for good (it is never garbage; this
also keeps those pages shared with the fork server instead of copied into each
worker when a collection would touch them), and the youngest generation is
collected every 10,000 allocations instead of 700, so a batch's rows, which live
until the batch is staged, are not traversed over and over.  Cyclic garbage still
goes: only later, by a few thousand objects.
"""

from __future__ import annotations

import contextlib
import gc

import pandera.errors
import pyarrow.parquet  # noqa: F401  (batches are staged as Parquet)

from . import document, frames, schema, validate  # noqa: F401
from .workers import GC_THRESHOLD

for _table in schema.document_tables():
    schema.pandera_schema(_table)

with contextlib.suppress(pandera.errors.SchemaErrors):  # a warm-up must never fail
    schema.pandera_schema("documents").validate(schema.frame("documents", []), lazy=True)

gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLD)

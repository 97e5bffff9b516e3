"""The parse layer: one document's bytes to the rows of the warehouse's document tables.

Read the package in the order a document goes through it:

- :mod:`.read` turns bytes into blocks: ``decode`` (UTF-8, else windows-1252 with a
  repair), ``front`` (YAML/TOML/JSON front matter), ``preflight`` (structure budgets
  counted before any parser allocates), ``blocks`` (Markdown block structure with
  source lines);
- :mod:`.walk` turns blocks into the typed :mod:`.model` (sections, parts, list items,
  facts, tables, citations), using the recognisers of :mod:`.shapes` (tables, citation
  markers, reference entries, FAQ labels, boilerplate, text cleaning);
- :mod:`.passes` are pure passes over the model (paragraph rejoin, reference lists,
  FAQ reconcile, citation resolution, section pruning, description, quality);
- :mod:`.families` decides what kind of document it is and fills the family's columns;
- :mod:`.rows` builds each warehouse table's rows, one builder per table.

:mod:`.extract` runs the stages in that order; :func:`process_file` and
:func:`process_bytes` are the entry points (also exported as :mod:`ingest.document`).
"""

from __future__ import annotations

from .extract import process_bytes, process_file
from .result import DocResult, Row, doc_id_for

__all__ = ["DocResult", "Row", "doc_id_for", "process_bytes", "process_file"]

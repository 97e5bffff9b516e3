"""The library's entry point for one document: :func:`process_file` / :func:`process_bytes`.

The parse itself lives in :mod:`ingest.parse` (read -> walk -> passes -> rows); this
module keeps the stable import path that library users, workers and tests use.
"""

from __future__ import annotations

from .parse import DocResult, Row, doc_id_for, process_bytes, process_file

__all__ = ["DocResult", "Row", "doc_id_for", "process_bytes", "process_file"]

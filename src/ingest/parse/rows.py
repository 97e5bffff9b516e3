"""One row builder per warehouse table, driven by the table list of the contract.

Every table of ``kind: document`` in ``schemas/warehouse.yaml`` (but the ``derived``
ones, computed later from these rows) has exactly one
builder here, a function from the finished :class:`~ingest.parse.model.Document` to
that table's rows; :func:`build` runs them in the contract's order and fails loudly if
the contract names a table no builder fills (a test checks the two lists agree).  Ids
are given here and only here: sections by their surviving order, tables and citations
by order of appearance, list items and facts by their position in the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from .. import PARSER_VERSION, dates, schema
from .families import family_columns
from .model import Document
from .shapes import clean

Row = dict[str, Any]


def build(doc: Document) -> dict[str, list[Row]]:
    """Rows of every document table, in the contract's table order."""
    tables = schema.parsed_tables()
    missing = [t for t in tables if t not in BUILDERS]
    if missing:
        raise LookupError(f"no row builder for the contract's tables: {', '.join(missing)}")
    return {t: BUILDERS[t](doc) for t in tables}


def documents(doc: Document) -> list[Row]:
    """The document's own row: identity, front matter, metadata lines, family columns."""
    meta = doc.meta
    row: Row = {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "source_path": doc.source_path,
        "family": doc.family,
        "title": doc.title,
        "content_sha256": doc.content_sha256,
        "n_bytes": doc.n_bytes,
        "n_lines": len(doc.lines),
        "encoding": doc.encoding,
        "front_matter_format": doc.front_matter_format,
        "description": doc.description,
        "description_truncated": doc.description_truncated,
        **typed_dates(doc),
        "author": doc.fields.get("author") or text(meta.get("author", meta.get("authors"))),
        "meta_json": meta_json(meta),
        "parser_version": PARSER_VERSION,
    }
    row.update(family_columns(doc))
    return [row]


def date_texts(doc: Document) -> dict[str, str | None]:
    """The document's dates as written: ``published`` (a 'Date:' line or the front
    matter's) and ``last_modified`` (the front matter's)."""
    meta = doc.meta
    return {
        "published": doc.fields.get("published")
        or text(first(meta, "published", "date", "pubDate", "publishDate")),
        "last_modified": text(
            first(meta, "lastModified", "last_modified", "modified", "updated", "lastmod")
        ),
    }


# How each date column is read from its text (see ingest.dates).
DATE_READERS: dict[str, Callable[[str | None], date | datetime | None]] = {
    "published": dates.parse_date,
    "last_modified": dates.parse_timestamp,
}


def typed_dates(doc: Document) -> Row:
    """``published``/``last_modified`` typed, beside their text as written (a text that
    is not a date leaves the typed column null: the quality pass warns)."""
    row: Row = {}
    for column, value in date_texts(doc).items():
        row[column] = DATE_READERS[column](value)
        row[f"{column}_text"] = value
    return row


def sections(doc: Document) -> list[Row]:
    """Surviving sections, their text the joined parts; a headless one takes the title."""
    out: list[Row] = []
    for sec in doc.sections:
        if sec.out_id is None:
            continue
        parent = sec.parent.out_id if sec.parent is not None else None
        out.append(
            {
                "doc_id": doc.doc_id,
                "section_id": sec.out_id,
                "parent_section_id": parent,
                "level": sec.level,
                "heading": sec.heading or doc.title,
                "text": "\n".join(p.text for p in sec.parts),
                "line_start": sec.line,
            }
        )
    return out


def list_items(doc: Document) -> list[Row]:
    """List items of surviving sections."""
    return [
        {
            "doc_id": doc.doc_id,
            "section_id": it.section.out_id,
            "position": it.position,
            "depth": it.depth,
            "text": it.text,
            "line_start": it.line,
        }
        for it in doc.items
        if it.section.out_id is not None
    ]


def facts(doc: Document) -> list[Row]:
    """``**Key:** value`` items of surviving sections."""
    return [
        {
            "doc_id": doc.doc_id,
            "section_id": f.section.out_id,
            "position": f.position,
            "key": f.key,
            "value": f.value,
            "line_start": f.line,
        }
        for f in doc.facts
        if f.section.out_id is not None
    ]


def faqs(doc: Document) -> list[Row]:
    """Reconciled FAQs, numbered from 1."""
    return [
        {
            "doc_id": doc.doc_id,
            "position": i,
            "question": f.question,
            "answer": f.answer or None,
            "origin": f.origin,
            "line_start": f.line,
        }
        for i, f in enumerate(doc.faqs, start=1)
    ]


def repairs(doc: Document) -> list[Row]:
    """Every logged repair, in the order made."""
    return [
        {
            "doc_id": doc.doc_id,
            "position": i,
            "field": r.field,
            "rule": r.rule,
            "before": r.before,
            "after": r.after,
            "line_start": r.line,
        }
        for i, r in enumerate(doc.repairs, start=1)
    ]


def doc_tables(doc: Document) -> list[Row]:
    """One row per table: format, shape, section and column names."""
    return [
        {
            "doc_id": doc.doc_id,
            "table_id": t.id,
            "position": t.id,
            "format": t.raw.format,
            "n_rows": len(t.raw.rows),
            "n_cols": len(t.names),
            "section_id": t.section.out_id,
            "line_start": t.raw.line,
            "header": t.raw.header is not None,
            "columns": json.dumps(t.names, ensure_ascii=False),
        }
        for t in doc.tables
    ]


def table_cells(doc: Document) -> list[Row]:
    """Every body cell of every table (the long form; views pivot it)."""
    doc_id = doc.doc_id
    return [
        {
            "doc_id": doc_id,
            "table_id": t.id,
            "row_index": r,
            "col_index": c,
            "column_name": name,
            "text": cell,
        }
        for t in doc.tables
        for r, cells in enumerate(t.cells, start=1)
        for c, (name, cell) in enumerate(zip(t.names, cells, strict=True), start=1)
    ]


def citations(doc: Document) -> list[Row]:
    """Citation markers with where they sit and whether they resolve."""
    return [
        {
            "doc_id": doc.doc_id,
            "position": c.position,
            "ref_number": c.number,
            "resolved": c.resolved,
            "section_id": c.section.out_id if c.section is not None else None,
            "table_id": c.table_id,
            "row_index": c.row_index,
            "line_start": c.line,
        }
        for c in doc.citations
    ]


def reference_entries(doc: Document) -> list[Row]:
    """Reference list entries, with whether any marker cites them."""
    return [
        {
            "doc_id": doc.doc_id,
            "ref_number": r.number,
            "title": r.title or None,
            "source": r.source,
            "domain": r.domain,
            "url": r.url,
            "line_start": r.line,
            "cited": r.number in doc.cited,
        }
        for r in doc.references
    ]


def document_warnings(doc: Document) -> list[Row]:
    """Warnings about the (loaded) document, in the order raised."""
    return [
        {
            "doc_id": doc.doc_id,
            "position": position,
            "stage": w.stage,
            "code": w.code,
            "line_start": w.line,
            "message": w.message,
        }
        for position, w in enumerate(doc.warnings, 1)
    ]


BUILDERS: dict[str, Callable[[Document], list[Row]]] = {
    f.__name__: f
    for f in (
        documents,
        sections,
        list_items,
        facts,
        faqs,
        repairs,
        doc_tables,
        table_cells,
        citations,
        reference_entries,
        document_warnings,
    )
}


# -- values ---------------------------------------------------------------------------
def first(meta: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys`` with a non-empty value in ``meta``."""
    for k in keys:
        if meta.get(k) not in (None, ""):
            return meta[k]
    return None


def text(value: Any) -> str | None:
    """A front-matter value as one line of text (dates ISO, lists joined by ``; ``)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return text(value.get("name") or next(iter(value.values()), None))
    if isinstance(value, list):
        parts = [p for p in (text(v) for v in value) if p]
        return "; ".join(parts) or None
    return clean.plain(str(value)) or None


def meta_json(meta: dict[str, Any]) -> str:
    """Front matter other than FAQs, as sorted JSON."""
    rest = {k: v for k, v in meta.items() if k not in ("faqs", "faq", "FAQs")}
    return json.dumps(rest, ensure_ascii=False, default=str, sort_keys=True)

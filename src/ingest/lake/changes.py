"""The change feed: what changed in the warehouse between two lake snapshots, by natural keys.

``ingest changes --since RUN`` answers "what is new since that run?" for documents and,
inside each changed document, for its FAQs, facts, table cells and citations.  The
contract's keys cannot answer it: they number rows by position (``faqs`` by ``doc_id,
position``), so a FAQ inserted at the top would renumber every FAQ below it and show
them all as changed.  Rows are matched by what identifies them to a reader instead:

=============  ====================================================  ================
kind           natural key                                           value compared
=============  ====================================================  ================
faqs           question                                              answer
facts          section heading, fact key (the bold label)            value
table_cells    table (its section's heading + its number among the   text
               tables under a heading of that text), row (the
               text of its first cell), column (header text)
citations      reference number, where it is cited (a section        resolved
               heading, or a table and row as above)
=============  ====================================================  ================

A key that occurs more than once in a document (a question asked twice, two rows with
the same label, a reference cited twice in one section) is told apart by its
``occurrence`` (1, 2, ... in document order), part of the key.  A row whose key
changes (a renamed fact, a reworded question) is one removed and one added item.

Documents are matched by ``doc_id`` (stable for a source and path): added, removed, or
changed when their ``content_sha256`` or ``parser_version`` differ (the document was
loaded again); only changed documents are compared item by item.

**Why two relations per table.** The core, :func:`diff`, takes a DuckDB connection and,
for each side, a function from a table name to a SQL relation, so it does not depend on
how the lake is attached or even on there being a lake: :func:`lake_relations` gives
``lake.faqs AT (VERSION => 3)`` for a snapshot and ``lake.faqs`` for the latest one.
DuckLake's ``table_changes`` is not used: ingest replaces a changed document's rows
(delete, then insert), so the row-level changes it lists are every row of that document
deleted and inserted again, and between distant snapshots a document loaded several
times shows each version; comparing the two states by natural keys gives the net change
directly, and both states are read with DuckLake's own filter pushdown on ``doc_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..sql import literal

Relations = Callable[[str], str]
KINDS = ("faqs", "facts", "table_cells", "citations")

# Each kind's keyed rows on one side: doc_id, key (a list of text), value and n (the
# occurrence of that key), for the documents in {ids} (a SQL list); the other
# placeholders are that side's tables, as subqueries.  A table's label is its section's
# heading and its number among the tables under headings of that text (two sections may
# share a heading); a row's label is its first cell.
_TABLE_LABELS = """
SELECT t.doc_id, t.table_id,
       coalesce(s.heading, '') || ' #' || row_number() OVER (
           PARTITION BY t.doc_id, coalesce(s.heading, '') ORDER BY t.position) AS label
FROM {documents_tables} t
LEFT JOIN {sections} s ON s.doc_id = t.doc_id AND s.section_id = t.section_id
WHERE t.doc_id IN {ids}
"""
_ROW_LABELS = """
SELECT c.doc_id, c.table_id, c.row_index, coalesce(c.text, '') AS row_label,
       row_number() OVER (PARTITION BY c.doc_id, c.table_id, c.text ORDER BY c.row_index) AS row_n
FROM {table_cells} c
WHERE c.col_index = 1 AND c.doc_id IN {ids}
"""
_KEYED = {
    "faqs": """
SELECT doc_id, [question] AS key, answer AS value,
       row_number() OVER (PARTITION BY doc_id, question ORDER BY position) AS n
FROM {faqs} WHERE doc_id IN {ids}
""",
    "facts": """
SELECT f.doc_id, [coalesce(s.heading, ''), f.key] AS key, f.value,
       row_number() OVER (PARTITION BY f.doc_id, s.heading, f.key ORDER BY f.position) AS n
FROM {facts} f
LEFT JOIN {sections} s ON s.doc_id = f.doc_id AND s.section_id = f.section_id
WHERE f.doc_id IN {ids}
""",
    "table_cells": """
WITH tl AS ({table_labels}), rl AS ({row_labels})
SELECT c.doc_id, [tl.label, coalesce(rl.row_label, '#' || c.row_index), coalesce(rl.row_n, 1)::VARCHAR,
        c.column_name] AS key, c.text AS value,
       row_number() OVER (PARTITION BY c.doc_id, c.table_id, c.row_index, c.column_name
                          ORDER BY c.col_index) AS n
FROM {table_cells} c
JOIN tl ON tl.doc_id = c.doc_id AND tl.table_id = c.table_id
LEFT JOIN rl ON rl.doc_id = c.doc_id AND rl.table_id = c.table_id AND rl.row_index = c.row_index
WHERE c.doc_id IN {ids}
""",
    "citations": """
WITH tl AS ({table_labels}), rl AS ({row_labels}), located AS (
    SELECT c.doc_id, c.position, c.ref_number, c.resolved,
           CASE WHEN c.table_id IS NOT NULL
                THEN 'table "' || coalesce(tl.label, '#' || c.table_id) || '", row "'
                     || coalesce(rl.row_label, '#' || c.row_index) || '"'
                     || CASE WHEN rl.row_n > 1 THEN ' (' || rl.row_n || ')' ELSE '' END
                ELSE 'section "' || coalesce(s.heading, '') || '"' END AS place
    FROM {citations} c
    LEFT JOIN {sections} s ON s.doc_id = c.doc_id AND s.section_id = c.section_id
    LEFT JOIN tl ON tl.doc_id = c.doc_id AND tl.table_id = c.table_id
    LEFT JOIN rl ON rl.doc_id = c.doc_id AND rl.table_id = c.table_id AND rl.row_index = c.row_index
    WHERE c.doc_id IN {ids}
)
SELECT doc_id, [ref_number::VARCHAR, place] AS key, resolved::VARCHAR AS value,
       row_number() OVER (PARTITION BY doc_id, ref_number, place ORDER BY position) AS n
FROM located
""",
}
# How each kind's key list and value read in the feed.
_KEY_NAMES = {
    "faqs": ("question",),
    "facts": ("section", "key"),
    "table_cells": ("table", "row", "row_occurrence", "column"),
    "citations": ("ref_number", "where"),
}
_VALUE_NAMES = {"faqs": "answer", "facts": "value", "table_cells": "text", "citations": "resolved"}


@dataclass(frozen=True)
class ItemChange:
    """One FAQ, fact, table cell or citation added, removed or changed in a document."""

    kind: str
    change: str  # added | removed | changed
    key: dict[str, Any]
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        """The item as the JSON feed writes it."""
        return {"change": self.change, "key": self.key, "before": self.before, "after": self.after}


@dataclass
class DocumentChange:
    """A document added, removed or changed, with its item changes when changed."""

    change: str  # added | removed | changed
    doc_id: str
    source: str
    source_path: str
    title: str
    items: list[ItemChange] = field(default_factory=list)
    quarantined: str | None = None  # a removed document's file, quarantined: the error code

    def as_json(self) -> dict[str, Any]:
        """The document as the JSON feed writes it (``items`` only for a changed one)."""
        out: dict[str, Any] = {
            "change": self.change,
            "doc_id": self.doc_id,
            "source": self.source,
            "source_path": self.source_path,
            "title": self.title,
        }
        if self.change == "removed":
            out["quarantined"] = self.quarantined
        if self.change == "changed":
            out["items"] = {
                kind: [i.as_json() for i in self.items if i.kind == kind] for kind in KINDS
            }
        return out


def lake_relations(alias: str, snapshot: int | None) -> Relations:
    """Tables of the lake attached as ``alias``, as of ``snapshot`` (None: the latest)."""
    at = "" if snapshot is None else f" AT (VERSION => {int(snapshot)})"
    return lambda table: f"{alias}.{table}{at}"


def diff(
    con: duckdb.DuckDBPyConnection,
    before: Relations,
    after: Relations,
    *,
    source: str | None = None,
) -> list[DocumentChange]:
    """Documents added, removed and changed from ``before`` to ``after`` (of ``source``
    only, when given), each changed one with its item changes; ordered by source, path."""
    docs = _documents(con, before, after, source)
    changed = {d.doc_id: d for d in docs if d.change == "changed"}
    if changed:
        ids = "(" + ", ".join(literal(i) for i in sorted(changed)) + ")"
        for kind in KINDS:
            for doc_id, item in _items(con, kind, before, after, ids):
                changed[doc_id].items.append(item)
    return docs


def mark_quarantined(
    con: duckdb.DuckDBPyConnection, after: Relations, docs: list[DocumentChange]
) -> None:
    """Say which removed documents went because their file is now quarantined (from the
    ``source_files`` bookkeeping on the ``after`` side), not because it is gone."""
    removed = {(d.source, d.source_path): d for d in docs if d.change == "removed"}
    if not removed:
        return
    keys = ", ".join(f"({literal(s)}, {literal(p)})" for s, p in sorted(removed))
    rows = con.execute(
        f"""
        SELECT source, source_path, error_code FROM {_subquery(after, "source_files")}
        WHERE status = 'quarantined' AND (source, source_path) IN ({keys})
        """
    ).fetchall()
    for source, path, code in rows:
        removed[(source, path)].quarantined = code or "quarantined"


def _documents(
    con: duckdb.DuckDBPyConnection, before: Relations, after: Relations, source: str | None
) -> list[DocumentChange]:
    """The documents that differ between the two sides (by doc_id, hash and parser)."""
    where = "" if source is None else f"WHERE source = {literal(source)}"
    cols = "doc_id, source, source_path, title, content_sha256, parser_version"
    rows = con.execute(
        f"""
        WITH a AS (SELECT {cols} FROM {_subquery(after, "documents")} {where}),
             b AS (SELECT {cols} FROM {_subquery(before, "documents")} {where})
        SELECT CASE WHEN b.doc_id IS NULL THEN 'added'
                    WHEN a.doc_id IS NULL THEN 'removed' ELSE 'changed' END,
               coalesce(a.doc_id, b.doc_id), coalesce(a.source, b.source),
               coalesce(a.source_path, b.source_path), coalesce(a.title, b.title)
        FROM a FULL JOIN b ON a.doc_id = b.doc_id
        WHERE a.doc_id IS NULL OR b.doc_id IS NULL
           OR a.content_sha256 IS DISTINCT FROM b.content_sha256
           OR a.parser_version IS DISTINCT FROM b.parser_version
        ORDER BY 3, 4, 2
        """
    ).fetchall()
    return [DocumentChange(*row) for row in rows]


def keyed_sql(kind: str, relations: Relations, ids: str) -> str:
    """The SQL of one kind's rows, keyed by natural key, on one side."""
    names = ("faqs", "facts", "sections", "table_cells", "citations")
    tables = {t: _subquery(relations, t) for t in names}
    tables["documents_tables"] = _subquery(relations, "doc_tables")
    labels = {
        "table_labels": _TABLE_LABELS.format(ids=ids, **tables),
        "row_labels": _ROW_LABELS.format(ids=ids, **tables),
    }
    return _KEYED[kind].format(ids=ids, **tables, **labels)


def _subquery(relations: Relations, table: str) -> str:
    """A side's table as a subquery, which takes an alias whatever the relation's form."""
    return f"(FROM {relations(table)})"


def _items(
    con: duckdb.DuckDBPyConnection, kind: str, before: Relations, after: Relations, ids: str
) -> Iterable[tuple[str, ItemChange]]:
    """(doc_id, item change) of one kind for the changed documents ``ids`` (a SQL list)."""
    rows = con.execute(
        f"""
        WITH a AS ({keyed_sql(kind, after, ids)}), b AS ({keyed_sql(kind, before, ids)})
        SELECT coalesce(a.doc_id, b.doc_id) AS doc_id,
               CASE WHEN b.doc_id IS NULL THEN 'added'
                    WHEN a.doc_id IS NULL THEN 'removed' ELSE 'changed' END AS change,
               coalesce(a.key, b.key) AS key, coalesce(a.n, b.n) AS n,
               b.value AS before, a.value AS after
        FROM a FULL JOIN b ON a.doc_id = b.doc_id AND a.key = b.key AND a.n = b.n
        WHERE a.doc_id IS NULL OR b.doc_id IS NULL OR a.value IS DISTINCT FROM b.value
        ORDER BY doc_id, change, key, n
        """
    ).fetchall()
    for doc_id, change, key, n, old, new in rows:
        yield (
            doc_id,
            ItemChange(kind, change, _key(kind, key, n), _value(kind, old), _value(kind, new)),
        )


def _key(kind: str, parts: list[str], occurrence: int) -> dict[str, Any]:
    """A kind's key list as named fields, with its occurrence."""
    key: dict[str, Any] = dict(zip(_KEY_NAMES[kind], parts, strict=True))
    if kind == "citations":
        key["ref_number"] = int(key["ref_number"])
    if kind == "table_cells":
        key["row_occurrence"] = int(key["row_occurrence"] or 1)
        key["column_occurrence"] = occurrence
    else:
        key["occurrence"] = occurrence
    return key


def _value(kind: str, value: str | None) -> Any:
    """A compared value as the feed shows it (a citation's ``resolved`` is a boolean)."""
    if kind == "citations" and value is not None:
        return value == "true"
    return value


def value_name(kind: str) -> str:
    """What a kind's compared value is (``answer``, ``value``, ``text``, ``resolved``)."""
    return _VALUE_NAMES[kind]

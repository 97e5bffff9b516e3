"""Searching the warehouse: the ``search()`` SQL macro and ``ingest search``.

The index is laid out by :mod:`ingest.search_index`; this module holds the one query
over it, as a table macro stored in the warehouse, so an analyst's SQL client and
``ingest search`` rank and locate hits with the same code:

    SELECT * FROM search('CYP3A4 inhibitor', max_hits := 20,
                         family_filter := 'monograph', source_filter := NULL);

It ranks units by BM25 with the fts extension's constants and formula (k1 = 1.2,
b = 0.75, a base-10 logarithm in the idf: scores equal its ``match_bm25``'s over the
same units; df and N are counted on the live units), joins the top ``max_hits`` back
to their tables for the document, the section heading
and the text, finds the first line holding a query word, reports that line (a list
item's or fact's own ``line_start``; a section's heading line for prose; the table's
line for a table row; the FAQ's line) and marks every form of the query's words in a
snippet of it with ``**``.  The macro uses core DuckDB functions only: a client needs
no extension to call it, and clients that never call it are not affected at all.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from .config import ConfigError
from .failures import RunFailure
from .search_index import exists, words_sql
from .sql import literal

MARK = "**"
SNIPPET_CHARS = 240
K1, B = 1.2, 0.75
COLUMNS = (
    "rank",
    "score",
    "doc_id",
    "source",
    "source_path",
    "family",
    "title",
    "kind",
    "heading",
    "line_start",
    "snippet",
)

_RANK = f"""
qw AS (SELECT DISTINCT unnest({words_sql("query_string")}) AS word),
qt AS (SELECT DISTINCT w.term_id FROM search_words w SEMI JOIN qw USING (word)),
mw AS (SELECT list(DISTINCT word) AS words FROM search_words
       WHERE term_id IN (SELECT term_id FROM qt)),
p AS (SELECT term_id, unit_id, sum(tf) AS tf, any_value(len) AS len FROM search_postings
      WHERE term_id IN (SELECT term_id FROM qt)
        AND unit_id NOT IN (SELECT unit_id FROM search_dead)
      GROUP BY term_id, unit_id),
df AS (SELECT term_id, count(*) AS df FROM p GROUP BY term_id),
st AS (SELECT n_units, total_len / greatest(n_units, 1) AS avgdl FROM search_stats),
scored AS (
    SELECT p.unit_id, sum(log10((st.n_units - df.df + 0.5) / (df.df + 0.5) + 1)
        * p.tf * {K1 + 1} / (p.tf + {K1} * ({1 - B} + {B} * p.len / st.avgdl))) AS score
    FROM p JOIN df USING (term_id) CROSS JOIN st GROUP BY p.unit_id),
best AS (
    (SELECT unit_id, score FROM scored WHERE family_filter IS NULL AND source_filter IS NULL
     ORDER BY score DESC, unit_id LIMIT max_hits)
    UNION ALL
    (SELECT s.unit_id, s.score
     FROM scored s JOIN search_units u USING (unit_id) JOIN documents d USING (doc_id)
     WHERE (family_filter IS NOT NULL OR source_filter IS NOT NULL)
       AND (family_filter IS NULL OR d.family = family_filter)
       AND (source_filter IS NULL OR d.source = source_filter)
     ORDER BY s.score DESC, s.unit_id LIMIT max_hits)),
top AS (
    SELECT b.unit_id, b.score, u.doc_id, u.kind, u.item, u.row_index, d.source,
           d.source_path, d.family, d.title, d.description
    FROM best b JOIN search_units u USING (unit_id) JOIN documents d USING (doc_id))"""

# Every table is narrowed first to the documents of the top hits of the kinds it serves
# (a one-key semi join, which DuckDB pushes into the scan as an IN filter; an empty one
# spares the scan): joined on two keys at once, it read the text of every section.
_TEXTS = """
sec AS (SELECT * FROM sections
        WHERE doc_id IN (SELECT doc_id FROM top WHERE kind IN ('section', 'table_row'))),
texts AS (
    SELECT t.unit_id, s.heading, s.heading || chr(10) || s.text AS text, s.line_start
    FROM top t JOIN sec s ON s.doc_id = t.doc_id AND s.section_id = t.item
    WHERE t.kind = 'section'
    UNION ALL
    SELECT t.unit_id, q.question, q.question || chr(10) || coalesce(q.answer, ''), q.line_start
    FROM top t
    JOIN (SELECT * FROM faqs WHERE doc_id IN (SELECT doc_id FROM top WHERE kind = 'faq')) q
      ON q.doc_id = t.doc_id AND q.position = t.item
    WHERE t.kind = 'faq'
    UNION ALL
    SELECT t.unit_id, coalesce(any_value(s.heading), ''),
           string_agg(c.text, ' | ' ORDER BY c.col_index), any_value(dt.line_start)
    FROM top t
    JOIN (SELECT * FROM table_cells
          WHERE doc_id IN (SELECT doc_id FROM top WHERE kind = 'table_row')) c
      ON c.doc_id = t.doc_id AND c.table_id = t.item AND c.row_index = t.row_index
    JOIN (SELECT * FROM doc_tables
          WHERE doc_id IN (SELECT doc_id FROM top WHERE kind = 'table_row')) dt
      ON dt.doc_id = t.doc_id AND dt.table_id = t.item
    LEFT JOIN sec s ON s.doc_id = dt.doc_id AND s.section_id = dt.section_id
    WHERE t.kind = 'table_row' GROUP BY t.unit_id
    UNION ALL
    SELECT t.unit_id, t.title, t.title || chr(10) || coalesce(t.description, ''), NULL
    FROM top t WHERE t.kind = 'document'),
lines AS (
    SELECT unit_id, unnest(string_split(text, chr(10))) AS line,
           generate_subscripts(string_split(text, chr(10)), 1) AS n
    FROM texts),
hit AS (
    SELECT unit_id, arg_min(line, n) AS line, min(n) AS n FROM lines CROSS JOIN mw
    WHERE list_has_any({line_words}, mw.words) GROUP BY unit_id),
items AS (
    SELECT li.doc_id, li.section_id, li.text, min(li.line_start) AS line_start
    FROM (SELECT * FROM list_items
          WHERE doc_id IN (SELECT doc_id FROM top WHERE kind = 'section')) li
    SEMI JOIN top t ON t.kind = 'section' AND li.doc_id = t.doc_id AND li.section_id = t.item
    GROUP BY ALL),
facts_at AS (
    SELECT f.doc_id, f.line_start
    FROM (SELECT * FROM facts WHERE doc_id IN (SELECT doc_id FROM top WHERE kind = 'section')) f
    SEMI JOIN top t ON t.kind = 'section' AND f.doc_id = t.doc_id AND f.section_id = t.item)"""

_SELECT = """
SELECT row_number() OVER (ORDER BY t.score DESC, t.source, t.source_path, t.kind, t.item,
                                   t.row_index) AS rank,
       round(t.score, 4) AS score, t.doc_id, t.source, t.source_path, t.family, t.title,
       CASE WHEN t.kind <> 'section' OR coalesce(h.n, 1) = 1 OR i.line_start IS NULL
            THEN t.kind WHEN fa.line_start IS NOT NULL THEN 'fact' ELSE 'list_item' END
           AS kind,
       x.heading, coalesce(i.line_start, x.line_start) AS line_start,
       ingest_search_snippet(coalesce(h.line, split_part(x.text, chr(10), 1)), mw.words)
           AS snippet
FROM top t JOIN texts x USING (unit_id) CROSS JOIN mw
LEFT JOIN hit h USING (unit_id)
LEFT JOIN items i ON t.kind = 'section' AND h.n > 1 AND i.doc_id = t.doc_id
                 AND i.section_id = t.item AND i.text = h.line
LEFT JOIN facts_at fa ON fa.doc_id = t.doc_id AND fa.line_start = i.line_start
ORDER BY rank"""

# The line with every form of the query's words marked; a window around the first mark.
_SNIPPET_MACROS = (
    "CREATE OR REPLACE MACRO ingest_search_mark(line, words) AS CASE WHEN len(words) = 0 "
    "THEN line ELSE regexp_replace(line, '(?i)\\b(' || array_to_string(words, '|') || "
    f"')\\b', '{MARK}\\1{MARK}', 'g') END",
    "CREATE OR REPLACE MACRO ingest_search_cut(s, start) AS CASE "
    f"WHEN length(s) <= {SNIPPET_CHARS} THEN s "
    "ELSE (CASE WHEN start > 1 THEN '…' ELSE '' END) "
    f"|| substr(s, start, {SNIPPET_CHARS}) "
    f"|| (CASE WHEN start + {SNIPPET_CHARS} <= length(s) THEN '…' ELSE '' END) END",
    "CREATE OR REPLACE MACRO ingest_search_snippet(line, words) AS ingest_search_cut("
    "ingest_search_mark(line, words), "
    f"greatest(1, strpos(ingest_search_mark(line, words), '{MARK}') - 80))",
)

SEARCH_MACRO = (
    "CREATE OR REPLACE MACRO search(query_string, max_hits := 20, family_filter := NULL, "
    f"source_filter := NULL) AS TABLE\nWITH {_RANK},"
    + _TEXTS.format(line_words=words_sql("line"))
    + _SELECT
)


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)create the search macros in the database of ``con``."""
    for statement in (*_SNIPPET_MACROS, SEARCH_MACRO):
        con.execute(statement)


def drop_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the search macros (the table macro first: it uses the others), so the index can be
    rebuilt or removed."""
    con.execute("DROP MACRO TABLE IF EXISTS search")
    for name in ("ingest_search_snippet", "ingest_search_cut", "ingest_search_mark"):
        con.execute(f"DROP MACRO IF EXISTS {name}")


@dataclass
class Hit:
    """One ranked hit: where it is and a snippet with the query's words marked."""

    rank: int
    score: float
    doc_id: str
    source: str
    source_path: str
    family: str
    title: str
    kind: str
    heading: str
    line_start: int | None
    snippet: str


def search(
    db: str | Path,
    query: str,
    *,
    family: str | None = None,
    source: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The ranked hits of ``query`` in warehouse ``db`` (opened read-only)."""
    if not query.strip():
        raise ConfigError("nothing to search for: the query is empty")
    with _open(db) as con:
        if not _has_words(con, query):
            raise ConfigError(
                f"nothing to search for: {query!r} has no indexed words (letters or digits "
                "other than the most common English words)"
            )
        if source is not None:
            _check_source(con, db, source)
        args = (
            f"{literal(query)}, max_hits := {int(limit)}, family_filter := {literal(family)}, "
            f"source_filter := {literal(source)}"
        )
        rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM search({args})").fetchall()
    return [Hit(*row) for row in rows]


def _open(db: str | Path) -> duckdb.DuckDBPyConnection:
    from .sources import _open_read_only
    from .storage import check_readable

    path = Path(db)
    if not path.is_file():
        raise ConfigError(f"no warehouse at {db} (run `ingest run` first, or pass --db)")
    check_readable(path)
    con = _open_read_only(path)
    con.execute("SET memory_limit = '256MB'")
    if not exists(con):
        con.close()
        raise RunFailure(
            f"{db} has no search index yet: `ingest run` builds it (the first run that "
            "loads or removes a document after an upgrade; none while INGEST_SEARCH_INDEX=off)"
        )
    return con


def _has_words(con: duckdb.DuckDBPyConnection, query: str) -> bool:
    row = con.execute(f"SELECT len({words_sql(literal(query))})").fetchone()
    return bool(row and row[0])


def _check_source(con: duckdb.DuckDBPyConnection, db: str | Path, source: str) -> None:
    known = [r[0] for r in con.execute("SELECT source FROM sources ORDER BY source").fetchall()]
    if source not in known:
        raise ConfigError(
            f"no source named {source!r} in {db} (sources: {', '.join(known) or 'none'})"
        )


def format_text(hits: list[Hit], query: str) -> str:
    """Hits as lines a person reads: rank, ``source:path:line``, kind, heading, score, and
    the snippet below (no line for front matter, e.g. a title or a front-matter FAQ)."""
    if not hits:
        return f"no hits for {query!r}"
    out = []
    for h in hits:
        line = "" if h.line_start is None else f":{h.line_start}"
        out.append(
            f"{h.rank:>3}. {h.source}:{h.source_path}{line}  {h.kind} · {h.heading}  "
            f"(score {h.score:.2f})"
        )
        out.append(f"     {h.snippet}")
    return "\n".join(out)


def format_json(hits: list[Hit], query: str) -> str:
    """Hits as one JSON document (``query``, ``hits``: every column of ``search()``)."""
    payload: dict[str, Any] = {"query": query, "hits": [asdict(h) for h in hits]}
    return json.dumps(payload, indent=2, ensure_ascii=False)

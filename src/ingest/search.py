"""Searching the warehouse: the ``search()`` SQL macro and ``ingest search``.

The index is laid out by :mod:`ingest.search_index`; this module holds the one query
over it, as a table macro stored in the warehouse, so an analyst's SQL client and
``ingest search`` rank and locate hits with the same code:

    SELECT * FROM search('CYP3A4 inhibitor', max_hits := 20,
                         family_filter := 'monograph', source_filter := NULL);

It ranks units by BM25 with the fts extension's constants and formula (k1 = 1.2,
b = 0.75, a base-10 logarithm in the idf: scores equal its ``match_bm25``'s over the
same units; df and N are counted on the live units), fetches the top ``max_hits``
units from the index (their text, heading and line are kept there, so no table of the
warehouse is scanned), finds the first line holding a query word, reports that line (a list
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
from .search_index import exists, tokens_sql, words_sql
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

# Ranking.  Postings are unique per (term, unit), so a one-term query ranks them as
# they are read (a top-n, no aggregate: a common word has millions).  A query of
# several terms sums per unit only the units that can still reach the top (MaxScore):
# theta, the max_hits-th best score of any one term alone, is a floor for the final
# max_hits-th score; terms whose best scores together stay under it ("non-essential",
# typically the common words of a phrase) cannot lift a unit that has none of the
# others, so candidates come from the other terms' postings only.  Exact, not an
# approximation: every unit scoring at least theta is a candidate.
# Query words and hit lines are split with the tokenizer alone: stopwords are never in
# search_words, so they match nothing either way, and the stopword filter (a lambda over
# a list of 70 constants, twice) made a large share of a cheap query's planning.
_RANK = f"""
qw AS (SELECT DISTINCT unnest({tokens_sql("query_string")}) AS word),
qt AS (SELECT DISTINCT w.term_id FROM search_words w SEMI JOIN qw USING (word)),
mw AS (SELECT list(DISTINCT word) AS words FROM search_words
       WHERE term_id IN (SELECT term_id FROM qt)),
p AS (SELECT term_id, unit_id, tf, len FROM search_postings
      WHERE term_id IN (SELECT term_id FROM qt)
        AND unit_id NOT IN (SELECT unit_id FROM search_dead)),
st AS (SELECT n_units::DOUBLE AS n, {B * K1} * n_units / greatest(total_len, 1) AS per_len,
              (SELECT count(*) FROM qt) AS n_terms FROM search_stats),
idf AS (SELECT term_id, log10((st.n - count(*) + 0.5) / (count(*) + 0.5) + 1) * {K1 + 1} AS idf
        FROM p CROSS JOIN st GROUP BY term_id, st.n),
w AS MATERIALIZED (
    SELECT p.term_id, p.unit_id, st.n_terms,
           idf.idf * p.tf / (p.tf + {K1 * (1 - B)} + st.per_len * p.len) AS score
    FROM p JOIN idf USING (term_id) CROSS JOIN st),
tm AS (SELECT term_id, max(score) AS m, max(score, max_hits)[max_hits] AS kth
       FROM w WHERE n_terms > 1 AND family_filter IS NULL AND source_filter IS NULL
       GROUP BY term_id),
essential AS (
    SELECT term_id FROM (SELECT term_id, sum(m) OVER (ORDER BY m, term_id) AS reach FROM tm)
    WHERE reach >= (SELECT coalesce(max(kth), 0) FROM tm)),
scored AS (
    SELECT unit_id, score FROM w WHERE n_terms = 1
    UNION ALL
    SELECT unit_id, sum(score) FROM w
    WHERE n_terms > 1 AND (family_filter IS NOT NULL OR source_filter IS NOT NULL
                           OR unit_id IN (SELECT unit_id FROM w
                                          WHERE term_id IN (SELECT term_id FROM essential)))
    GROUP BY unit_id),
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
    SELECT b.unit_id, b.score, u.doc_id, u.kind, u.item, u.row_index, u.heading, u.line_start,
           u.text, u.items, d.source, d.source_path, d.family, d.title
    FROM best b JOIN search_units u USING (unit_id) JOIN documents d USING (doc_id))"""

# The top hits' own text, kept in the index (search_units): their first line holding a
# query word, and for a section's list item or fact, its own line.
_TEXTS = """
lines AS (
    SELECT unit_id, unnest(string_split(text, chr(10))) AS line,
           generate_subscripts(string_split(text, chr(10)), 1) AS n
    FROM top),
hit AS (
    SELECT unit_id, arg_min(line, n) AS line, min(n) AS n FROM lines CROSS JOIN mw
    WHERE list_has_any({line_words}, mw.words) GROUP BY unit_id),
located AS (
    SELECT t.*, h.line AS hit_line, h.n AS hit_n,
           CASE WHEN t.kind = 'section' AND h.n > 1
                THEN list_filter(t.items, x -> x.h = md5_number_lower(h.line))[1] END AS it
    FROM top t LEFT JOIN hit h USING (unit_id))"""

_SELECT = f"""
SELECT row_number() OVER (ORDER BY t.score DESC, t.source, t.source_path, t.kind, t.item,
                                   t.row_index) AS rank,
       round(t.score, 4) AS score, t.doc_id, t.source, t.source_path, t.family, t.title,
       CASE WHEN t.it IS NULL THEN t.kind WHEN t.it.fact THEN 'fact' ELSE 'list_item' END
           AS kind,
       t.heading, coalesce(t.it.line, t.line_start) AS line_start,
       ingest_search_cut(t.marked, greatest(1, strpos(t.marked, '{MARK}') - 80)) AS snippet
FROM (SELECT *, ingest_search_mark(coalesce(hit_line, split_part(text, chr(10), 1)), mw.words)
                AS marked
      FROM located CROSS JOIN mw) t
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
    + _TEXTS.format(line_words=tokens_sql("line"))
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

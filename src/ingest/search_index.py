"""The warehouse's full-text index (BM25), kept in step in every private build.

Analysts searched six tables with ``UNION``s.  This module keeps one ranked index over
the text of every loaded document, in the warehouse itself, refreshed by
:func:`sync` inside each run's private build just before publish
(:meth:`ingest.warehouse.Warehouse.publish`), so readers never see an index that does
not match the tables beside it.  The query side is :mod:`ingest.search`.

**What is indexed** ("units"): each section (heading and text: list items and facts
are lines of it, so their words are found through it, and :mod:`ingest.search`
reports the item's own line), each FAQ (question and answer), each table row (its
cells), and each document's title and description.

**Why not DuckDB's own ``PRAGMA create_fts_index``.**  Measured on the 10k benchmark
warehouse it took 40 s to build (everything, on every run: it cannot be updated),
stored a row per word occurrence in document order, and answered queries in
0.2-1 s by scanning all of them; at 100k documents that is minutes per run and
seconds per query.  So the index is laid out here, with the same ingredients (the
fts extension's Porter stemmer, BM25 with k1 = 1.2, b = 0.75), as plain tables that
a set-based update can maintain and a query can prune:

* ``search_words(word, stem, term_id)``: every distinct word (lower case, accents
  stripped, letters and digits: ``CYP3A4`` stays one word) and its stem's id.
  Queries look their words up here, so querying needs no extension at all (any
  DuckDB client can call ``search()``); only words never seen in the warehouse
  cannot match.
* ``search_postings(term_id, unit_id, tf, len)``: one row per (term, unit) (the forms
  of a stem summed at build time), written sorted by ``term_id``, so a query reads
  only the row groups of its terms (DuckDB pushes the term ids into the scan).
* ``search_units(unit_id, doc_id, kind, item, row_index, len, heading, line_start,
  text, items)``, with a unique index on ``unit_id``, and ``search_docs(doc_id,
  run_id)``: which version of which document the index holds, and what a hit on a
  unit shows: its text, heading and line, a section's list items.  A query fetches its
  top hits from here by index lookups; reading them from the warehouse's tables
  scanned the text of millions of rows at 100k documents (``BENCHMARKS.md``).  The
  copy of the text is most of the index's size.
* ``search_dead(unit_id)``: units of replaced or removed documents whose postings are
  still in the table; queries skip them.
* ``search_stats``: unit count and total length for BM25, layout version.

**Incremental.**  A document is re-indexed when its ``documents.run_id`` differs from
the one in ``search_docs`` (it was loaded again) and retired when it is gone, whatever
did it (a run, ``remove-source``, a migration re-keying ids).  New postings are
appended; when the appended tail or the dead units pass a tenth of the index, the
postings are rewritten sorted without the dead (a first run always does that).  A run
whose documents add no new words does not even load the extension.

Set ``INGEST_SEARCH_INDEX=off`` to build no index (any existing one is dropped, so it
is never stale either).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import duckdb

from . import extensions, keys
from .failures import UNCHANGED, RunFailure, disk_full, first_line
from .sql import literal

if TYPE_CHECKING:
    from .warehouse import Warehouse

LAYOUT = "2"  # bump when the tables' meaning changes: the index is then rebuilt
ENV = "INGEST_SEARCH_INDEX"
UNITS_KEY = "search_units_id"  # the unique index on search_units.unit_id
UNITS_KEY_CHECKPOINT_MB = 16  # index memory past which the step checkpoints it out
MEMORY_ENV = "INGEST_SEARCH_MEMORY_LIMIT"
DEFAULT_MEMORY_MB = 256
REWRITE_SHARE = 0.1  # tail or dead units past this share of the index: rewrite sorted
CHUNK_SHARE = 4  # documents indexed per statement: a quarter of the memory, in source bytes
TABLES = (
    "search_words",
    "search_postings",
    "search_units",
    "search_docs",
    "search_dead",
    "search_stats",
)

# Written for this index (not a copy of any list): words so common in every document
# that they only add weight to the index.
STOPWORDS = [
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "then",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "as",
    "into",
    "than",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "there",
    "their",
    "they",
    "we",
    "you",
    "he",
    "she",
    "his",
    "her",
    "which",
    "who",
    "whom",
    "what",
    "when",
    "where",
    "while",
    "also",
    "all",
    "any",
    "both",
    "each",
    "other",
    "such",
    "so",
    "can",
    "may",
    "will",
    "would",
    "should",
    "could",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
]

# Words of a text: lower case, accents stripped, runs of letters and digits.  The same
# expression tokenizes documents here and queries and hit lines in search().  Stopwords
# are kept out of search_words (so they match nothing) rather than filtered from every
# document's words: a lambda over every word cost the index build ~40%.
_STOP_LIST = "[" + ", ".join(f"'{w}'" for w in STOPWORDS) + "]"


def tokens_sql(text: str) -> str:
    """SQL for the list of words (stopwords included) of the SQL expression ``text``."""
    return f"regexp_extract_all(lower(strip_accents(CAST({text} AS VARCHAR))), '[\\pL\\pN]+')"


# A unit has a word when its text holds a letter or a digit (lowering and stripping
# accents keep a letter a letter).
_HAS_WORD = "regexp_matches(CAST(text AS VARCHAR), '[\\pL\\pN]')"


def words_sql(text: str) -> str:
    """SQL for the list of indexed words of the SQL expression ``text`` (no stopwords)."""
    return f"list_filter({tokens_sql(text)}, w -> NOT list_contains({_STOP_LIST}, w))"


_DDL = """
CREATE TABLE IF NOT EXISTS search_words (word VARCHAR NOT NULL, stem VARCHAR NOT NULL,
    term_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS search_postings (term_id INTEGER NOT NULL, unit_id BIGINT NOT NULL,
    tf INTEGER NOT NULL, len INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS search_units (unit_id BIGINT NOT NULL, doc_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL, item BIGINT NOT NULL, row_index BIGINT, len INTEGER NOT NULL,
    heading VARCHAR, line_start INTEGER, text VARCHAR NOT NULL,
    items STRUCT(h UBIGINT, line INTEGER, fact BOOLEAN)[]);
CREATE TABLE IF NOT EXISTS search_docs (doc_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS search_dead (unit_id BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS search_stats (layout VARCHAR NOT NULL, n_units BIGINT NOT NULL,
    total_len BIGINT NOT NULL, next_unit_id BIGINT NOT NULL, sorted_postings BIGINT NOT NULL,
    tail_postings BIGINT NOT NULL);
"""

# The text of each unit of the documents in temp table search_chunk.  At most this many
# characters of a unit are indexed.  Real sections hold at most a
# few thousand (2,768 in the 10k realistic corpus); a hostile 8 MB section would make
# one list of a million tokens, which DuckDB cannot spill (the leader reached 650 MB).
UNIT_TEXT_MAX = 200_000

# Besides its text, a unit keeps what a hit on it shows (heading, line) and, for a
# section, its list items (md5 of the text, line, whether a fact is there): a query
# then reads the text of its top hits from here, by unit_id, and never scans the
# tables (at 100k documents, table_cells alone is 37M rows).
_ITEMS = """
SELECT li.doc_id, li.section_id,
       list({'h': md5_number_lower(li.text), 'line': li.line_start,
             'fact': fa.doc_id IS NOT NULL}) AS items
FROM (SELECT doc_id, section_id, text, min(line_start) AS line_start
      FROM list_items SEMI JOIN search_chunk USING (doc_id) GROUP BY ALL) li
LEFT JOIN (SELECT DISTINCT doc_id, line_start FROM facts SEMI JOIN search_chunk USING (doc_id)) fa
  USING (doc_id, line_start)
GROUP BY li.doc_id, li.section_id"""

# A table row's cells in column order (a list sorted per row: an ordered string_agg
# cannot spill), under the heading of the table's section, at the table's line.
_ROWS = """
SELECT c.doc_id, c.table_id, c.row_index, coalesce(s.heading, '') AS heading, dt.line_start,
       c.text
FROM (SELECT doc_id, table_id, row_index,
             array_to_string(list_transform(list_sort(list({'i': col_index, 't': text})),
                                            x -> x.t), ' | ') AS text
      FROM table_cells SEMI JOIN search_chunk USING (doc_id) GROUP BY ALL) c
LEFT JOIN (SELECT * FROM doc_tables SEMI JOIN search_chunk USING (doc_id)) dt
  USING (doc_id, table_id)
LEFT JOIN (SELECT doc_id, section_id, heading FROM sections SEMI JOIN search_chunk USING (doc_id)) s
  ON s.doc_id = dt.doc_id AND s.section_id = dt.section_id"""

# One statement per kind of unit: one UNION ALL of the four held every branch's
# hash tables at once and ran out of 256 MB at 100k documents.
_UNIT_QUERIES = (
    f"""
SELECT d.doc_id, 'document' AS kind, 0 AS item, NULL::BIGINT AS row_index, d.title AS heading,
       NULL::INTEGER AS line_start, NULL AS items,
       left(d.title || chr(10) || coalesce(d.description, ''), {UNIT_TEXT_MAX}) AS text
FROM documents d SEMI JOIN search_chunk USING (doc_id)""",
    f"""
SELECT s.doc_id, 'section' AS kind, s.section_id AS item, NULL::BIGINT AS row_index, s.heading,
       s.line_start, i.items, left(s.heading || chr(10) || s.text, {UNIT_TEXT_MAX}) AS text
FROM sections s LEFT JOIN ({_ITEMS}) i USING (doc_id, section_id)
SEMI JOIN search_chunk USING (doc_id)""",
    f"""
SELECT q.doc_id, 'faq' AS kind, q.position AS item, NULL::BIGINT AS row_index,
       q.question AS heading, q.line_start, NULL AS items,
       left(q.question || chr(10) || coalesce(q.answer, ''), {UNIT_TEXT_MAX}) AS text
FROM faqs q SEMI JOIN search_chunk USING (doc_id)""",
    f"""
SELECT doc_id, 'table_row' AS kind, table_id AS item, row_index, heading, line_start,
       NULL AS items, left(text, {UNIT_TEXT_MAX}) AS text
FROM ({_ROWS})""",
)
_UNIT_TEXTS = "\nUNION ALL\n".join(_UNIT_QUERIES)
# How every statement above narrows a table to the chunk's documents.  A chunk of up to
# FEW_DOCUMENTS (a run that changed a few; a 16 MB chunk of a full build, ~600) becomes
# a list of constants, which DuckDB applies in the scan before reading any text: a join
# reads every row's text first, in every chunk (one document: 0.49 -> 0.06 s at 10k; a
# full 20k build: 201 -> 109 CPU-s).  Past it (a chunk of thousands of tiny files) the
# join keeps the statement small.
_IN_CHUNK = "SEMI JOIN search_chunk USING (doc_id)"
FEW_DOCUMENTS = 5000


class IndexOutOfMemory(RunFailure):
    """The index could not be built within ``INGEST_SEARCH_MEMORY_LIMIT``, even one
    document at a time."""


def _out_of_memory(mb: int, limit: str, exc: duckdb.Error) -> IndexOutOfMemory:
    """The one line for an index build that ran out of memory; ``limit``: DuckDB's limit
    during the build (the larger of ``mb`` and the loader's)."""
    return IndexOutOfMemory(
        f"the search index could not be built within its memory limit ({limit}, from "
        f"{MEMORY_ENV}={mb}): {first_line(exc)}; {UNCHANGED}. Raise {MEMORY_ENV} (MB, default "
        f"{DEFAULT_MEMORY_MB}), or set {ENV}=off to run without an index"
    )


def memory_mb() -> int:
    """``INGEST_SEARCH_MEMORY_LIMIT`` in MB (a whole number), else the default; anything
    else is a usage error (the run checks it before it starts)."""
    from .config import ConfigError

    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return DEFAULT_MEMORY_MB
    if not text.isdigit() or int(text) <= 0:
        raise ConfigError(
            f"{MEMORY_ENV} must be a whole number of megabytes (e.g. {DEFAULT_MEMORY_MB}), "
            f"not {text!r}"
        )
    return int(text)


def enabled() -> bool:
    """Whether runs keep a search index (``INGEST_SEARCH_INDEX=off`` says no)."""
    return os.environ.get(ENV, "").strip().lower() not in ("off", "0", "no", "false")


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database of ``con`` holds a search index."""
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND table_name = 'search_stats'"
    ).fetchone()
    return bool(rows and rows[0])


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the index and its macro (what a migration changing indexed text must do)."""
    from .search import drop_macros

    drop_macros(con)
    for name in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")


def sync(wh: Warehouse) -> float:
    """Bring the index of ``wh``'s build in step with its documents; returns seconds."""
    t0 = time.perf_counter()
    con = wh.connection()
    if not enabled():
        drop(con)
        return time.perf_counter() - t0
    _ensure_tables(con)
    n_stale, n_fresh = _changes(con)
    if n_stale or n_fresh:
        mb = memory_mb()
        limit = ""
        try:
            with wh.bulk_memory(0, at_least_mb=mb):
                row = con.execute("SELECT current_setting('memory_limit')").fetchone()
                limit = str(row[0]) if row else "?"
                con.execute("SET preserve_insertion_order = false")  # lets big steps spill
                try:
                    _retire(con, n_stale)
                    with _units_key(con, n_fresh):
                        _index(con, n_fresh, wh.timings, chunk_bytes=(mb << 20) // CHUNK_SHARE)
                    _update_stats(con)
                finally:
                    con.execute("RESET preserve_insertion_order")
        except duckdb.OutOfMemoryException as exc:
            if disk_full(exc, wh.path.parent) is not None:
                raise  # the warehouse names the full disk
            raise _out_of_memory(mb, limit, exc) from exc
    from .search import create_macros

    create_macros(con)
    for name in (
        "search_stale",
        "search_fresh",
        "search_chunks",
        "search_chunk",
        "search_new",
        "search_new_words",
    ):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute("DROP SEQUENCE IF EXISTS search_unit_ids")
    return time.perf_counter() - t0


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    if exists(con):
        row = con.execute("SELECT layout FROM search_stats").fetchone()
        if row and row[0] == LAYOUT:
            return
        drop(con)  # another layout (or a damaged one): rebuilt from the documents
    con.execute(_DDL)
    con.execute(f"INSERT INTO search_stats VALUES ('{LAYOUT}', 0, 0, 1, 0, 0)")


def _changes(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Temp tables of the documents to retire (gone or reloaded) and to index."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_stale AS SELECT s.doc_id FROM search_docs s "
        "ANTI JOIN documents d ON d.doc_id = s.doc_id AND d.run_id = s.run_id"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_fresh AS SELECT d.doc_id, d.run_id FROM documents d "
        "ANTI JOIN search_docs s ON d.doc_id = s.doc_id AND d.run_id = s.run_id"
    )
    stale = con.execute("SELECT count(*) FROM search_stale").fetchone()
    fresh = con.execute("SELECT count(*) FROM search_fresh").fetchone()
    return (int(stale[0]) if stale else 0), (int(fresh[0]) if fresh else 0)


def _retire(con: duckdb.DuckDBPyConnection, n_stale: int) -> None:
    """Units of stale documents become dead (their postings are skipped, then dropped
    at the next rewrite)."""
    if not n_stale:
        return
    con.execute(
        "INSERT INTO search_dead SELECT unit_id FROM search_units "
        "WHERE doc_id IN (SELECT doc_id FROM search_stale)"
    )
    con.execute("DELETE FROM search_units WHERE doc_id IN (SELECT doc_id FROM search_stale)")
    con.execute("DELETE FROM search_docs WHERE doc_id IN (SELECT doc_id FROM search_stale)")


@contextlib.contextmanager
def _units_key(con: duckdb.DuckDBPyConnection, n_fresh: int) -> Iterator[None]:
    """Keep the unique index on ``search_units.unit_id`` around the block.

    It is what makes a query's join of its top hits to their units a point lookup
    (DuckDB turns the join's key list into an index scan): without it, the scan reads
    the text of every row group holding a hit (0.25 s at 10k documents).  Many fresh
    units (a first build) are inserted without it, and it is built once after.

    A new index lives in memory DuckDB cannot evict until a checkpoint writes it out
    (~100 MB at 100k documents): the build then failed to lower its memory limit back
    to the loader's 64 MB after the step, so a large one is checkpointed here, as a
    migration does after building a key."""
    row = con.execute("SELECT count(*) FROM search_docs").fetchone()
    if n_fresh > REWRITE_SHARE * (int(row[0]) if row else 0):
        con.execute(f"DROP INDEX IF EXISTS {UNITS_KEY}")
    yield
    con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {UNITS_KEY} ON search_units (unit_id)")
    if keys.index_mb(con) >= UNITS_KEY_CHECKPOINT_MB:
        con.execute("CHECKPOINT")


@contextlib.contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    """Add the seconds of the block to ``timings[key]``."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - t0


def _index(
    con: duckdb.DuckDBPyConnection, n_fresh: int, timings: dict[str, float], *, chunk_bytes: int
) -> None:
    """Tokenize the fresh documents' units, add their words, write their postings
    (seconds of each step into ``timings``: search_tokenize, _words, _postings).

    Documents go in chunks of about ``chunk_bytes`` of source: a first run of 100k
    documents in one statement ran out of the step's memory (the table rows' string
    aggregate cannot spill), and a chunk's working set does not grow with the corpus."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_new_postings (term_id INTEGER, unit_id BIGINT, "
        "tf INTEGER, len INTEGER)"
    )
    if n_fresh:
        # Unit ids from a sequence: a window's row_number() holds every row in memory.
        first = con.execute("SELECT next_unit_id FROM search_stats").fetchone()
        start = int(first[0]) if first else 1
        con.execute(f"CREATE OR REPLACE TEMP SEQUENCE search_unit_ids START {start}")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE search_chunks AS SELECT f.doc_id, "
            f"(sum(d.n_bytes) OVER (ORDER BY f.doc_id) // {max(chunk_bytes, 1)})::BIGINT AS chunk "
            "FROM search_fresh f JOIN documents d USING (doc_id)"
        )
        chunks = con.execute("SELECT DISTINCT chunk FROM search_chunks ORDER BY 1").fetchall()
        for (chunk,) in chunks:
            docs = con.execute(
                f"SELECT doc_id FROM search_chunks WHERE chunk = {int(chunk)} ORDER BY doc_id"
            ).fetchall()
            _index_docs(con, int(chunk), [d for (d,) in docs], timings)
        con.execute("INSERT INTO search_docs SELECT doc_id, run_id FROM search_fresh")
    with _timed(timings, "search_postings"):
        _write_postings(con)


def _index_docs(
    con: duckdb.DuckDBPyConnection, chunk: int, docs: list[str], timings: dict[str, float]
) -> None:
    """Index the documents ``docs`` (of chunk ``chunk``, sorted).  Documents that run out
    of the step's memory together (a few very large ones, or a small limit) are indexed
    again as two halves; a single document that still does not fit raises
    ``duckdb.OutOfMemoryException`` (:func:`sync` says so in one line).

    Each statement is atomic, and only the units inserted before a later statement
    failed outlive it: they are deleted by id before the halves run (the ids given here
    are all above ``mark``).  New words it added may stay: a word without postings
    matches nothing.  (One transaction per chunk would undo all of it, but cost the
    build ~20%: its inserts into the temp tables were merged at every commit.)"""
    row = con.execute("SELECT nextval('search_unit_ids')").fetchone()
    mark = int(row[0]) if row else 0
    # A range of the sorted chunk, not a list: a chunk of tiny files holds thousands.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_chunk AS SELECT doc_id FROM search_chunks "
        f"WHERE chunk = {chunk} AND doc_id BETWEEN {literal(docs[0])} AND {literal(docs[-1])}"
    )
    try:
        with _timed(timings, "search_tokenize"):
            _tokenize(con, docs)
        with _timed(timings, "search_words"):
            _add_words(con)
        with _timed(timings, "search_postings"):
            con.execute(f"INSERT INTO search_new_postings {_NEW_POSTINGS}")
    except duckdb.OutOfMemoryException:
        con.execute(f"DELETE FROM search_units WHERE unit_id > {mark}")
        if len(docs) == 1:
            raise
        half = len(docs) // 2
        _index_docs(con, chunk, docs[:half], timings)
        _index_docs(con, chunk, docs[half:], timings)


def _tokenize(con: duckdb.DuckDBPyConnection, docs: list[str]) -> None:
    """search_new: one word histogram per unit of the documents ``docs`` (the temp table
    search_chunk; a per-row list operation: no global aggregate), and the units
    recorded."""
    narrow = _IN_CHUNK
    if len(docs) <= FEW_DOCUMENTS:
        narrow = f"WHERE doc_id IN ({', '.join(literal(d) for d in docs)})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_new (unit_id BIGINT, doc_id VARCHAR, kind VARCHAR, "
        "item BIGINT, row_index BIGINT, heading VARCHAR, line_start INTEGER, text VARCHAR, "
        "items STRUCT(h UBIGINT, line INTEGER, fact BOOLEAN)[], h MAP(VARCHAR, UBIGINT), "
        "len INTEGER)"
    )
    # Units without a word are left out by a test on the text, not on the histogram:
    # DuckDB pushed a filter on ``h`` below the joins, where it tokenized every unit a
    # second time (the whole build at 10k documents: 31 -> 21 s).
    for query in _UNIT_QUERIES:
        con.execute(
            "INSERT INTO search_new SELECT nextval('search_unit_ids'), doc_id, kind, item, "
            "row_index, heading, line_start, text, items, h, list_sum(map_values(h)) "
            f"FROM (SELECT *, list_aggregate({tokens_sql('text')}, 'histogram') AS h "
            f"FROM ({query.replace(_IN_CHUNK, narrow)}) WHERE {_HAS_WORD})"
        )
    con.execute(
        "INSERT INTO search_units SELECT unit_id, doc_id, kind, item, row_index, len, "
        "heading, line_start, text, items FROM search_new"
    )


def _add_words(con: duckdb.DuckDBPyConnection) -> None:
    """Give the fresh units' new words a stem and a term id (loading the stemmer only
    when there are new words)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE search_new_words AS "
        "SELECT word FROM (SELECT DISTINCT unnest(map_keys(h)) AS word FROM search_new) "
        f"WHERE NOT list_contains({_STOP_LIST}, word) EXCEPT SELECT word FROM search_words"
    )
    row = con.execute("SELECT count(*) FROM search_new_words").fetchone()
    if not row or not row[0]:
        return
    extensions.load(con, "fts")
    con.execute(
        """
        INSERT INTO search_words
        WITH s AS (SELECT word, stem(word, 'porter') AS stem FROM search_new_words),
        known AS (SELECT stem, min(term_id) AS term_id FROM search_words GROUP BY stem),
        fresh AS (SELECT DISTINCT stem FROM s ANTI JOIN known USING (stem)),
        ids AS (SELECT stem, (SELECT coalesce(max(term_id), 0) FROM search_words)
                             + row_number() OVER (ORDER BY stem) AS term_id FROM fresh)
        SELECT s.word, s.stem, coalesce(k.term_id, i.term_id)
        FROM s LEFT JOIN known k USING (stem) LEFT JOIN ids i USING (stem)
        """
    )


# One posting per (term, unit): the forms of a word that share a stem are summed here,
# once, rather than by every query.
_NEW_POSTINGS = """
SELECT w.term_id, n.unit_id, sum(n.tf)::INTEGER AS tf, any_value(n.len) AS len
FROM (SELECT unit_id, len, unnest(map_keys(h)) AS word, unnest(map_values(h)) AS tf
      FROM search_new) n
JOIN search_words w USING (word)
GROUP BY w.term_id, n.unit_id
"""


def _write_postings(con: duckdb.DuckDBPyConnection) -> None:
    """Append the new postings, or rewrite them all sorted (without the dead units)
    once the unsorted tail or the dead units are a tenth of the index."""
    sorted_n, tail, n_units = con.execute(
        "SELECT sorted_postings, tail_postings, n_units FROM search_stats"
    ).fetchone() or (0, 0, 0)
    dead_row = con.execute("SELECT count(*) FROM search_dead").fetchone()
    dead = int(dead_row[0]) if dead_row else 0
    added_row = con.execute("SELECT count(*) FROM search_new_postings").fetchone()
    added = int(added_row[0]) if added_row else 0
    rewrite = tail + added > REWRITE_SHARE * sorted_n or dead > REWRITE_SHARE * max(n_units, 1)
    if rewrite:
        con.execute(
            "CREATE OR REPLACE TABLE search_postings AS SELECT * FROM ("
            "SELECT * FROM search_postings WHERE unit_id NOT IN (SELECT unit_id FROM search_dead)"
            " UNION ALL SELECT * FROM search_new_postings) ORDER BY term_id, unit_id"
        )
        con.execute("DELETE FROM search_dead")
        n_row = con.execute("SELECT count(*) FROM search_postings").fetchone()
        con.execute(
            f"UPDATE search_stats SET sorted_postings = {int(n_row[0]) if n_row else 0}, "
            "tail_postings = 0"
        )
    elif added:
        con.execute("INSERT INTO search_postings SELECT * FROM search_new_postings")
        con.execute(f"UPDATE search_stats SET tail_postings = tail_postings + {added}")
    con.execute("DROP TABLE IF EXISTS search_new_postings")


def _update_stats(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "UPDATE search_stats SET n_units = u.n, total_len = u.total, "
        "next_unit_id = greatest(next_unit_id, u.top + 1) "
        "FROM (SELECT count(*) AS n, coalesce(sum(len), 0) AS total, "
        "coalesce(max(unit_id), 0) AS top FROM search_units) u"
    )

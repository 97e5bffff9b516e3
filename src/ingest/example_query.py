"""Print the README's first analyst query against a warehouse (used by ``make run``)."""

from __future__ import annotations

import sys

import duckdb

QUERY = """
SELECT d.family,
       count(*)                                                      AS documents,
       sum((SELECT count(*) FROM faqs f WHERE f.doc_id = d.doc_id))       AS faqs,
       sum((SELECT count(*) FROM doc_tables t WHERE t.doc_id = d.doc_id)) AS tables,
       sum((SELECT count(*) FROM citations c WHERE c.doc_id = d.doc_id))  AS citations
FROM documents d
GROUP BY d.family ORDER BY documents DESC
"""


def main(db: str) -> None:
    """Print the query, then its result table from the warehouse at ``db`` (opened read-only)."""
    with duckdb.connect(db, read_only=True) as con:
        print(QUERY.strip())
        con.sql(QUERY).show()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "warehouse/ingest.duckdb")

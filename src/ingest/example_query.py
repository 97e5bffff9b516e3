"""Print the README's first analyst query against a warehouse (used by ``make run``)."""

from __future__ import annotations

import sys

import duckdb

QUERY = """
SELECT d.family,
       count(DISTINCT d.doc_id)                 AS documents,
       count(DISTINCT (f.doc_id, f.position))   AS faqs,
       count(DISTINCT (t.doc_id, t.table_id))   AS tables
FROM documents d
LEFT JOIN faqs f USING (doc_id)
LEFT JOIN doc_tables t USING (doc_id)
GROUP BY d.family ORDER BY documents DESC
"""


def main(db: str) -> None:
    with duckdb.connect(db, read_only=True) as con:
        print(QUERY.strip())
        con.sql(QUERY).show()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "warehouse/ingest.duckdb")

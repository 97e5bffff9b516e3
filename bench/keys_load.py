"""What keys cost the load: the loader's statements on a real warehouse's rows.

Exports the document tables of an existing warehouse (e.g. one a 10k benchmark run
built) to Parquet once, then loads them into a new file the way the loader does
(``INSERT ... BY NAME SELECT * FROM read_parquet(...)``, one transaction per table,
``preserve_insertion_order`` off, then a checkpoint) under four layouts:

* ``none``: no keys (the layout before keys);
* ``pk``: every table's primary key, rows inserted in one statement per table;
* ``pk-chunked``: the same keys, inserted as the loader does (:mod:`ingest.keys`:
  chunks of a million rows, the index checkpointed out past its budget);
* ``fk``: primary keys plus ``FOREIGN KEY (doc_id) REFERENCES documents`` on every
  document table.

Prints the load and checkpoint seconds, the file size and the process's peak RSS.
Run each layout in its own process (``--layout``), back to back, so peak RSS is the
layout's own::

    python bench/keys_load.py --warehouse W.duckdb --work DIR --layout none
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import duckdb

from ingest import keys, schema

LAYOUTS = ("none", "pk", "pk-chunked", "fk")
UNLIMITED_MB = 8192  # the one-statement layouts need their whole index in memory


def export(warehouse: Path, folder: Path) -> None:
    """The loaded tables of ``warehouse`` as Parquet files in ``folder`` (once)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        have = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for name in [n for n in _order() if n in have]:
            con.execute(f"COPY {name} TO '{folder / name}.parquet' (ROW_GROUP_SIZE 16384)")


def _order() -> list[str]:
    return [*schema.document_tables(), "source_files", "quarantine"]


def ddl(name: str, layout: str) -> str:
    """The table as ``layout`` declares it."""
    sql = schema.ddl(name)
    if layout == "none":
        key = schema.tables()[name].key
        return sql.replace(f",\n    PRIMARY KEY ({', '.join(key)})", "") if key else sql
    if layout == "fk" and name in schema.document_tables() and name != "documents":
        return sql.replace("\n);", ",\n    FOREIGN KEY (doc_id) REFERENCES documents (doc_id)\n);")
    return sql


def load(folder: Path, db: Path, layout: str) -> dict[str, float]:
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    limit = 64 + keys.ART_BUDGET_MB if layout == "pk-chunked" else UNLIMITED_MB
    con = duckdb.connect(
        str(db), config={"memory_limit": f"{limit}MB", "checkpoint_threshold": "1TB"}
    )  # as the loader: one checkpoint at the end (and pk-chunked's own)
    for name in schema.tables():
        con.execute(ddl(name, layout))
    con.execute("SET preserve_insertion_order = false")
    t0 = time.perf_counter()
    for name in _order():
        if not (folder / f"{name}.parquet").exists():  # a table the source warehouse lacks
            continue
        if layout == "pk-chunked":
            _chunked(con, folder, name)
        else:
            con.execute("BEGIN")
            con.execute(_insert(name, [str(folder / f"{name}.parquet")]))
            con.execute("COMMIT")
    t1 = time.perf_counter()
    con.execute("SET memory_limit = '1GB'")
    con.execute("CHECKPOINT")
    t2 = time.perf_counter()
    con.close()
    return {"load_s": t1 - t0, "checkpoint_s": t2 - t1, "file_mb": db.stat().st_size / 1e6}


def _insert(name: str, files: list[str]) -> str:
    return f"INSERT INTO {name} BY NAME SELECT * FROM read_parquet({files!r})"


def _chunked(con: duckdb.DuckDBPyConnection, folder: Path, name: str) -> None:
    path = folder / f"{name}.parquet"
    n = int(con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0])  # type: ignore[index]
    statements = [
        f"INSERT INTO {name} BY NAME SELECT * EXCLUDE (file_row_number) FROM "
        f"read_parquet('{path}', file_row_number = true) "
        f"WHERE file_row_number >= {lo} AND file_row_number < {lo + keys.CHUNK_ROWS}"
        for lo in range(0, n, keys.CHUNK_ROWS)
    ]

    def insert(sql: str) -> int:
        con.execute("BEGIN")
        con.execute(sql)
        con.execute("COMMIT")
        return 0

    keys.insert_in_chunks(con, statements, insert, lambda: con.execute("CHECKPOINT"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, required=True, help="a warehouse to take rows from")
    ap.add_argument("--work", type=Path, required=True, help="folder for Parquet and the loads")
    ap.add_argument("--layout", choices=LAYOUTS, required=True)
    args = ap.parse_args()
    folder = args.work / "parquet"
    export(args.warehouse, folder)
    got = load(folder, args.work / f"keys-{args.layout}.duckdb", args.layout)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.layout:>10}: load {got['load_s']:.2f} s, checkpoint {got['checkpoint_s']:.2f} s, "
        f"file {got['file_mb']:.0f} MB, peak RSS {rss:.0f} MB (load avg {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()

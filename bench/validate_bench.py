"""``ingest validate`` timing: one file (a pre-commit hook's typical call) and 3,000 files.

Run with ``python bench/validate_bench.py [--corpus DIR] [--n 3000] [--repeat 15]``.

* **one file**: ``ingest validate -q FILE`` as a new process, ``--repeat`` times, over a
  few realistic documents in turn, parsed (``--no-cache``) and then from the cache;
  median and p90 of the wall time, and the median CPU time of the process (user +
  system, from ``wait4``), which a busy machine inflates far less than the wall time;
* **N files**: ``--n`` document files spread over ``--corpus`` (default: a realistic
  corpus generated under ``--work``) in one ``ingest validate -q`` call, as a hook
  given every staged file: first parsed (filling the cache), then again unchanged
  (from the cache); wall and CPU (the workers included).

Every call runs from a folder with no configuration (``--isolated``), with the
project's own interpreter, after the package's bytecode is compiled (as an installed
package has it).  Targets (issue 12): one file <= 0.4 s wall, 3,000 files <= 5 s.
Prints one table and PASS/MISS lines; exit 1 on a MISS.  Load average is printed: on
a shared machine the wall times mean little without it.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_FILE_TARGET, MANY_TARGET = 0.4, 5.0
SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")


def timed(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the process and its children, exit code)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def corpus_files(corpus: Path, n: int) -> list[str]:
    """``n`` document files spread over ``corpus`` (sorted paths, a fixed stride)."""
    files = sorted(
        str(p) for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
    )
    if len(files) < n:
        raise SystemExit(f"{corpus} has {len(files)} document files, fewer than {n}")
    return files[:: len(files) // n][:n]  # spread over the corpus: every family, bad files


def ensure_corpus(work: Path, n: int) -> Path:
    """A realistic generated corpus of ``n`` documents under ``work`` (made once)."""
    out = work / f"validate-corpus-realistic-{n}"
    if not out.is_dir():
        sys.path.insert(0, str(ROOT / "src"))
        from ingest.generate.write import generate_corpus

        generate_corpus(out, n, seed=7, profile="realistic", workers=os.cpu_count() or 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=None, help="folder of documents")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ingest-bench")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    compileall.compile_dir(str(ROOT / "src" / "ingest"), quiet=1)
    corpus = args.corpus or ensure_corpus(args.work, args.n)
    files = corpus_files(corpus, args.n)
    cmd = [sys.executable, "-m", "ingest.cli", "validate", "-q", "--isolated"]
    with tempfile.TemporaryDirectory() as cwd_name:
        cwd = Path(cwd_name)  # no configuration; the cache goes here
        rows = single_file_rows(cmd, files, cwd, args.repeat)
        load = os.getloadavg()[0]
        cold = timed([*cmd, *files], cwd)  # fills the cache
        warm = timed([*cmd, *files], cwd)
        rows.append((f"{len(files)} files, parsed (exit {cold[2]})", cold[0], cold[1]))
        rows.append((f"{len(files)} files, unchanged: cached (exit {warm[2]})", warm[0], warm[1]))
    print(
        f"load average (1 min) before the {len(files)}-file calls: {load:.2f} on {os.cpu_count()} CPUs"
    )
    return report(rows, len(files))


def single_file_rows(
    cmd: list[str], files: list[str], cwd: Path, repeat: int
) -> list[tuple[str, float, float]]:
    """One file per call, parsed then cached: (label, median wall, median CPU) each."""
    singles = files[:: max(1, len(files) // 5)][:5]
    rows = []
    for label, extra in (("1 file, parsed (--no-cache)", ["--no-cache"]), ("1 file, cached", [])):
        runs = [timed([*cmd, *extra, singles[i % len(singles)]], cwd) for i in range(repeat)]
        walls = sorted(r[0] for r in runs)
        p90 = walls[min(len(walls) - 1, int(len(walls) * 0.9))]
        cpu = statistics.median(r[1] for r in runs)
        rows.append((f"{label}: median of {repeat} (p90 {p90:.3f})", statistics.median(walls), cpu))
    return rows


def report(rows: list[tuple[str, float, float]], n: int) -> int:
    """The table and the PASS/MISS lines; 1 when a target is missed."""
    print("| case | wall (s) | CPU (s) |")
    print("|---|---|---|")
    for label, wall, cpu in rows:
        print(f"| {label} | {wall:.3f} | {cpu:.3f} |")
    verdicts = [
        (rows[0][1] <= ONE_FILE_TARGET, f"1 file parsed <= {ONE_FILE_TARGET} s wall"),
        (rows[2][1] <= MANY_TARGET, f"{n} files parsed <= {MANY_TARGET} s wall"),
        (rows[3][1] <= MANY_TARGET, f"{n} unchanged files <= {MANY_TARGET} s wall"),
    ]
    for ok, text in verdicts:
        print(("PASS " if ok else "MISS ") + text)
    return 0 if all(ok for ok, _ in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

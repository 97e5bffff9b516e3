"""A/B of a parse worker's CPU per batch: two versions of ingest, passes alternated.

``bench/ab_parse.py`` times ``process_file`` alone; a run's worker does more per
batch: every document under the budgets, the rows validated by pandera, the per-
document counts, Arrow and Parquet staging (``ingest.batch.process_batch``), in a
process set up as the fork server sets up workers (``ingest.worker_init``).  This
times exactly that, one child process per version (each imports ingest from its own
``src`` folder), the same files, batches of ``--batch`` files, passes alternated so
that both see the same load on a shared machine.  CPU seconds of each child are the
figure; wall is printed too::

    git worktree add --detach /tmp/before 938bf83
    .venv/bin/python bench/ab_worker.py /tmp/before/src src CORPUS --files 600 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

_CHILD = r"""
import os, shutil, sys, tempfile, time
import ingest.worker_init  # as the fork server prepares a worker
from ingest.batch import Guarding, process_batch
from ingest.discover import SourceFile
paths = sys.stdin.readline().rstrip("\n").split("\0")
size = int(sys.stdin.readline())
files = [SourceFile(p, p.lstrip("/"), os.path.getsize(p), "bench") for p in paths]
stage = tempfile.mkdtemp(prefix="ab-worker-")
process_batch(files[:20], "warm", stage=stage)
print("ready", flush=True)
for _ in sys.stdin:
    shutil.rmtree(stage); os.makedirs(stage)
    c, w = time.process_time(), time.perf_counter()
    for i in range(0, len(files), size):
        process_batch(files[i:i + size], "r", stage=stage, guarding=Guarding(hard=True))
    print(time.process_time() - c, time.perf_counter() - w, flush=True)
shutil.rmtree(stage)
"""


def main() -> None:
    """Alternate passes of the two versions and print CPU and wall per pass."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", help="src folder of the old version")
    ap.add_argument("after", help="src folder of the new version")
    ap.add_argument("corpus")
    ap.add_argument("--files", type=int, default=600)
    ap.add_argument("--batch", type=int, default=300, help="files per batch (a run's ~8 MB)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ab import alternate
    from bench import files_of, sample

    files = sample(files_of(Path(args.corpus).resolve()), args.files)
    versions = {"before": args.before, "after": args.after}
    stdin_text = "\0".join(str(f) for f in files) + f"\n{args.batch}\n"
    cpu, _ = alternate(_CHILD, versions, stdin_text, args.rounds, on_pass=_print_pass)
    b, a = statistics.median(cpu["before"]), statistics.median(cpu["after"])
    n = len(files)
    print(
        f"median CPU per pass of {n} files: before {b:.2f} s ({n / b:.0f} docs/CPU-s), "
        f"after {a:.2f} s ({n / a:.0f} docs/CPU-s): {b / a:.2f}x"
    )


def _print_pass(name: str, cpu: float, wall: float) -> None:
    print(f"{name:>6}: {cpu:6.2f} CPU s, {wall:6.2f} s wall", flush=True)


if __name__ == "__main__":
    main()

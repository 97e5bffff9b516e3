"""A/B of single-core parse speed: two versions of ingest, passes alternated.

On a machine other jobs share, two runs taken minutes apart see different loads, so
a before/after comparison is taken here in one go: one child process per version
(each imports ingest from its own ``src`` folder, e.g. a ``git worktree`` of the old
commit), the same files preloaded by neither (``process_file`` reads them, as in
``bench.py``'s single-core section), and passes alternated between the two.  CPU
seconds of each child are the figure that load does not inflate; wall is printed too::

    git worktree add /tmp/before 79cbd4a
    .venv/bin/python bench/ab_parse.py /tmp/before/src src CORPUS --files 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

_CHILD = r"""
import sys, time
from pathlib import Path
from ingest.document import process_file
files = [Path(p) for p in sys.stdin.readline().rstrip("\n").split("\0")]
for f in files[:20]:
    process_file(f, f.name)
print("ready", flush=True)
for _ in sys.stdin:
    c, w = time.process_time(), time.perf_counter()
    for f in files:
        process_file(f, f.name)
    print(time.process_time() - c, time.perf_counter() - w, flush=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", help="src folder of the old version")
    ap.add_argument("after", help="src folder of the new version")
    ap.add_argument("corpus")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ab import alternate
    from bench import files_of, sample

    files = sample(files_of(Path(args.corpus).resolve()), args.files)
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    versions = {"before": args.before, "after": args.after}
    stdin_text = "\0".join(str(f) for f in files) + "\n"
    cpu, wall = alternate(_CHILD, versions, stdin_text, args.rounds)
    _report(len(files), mb, cpu, wall)


def _report(n: int, mb: float, cpu: dict[str, list[float]], wall: dict[str, list[float]]) -> None:
    print(f"{n} files, {mb:.2f} MB")
    for name in cpu:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        runs = " ".join(f"{x:.2f}" for x in cpu[name])
        print(
            f"{name:>6}: CPU s/pass {runs} -> median {c:.2f} s, {n / c:.0f} docs/s, "
            f"{mb / c:.2f} MB/s; wall median {w:.2f} s"
        )
    ratios = [b / a for a, b in zip(cpu["after"], cpu["before"], strict=True)]
    speedup = statistics.median(cpu["before"]) / statistics.median(cpu["after"])
    print(
        f"speed-up (median CPU): {speedup:.2f}x; per-pass ratios median {statistics.median(ratios):.2f}x"
    )


if __name__ == "__main__":
    main()

"""Where one core's parse time goes: cProfile of ``process_file`` over a corpus sample.

The same evenly spaced sample as ``bench.py``'s single-core section (every family,
bad files too).  Prints the wall and CPU time of an unprofiled pass, then the
profiled pass's functions by cumulative CPU time (ingest's own; ``--all`` lists the
libraries too), so a before/after comparison (BENCHMARKS.md, "Parse profile") reads as
a list of what got cheaper::

    .venv/bin/python bench/profile_parse.py CORPUS --files 300 --top 25

``--passes N`` only runs ``process_bytes`` N times over the sample (files read first,
nothing printed), for an instruction count that no load on the machine changes: run
it under ``valgrind --tool=callgrind`` with 1 and with 2 passes; the difference over
the number of files is the instructions of one warm parse per document::

    valgrind --tool=callgrind python bench/profile_parse.py CORPUS --files 40 --passes 2
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path


def sample(files: list[Path], n: int) -> list[Path]:
    """``n`` files evenly spaced over the sorted corpus (as ``bench.sample``)."""
    if n >= len(files):
        return files
    return [files[i * len(files) // n] for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--all", action="store_true", help="list library functions too")
    ap.add_argument("--passes", type=int, help="only parse the sample this many times")
    args = ap.parse_args()

    from ingest.document import process_bytes, process_file

    root = Path(args.corpus)
    files = sample(sorted(p for p in root.rglob("*") if p.is_file()), args.files)
    if args.passes is not None:
        data = [(f.read_bytes(), f.name) for f in files]
        for _ in range(args.passes):
            for d, name in data:
                process_bytes(d, name)
        return
    mb = sum(f.stat().st_size for f in files) / 1e6
    for f in files[:20]:  # warm: imports, compiled patterns, page cache
        process_file(f, f.name)
    w, c = time.perf_counter(), time.process_time()
    for f in files:
        process_file(f, f.name)
    w, c = time.perf_counter() - w, time.process_time() - c
    print(f"{len(files)} files, {mb:.2f} MB: wall {w:.2f} s ({mb / w:.2f} MB/s), cpu {c:.2f} s")

    prof = cProfile.Profile(time.process_time)  # CPU seconds: waiting on a busy machine is not cost
    prof.enable()
    for f in files:
        process_file(f, f.name)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats("" if args.all else "ingest/", args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()

"""Same output from two versions of the parser: a hash per file of rows, warnings, error.

A speed-up of the parse must not change what it extracts.  This runs every given file
through ``process_file`` of two versions of ingest (one child process per version,
each importing ingest from its own ``src`` folder, e.g. ``/work/main/src`` and a
worktree's) and compares, per file, a SHA-256 of the family, every table's rows (column
order, values and their types, through ``repr``), the warnings and the error.  Files
are the union of the folders given plus ``--sample N`` files evenly spaced over
``--corpus`` (the sample of ``bench.py``)::

    python bench/parse_equiv.py OLD/src NEW/src ../shared/corpus tests/fixtures \\
        --corpus /tmp/benchwork/corpus-realistic-10000 --sample 1500

Exits 1 and names the first differing files when any hash differs.  Timings are
left out of the hash (they differ on every run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import hashlib, json, sys
from pathlib import Path
from ingest.document import process_file
out = {}
for p in sys.stdin.read().split("\0"):
    r = process_file(Path(p), Path(p).name)
    h = hashlib.sha256()
    h.update(repr((r.family, r.n_bytes, r.content_sha256)).encode())
    for table, rows in r.rows.items():
        h.update(repr((table, [list(row.items()) for row in rows])).encode())
        h.update(repr([[type(v).__name__ for v in row.values()] for row in rows]).encode())
    h.update(repr(r.warnings).encode())
    h.update(repr(r.error).encode())
    out[p] = h.hexdigest()
json.dump(out, sys.stdout)
"""


def main() -> None:
    """Hash every file with both versions and report how many agree."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", help="src folder of the reference version")
    ap.add_argument("new", help="src folder of the changed version")
    ap.add_argument("folders", nargs="*", help="folders (or files) whose every file is checked")
    ap.add_argument("--corpus", help="a corpus to sample from")
    ap.add_argument("--sample", type=int, default=0, help="files evenly spaced over --corpus")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench import files_of, sample

    files: list[Path] = []
    for folder in args.folders:
        p = Path(folder).resolve()
        files += [p] if p.is_file() else files_of(p)
    if args.corpus and args.sample:
        files += sample(files_of(Path(args.corpus).resolve()), args.sample)
    files = sorted(set(files))
    old, new = _hashes(args.old, files), _hashes(args.new, files)
    differ = [f for f in old if old[f] != new.get(f)]
    print(f"{len(files)} files, {len(files) - len(differ)} identical, {len(differ)} differ")
    for f in differ[:20]:
        print(f"  differs: {f}")
    sys.exit(1 if differ or len(old) != len(files) else 0)


def _hashes(src: str, files: list[Path]) -> dict[str, str]:
    """Per-file output hashes of the version of ingest in ``src``."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input="\0".join(str(f) for f in files),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    main()

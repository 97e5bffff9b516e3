"""Hostile-input benchmark: documents built to explode a parser, each just under the cap.

Run with ``python bench/hostile.py [--work DIR]``.  Two files per shape:

  over    the shape filling the 8 MB size cap (a 600k-row pipe table, 280k citation
          markers, 600k headings, 40-deep block quotes...): must be refused
          (``resource_limit`` or another limit), quickly and in little memory;
  at      as much of the shape as its budget allows, padded with prose towards the
          cap, both within 90% of what the memory budget's estimate allows (the
          worst file that is accepted): must parse within budget, or be stopped by
          the time or memory budget, within the targets.

Each file goes through ``ingest validate FILE`` (one process: wall and peak RSS from
``wait4``), then all of them through one ``ingest run --no-prefect`` (every process
of the run sampled from /proc: the leader, the fork server and each worker, by their
own high-water mark).  Targets (issue: parse layer): every process < 512 MB and
< 10 s per file.  Prints a table and PASS/MISS lines; exit 1 on a MISS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench import communicate_sampled  # noqa: E402  (the main bench's /proc sampling)

from ingest.limits import DEFAULT_LIMITS  # noqa: E402
from ingest.parse.read.preflight import NODE_BYTES, _measure, parser_nodes  # noqa: E402

CAP = 8 * 1024 * 1024 - 4096  # just under ingest's max_file_bytes
RSS_TARGET_MB, SECONDS_TARGET = 512, 10.0
AT_SHARE = 0.9  # an *at* file fills this share of the memory budget's estimate
FRONT = "---\ntitle: Hostile\n---\n\n# Hostile\n\nIntro paragraph.\n\n"
PROSE = "Plain prose sentence that only pads the file towards the size cap.\n\n"


def _repeat(head: str, unit: str, count: int | None = None, tail: str = "") -> str:
    """``count`` units (None: as many as fit the cap), then for an *at* file prose
    padding up to the cap or to what the memory budget's estimate allows, whichever
    comes first (the largest file that is accepted)."""
    if count is None:
        return head + unit * ((CAP - len(head) - len(tail)) // len(unit)) + tail
    node_cap = int(AT_SHARE * DEFAULT_LIMITS.max_parse_memory_mb * 2**20 / NODE_BYTES)
    while count > 1 and _nodes(head + unit * count + tail) > node_cap:
        count = count * 9 // 10
    body = head + unit * count + tail
    spare_nodes = (node_cap - _nodes(body)) // 2  # a PROSE unit is one paragraph: 2 nodes
    pad = max(0, min(spare_nodes, (CAP - len(body)) // len(PROSE)))
    return body + PROSE * pad


def _nodes(text: str) -> int:
    """Preflight's estimate of the Markdown parser's nodes for ``text``."""
    counts = {b.limit: n for b, n, _ in _measure(text, DEFAULT_LIMITS)}
    return parser_nodes(text, counts)


# shape -> (file suffix, head, repeated unit, units in the "at budget" file, tail)
SHAPES: dict[str, tuple[str, str, str, int, str]] = {
    "pipe-table": (
        ".md",
        FRONT + "| a | b | c |\n|---|---|---|\n",
        "| 1 | x | y |\n",
        33_000,
        "\n",
    ),
    "tsv-table": (".txt", "Title: T\n\nname\tv1\tv2\n", "n\t1\t2\n", 33_000, "\n"),
    "html-table": (
        ".html",
        "<html><body><table>\n",
        "<tr><td>1</td><td>x</td></tr>\n",
        24_900,
        "</table>\n",
    ),
    "citations": (".md", FRONT, "See [1] and [2, 3] and [4-6].\n", 6_600, ""),
    "headings": (".md", FRONT, "## Heading\n\ntext\n\n", 4_990, ""),
    "list-items": (".md", FRONT, "".join("  " * d + "- x\n" for d in range(60)), 830, "\n"),
    "quotes": (".md", FRONT, "> " * 40 + "deep\n\n", 1_240, ""),
    "long-lines": (".md", FRONT, "word " * 39_990 + "\n", 0, ""),
    "prose": (".md", FRONT, PROSE, 0, ""),  # no hostile shape: the floor for 8 MiB
}


def build(work: Path) -> list[Path]:
    work.mkdir(parents=True, exist_ok=True)
    files = []
    for shape, (suffix, head, unit, at, tail) in SHAPES.items():
        over = work / f"{shape}-over{suffix}"
        over.write_text(_repeat(head, unit, None, tail), encoding="utf-8")
        files.append(over)
        if at:
            at_file = work / f"{shape}-at{suffix}"
            at_file.write_text(_repeat(head, unit, at, tail), encoding="utf-8")
            files.append(at_file)
    return files


def validate_one(path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MB) and the verdict of ``ingest validate path``
    (CPU time too: on a busy machine the wall says more about the neighbours)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", "validate", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    verdict = next((ln for ln in out.splitlines() if "error [" in ln), "accepted")
    code = verdict.split("error [", 1)[1].split("]", 1)[0] if "error [" in verdict else "ok"
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def run_all(folder: Path, db: Path) -> tuple[float, dict[str, int], str]:
    """One ``ingest run --no-prefect`` over every file, into a new warehouse: wall, peak
    RSS per role (kB) and the output."""
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    peaks: dict[str, int] = {}
    t0 = time.perf_counter()
    run = ["run", f"hostile={folder}", "--db", str(db), "--no-prefect", "--no-progress"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", *run, "--batch-size", "1", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out, _ = communicate_sampled(proc, peaks, interval=0.02)
    return time.perf_counter() - t0, peaks, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default=None, help="folder for the hostile files (rewritten)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="ingest-hostile-")).resolve()
    files = build(work / "files")
    misses: list[str] = []
    print(f"hostile files in {work / 'files'} ({len(files)}, each <= {CAP / 1e6:.1f} MB)")
    print(f"  {'file':28} {'MB':>5} {'validate s':>10} {'cpu s':>6} {'peak MB':>8}  verdict")
    for f in files:
        wall, cpu, rss, code = validate_one(f)
        mb = f.stat().st_size / 1e6
        print(f"  {f.name:28} {mb:5.1f} {wall:10.2f} {cpu:6.2f} {rss:8.0f}  {code}")
        expect_refused = "-over" in f.name and not f.name.startswith(("long-lines", "prose"))
        if expect_refused and code == "ok":
            misses.append(f"{f.name} was accepted")
        _target(misses, f"validate {f.name}", wall, rss)
    wall, peaks, out = run_all(work / "files", work / "hostile.duckdb")
    print(f"  ingest run --no-prefect over all {len(files)} files: {wall:.1f} s")
    for role in ("loader", "worker", "largest", "tree"):
        print(f"    peak RSS {role:8} {peaks.get(role, 0) / 1024:6.0f} MB")
    print("    " + next((ln for ln in out.splitlines() if ln.startswith("ingest:")), out[:200]))
    _target(misses, "run, largest process", wall / len(files), peaks.get("largest", 0) / 1024)
    for miss in misses:
        print(f"  MISS  {miss}")
    if not misses:
        print(f"  PASS  every file and process under {RSS_TARGET_MB} MB and {SECONDS_TARGET:.0f} s")
    return 1 if misses else 0


def _target(misses: list[str], what: str, seconds: float, mb: float) -> None:
    if mb >= RSS_TARGET_MB:
        misses.append(f"{what}: peak {mb:.0f} MB (target < {RSS_TARGET_MB} MB)")
    if seconds >= SECONDS_TARGET:
        misses.append(f"{what}: {seconds:.1f} s (target < {SECONDS_TARGET:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())

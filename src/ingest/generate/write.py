"""Writing a corpus to disk: :func:`generate_corpus`, the worker pool and the stats.

Documents go to ``<out>/<folder>/<i // 1000:03d>/`` (1000 per shard, so no directory gets
huge).  With ``workers`` > 1, ranges of :data:`_CHUNK` indices are rendered and written in
the project's fork-server pool (:mod:`ingest.workers`); as every document is a pure
function of its index, the files do not depend on the number of workers, and the stats
are rebuilt in index order from what each range reports.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from ..workers import process_pool
from .corpus import _check_profile, render

_CHUNK = 200  # documents per pool task


def _write_range(
    out: str, start: int, stop: int, seed: int, bad_share: float, profile: str
) -> list[tuple[str, int]]:
    """Render and write documents ``start..stop-1``; their (folder, size) in order."""
    root = Path(out)
    made: set[Path] = set()
    done: list[tuple[str, int]] = []
    for i in range(start, stop):
        folder, name, data = render(i, seed, bad_share, profile)
        shard = root / folder / f"{i // 1000:03d}"
        if shard not in made:
            shard.mkdir(parents=True, exist_ok=True)
            made.add(shard)
        (shard / name).write_bytes(data)
        done.append((folder, len(data)))
    return done


def byte_stats(sizes: list[int]) -> dict[str, Any]:
    """files, bytes, mean, min, p10, median, p90, max of a list of file sizes."""
    if not sizes:
        return {"files": 0, "bytes": 0}
    s = sorted(sizes)
    cuts = statistics.quantiles(s, n=10, method="inclusive") if len(s) > 1 else [s[0]] * 9
    return {
        "files": len(s),
        "bytes": sum(s),
        "mean": round(sum(s) / len(s), 1),
        "min": s[0],
        "p10": round(cuts[0], 1),
        "median": statistics.median(s),
        "p90": round(cuts[8], 1),
        "max": s[-1],
    }


def _write_all(
    where: str, n: int, seed: int, bad_share: float, profile: str, workers: int
) -> list[tuple[str, int]]:
    """Render and write documents ``0..n-1``, in this process or in ranges of
    :data:`_CHUNK` on ``workers`` pool processes; their (folder, size) in index order."""
    if workers == 1 or n <= _CHUNK:
        return _write_range(where, 0, n, seed, bad_share, profile)
    with process_pool(workers) as pool:
        futures = [
            pool.submit(
                _write_range, where, start, min(n, start + _CHUNK), seed, bad_share, profile
            )
            for start in range(0, n, _CHUNK)
        ]
        return [item for f in futures for item in f.result()]


def generate_corpus(
    out: Path,
    n: int,
    seed: int = 7,
    bad_share: float = 0.02,
    profile: str = "small",
    workers: int = 1,
) -> dict[str, Any]:
    """Write ``n`` documents under ``out`` (``<folder>/<i // 1000>/``, 1000 per shard).

    ``profile`` is one of :data:`PROFILES`.  ``workers`` > 1 renders and writes in that
    many processes (the project's fork-server pool, so a calling script needs the usual
    ``if __name__ == "__main__":`` guard); every document is a pure function of
    ``(i, seed, bad_share, profile)``, so the files, and every stat but ``seconds`` and
    ``mb_per_s``, are the same for any ``workers``.  Returns ``files``, ``bytes``, ``mb``
    (bytes / 1e6), ``by_kind`` (files per folder), ``bytes_by_kind`` (per folder: files,
    bytes, mean, min, p10, median, p90, max), ``profile``, ``seed``, ``seconds`` and
    ``mb_per_s``.
    """
    _check_profile(profile)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    t0 = time.perf_counter()
    done = _write_all(str(out), n, seed, bad_share, profile, workers)
    seconds = time.perf_counter() - t0
    sizes: dict[str, list[int]] = {}
    for folder, size in done:
        sizes.setdefault(folder, []).append(size)
    total = sum(sum(v) for v in sizes.values())
    return {
        "files": n,
        "bytes": total,
        "by_kind": {k: len(v) for k, v in sorted(sizes.items())},
        "profile": profile,
        "seed": seed,
        "mb": total / 1e6,
        "bytes_by_kind": {k: byte_stats(v) for k, v in sorted(sizes.items())},
        "seconds": seconds,
        "mb_per_s": total / 1e6 / seconds if seconds > 0 else 0.0,
    }

"""The realistic profile's target shape: the real corpus's family mix and sizes.

Per family, a size is drawn from a lognormal whose median is the real corpus's median and
whose mean, after clipping to ``[MIN_DOC_BYTES, MAX_DOC_BYTES]``, is the real corpus's mean
(fitted once, at import, by bisection).  Pure arithmetic on an rng: the writers only see
the resulting byte budget.
"""

from __future__ import annotations

import math
import random

#: (median, mean) file size in bytes per folder of the real-document acceptance corpus
#: (``shared/corpus/real``: 91 files, families from its MANIFEST.tsv).
REAL_SIZES: dict[str, tuple[int, int]] = {
    "monographs": (5_015, 13_299),
    "guides": (15_876, 55_576),
    "notes": (8_975, 15_759),
}
#: Size range every realistic document is clipped to (far under ``Limits.max_file_bytes``).
MIN_DOC_BYTES = 1_024
MAX_DOC_BYTES = 400_000
# The real corpus's family mix (50 monographs, 29 guides, 12 generic of 91), cumulative.
_REAL_MIX = ((0.55, "monographs"), (0.87, "guides"), (1.0, "notes"))


def _clipped_lognormal_mean(mu: float, sigma: float, lo: float, hi: float) -> float:
    """Mean of ``min(max(X, lo), hi)`` for ``X ~ LogNormal(mu, sigma)``."""
    root2 = math.sqrt(2.0)

    def cdf(x: float) -> float:
        return 0.5 * (1.0 + math.erf((math.log(x) - mu) / (sigma * root2)))

    def partial(x: float) -> float:  # E[X; X < x]
        z = (math.log(x) - mu - sigma * sigma) / (sigma * root2)
        return math.exp(mu + sigma * sigma / 2) * 0.5 * (1.0 + math.erf(z))

    return lo * cdf(lo) + hi * (1.0 - cdf(hi)) + partial(hi) - partial(lo)


def fit_lognormal(median: float, mean: float, lo: float, hi: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a lognormal with this median whose values clipped to
    ``[lo, hi]`` have this mean (bisection on sigma; the median is kept exactly)."""
    mu = math.log(median)
    a, b = 1e-3, 5.0
    for _ in range(80):
        mid = (a + b) / 2
        if _clipped_lognormal_mean(mu, mid, lo, hi) < mean:
            a = mid
        else:
            b = mid
    return mu, (a + b) / 2


_SIZE_PARAMS = {
    k: fit_lognormal(med, mean, MIN_DOC_BYTES, MAX_DOC_BYTES)
    for k, (med, mean) in REAL_SIZES.items()
}


def target_bytes(folder: str, rng: random.Random) -> int:
    """A document size for ``folder`` drawn from the fitted, clipped lognormal."""
    mu, sigma = _SIZE_PARAMS[folder]
    return int(min(MAX_DOC_BYTES, max(MIN_DOC_BYTES, rng.lognormvariate(mu, sigma))))

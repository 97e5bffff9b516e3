"""One document's identity: its rng, index, drug name, class, condition and comparator.

Both profiles and the broken files start from a :class:`_Doc` built from the same rng, so
a document's drug name (and whether it is a bad file) does not depend on the profile.  The
small-profile writers also use its :meth:`_Doc.sentence`; the realistic writers wrap it in
a :class:`~.writer._W`.
"""

from __future__ import annotations

import random

from .vocab import _CLASSES, _CONDITIONS, _EFFECTS, _SUFFIX, _SYL, _TOPICS


class _Doc:
    """Document ``i``'s rng and identity (drawn first, in this order, by every profile)."""

    def __init__(self, rng: random.Random, i: int) -> None:
        self.rng = rng
        self.i = i
        base = "".join(rng.choice(_SYL) for _ in range(rng.randint(1, 2)))
        self.drug = (base + rng.choice(_SUFFIX)).capitalize()
        self.uid = f"{self.drug}-{i}"
        self.cls = rng.choice(_CLASSES)
        self.cond = rng.choice(_CONDITIONS)
        self.other = (rng.choice(_SYL) + rng.choice(_SUFFIX)).capitalize()

    def pct(self) -> str:
        return f"{self.rng.uniform(5, 95):.1f}%"

    def sentence(self) -> str:
        r = self.rng
        templates = [
            f"{self.drug} reduced {self.cond} symptoms in {r.randint(40, 900)} patients over "
            f"{r.randint(4, 52)} weeks",
            f"In trial {self.uid}-{r.randint(1, 99)}, {self.pct()} of patients on {self.drug} "
            f"reached the primary endpoint compared with {self.pct()} on {self.other}",
            f"Common adverse events included {r.choice(_EFFECTS)} and {r.choice(_EFFECTS)}",
            f"The {r.choice(_TOPICS)} of {self.drug} was assessed at doses of "
            f"{r.randint(1, 40) * 5} mg",
            f"Plasma half-life of {self.drug} is about {r.randint(2, 96)} hours in adults",
        ]
        return r.choice(templates) + "."

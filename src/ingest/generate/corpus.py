"""Document ``i`` of a corpus: :func:`render`, a pure function of its arguments.

One ``random.Random(seed * 1_000_003 + i)`` decides, in this order: the document's
identity (:class:`~.doc._Doc`), whether it is a broken file and which, its family (the
small profile's 45/40/15 mix or the real corpus's mix), the writer's draws, then the
byte-level quirks of real sources (CRLF, a BOM, Windows-1252) and the extension.  Since
nothing depends on other documents, any range of indices can be rendered in any process.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from .broken import _BAD_KINDS, bad
from .doc import _Doc
from .guide import guide_realistic
from .monograph import monograph_realistic
from .notes import generic_realistic
from .sizes import _REAL_MIX, target_bytes
from .small import generic, guide, monograph

#: Corpus profiles ``generate_corpus`` can write.  ``small`` is the original ~2 KB-per-file
#: corpus (its bytes never change for a seed); ``realistic`` follows the size profile of the
#: real-document acceptance corpus.
PROFILES: tuple[str, ...] = ("small", "realistic")


def _check_profile(profile: str) -> None:
    """Raise ``ValueError`` unless ``profile`` is one of :data:`PROFILES`."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")


# Writers stop at the first section that reaches their budget, so they overshoot it by
# about half a section on average (measured): the budget is the target minus that.
_OVERSHOOT = {"monographs": 350, "guides": 650, "notes": 290}

#: The realistic writer of each folder.
_REALISTIC: dict[str, Callable[[_Doc, int], str]] = {
    "monographs": monograph_realistic,
    "guides": guide_realistic,
    "notes": generic_realistic,
}


def render(i: int, seed: int, bad_share: float, profile: str = "small") -> tuple[str, str, bytes]:
    """(folder, file name, bytes) of document ``i``; pure function of its arguments."""
    _check_profile(profile)
    rng = random.Random(seed * 1_000_003 + i)
    d = _Doc(rng, i)
    if rng.random() < bad_share:
        kind = rng.choice(_BAD_KINDS)
        return "bad", f"{i:06d}_{kind}.md", bad(d, kind)
    roll = rng.random()
    if profile == "small":
        if roll < 0.45:
            folder, text = "monographs", monograph(d)
        elif roll < 0.85:
            folder, text = "guides", guide(d)
        else:
            folder, text = "notes", generic(d)
    else:
        folder = next(name for limit, name in _REAL_MIX if roll < limit)
        budget = target_bytes(folder, rng) - _OVERSHOOT[folder]
        text = _REALISTIC[folder](d, budget)
    if rng.random() < 0.05:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if rng.random() < 0.03:
        data = b"\xef\xbb\xbf" + data
    elif rng.random() < 0.02:
        data = text.replace("’", "'").encode("cp1252", errors="replace")
        text = text + " café"  # make sure a non-ASCII byte is there
        data = text.encode("cp1252", errors="replace")
    ext = ".txt" if folder == "guides" and rng.random() < 0.5 else ".md"
    return folder, f"{i:06d}_{d.drug.lower()}{ext}", data

"""Document families as plug-ins.

A family is a module exposing ``NAME``, ``detect(doc) -> int`` (how strongly the
document looks like this family; highest wins) and ``metadata(doc) -> dict``
(the family's columns of the ``documents`` row).  Stages that are the same for
every family (sections, tables, citations, FAQs) do not branch on family; a new
family is one module here plus its tests.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import generic, guide, monograph

FAMILIES: tuple[ModuleType, ...] = (monograph, guide, generic)
NAMES = tuple(f.NAME for f in FAMILIES)


def classify(doc: Any) -> ModuleType:
    """The family whose ``detect`` scores highest; ties go to the earlier family."""
    best = generic
    best_score = -1
    for family in FAMILIES:
        score = family.detect(doc)
        if score > best_score:
            best, best_score = family, score
    return best

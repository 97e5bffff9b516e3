"""Document families as plug-ins: a new family is one module in this package.

A family module satisfies :class:`Family`: a ``NAME``, a ``RANK`` (ties between equal
``detect`` scores go to the lower rank), the ``documents`` columns it fills
(``COLUMNS``, declared in ``schemas/warehouse.yaml``), ``detect`` (how strongly a
walked document looks like this family; highest wins), ``columns`` (its values of
those columns) and ``blocks``, through which a family that owns a source format (an
HTML page, say) reads the document into blocks itself instead of the Markdown reader.
Modules are found by listing this package, so adding one changes no other file;
stages that are the same for every family (sections, tables, citations, FAQs) never
branch on the family.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..model import Document
    from ..read.blocks import Block


class Family(Protocol):
    """What the core needs from a family module."""

    NAME: str
    RANK: int
    COLUMNS: tuple[str, ...]

    def detect(self, doc: Document) -> int:
        """Score of the walked document for this family (0: not at all)."""
        ...

    def columns(self, doc: Document) -> dict[str, Any]:
        """This family's ``documents`` columns for the document."""
        ...

    def blocks(self, doc: Document) -> list[Block] | None:
        """Blocks of a document in a format this family reads itself, else None."""
        ...


@cache
def families() -> tuple[Family, ...]:
    """Every family module of this package, by rank."""
    found: list[Family] = []
    for info in pkgutil.iter_modules(__path__):
        module: Family = importlib.import_module(f"{__name__}.{info.name}")
        found.append(module)
    return tuple(sorted(found, key=lambda f: (f.RANK, f.NAME)))


def names() -> tuple[str, ...]:
    """Family names, by rank."""
    return tuple(f.NAME for f in families())


def by_name(name: str) -> Family:
    """The family called ``name``."""
    return next(f for f in families() if name == f.NAME)


def classify(doc: Document) -> Family:
    """The family whose ``detect`` scores highest; ties go to the lower rank."""
    best: Family | None = None
    best_score = -1
    for family in families():
        score = family.detect(doc)
        if score > best_score:
            best, best_score = family, score
    assert best is not None, "the families package holds no family"
    return best


def read_blocks(doc: Document) -> list[Block] | None:
    """Blocks from the first family that reads this document's format itself; sets
    ``doc.reader`` to that family's name."""
    for family in families():
        blocks = family.blocks(doc)
        if blocks is not None:
            doc.reader = family.NAME
            return blocks
    return None


def family_columns(doc: Document) -> dict[str, Any]:
    """Every family's columns, None but for the document's own family's values."""
    out: dict[str, Any] = {c: None for f in families() for c in f.COLUMNS}
    own = by_name(doc.family)
    values = own.columns(doc)
    unknown = set(values) - set(own.COLUMNS)
    if unknown:
        raise ValueError(f"family {own.NAME} fills undeclared columns: {sorted(unknown)}")
    out.update(values)
    return out

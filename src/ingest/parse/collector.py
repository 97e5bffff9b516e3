"""Python's cyclic garbage collector, paused while one document is parsed.

A parse allocates tens of thousands of container objects (blocks, model objects,
rows) and makes no reference cycles, so reference counting frees all of it and the
cyclic collector's passes over those objects find nothing; yet they cost about 7% of
the parse (measured on the realistic benchmark corpus).  :func:`paused` turns the
collector off for one document and back on when the document ends, whatever ended
it; its next pass then sees the document's surviving objects once.

The only cycles a parse makes are BeautifulSoup trees (an HTML page, or an HTML table
its fast reader leaves to BeautifulSoup: parents and children point at each other).
Where one is dropped, :func:`collect_dropped` frees it at once, so a document's
memory stays what it was with the collector running.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the body with the cyclic collector off (if it was on), and turn it back on."""
    enabled = gc.isenabled()
    try:
        gc.disable()
        yield
    finally:
        if enabled:
            gc.enable()


def collect_dropped() -> None:
    """Free the reference cycles dropped since the collector's last pass (the youngest
    generation), when the collector is off; when it is on, it does that itself."""
    if not gc.isenabled():
        gc.collect(0)

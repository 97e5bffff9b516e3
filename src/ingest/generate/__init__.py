"""A deterministic generator of realistic source documents of every family.

Used by ``make run`` (the bundled example corpus), the tests and the benchmark.
Every document is unique (names, numbers, wording) and varied in the ways real
sources are: the FAQ malformations of the seed monographs, tab/HTML/pipe tables
of different shapes, five citation spellings, split paragraphs, vendor
boilerplate, BOMs, CRLF and Windows-1252 bytes, plus a small share of files that
must be quarantined (broken YAML, empty, binary, alias bombs, Python tags,
undecodable bytes).  The same seed always writes the same bytes.

Two profiles (:data:`PROFILES`).  ``small`` is the original corpus of ~2 KB files
(its bytes for a seed never change: tests and golden numbers depend on them).
``realistic`` follows the size profile of the real-document acceptance corpus
(``shared/corpus/real``): the family mix of that corpus, and per family a size drawn
from a lognormal fitted to its median and mean, clipped to 1 KB..400 KB.  The size is
reached with more real structure (outline sections, studies, FAQs, tables in all three
spellings, citations and longer reference lists), never with filler.

Layout, from the entry point down:

- :mod:`.write`: :func:`generate_corpus`: shards, the worker pool, the stats.
- :mod:`.corpus`: :func:`render`: document ``i`` as (folder, name, bytes): bad or
  not, its family, its writer, its encoding quirks (CRLF, BOM, Windows-1252).
- :mod:`.doc`: :class:`_Doc`, one document's rng and identity, shared by all writers.
- :mod:`.broken`: :func:`bad`, the files that must be quarantined.
- :mod:`.small`: the ``small`` profile's writers (the seed corpus, frozen bytes).
- :mod:`.sizes`: the ``realistic`` profile's family mix and size model.
- :mod:`.monograph` (+ :mod:`.monograph_sections`), :mod:`.guide`, :mod:`.notes`:
  the ``realistic`` writers, one per family, each growing its document section by
  section until it reaches its byte budget.
- :mod:`.writer`: :class:`~.writer._W`, the realistic writers' running document
  (rng helpers, sentences, citations, tables).
- :mod:`.phrases`: the sentence pools the realistic writers speak in.
- :mod:`.outline`: fixed outline text both profiles emit (vendor furniture of guides,
  the FAQ section of monographs, ...).
- :mod:`.vocab`, :mod:`.vocab_realistic`: word lists.

Every document is a pure function of ``(i, seed, bad_share, profile)`` through one
``random.Random``: the order of every draw is part of the output, so a change to any
module that draws (or to a list it draws from) changes the bytes.  Names with a leading
underscore are package-internal; the tests use a few of them (re-exported here).
"""

from __future__ import annotations

from .broken import bad
from .corpus import PROFILES, render
from .doc import _Doc
from .guide import guide_realistic
from .monograph import monograph_realistic
from .notes import generic_realistic
from .sizes import (
    _SIZE_PARAMS,
    MAX_DOC_BYTES,
    MIN_DOC_BYTES,
    REAL_SIZES,
    _clipped_lognormal_mean,
    fit_lognormal,
    target_bytes,
)
from .small import generic, guide, monograph
from .write import _write_range, byte_stats, generate_corpus

# ``_write_range`` is the pool's task, pickled by name: it was ``ingest.generate._write_range``
# when this package was one module, and a worker of a run started then still finds it here.
__all__ = [
    "MAX_DOC_BYTES",
    "MIN_DOC_BYTES",
    "PROFILES",
    "REAL_SIZES",
    "_SIZE_PARAMS",
    "_Doc",
    "_clipped_lognormal_mean",
    "_write_range",
    "bad",
    "byte_stats",
    "fit_lognormal",
    "generate_corpus",
    "generic",
    "generic_realistic",
    "guide",
    "guide_realistic",
    "monograph",
    "monograph_realistic",
    "render",
    "target_bytes",
]

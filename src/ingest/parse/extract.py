"""The parse of one document, stage by stage: bytes in, rows (or one error) out.

    decode -> front matter -> preflight -> blocks (Markdown, or a family's own reader)
    -> walk (typed model) -> passes -> rows

Each stage is a module of this package; this one only runs them in order, times them
and turns any failure into one :class:`~ingest.errors.Issue`, so one bad document
never stops a batch.  It is pure (bytes and a path in, plain data out), so it runs the
same in a worker process, a Dask worker, a test or ``ingest validate``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from ..entries import NotRegularFile, read_regular
from ..errors import IngestError, Issue, truncate
from ..limits import DEFAULT_LIMITS, Limits
from . import collector, families, rows
from .model import Document
from .passes.citation_resolution import resolve_citations
from .passes.describe import describe
from .passes.faqs import reconcile_faqs
from .passes.quality import check_quality
from .passes.reference_lists import read_reference_lists
from .passes.rejoin import rejoin
from .passes.sections import prune_sections
from .read import preflight
from .read.blocks import Block, parse_blocks
from .read.decode import decode
from .read.front import parse_front_matter
from .result import DocResult, doc_id_for
from .walk import walk


def process_file(
    path: Path, source_path: str, limits: Limits = DEFAULT_LIMITS, *, source: str = ""
) -> DocResult:
    """Read and process one file; an unreadable file becomes a (transient) read error.
    Only a regular file is read (:func:`~ingest.entries.read_regular`): one that became
    a FIFO or a device since the walk is refused, never waited on."""
    try:
        data = read_regular(path)
    except OSError as exc:
        res = DocResult(source_path, doc_id_for(source, source_path), "", 0, source=source)
        res.error = _read_error(exc, source_path)
        return res
    return process_bytes(data, source_path, limits, source=source)


def _read_error(exc: OSError, source_path: str) -> Issue:
    if isinstance(exc, NotRegularFile):
        return Issue(
            "read",
            "not_regular_file",
            source_path,
            "no longer a regular file when it was read (it changed during the run): not read",
            transient=True,
        )
    return Issue(
        "read", "unreadable", source_path, f"cannot read file: {exc.strerror}", transient=True
    )


def process_bytes(
    data: bytes, source_path: str, limits: Limits = DEFAULT_LIMITS, *, source: str = ""
) -> DocResult:
    """Rows of one document's bytes, or the one error that stopped it."""
    res = DocResult(
        source_path,
        doc_id_for(source, source_path),
        hashlib.sha256(data).hexdigest(),
        len(data),
        source=source,
    )
    doc = Document(res.doc_id, source, source_path, res.content_sha256, len(data), limits)
    stage = _Stage()
    try:
        with collector.paused():
            _run(doc, data, res, stage)
    except IngestError as exc:
        res.error = exc.at(source_path)
    except RecursionError:
        msg = "document nests too deeply to parse safely"
        res.error = Issue(stage.name, "too_deeply_nested", source_path, msg)
    except Exception as exc:  # never let one document crash a batch
        msg = truncate(f"unexpected {type(exc).__name__}: {exc}")
        res.error = Issue(stage.name, "internal_error", source_path, msg)
    res.warnings = doc.warnings
    if res.error is not None:
        res.rows = {}
    return res


class _Stage:
    """The stage a document is in, for the error that may stop it."""

    name = "decode"


def _run(doc: Document, data: bytes, res: DocResult, stage: _Stage) -> None:
    t = time.perf_counter
    t0 = t()
    dec = decode(data, doc.limits)
    for fld, rule, before, after, line in dec.repairs:
        doc.repair(fld, rule, before, after, line)
    stage.name = "front_matter"
    t1 = t()
    fm = parse_front_matter(dec.text, doc.limits)
    doc.meta, doc.encoding, doc.front_matter_format = fm.meta, dec.encoding, fm.format
    doc.lines, doc.body, doc.body_line = dec.text.split("\n"), fm.body, fm.body_line
    stage.name = "parse"
    t2 = t()
    blocks = _blocks(doc)
    stage.name = "extract"
    t3 = t()
    walk(doc, blocks)
    stage.name = "repair"
    _passes(doc)
    res.family = doc.family
    res.rows = rows.build(doc)
    t4 = t()
    res.timings = {"decode": t1 - t0, "front_matter": t2 - t1, "parse": t3 - t2, "extract": t4 - t3}


def _blocks(doc: Document) -> list[Block]:
    """Blocks from a family that reads the format itself, else the Markdown reader;
    the structure budgets are checked first, before any parser allocates."""
    preflight.check(doc.body, doc.body_line, doc.limits)
    own = families.read_blocks(doc)
    if own is not None:
        return own
    blocks, fallback = parse_blocks(doc.body, doc.body_line)
    if fallback:
        doc.warn(
            "parse",
            "parser_fallback",
            "the fast Markdown parser failed on this document; parsed with the "
            "pure-Python one instead",
        )
    return blocks


def _passes(doc: Document) -> None:
    """The passes over the model, in their order (see :mod:`ingest.parse.passes`)."""
    rejoin(doc)
    read_reference_lists(doc)
    doc.family = families.classify(doc).NAME
    reconcile_faqs(doc)
    resolve_citations(doc)
    prune_sections(doc)
    describe(doc)
    check_quality(doc)

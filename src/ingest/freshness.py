"""What would a run change?  Asked read-only, before any copy, server or import is paid for.

Most scheduled runs find everything as it was.  Such a run is answered here, on a
read-only connection to the published warehouse, by merging each source's walk
with its ``source_files`` rows (:mod:`ingest.compare`), binding no parameters (so
DuckDB 1.5 does not import pandas):

* ``noop``: nothing but the run's own record would change (no file to parse,
  re-stat or remove; every source known, at the root it had): the run is recorded
  in the journal (:mod:`ingest.journal`) and the warehouse is not copied at all;
* ``parse``: some file is new, changed, or parsed by another parser version: only
  then does ``ingest run`` start Prefect.  Without it the library finishes the
  run in-process (re-stats, removals).

The check may answer "changes" when nothing would change (that only costs the
usual path), never the reverse: an entry counts as unchanged by the plan's own
rule (:func:`ingest.compare.first_look`: size, non-zero mtime and parser version;
``rehash`` compares hashes instead), or when its stat differs but its SHA-256 does
not (then it needs a re-stat: not a no-op).  The walk applies the run's
include/exclude rules (``select``), as the plan's does.  It stops as soon as the
answer is known.  Any failure to read the warehouse (missing, locked, older
schema) answers "parse".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .compare import HASH, PARSE, Known, first_look, merge, source_literal
from .config import Source, as_sources
from .discover import SourceFile, sha256_file
from .errors import Issue
from .selection import Selection, Skipped

if TYPE_CHECKING:
    import duckdb


@dataclass
class Verdict:
    """The answer of :func:`check`.  The default (``parse``, not ``noop``) is the safe
    one, returned whenever the warehouse cannot be read; the counts, problems and skips
    are complete only for a no-op run, whose summary is built from them."""

    noop: bool = False  # the run would change nothing but its own record
    parse: bool = True  # some file needs parsing
    seen: int = 0  # counts of a no-op run
    unchanged: int = 0
    quarantined: int = 0
    problems: list[Issue] = field(default_factory=list)  # a no-op run's quarantined files
    skipped: Skipped = field(default_factory=Skipped)  # what a no-op run's walk left out


def check(
    sources: Sequence[Source | str | Path],
    db: str | Path,
    *,
    rehash: bool = False,
    until: Literal["change", "parse"] = "parse",
    select: Selection | None = None,
) -> Verdict:
    """Compare ``sources`` (the files ``select`` takes: by default document types) with
    warehouse ``db``.  ``until="change"`` stops at the first difference of any kind
    (enough to know it is no no-op); ``"parse"`` goes on past re-stats and removals to
    learn whether anything needs parsing."""
    if not Path(db).is_file():
        return Verdict()
    import duckdb  # not at module level: a cold run never needs it here

    try:
        con = duckdb.connect(str(db), read_only=True, config={"memory_limit": "64MB"})
    except duckdb.Error:
        return Verdict()
    try:
        return _check(con, as_sources(sources), rehash, until, select or Selection())
    except duckdb.Error:
        return Verdict()
    finally:
        con.close()


def needs_parsing(
    sources: Sequence[Source | str | Path],
    db: str | Path,
    *,
    rehash: bool = False,
    select: Selection | None = None,
) -> bool:
    """True unless every file of ``sources`` is known to ``db`` with the same content."""
    return check(sources, db, rehash=rehash, select=select).parse


def _check(
    con: duckdb.DuckDBPyConnection,
    sources: list[Source],
    rehash: bool,
    until: str,
    select: Selection,
) -> Verdict:
    from .migrate import is_current  # imports duckdb: not at module level

    # A warehouse of an older layout is no no-op: the run's build migrates it.
    v = Verdict(noop=_same_roots(con, sources) and is_current(con), parse=False)
    for source in sources:
        for f, k in merge(con, source, select, v.skipped):
            kind = _classify(f, k, rehash)
            if kind == "parse":
                return Verdict(noop=False, parse=True)
            if kind != "same":
                v.noop = False
                if until == "change":
                    return v
                continue
            v.seen += 1
            if k is not None and k.status == "loaded":
                v.unchanged += 1
            else:
                v.quarantined += 1
        if not v.noop and until == "change":
            return v
    if v.noop and v.quarantined:
        v.problems = _reasons(con, sources)
    return v


def _classify(f: SourceFile | None, k: Known | None, rehash: bool) -> str:
    """``same``, ``restat`` (same bytes, other stat), ``gone``, or ``parse``."""
    if f is None:
        return "gone"
    look = first_look(f, k, rehash)
    if look != HASH:
        return look
    assert k is not None
    if sha256_file(f.path) != k.content_sha256:
        return PARSE
    return "same" if k.same_stat(f) else "restat"


def _reasons(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> list[Issue]:
    """The stored reasons of the sources' quarantined files (a no-op run re-reports
    them without parsing)."""
    names = ", ".join(source_literal(s.name) for s in sources)
    rows = con.execute(
        "SELECT source, source_path, error_stage, error_code, message, line_start "
        f"FROM source_files WHERE source IN ({names}) AND status = 'quarantined' "
        "ORDER BY source, source_path"
    ).fetchall()
    return [
        Issue(
            stage or "parse",
            code or "unknown",
            path,
            message or "quarantined by an earlier run",
            line,
            source=source,
        )
        for source, path, stage, code, message, line in rows
    ]


def _same_roots(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> bool:
    """Every source is known to the warehouse at the root it has now."""
    names = ", ".join(source_literal(s.name) for s in sources)
    roots = dict(
        con.execute(f"SELECT source, root FROM sources WHERE source IN ({names})").fetchall()
    )
    return all(roots.get(s.name) == s.root for s in sources)

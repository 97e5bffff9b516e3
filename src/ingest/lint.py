"""``ingest validate``'s unit of work: check a batch of files, no pandas, no warehouse.

Each file goes through the very extraction a run uses
(:func:`ingest.document.process_file`), then its rows through the warehouse schema
(:mod:`ingest.rowcheck`, pandera's verdicts without pandas).  What comes back is
small and picklable (issues and the codes the document waives for itself), so a
batch can run in a worker process.  Severity rules from the configuration are
applied by the caller, per path: they never change what is found, only what is
reported.

A document waives codes for itself in its front matter::

    ---
    title: Legacy monograph
    ingest:
      ignore: [truncated_description, dangling_citation]
    ---

The key is read only for files that have a problem, with the same bounded
front-matter parser, so clean files cost nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .discover import SourceFile
from .errors import Issue
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from .budgets import Watch
    from .document import DocResult

RUN_ID = "validate"
INLINE_KEY = "ingest"


@dataclass(slots=True)
class FileCheck:
    """What validating one file found, before configuration is applied."""

    family: str | None
    issues: list[Issue]  # the error (if any) first, then warnings in document order
    waived: frozenset[str] = field(default_factory=frozenset)  # codes the document ignores
    waiver_problem: str = ""  # why its ``ingest:`` key could not be used, if so


def check_batch(
    files: list[SourceFile], cache_dir: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> list[FileCheck]:
    """Extract and schema-check ``files`` as a run would; one :class:`FileCheck` each.
    With ``cache_dir`` (:mod:`ingest.lintcache`), unchanged files are not parsed again."""
    from .budgets import watching
    from .rowcheck import validate_results

    out: list[FileCheck | None] = [None] * len(files)
    todo: list[tuple[int, DocResult, str | None]] = []
    with watching(limits, hard=False) as watch:
        for i, f in enumerate(files):
            hit, r, k = _extract(f, cache_dir, limits, watch)
            if hit is not None:
                out[i] = hit
            else:
                assert r is not None
                todo.append((i, r, k))
    if todo:  # every file a cache hit: not even the schema is read
        validate_results([r for _, r, _ in todo], RUN_ID)
    for i, r, k in todo:
        f = files[i]
        issues = ([r.error] if r.error else []) + list(r.warnings)
        check = FileCheck(r.family, issues)
        if issues and not f.kind:
            check.waived, check.waiver_problem = waived_codes(Path(f.path), limits)
        if cache_dir and k and not _budget_bound(issues):
            _store(cache_dir, k, check)
        out[i] = check
    return [c for c in out if c is not None]


def _extract(
    f: SourceFile, cache_dir: str | None, limits: Limits, watch: Watch | None = None
) -> tuple[FileCheck | None, DocResult | None, str | None]:
    """A cached check, or the file's extraction (and its cache key, when cacheable)."""
    from .entries import read_regular

    if f.kind:
        from .batch import _odd_entry

        return None, _odd_entry(f), None
    try:
        data = read_regular(Path(f.path))
    except OSError:  # reported by process_file exactly as a run reports it; not cached
        from .document import process_file

        return None, process_file(Path(f.path), f.source_path, limits, source=f.source), None
    k = None
    if cache_dir:
        from . import lintcache

        k = lintcache.key(data, f.source_path, limits)
        entry = lintcache.get(cache_dir, k)
        if entry is not None:
            try:
                return _loaded(entry), None, k
            except (KeyError, TypeError, ValueError):
                pass  # an entry of another shape: checked again, and overwritten
    return None, _parse(data, f, limits, watch), k


def _parse(data: bytes, f: SourceFile, limits: Limits, watch: Watch | None) -> DocResult:
    """The file's rows, parsed within the time and memory budgets when ``watch`` is set."""
    from .document import process_bytes  # only now: a cache hit needs no parser

    if watch is None:
        return process_bytes(data, f.source_path, limits, source=f.source)
    from .budgets import BudgetExceeded
    from .document import DocResult, doc_id_for

    try:
        with watch.document():
            return process_bytes(data, f.source_path, limits, source=f.source)
    except BudgetExceeded as exc:
        res = DocResult(f.source_path, doc_id_for(f.source, f.source_path), "", len(data))
        res.error = exc.issue(f.source_path)
        return res


def _budget_bound(issues: list[Issue]) -> bool:
    """A verdict that depends on the machine (CPU time or memory spent), not only on the
    file: never cached, so a busy moment is not remembered as the file's fault."""
    return any(i.code == "resource_limit" for i in issues)


def _loaded(entry: dict[str, Any]) -> FileCheck:
    from .lintcache import issue_from_json

    return FileCheck(
        entry["family"],
        [issue_from_json(d) for d in entry["issues"]],
        frozenset(entry["waived"]),
        str(entry["waiver_problem"]),
    )


def _store(cache_dir: str, k: str, check: FileCheck) -> None:
    from .lintcache import issue_to_json, put

    put(
        cache_dir,
        k,
        {
            "family": check.family,
            "issues": [issue_to_json(i) for i in check.issues],
            "waived": sorted(check.waived),
            "waiver_problem": check.waiver_problem,
        },
    )


def waived_codes(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[frozenset[str], str]:
    """The codes the document's front matter waives (``ingest: {ignore: [...]}``), and
    a message when the key is there but unusable (so a typo is reported, not ignored)."""
    from .errors import IngestError
    from .parse.read.decode import decode
    from .parse.read.front import parse_front_matter
    from .rules import BY_CODE

    try:
        meta = parse_front_matter(decode(path.read_bytes(), limits).text, limits).meta
    except (IngestError, OSError):
        return frozenset(), ""  # no readable front matter: nothing waived
    spec = meta.get(INLINE_KEY)
    if spec is None:
        return frozenset(), ""
    codes = _ignore_list(spec)
    if codes is None:
        return frozenset(), f"front-matter key '{INLINE_KEY}' must be {{ignore: [code, ...]}}"
    unknown = sorted(c for c in codes if c not in BY_CODE)
    if unknown:
        return frozenset(), f"front matter ignores unknown code {unknown[0]!r}"
    return frozenset(codes), ""


def _ignore_list(spec: Any) -> list[str] | None:
    if not isinstance(spec, dict) or set(spec) - {"ignore"}:
        return None
    codes = spec.get("ignore", [])
    if isinstance(codes, str):
        codes = [codes]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return None
    return codes

"""``ingest validate``: check files for CI without a warehouse or a Prefect server.

Files are processed and schema-validated exactly as ``ingest run`` would (same
:func:`~ingest.batch.process_batch`, same walk and ``--include``/``--exclude``
rules), so "valid here" means "loads there".  An odd entry (a FIFO, a broken
link...) is invalid with the reason a run would quarantine it for; files the
rules leave out are counted on a ``skipped ...`` line (and in the JSON summary).
Large sets are spread over worker processes.  Output goes to stdout in the
chosen format; the exit code is the verdict.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import limits, report
from .batch import BatchResult, process_batch
from .discover import SourceFile, discover
from .entries import represent_path
from .limits import Limits
from .selection import Selection, Skipped
from .workers import running_pool

_PARALLEL_FROM = 400
_BATCH = 200


def validate_paths(
    paths: list[str],
    *,
    fmt: str = "text",
    strict: bool = False,
    quiet: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> int:
    budgets = limits.from_env()  # a bad INGEST_MAX_... is a usage error, before any work
    skipped = Skipped()
    files = discover(paths, Selection(include or [], exclude or []), skipped)
    shown_as = iter([_display(f) for f in files])  # outcomes come back in file order
    results = _run(files, budgets)
    n_invalid = n_warn_files = n_warnings = 0
    json_files = []
    out = sys.stdout
    for res in results:
        for o in res.outcomes:
            shown = next(shown_as)
            issues = ([o.error] if o.error else []) + list(o.warnings)
            invalid = o.error is not None or (strict and bool(o.warnings))
            n_invalid += invalid
            n_warn_files += bool(o.warnings)
            n_warnings += len(o.warnings)
            if fmt == "json":
                json_files.append(
                    {
                        "path": shown,
                        "valid": not invalid,
                        "family": o.family,
                        "errors": [report.issue_dict(o.error)] if o.error else [],
                        "warnings": [report.issue_dict(w) for w in o.warnings],
                    }
                )
                continue
            for issue in issues:
                line = (
                    report.github_line(shown, issue)
                    if fmt == "github"
                    else report.text_line(shown, issue)
                )
                print(line, file=out)
    summary = {
        "files": len(files),
        "valid": len(files) - n_invalid,
        "invalid": n_invalid,
        "warnings": n_warnings,
        "strict": strict,
        "skipped": skipped.as_dict(),
    }
    if fmt == "json":
        print(report.json_document(json_files, summary), file=out)
    elif not quiet or n_invalid:
        print(
            f"{len(files)} file(s) checked: {summary['valid']} valid, {n_invalid} invalid, "
            f"{n_warnings} warning(s) in {n_warn_files} file(s)",
            file=sys.stderr,
        )
        if skipped.counts:
            print(skipped.render(), file=sys.stderr)
    return 1 if n_invalid else 0


def _run(files: list[SourceFile], budgets: Limits) -> list[BatchResult]:
    """Each batch's result, in file order.  A few files are parsed here, each under the
    time and memory budgets (the ticks of :mod:`ingest.budgets`; no backstop that would
    kill this process); many go to parse workers, which are replaced if one dies."""
    batches = [files[i : i + _BATCH] for i in range(0, len(files), _BATCH)]
    if len(files) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return [process_batch(b, "validate", budgets, to_arrow=False) for b in batches]
    with running_pool(os.cpu_count() or 1, budgets) as pool:
        jobs = [pool.submit_batch(b, "validate", to_arrow=False) for b in batches]
        return [job.result() for job in jobs]


def _display(f: SourceFile) -> str:
    """The path as the user would write it: relative to the cwd when possible, names
    that are not UTF-8 escaped as in ``source_path``."""
    folder = "/" if f.source_path.endswith("/") else ""  # an entry for a whole folder
    try:
        return represent_path(os.path.relpath(f.path)) + folder
    except ValueError:  # pragma: no cover - other drive on Windows
        return represent_path(str(Path(f.path))) + folder

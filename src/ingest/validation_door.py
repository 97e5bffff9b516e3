"""``ingest validate``: check files for CI without a warehouse or a Prefect server.

Files are processed exactly as ``ingest run`` would (same extraction, same walk and
``--include``/``--exclude`` rules) and their rows checked against the same
warehouse schema (:mod:`ingest.lint`, :mod:`ingest.rowcheck`), so "valid here" means
"loads there".  The configuration (:mod:`ingest.lintconfig`: ``ingest.toml`` or
``[tool.ingest]``) then decides what is reported and how severely, per path; a
document can waive codes for itself in its front matter.  An odd entry (a FIFO, a
broken link...) is invalid with the reason a run would quarantine it for; files the
rules leave out are counted on a ``skipped ...`` line (and in the JSON summary).

Nothing here imports pandas, pandera, pyarrow, DuckDB or Prefect: a pre-commit hook
pays for Python, the parsers and the YAML schema only.  Large sets are spread over
worker processes.  Output goes to stdout in the chosen format (text, json, github,
sarif); the exit code is the verdict.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import limits, report
from .config import Source
from .discover import SourceFile, iter_files
from .entries import represent_path
from .errors import Issue
from .limits import Limits
from .lint import FileCheck, check_batch
from .lintconfig import LintConfig, load
from .rules import BY_CODE
from .selection import EXCLUDED, NOT_INCLUDED, Selection, Skipped

_PARALLEL_FROM = 40  # files; fewer are checked in this process (a fork costs ~10 ms)
_BATCH = 200
FORMATS = ("text", "json", "github", "sarif")


@dataclass(frozen=True, slots=True)
class Options:
    """How ``ingest validate`` reports: the command line's switches."""

    fmt: str = "text"
    strict: bool = False
    quiet: bool = False


@dataclass(slots=True)
class Verdict:
    """One file's findings after configuration: (issue, level) pairs, and whether it fails."""

    shown: str
    family: str | None
    findings: list[tuple[Issue, str]]
    invalid: bool


def validate_paths(
    paths: list[str],
    *,
    fmt: str = "text",
    strict: bool = False,
    quiet: bool = False,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    config: str | None = None,
    isolated: bool = False,
    use_cache: bool = True,
) -> int:
    """Check ``paths``; print the findings in ``fmt``; 1 when any file is invalid."""
    budgets = limits.from_env()  # a bad INGEST_MAX_... is a usage error, before any work
    cfg = load(config, isolated=isolated)
    skipped = Skipped()
    files = _select(paths, cfg, include or [], exclude or [], skipped)
    cache_dir = None
    if use_cache and files:
        from .lintcache import folder_for

        cache_dir = folder_for(cfg.root)
    checks = [c for batch in _run(files, cache_dir, budgets) for c in batch]
    opts = Options(fmt, strict, quiet)
    verdicts = [judge(f, c, cfg, strict) for f, c in zip(files, checks, strict=True)]
    _print(verdicts, skipped, opts)
    return 1 if any(v.invalid for v in verdicts) else 0


def _select(
    paths: list[str], cfg: LintConfig, include: list[str], exclude: list[str], skipped: Skipped
) -> list[SourceFile]:
    """The files to check: the command line's rules on each source, then the config's
    on paths relative to its folder (a command-line ``--include`` replaces its
    ``include``)."""
    conf = cfg.selection()
    use_conf_include = bool(cfg.include) and not include
    first = Selection(["*"] if use_conf_include else include, exclude)
    files = list(iter_files(_sources(paths), first, skipped))
    if conf is None:
        return files
    kept = []
    for f in files:
        rel = cfg.relative(f.path)
        if f.kind:
            why = None
        elif rel is None:  # outside the config's folder: document types, as by default
            why = Selection().skip_file(f.source_path) if use_conf_include else None
        else:
            why = _conf_skip(conf, rel, use_conf_include)
        if why is None:
            kept.append(f)
        else:
            skipped.add(*why)
    return kept


def _sources(paths: list[str]) -> list[Source]:
    """One source per distinct argument, named by its position: a pre-commit hook
    passes ``a/README.md b/README.md``, which ``ingest run`` would refuse as two
    sources of one name (the name only keys documents in a warehouse)."""
    unique = dict.fromkeys(os.path.abspath(p) for p in paths)
    return [Source(f"arg{i}", root) for i, root in enumerate(unique)]


def _conf_skip(conf: Selection, rel: str, use_include: bool) -> tuple[str, str] | None:
    why = conf.skip_file(rel)
    if why is None or why[0] == EXCLUDED:
        return why
    return why if use_include and why[0] == NOT_INCLUDED else None


def judge(f: SourceFile, check: FileCheck, cfg: LintConfig, strict: bool) -> Verdict:
    """The file's findings under the configuration, and its verdict."""
    shown = _display(f)
    rel = cfg.relative(f.path)
    findings = []
    for issue in check.issues:
        default = BY_CODE[issue.code].severity if issue.code in BY_CODE else issue.severity
        level = (
            "ignore" if issue.code in check.waived else cfg.severity_of(issue.code, default, rel)
        )
        if level != "ignore":
            findings.append((issue, level))
    if check.waiver_problem:
        findings.append(
            (
                Issue("validate", "invalid_suppression", f.source_path, check.waiver_problem),
                "warning",
            )
        )
    invalid = any(level == "error" or strict for _, level in findings)
    return Verdict(shown, check.family, findings, invalid)


def _print(verdicts: list[Verdict], skipped: Skipped, opts: Options) -> None:
    out = sys.stdout
    n_invalid = sum(v.invalid for v in verdicts)
    n_warnings = sum(lvl == "warning" for v in verdicts for _, lvl in v.findings)
    n_warn_files = sum(any(lvl == "warning" for _, lvl in v.findings) for v in verdicts)
    summary = {
        "files": len(verdicts),
        "valid": len(verdicts) - n_invalid,
        "invalid": n_invalid,
        "errors": sum(lvl == "error" for v in verdicts for _, lvl in v.findings),
        "warnings": n_warnings,
        "strict": opts.strict,
        "skipped": skipped.as_dict(),
    }
    if opts.fmt == "json":
        print(report.json_document([_json_file(v) for v in verdicts], summary), file=out)
        return
    if opts.fmt == "sarif":
        from . import sarif

        shown = [(v.shown, i, lvl) for v in verdicts for i, lvl in v.findings if _shows(lvl, opts)]
        print(sarif.document(shown), file=out)
        return
    line_of = report.github_line if opts.fmt == "github" else report.text_line
    for v in verdicts:
        for issue, level in v.findings:
            if _shows(level, opts):
                print(line_of(v.shown, _graded(issue, level)), file=out)
    if not opts.quiet or n_invalid:
        print(
            f"{len(verdicts)} file(s) checked: {summary['valid']} valid, {n_invalid} invalid, "
            f"{n_warnings} warning(s) in {n_warn_files} file(s)",
            file=sys.stderr,
        )
        if skipped.counts:
            print(skipped.render(), file=sys.stderr)


def _shows(level: str, opts: Options) -> bool:
    """``-q`` shows only what fails: errors, and warnings under ``--strict``."""
    return not opts.quiet or level == "error" or opts.strict


def _graded(issue: Issue, level: str) -> Issue:
    if issue.severity == level:
        return issue
    return Issue(
        issue.stage, issue.code, issue.path, issue.message, issue.line,
        "error" if level == "error" else "warning", issue.transient, issue.source, issue.column,
    )  # fmt: skip


def _json_file(v: Verdict) -> dict[str, object]:
    return {
        "path": v.shown,
        "valid": not v.invalid,
        "family": v.family,
        "errors": [report.issue_dict(i) for i, lvl in v.findings if lvl == "error"],
        "warnings": [report.issue_dict(i) for i, lvl in v.findings if lvl == "warning"],
    }


def _run(files: list[SourceFile], cache_dir: str | None, budgets: Limits) -> list[list[FileCheck]]:
    """Each batch's checks, in file order.  Every parse runs under the time and memory
    budgets (the ticks of :mod:`ingest.budgets`; no kernel backstop, which would kill
    this command).  Many files go to forked workers; should one die anyway, the
    batches it left unanswered are checked again here."""
    workers = os.cpu_count() or 1
    if len(files) < _PARALLEL_FROM or workers < 2:
        return [
            check_batch(files[i : i + _BATCH], cache_dir, budgets)
            for i in range(0, len(files), _BATCH)
        ]
    # A few batches per worker, so that a slow batch does not leave the others idle.
    size = max(8, min(_BATCH, -(-len(files) // (workers * 4))))
    batches = [files[i : i + size] for i in range(0, len(files), size)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from . import document  # noqa: F401  (imported once here, shared by the forked workers)

    # Forked from this lean process (no threads, no pandas): the run's fork server
    # preloads pandas and pandera, which a validate-only install does not have.
    ctx = multiprocessing.get_context("fork")
    done: list[list[FileCheck] | None] = [None] * len(batches)
    try:
        with ProcessPoolExecutor(workers, ctx, initializer=_worker_start) as pool:
            jobs = [pool.submit(check_batch, b, cache_dir, budgets) for b in batches]
            for i, job in enumerate(jobs):
                done[i] = job.result()
    except BrokenProcessPool:
        print("ingest: a validate worker died; checking its files here", file=sys.stderr)
    return [
        d if d is not None else check_batch(b, cache_dir, budgets)
        for d, b in zip(done, batches, strict=True)
    ]


def _worker_start() -> None:
    from . import interrupts

    interrupts.ignore_sigint()
    interrupts.die_with_parent()


def _display(f: SourceFile) -> str:
    """The path as the user would write it: relative to the cwd when possible, names
    that are not UTF-8 escaped as in ``source_path``."""
    folder = "/" if f.source_path.endswith("/") else ""  # an entry for a whole folder
    try:
        return represent_path(os.path.relpath(f.path)) + folder
    except ValueError:  # pragma: no cover - other drive on Windows
        return represent_path(str(Path(f.path))) + folder

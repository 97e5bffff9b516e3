"""The command line: argument parsing and exit codes, over :mod:`ingest.commands`.

``ingest validate`` needs neither a warehouse nor Prefect (it imports neither), so
it is quick enough for a pre-commit hook.  ``ingest run`` and ``ingest serve``
build one :class:`~ingest.config.RunConfig` and hand it to the library's run loop
or to the Prefect flow in :mod:`ingest.prefect`, imported lazily.  Library errors
become one line each (:mod:`ingest.failures`), and signals end a command cleanly
(:mod:`ingest.interrupts`).  Exit codes: 0 ok; 1 invalid input, a failed run (the
warehouse unchanged), or quarantines with ``--strict``; 2 usage errors; 75 the
warehouse is busy; 130 / 143 interrupted (SIGINT / SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from . import __version__, commands, failures, interrupts
from .config import DEFAULT_DB, DEFAULT_LOCK_TIMEOUT, ConfigError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = commands.EXIT_OK, commands.EXIT_INVALID, failures.EXIT_USAGE
SOURCE_HELP = (
    "a folder or file to load, as PATH or NAME=PATH; without NAME the source is named "
    "after the folder (or file). A run only touches documents of the sources it is given"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ingest`` command: parse ``argv`` (the process's arguments when
    None), run the chosen subcommand with the interrupt handlers installed, and return its
    exit code (usage error, with the help printed, when no subcommand is given)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    serving = args.command == "serve"
    with interrupts.installed(serving=serving):
        return _run_command(args, serving)


def _run_command(args: argparse.Namespace, serving: bool) -> int:
    """The command, and what its failure or interruption says (one line) and returns."""
    try:
        _settle_target(args)
        code = int(args.func(args))
    except BaseException as exc:
        signum = interrupts.requested()
        if signum is None and isinstance(exc, KeyboardInterrupt):
            signum = int(signal.SIGINT)  # before the handlers were installed
        if signum is not None:
            print(f"ingest: {interrupts.describe(signum, serving=serving)}", file=sys.stderr)
            return interrupts.exit_code(signum)
        if isinstance(exc, BrokenPipeError):  # `ingest search ... | head`: stop quietly
            return failures.reader_gone()
        if not isinstance(exc, Exception) or failures.debugging():
            raise
        known = failures.explain(exc)
        line, code = known or (failures.unexpected(exc), failures.EXIT_FAILED)
        print(f"ingest: error: {line}", file=sys.stderr)
        return code
    signum = interrupts.requested()
    if signum is not None:  # it came too late to stop anything: say so all the same
        print(f"ingest: {interrupts.describe(signum, serving=serving)}", file=sys.stderr)
        return interrupts.exit_code(signum)
    return code


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ingest",
        description="Turn folders of messy drug monographs and research guides into a clean "
        "DuckDB warehouse.",
    )
    p.add_argument("--version", action="version", version=f"ingest {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _validate_parser(sub)
    _run_parser(sub)
    _serve_parser(sub)
    _sources_parser(sub)
    _remove_source_parser(sub)
    _generate_parser(sub)
    _schema_parser(sub)
    _report_parser(sub)
    _search_parser(sub)
    _lake_parser(sub)
    _changes_parser(sub)
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds (got {text})")
    return value


def _output_file(text: str) -> str:
    """A file the command will write at the end: its folder must exist (checked now, so
    a run is not done for nothing)."""
    folder = os.path.dirname(os.path.abspath(text)) or "."
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"folder {folder} does not exist")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder")
    return text


def _selection_options(p: argparse.ArgumentParser) -> None:
    """Which files of a source are taken: the same for run, serve and validate."""
    p.add_argument(
        "--include",
        action="append",
        metavar="GLOB",
        help="take only files matching GLOB (repeatable; replaces the default, document "
        "types: *.md *.markdown *.txt *.html *.htm); matched against the path relative to "
        "the source root, a GLOB without '/' against each name, '**' spans folders",
    )
    p.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="leave out files matching GLOB (repeatable), e.g. 'drafts' or 'archive/**'",
    )


def _validate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    v = sub.add_parser(
        "validate",
        help="check files without a warehouse or Prefect (for CI)",
        description="Check source files or folders. Exit 0 when every file is "
        "valid, 1 when any is invalid, 2 on usage errors.",
    )
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    v.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif"),
        default="text",
        help="output format (github: workflow annotation lines; sarif: SARIF 2.1.0 for "
        "code scanning)",
    )
    v.add_argument("--strict", action="store_true", help="warnings fail too")
    v.add_argument(
        "--quiet", "-q", action="store_true", help="print only what fails (errors), no summary"
    )
    v.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="ingest.toml or pyproject.toml to use (default: the first found walking up "
        "from the working directory)",
    )
    v.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    v.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file again (by default results of unchanged files are kept in "
        ".ingest_cache/ beside the configuration, or in the working directory)",
    )
    _selection_options(v)
    v.set_defaults(func=commands.validate)
    r = sub.add_parser(
        "rules",
        help="explain the problem codes (the rules reference)",
        description="Print every code ingest can report, or one code's meaning, example and fix.",
    )
    r.add_argument("code", nargs="?", metavar="CODE", help="one code to explain")
    r.add_argument(
        "--markdown", action="store_true", help="the whole reference as Markdown (docs/rules.md)"
    )
    r.set_defaults(func=commands.rules)


def _run_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r = sub.add_parser(
        "run",
        help="load sources into the DuckDB warehouse through the Prefect flow",
        description="Run the ingest flow: discover, parse in parallel, validate, "
        "load atomically into DuckDB. Uses Prefect's temporary local server unless "
        "PREFECT_API_URL is set.",
    )
    r.add_argument("sources", nargs="+", metavar="SOURCE", help=SOURCE_HELP)
    r.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(r)
    _run_options(r)
    r.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any file was quarantined; a run whose quality drifted from the "
        "trailing runs fails (exit 1) and is not published",
    )
    r.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the same pipeline without Prefect (no server, no artifacts)",
    )
    r.add_argument(
        "--always-flow",
        action="store_true",
        help="start the Prefect flow even when no file needs parsing (by default such "
        "a run finishes in-process, without booting the temporary server)",
    )
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument(
        "--report-json",
        metavar="PATH",
        type=_output_file,
        default=None,
        help="also write the run report (counts, problems, stage timings) as JSON",
    )
    r.set_defaults(func=commands.run)


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the flow as a scheduled Prefect deployment",
        description="Serve the ingest flow as a deployment with a cron schedule "
        "(blocks; Ctrl-C to stop). Schedules need a Prefect server: set PREFECT_API_URL.",
    )
    s.add_argument("sources", nargs="+", metavar="SOURCE", help=SOURCE_HELP)
    s.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(s)
    s.add_argument("--cron", required=True, help="cron expression, e.g. '0 * * * *'")
    s.add_argument("--name", default="ingest-scheduled", help="deployment name")
    _run_options(s)
    s.set_defaults(func=commands.serve)


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers", type=_positive_int, default=None, help="parse processes (default: all cores)"
    )
    p.add_argument(
        "--batch-size", type=_positive_int, default=None, help="documents per batch (default 500)"
    )
    p.add_argument(
        "--task-runner",
        choices=("process", "dask"),
        default="process",
        help="where parse batches run (dask: a Dask cluster)",
    )
    p.add_argument(
        "--dask-address",
        default=None,
        help="scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    p.add_argument(
        "--rehash",
        action="store_true",
        help="hash every file, even those whose size and mtime are unchanged",
    )
    p.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=None,
        help="seconds to wait for another run, or a read-write session, to let go of the "
        f"warehouse (default {DEFAULT_LOCK_TIMEOUT:.0f}); then exit 75",
    )
    _selection_options(p)
    _drift_options(p)


def _drift_options(p: argparse.ArgumentParser) -> None:
    """Drift checks of the run's quality metrics against the trailing runs (run, serve)."""
    p.add_argument(
        "--drift-config",
        metavar="FILE",
        default=None,
        help="TOML file with a [drift] table: window, min_runs, min_base, [drift.thresholds]",
    )
    p.add_argument(
        "--drift-window",
        type=_positive_int,
        default=None,
        help="compare with the median of this many trailing runs (default 5)",
    )
    p.add_argument(
        "--drift-threshold",
        action="append",
        metavar="METRIC[:SUBJECT]=VALUE",
        help="threshold of one metric (repeatable): points for rates (quarantine_rate=0.02 is "
        "2 points), a share of the median for per-document figures "
        "(repairs_per_document:a_prefix=1.0 is +-100%%); 'off' disables it",
    )


def _sources_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "sources",
        help="list the warehouse's sources and what wrote it",
        description="List each named source (root, documents, files quarantined by its last "
        "run, last run) and the DuckDB versions that wrote and can read the file. "
        "Opens the warehouse read-only.",
    )
    s.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(s)
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=commands.sources)


def _remove_source_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "remove-source",
        help="remove one source and all its documents",
        description="Remove every document of source NAME in one atomic change, recorded "
        "in ingest_runs. Other sources are untouched.",
    )
    s.add_argument("name", metavar="NAME", help="source name (see `ingest sources`)")
    s.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(s)
    s.add_argument(
        "--lock-timeout",
        type=_seconds,
        default=DEFAULT_LOCK_TIMEOUT,
        help="seconds to wait for another run, or a read-write session, to let go of the "
        f"warehouse (default {DEFAULT_LOCK_TIMEOUT:.0f}); then exit 75",
    )
    s.set_defaults(func=commands.remove_source)


def _generate_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    g = sub.add_parser(
        "generate",
        help="write a synthetic corpus of all families",
        description="Write N realistic, unique documents (monographs, guides, "
        "generic notes, and a small share of bad files); deterministic per seed.",
    )
    g.add_argument("out", metavar="DIR")
    g.add_argument("-n", "--count", type=_positive_int, default=200)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument(
        "--bad-share",
        type=float,
        default=0.02,
        help="share of deliberately broken files (default 0.02)",
    )
    g.add_argument(
        "--profile",
        choices=("small", "realistic"),
        default="small",
        help="document sizes: small (~2 KB, quick examples and tests) or realistic "
        "(per-family sizes fitted to real monographs and guides: medians 5 and 16 KB, "
        "means 13 and 56 KB; what the benchmark uses)",
    )
    g.add_argument("--workers", type=_positive_int, default=1, help="processes writing documents")
    g.set_defaults(func=commands.generate)


def _schema_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sc = sub.add_parser(
        "schema",
        help="print the DDL or the data dictionary from schemas/",
        description="Print artefacts derived from schemas/warehouse.yaml.",
    )
    grp = sc.add_mutually_exclusive_group(required=True)
    grp.add_argument("--ddl", action="store_true")
    grp.add_argument("--dictionary", action="store_true")
    sc.set_defaults(func=commands.schema)


def _report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    r = sub.add_parser(
        "report",
        help="write a self-contained HTML page on a run's quality",
        description="Write one HTML file (styles, script and charts inline; nothing is "
        "fetched) with the run's counts, drift against the trailing runs, charts of the "
        "quality metrics across runs, the quarantine list and repairs by rule with samples. "
        "Opens the warehouse read-only.",
    )
    r.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(r)
    r.add_argument("--run", metavar="ID", default=None, help="run id or prefix (default: latest)")
    r.add_argument("--html", metavar="FILE", required=True, type=_output_file, help="page to write")
    _drift_options(r)
    r.set_defaults(func=commands.report)


def _search_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser(
        "search",
        help="full-text search of the warehouse, ranked",
        description="Search sections (with their list items and facts), FAQs, table rows "
        "and document titles of every source for QUERY's words (any form: 'interaction' "
        "finds 'interactions'), ranked by BM25. Prints the document, the section heading, "
        "the line and a snippet with the hits marked **like this**. Opens the warehouse "
        "read-only. The same query in SQL: SELECT * FROM search('QUERY').",
    )
    s.add_argument("query", metavar="QUERY", help="words to look for")
    s.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(s)
    s.add_argument("--family", choices=("monograph", "guide", "generic"), default=None)
    s.add_argument("--source", default=None, help="only documents of this source")
    s.add_argument("--limit", type=_positive_int, default=20, help="hits to print (default 20)")
    s.add_argument("--format", choices=("text", "json"), default="text")
    s.set_defaults(func=commands.search)


def _settle_target(args: argparse.Namespace) -> None:
    """Which target a command names: ``--db`` given on the command line is the file, even
    with ``INGEST_LAKE`` in the environment (dropped for this process and its workers);
    ``--db`` with ``--lake`` names two and is refused; neither is the default file."""
    if not hasattr(args, "db") or not hasattr(args, "lake"):
        return
    if args.db is None:
        args.db = DEFAULT_DB
        return
    if args.lake:
        raise ConfigError("--db and --lake name two warehouses: give one of them")
    os.environ.pop("INGEST_LAKE", None)


def _lake_options(p: argparse.ArgumentParser) -> None:
    """``--lake``/``--lake-data``: a DuckLake target instead of ``--db`` (see ingest.lake).
    ``--db`` keeps its documented default but is None when not given, so that an explicit
    one can win over ``INGEST_LAKE`` (see :func:`_settle_target`)."""
    if any(a.dest == "db" for a in p._actions):
        p.set_defaults(db=None)
    p.add_argument(
        "--lake",
        metavar="CATALOG",
        default=None,
        help="write to / read a DuckLake instead of --db: sqlite:PATH, postgres:DSN or "
        "duckdb:PATH (default: $INGEST_LAKE)",
    )
    p.add_argument(
        "--lake-data",
        metavar="DIR",
        default=None,
        help="the lake's Parquet folder, or s3://BUCKET/PREFIX/ with the AWS_* variables "
        "(default: $INGEST_LAKE_DATA)",
    )


def _lake_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lk = sub.add_parser(
        "lake",
        help="DuckLake upkeep: maintain, snapshots",
        description="Commands for a DuckLake target (--lake/--lake-data or INGEST_LAKE/"
        "INGEST_LAKE_DATA).",
    )
    actions = lk.add_subparsers(dest="lake_command", metavar="ACTION", required=True)
    m = actions.add_parser(
        "maintain",
        help="merge small files, expire old snapshots, delete unreferenced files",
        description="Merge adjacent small Parquet files, expire snapshots older than "
        "--keep (runs older than that can no longer be travelled to), and delete the files "
        "no remaining snapshot needs. Safe beside readers and writers.",
    )
    _lake_options(m)
    m.add_argument(
        "--keep",
        metavar="DAYS",
        type=float,
        default=30.0,
        help="days of snapshots to keep for time travel (default 30)",
    )
    m.set_defaults(func=commands.lake_maintain)
    sn = actions.add_parser(
        "snapshots",
        help="the lake snapshot each run committed",
        description="List runs with the lake snapshot each committed (for AT (VERSION => n)).",
    )
    _lake_options(sn)
    sn.add_argument("--format", choices=("text", "json"), default="text")
    sn.set_defaults(func=commands.lake_snapshots)


def _changes_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    c = sub.add_parser(
        "changes",
        help="what changed in a lake since a run: documents, FAQs, facts, cells, citations",
        description="List the documents added, changed and removed since run RUN and, per "
        "changed document, the FAQs, facts, table cells and citations added, removed or "
        "changed, by their natural keys (a FAQ by its question, a cell by table, row and "
        "column...). Needs a lake target (--lake/--lake-data or INGEST_LAKE); opens it "
        "read-only.",
    )
    c.add_argument("--since", required=True, metavar="RUN", help="run id or a unique prefix")
    c.add_argument("--source", default=None, help="only documents of this source")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _lake_options(c)
    c.set_defaults(func=commands.changes)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

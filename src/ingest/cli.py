"""The command line: a thin layer over the library and the flow.

``ingest validate`` needs neither a warehouse nor Prefect (it imports neither), so
it is quick enough for a pre-commit hook.  ``ingest run`` and ``ingest serve``
import Prefect lazily, after telemetry is switched off.  Library errors become
one-line messages; exit codes: 0 ok, 1 invalid input (or quarantines with
``--strict``), 2 usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from . import __version__
from .discover import SourceError

if TYPE_CHECKING:
    from .prefect_server import TemporaryServer

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_DB = "warehouse/ingest.duckdb"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except SourceError as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ingest: interrupted; the warehouse is unchanged by this run", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ingest",
        description="Turn folders of messy drug monographs and research guides into a clean "
        "DuckDB warehouse.",
    )
    p.add_argument("--version", action="version", version=f"ingest {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser(
        "validate",
        help="check files without a warehouse or Prefect (for CI)",
        description="Check source files or folders. Exit 0 when every file is "
        "valid, 1 when any is invalid, 2 on usage errors.",
    )
    v.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    v.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (github: workflow annotation lines)",
    )
    v.add_argument("--strict", action="store_true", help="warnings fail too")
    v.add_argument("--quiet", "-q", action="store_true", help="only print problems")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser(
        "run",
        help="load folders into the DuckDB warehouse through the Prefect flow",
        description="Run the ingest flow: discover, parse in parallel, validate, "
        "load atomically into DuckDB. Uses Prefect's temporary local server unless "
        "PREFECT_API_URL is set.",
    )
    r.add_argument("sources", nargs="+", metavar="SOURCE", help="folders or files to ingest")
    r.add_argument("--db", default=DEFAULT_DB, help=f"warehouse file (default {DEFAULT_DB})")
    _run_options(r)
    r.add_argument("--strict", action="store_true", help="exit 1 when any file was quarantined")
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
        default=None,
        help="also write the run report (counts, problems, stage timings) as JSON",
    )
    r.set_defaults(func=cmd_run)

    s = sub.add_parser(
        "serve",
        help="serve the flow as a scheduled Prefect deployment",
        description="Serve the ingest flow as a deployment with a cron schedule "
        "(blocks; Ctrl-C to stop).",
    )
    s.add_argument("sources", nargs="+", metavar="SOURCE")
    s.add_argument("--db", default=DEFAULT_DB)
    s.add_argument("--cron", required=True, help="cron expression, e.g. '0 * * * *'")
    s.add_argument("--name", default="ingest-scheduled", help="deployment name")
    _run_options(s)
    s.set_defaults(func=cmd_serve)

    g = sub.add_parser(
        "generate",
        help="write a synthetic corpus of all families",
        description="Write N realistic, unique documents (monographs, guides, "
        "generic notes, and a small share of bad files); deterministic per seed.",
    )
    g.add_argument("out", metavar="DIR")
    g.add_argument("-n", "--count", type=int, default=200)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument(
        "--bad-share",
        type=float,
        default=0.02,
        help="share of deliberately broken files (default 0.02)",
    )
    g.set_defaults(func=cmd_generate)

    sc = sub.add_parser(
        "schema",
        help="print the DDL or the data dictionary from schemas/",
        description="Print artefacts derived from schemas/warehouse.yaml.",
    )
    grp = sc.add_mutually_exclusive_group(required=True)
    grp.add_argument("--ddl", action="store_true")
    grp.add_argument("--dictionary", action="store_true")
    sc.set_defaults(func=cmd_schema)
    return p


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="parse processes (default: all cores)")
    p.add_argument("--batch-size", type=int, default=None, help="documents per batch")
    p.add_argument(
        "--task-runner",
        choices=("process", "dask"),
        default="process",
        help="where parse batches run (dask: a Dask cluster via prefect-dask)",
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
        type=float,
        default=None,
        help="seconds to wait for another run's lock on the warehouse (default 60)",
    )


# -- validate -----------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    from .validation_door import validate_paths

    return validate_paths(args.paths, fmt=args.format, strict=args.strict, quiet=args.quiet)


# -- run / serve -----------------------------------------------------------------------
def _config(args: argparse.Namespace) -> dict[str, object]:
    cfg: dict[str, object] = {
        # Absolute: a served deployment runs the flow from another working directory.
        "sources": [str(Path(s).resolve()) for s in args.sources],
        "db": str(Path(args.db).resolve()),
        "task_runner": args.task_runner,
        "dask_address": args.dask_address,
        "rehash": args.rehash,
    }
    if args.workers is not None:
        cfg["workers"] = args.workers
    if args.batch_size is not None:
        cfg["batch_size"] = args.batch_size
    if args.lock_timeout is not None:
        cfg["lock_timeout"] = args.lock_timeout
    return cfg


def cmd_run(args: argparse.Namespace) -> int:
    for s in args.sources:
        if not Path(s).exists():
            raise SourceError(f"source does not exist: {s}")
    started = time.perf_counter()
    values = _config(args)
    server: TemporaryServer | None = None
    up_to_date, check_s = False, None
    if not args.no_prefect:
        from .prefect_env import quiet_prefect, server_configured

        quiet_prefect()
        if not server_configured():
            if not args.always_flow:
                up_to_date, check_s = _up_to_date(values, args.rehash)
            if not up_to_date:
                # Boot the temporary API server while the flow and its libraries import.
                from .prefect_server import TemporaryServer

                server = TemporaryServer()
                server.start()
    from .pipeline import RunConfig, WarehouseBusy, run_pipeline
    from .progress import Progress

    cfg = RunConfig(**values)  # type: ignore[arg-type]
    show = not args.no_progress and sys.stderr.isatty()
    progress = Progress(enabled=show)
    try:
        if args.no_prefect or up_to_date:
            summary = run_pipeline(cfg, progress=progress)
            if up_to_date:
                summary.orchestration = "up-to-date"
        else:
            sys.path.insert(0, str(_repo_root()))
            from flows.ingest_flow import run_flow

            summary = run_flow(cfg, show_progress=show, server=server)
        if check_s is not None:
            summary.timings["freshness_check"] = check_s
    except WarehouseBusy as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        progress.close()
        if server is not None:
            server.stop()
    elapsed = time.perf_counter() - started
    print(summary.render(elapsed))
    if args.report_json:
        Path(args.report_json).write_text(summary.to_json(elapsed), encoding="utf-8")
    if args.strict and summary.quarantined:
        return EXIT_INVALID
    return EXIT_OK


def _up_to_date(values: dict[str, object], rehash: bool) -> tuple[bool, float]:
    """Whether no file needs parsing, and how long asking took.  Such a run is ~0.3 s
    of SQL at 10k files; booting the temporary server for it would cost more than the
    whole run, so it is finished in-process (see :mod:`ingest.freshness`)."""
    from .freshness import needs_parsing

    t0 = time.perf_counter()
    sources = cast(list[str], values["sources"])
    fresh = not needs_parsing(sources, str(values["db"]), rehash=rehash)
    return fresh, time.perf_counter() - t0


def cmd_serve(args: argparse.Namespace) -> int:
    from .prefect_env import quiet_prefect, server_configured

    quiet_prefect()
    if not server_configured():
        print(
            "ingest serve: no PREFECT_API_URL: serving on a temporary server, which can "
            "run triggered runs but not schedules. For the cron schedule, start a server "
            "(`prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api.",
            file=sys.stderr,
        )
    sys.path.insert(0, str(_repo_root()))
    from flows.ingest_flow import build_task_runner, ingest_flow

    from .pipeline import RunConfig

    cfg = RunConfig(**_config(args))  # type: ignore[arg-type]
    flow = ingest_flow.with_options(task_runner=build_task_runner(cfg))
    flow.serve(
        name=args.name, cron=args.cron, parameters={"config": cfg.as_dict(), "show_progress": False}
    )
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    from .generate import generate_corpus

    if args.count < 1:
        print("ingest: error: --count must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    stats = generate_corpus(Path(args.out), args.count, seed=args.seed, bad_share=args.bad_share)
    print(
        f"wrote {stats['files']} files ({stats['bytes'] / 1e6:.1f} MB) to {args.out}: "
        + ", ".join(f"{k} {v}" for k, v in stats["by_kind"].items())
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from . import schema

    print(schema.all_ddl() if args.ddl else schema.data_dictionary(), end="")
    return EXIT_OK


def _repo_root() -> Path:
    """Folder holding ``flows/``: the repository (editable install) or the cwd."""
    here = Path(__file__).resolve().parents[2]
    return here if (here / "flows").is_dir() else Path(os.getcwd())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

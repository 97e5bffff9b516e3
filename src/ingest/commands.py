"""What each ``ingest`` command does, given its parsed arguments; returns the exit code.

Imports are lazy and per command: ``validate`` must stay quick for pre-commit
hooks, and a run with nothing to parse must not pay for Prefect, pandas or
pyarrow.  ``run`` decides who orchestrates before anything heavy is imported:

* ``--no-prefect``: the library's loop with a local process pool;
* nothing to parse (a read-only check under the run lock, :mod:`ingest.freshness`):
  the same loop in-process, without booting Prefect's temporary server; a run
  that changes nothing at all is only journaled (:mod:`ingest.journal`);
* otherwise the Prefect flow, on ``PREFECT_API_URL`` or on a temporary server
  that is launched first and boots while the flow's libraries import.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import DEFAULT_DB, ConfigError, RunConfig, check_sources, parse_source

if TYPE_CHECKING:
    from .prefect.server import TemporaryServer
    from .summary import RunSummary

EXIT_OK, EXIT_INVALID = 0, 1  # invalid input; usage and run failures: ingest.failures


def validate(args: argparse.Namespace) -> int:
    """``ingest validate PATH...``: check documents without a warehouse or Prefect; returns
    0 when every file is valid, 1 when any is invalid (a warning counts under --strict)."""
    from .validation_door import validate_paths

    return validate_paths(
        args.paths,
        fmt=args.format,
        strict=args.strict,
        quiet=args.quiet,
        include=args.include,
        exclude=args.exclude,
        config=args.config,
        isolated=args.isolated,
        use_cache=not args.no_cache,
    )


def rules(args: argparse.Namespace) -> int:
    """``ingest rules [CODE] [--markdown]``: the reference, or one code explained."""
    from . import rules as r

    if args.markdown:
        print(r.markdown(), end="")
    elif args.code:
        if args.code not in r.BY_CODE:
            raise ConfigError(f"unknown code {args.code!r}; `ingest rules` lists them")
        print(r.explain(args.code), end="")
    else:
        width = max(len(x.code) for x in r.RULES)
        for x in r.RULES:
            print(f"{x.code:<{width}}  {x.severity:<7}  {x.meaning}")
    return EXIT_OK


def config_from(args: argparse.Namespace) -> RunConfig:
    """The one config value of a run, from ``run``/``serve`` arguments."""
    sources = [parse_source(s) for s in args.sources]
    check_sources(sources)
    # Absolute: a served deployment runs the flow from another working directory.
    from .storage import check_location

    db = Path(args.db or DEFAULT_DB).resolve()  # None: parsed without ingest.cli.main
    check_location(db)
    options: dict[str, Any] = {"db": str(db)}
    from .lake.spec import from_options

    spec = from_options(args.lake, args.lake_data)
    if spec is not None:
        options.update(lake=f"{spec.kind}:{spec.where}", lake_data=spec.data)
    for name in ("workers", "batch_size", "lock_timeout"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    return RunConfig(
        sources,
        task_runner=args.task_runner,
        dask_address=args.dask_address,
        rehash=args.rehash,
        include=args.include or [],
        exclude=args.exclude or [],
        drift=drift_settings(args),
        **options,
    )


def drift_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run's drift settings: the config file's ``[drift]`` table, then the command
    line's ``--drift-window`` and ``--drift-threshold`` over it; ``--strict`` (run)."""
    from .drift import DriftConfigError, load_file, parse_threshold

    data: dict[str, Any] = load_file(args.drift_config) if args.drift_config else {}
    data["thresholds"] = dict(data.get("thresholds") or {})
    if args.drift_window is not None:
        data["window"] = args.drift_window
        data["min_runs"] = min(int(data.get("min_runs", 1)), args.drift_window)
    for item in args.drift_threshold or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise DriftConfigError(f"--drift-threshold {item!r}: write METRIC[:SUBJECT]=VALUE")
        data["thresholds"][key.strip()] = parse_threshold(key.strip(), value)
    if getattr(args, "strict", False):
        data["strict"] = True
    return data


def run(args: argparse.Namespace) -> int:
    """``ingest run``: ingest the configured sources into the warehouse under its lock and
    print the summary (also when drift fails the run, before the error propagates); exit
    code EXIT_INVALID under --strict when any file was quarantined."""
    started = time.perf_counter()
    cfg = config_from(args)
    from .drift import DriftFailure
    from .lake.target import target_for

    # Taken here, before any server starts, and held to the end: the run loop, in this
    # process on every path, reuses it (the lock is re-entrant).  A lake has no lock.
    try:
        with target_for(cfg).lock():
            if not args.no_prefect:  # without a server to start, the loop's own check suffices
                _check_names(cfg)
            summary = _orchestrate(cfg, args)
    except DriftFailure as exc:  # the summary says what drifted; the error line, why it failed
        _print_summary(exc.summary, args, started)
        raise
    _print_summary(summary, args, started)
    if args.strict and summary.quarantined:
        return EXIT_INVALID
    return EXIT_OK


def _print_summary(summary: RunSummary, args: argparse.Namespace, started: float) -> None:
    elapsed = time.perf_counter() - started
    print(summary.render(elapsed))
    if args.report_json:
        Path(args.report_json).write_text(summary.to_json(elapsed), encoding="utf-8")


def _orchestrate(cfg: RunConfig, args: argparse.Namespace) -> RunSummary:
    """Run ``cfg`` with as little machinery as its work needs (see the module doc)."""
    from .pipeline import local_executor, run_pipeline
    from .progress import Progress

    show = not args.no_progress and sys.stderr.isatty()
    if args.no_prefect:
        return run_pipeline(cfg, progress=Progress(enabled=show))
    from .prefect.settings import quiet_prefect, server_configured

    quiet_prefect()
    configured = server_configured()
    if not configured and not args.always_flow:
        from .lake.target import target_for
        from .pipeline import run as run_loop

        target = target_for(cfg)
        with target.lock() as lock:
            t0 = time.perf_counter()
            verdict = target.check(cfg, "parse")
            check_s = time.perf_counter() - t0
            if not verdict.parse:
                summary = run_loop(
                    cfg,
                    local_executor,
                    progress=Progress(enabled=show),
                    orchestration="up-to-date",
                    lock=lock,
                    verdict=verdict,
                )
                summary.timings["check"] = check_s
                return summary
    return _run_flow(cfg, show, start_server=not configured)


def _run_flow(cfg: RunConfig, show: bool, *, start_server: bool) -> RunSummary:
    server: TemporaryServer | None = None
    if not start_server:
        _check_configured_server()
    else:
        # Boot the temporary API server while the flow and its libraries import.
        from .prefect.server import TemporaryServer

        server = TemporaryServer()
        server.start()
    try:
        from .prefect.flow import run_flow

        return run_flow(cfg, show_progress=show, server=server)
    finally:
        if server is not None:
            server.stop()


def _check_cron(expr: str) -> None:
    """A usage error now, not a validation traceback once the deployment is built."""
    from prefect._internal.schemas.validators import validate_cron_string

    try:
        validate_cron_string(expr)
    except ValueError as exc:
        raise ConfigError(f"--cron: {exc} (five fields: minute hour day month weekday)") from None


def _check_configured_server() -> None:
    """One line, before the flow starts, when the configured server does not answer."""
    from .prefect.server import check_reachable
    from .prefect.settings import configured_api_url

    url = configured_api_url()
    if url:
        check_reachable(url)


def _check_names(cfg: RunConfig) -> None:
    """Refuse a derived source name that the warehouse holds for another root, before
    any server starts (the run checks again under its lock)."""
    import duckdb

    from .sources import check_names

    if cfg.lake:
        from .lake.target import target_for

        with target_for(cfg).reader() as lake:
            if lake is not None:
                with contextlib.suppress(duckdb.CatalogException):  # no tables yet
                    check_names(lake, cfg.sources)
        return
    if not Path(cfg.db).is_file():
        return
    try:
        con = duckdb.connect(cfg.db, read_only=True, config={"memory_limit": "32MB"})
    except duckdb.Error:
        return  # busy or unreadable: the run itself will say what is wrong
    with con:
        check_names(con, cfg.sources)


def serve(args: argparse.Namespace) -> int:
    """``ingest serve``: check the schedule, source names and Prefect server setting first (so
    a mistake is a one-line usage error), then serve the run as a Prefect deployment until
    stopped."""
    from .prefect.serve import serve_deployment
    from .prefect.settings import quiet_prefect

    quiet_prefect()
    cfg = config_from(args)
    _check_cron(args.cron)
    _check_names(cfg)
    _check_configured_server()
    return serve_deployment(cfg, name=args.name, cron=args.cron)


def sources(args: argparse.Namespace) -> int:
    """``ingest sources``: list the warehouse's sources (root, first and last run) as a table
    or JSON; a ConfigError when there is no warehouse at ``--db``."""
    from .sources import list_sources

    lake = _lake_target(args)
    if lake is not None:
        from .lake.commands import lake_sources_info

        info = lake_sources_info(lake)
    elif not Path(args.db).is_file():
        raise ConfigError(f"no warehouse at {args.db} (run `ingest run` first, or pass --db)")
    else:
        info = list_sources(args.db)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "warehouse": info.path,
                    "legacy": info.legacy,
                    "meta": {k: v for k, v in info.meta.items() if k != "schema"},
                    "sources": [
                        {**vars(s), "last_run_at": str(s.last_run_at or "") or None}
                        for s in info.sources
                    ],
                },
                indent=2,
            )
        )
        return EXIT_OK
    print(_sources_table(info))
    return EXIT_OK


def _sources_table(info: Any) -> str:
    rows = [("source", "documents", "quarantined", "last run", "root")]
    for s in info.sources:
        when = f"{s.last_run_at:%Y-%m-%d %H:%M:%S}Z" if s.last_run_at else "-"
        rows.append((s.name, str(s.documents), str(s.quarantined), when, s.root))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4]
        for r in rows
    ]
    if info.legacy:
        lines.append("(written before named sources: the next `ingest run` migrates it)")
    elif not info.sources:
        lines.append("(no sources yet)")
    m = info.meta
    lines.append(
        f"warehouse {info.path}: written by DuckDB {m.get('duckdb_version', '?')} "
        f"(storage version {m.get('storage_version', '?')}); readable by DuckDB "
        f"{m.get('min_reader_version', '?')} and newer"
    )
    return "\n".join(lines)


def remove_source(args: argparse.Namespace) -> int:
    """``ingest remove-source NAME``: delete one source's documents from the warehouse as a
    recorded run and say how many went."""
    from .pipeline import remove_source_run

    lake = _lake_target(args)
    if lake is None and not Path(args.db).is_file():
        raise ConfigError(f"no warehouse at {args.db}")
    summary = remove_source_run(
        str(Path(args.db).resolve()), args.name, lock_timeout=args.lock_timeout, target=lake
    )
    print(
        f"ingest: removed source {args.name!r}: {summary.removed} document(s) "
        f"(run {summary.run_id})"
    )
    return EXIT_OK


def generate(args: argparse.Namespace) -> int:
    """``ingest generate OUT``: write a synthetic corpus (seeded, with a share of deliberately
    bad files) and print what was written."""
    from .generate import generate_corpus

    stats = generate_corpus(
        Path(args.out),
        args.count,
        seed=args.seed,
        bad_share=args.bad_share,
        profile=args.profile,
        workers=args.workers,
    )
    print(
        f"wrote {stats['files']} files ({stats['bytes'] / 1e6:.1f} MB, {args.profile} sizes) "
        f"to {args.out}: " + ", ".join(f"{k} {v}" for k, v in stats["by_kind"].items())
    )
    return EXIT_OK


def report(args: argparse.Namespace) -> int:
    """``ingest report``: write the HTML quality report of a run (the last by default) with its
    drift findings and quarantine, and print where it went."""
    from .drift import settings_from
    from .quality_report import write_report

    lake = _lake_target(args)
    settings = settings_from(drift_settings(args))
    if lake is not None:
        from .lake.commands import lake_report

        data = lake_report(lake, args.html, run=args.run, settings=settings)
    else:
        data = write_report(args.db, args.html, run=args.run, settings=settings)
    print(
        f"ingest: quality report of run {data.run['run_id']} written to "
        f"{Path(args.html).resolve()} ({len(data.findings)} drift finding(s), "
        f"{len(data.quarantine)} quarantined)"
    )
    return EXIT_OK


def schema(args: argparse.Namespace) -> int:
    """``ingest schema``: print the warehouse DDL (--ddl) or the Markdown data dictionary, both
    generated from the contract."""
    from . import schema as contract

    print(contract.all_ddl() if args.ddl else contract.data_dictionary(), end="")
    return EXIT_OK


def search(args: argparse.Namespace) -> int:
    """``ingest search QUERY``: print the warehouse's ranked full-text hits as text or JSON."""
    from .search import format_json, format_text
    from .search import search as run_search

    if _lake_target(args) is not None:
        raise ConfigError(
            "search is not offered on a lake: its index lives in the DuckDB file target only "
            "(query the lake's sections and faqs tables with SQL instead)"
        )
    hits = run_search(args.db, args.query, family=args.family, source=args.source, limit=args.limit)
    print(format_json(hits, args.query) if args.format == "json" else format_text(hits, args.query))
    return EXIT_OK


def _lake_target(args: argparse.Namespace) -> Any:
    """The LakeTarget of a command's ``--lake``/``--lake-data`` (or the environment);
    None when the command is for the DuckDB file."""
    from .lake.spec import from_options
    from .lake.target import LakeTarget

    spec = from_options(getattr(args, "lake", None), getattr(args, "lake_data", None))
    return LakeTarget(spec) if spec else None


def lake_maintain(args: argparse.Namespace) -> int:
    """``ingest lake maintain``: merge, expire and clean up a lake; print what it did."""
    from .lake.commands import maintain_command

    return maintain_command(args)


def lake_snapshots(args: argparse.Namespace) -> int:
    """``ingest lake snapshots``: each run and the snapshot its commit made."""
    from .lake.commands import snapshots_command

    return snapshots_command(args)


def changes(args: argparse.Namespace) -> int:
    """``ingest changes --since RUN``: the lake's change feed (exit 2 on the DuckDB file)."""
    from .lake.changes_command import changes_command

    return changes_command(args)

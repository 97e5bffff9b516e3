"""``ingest serve``: the flow as a scheduled deployment, served from this process.

The deployment's one parameter is the run's :class:`~ingest.config.RunConfig`
(absolute paths, so scheduled runs do not depend on the serving process's working
directory); Prefect stores it as JSON and rebuilds it for every run.  Schedules
are created by the Prefect *server's* scheduler service, so they need a real
server (``prefect server start``, ``PREFECT_API_URL``); the temporary server used
when none is configured runs no services, hence the warning.

The deployment is served by a Prefect ``Runner`` driven here rather than through
``Flow.serve``, for the way it stops.  ``Flow.serve`` stops on a
``KeyboardInterrupt`` raised into its event loop, and the runner's own SIGTERM
handler calls ``sys.exit(0)`` from wherever the main thread is ("Runner.astop
never awaited", exit 0 for a kill).  Here Ctrl-C and SIGTERM only cancel the
runner's task (see :mod:`ingest.interrupts`): it shuts down in order (the
deployment is paused while the server is still up: the temporary server is ours,
in a session of its own, so the terminal's Ctrl-C does not kill it first) and the
command ends with one line and 130 / 143.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from .. import interrupts
from ..config import RunConfig
from .settings import server_configured


def serve_deployment(cfg: RunConfig, *, name: str, cron: str) -> int:
    """Block serving the deployment until interrupted; returns the exit code."""
    if not server_configured():
        print(
            "ingest serve: no PREFECT_API_URL: serving on a temporary server, which can "
            "run triggered runs but not schedules. For the cron schedule, start a server "
            "(`prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api.",
            file=sys.stderr,
        )
    from prefect.runner import Runner

    from .flow import build_task_runner, ingest_flow, prefect_api

    with prefect_api():
        flow = ingest_flow.with_options(task_runner=build_task_runner(cfg))
        runner = Runner(name=name, pause_on_shutdown=True)
        runner.add_flow(
            flow, name=name, cron=cron, parameters={"config": cfg, "show_progress": False}
        )
        print(
            f"Your flow {flow.name!r} is being served and polling for scheduled runs. "
            f"Trigger a run with: prefect deployment run '{flow.name}/{name}'",
            flush=True,
        )
        asyncio.run(_serve(runner))
    return 0


async def _serve(runner: Any) -> None:
    """Run ``runner`` until a stop is requested, then let it shut down in order."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    # Runner.start() installs its SIGTERM handler before its first await; take it back.
    loop.call_soon(interrupts.reclaim_sigterm)
    with interrupts.on_stop(lambda: loop.call_soon_threadsafe(main.cancel)):
        try:
            await runner.start()
        except asyncio.CancelledError:
            if interrupts.requested() is None:
                raise

"""``ingest serve``: the flow as a scheduled deployment, served from this process.

The deployment's one parameter is the run's :class:`~ingest.config.RunConfig`
(absolute paths, so scheduled runs do not depend on the serving process's working
directory); Prefect stores it as JSON and rebuilds it for every run.  Schedules
are created by the Prefect *server's* scheduler service, so they need a real
server (``prefect server start``, ``PREFECT_API_URL``); the temporary server
Prefect starts when none is configured runs no services, hence the warning.
"""

from __future__ import annotations

import sys

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
    from .flow import build_task_runner, ingest_flow

    flow = ingest_flow.with_options(task_runner=build_task_runner(cfg))
    flow.serve(name=name, cron=cron, parameters={"config": cfg, "show_progress": False})
    return 0

"""Prefect settings the CLI applies before Prefect is imported.

Telemetry is switched off (with no network it would log an ERROR at every start),
Prefect's own INFO chatter is lowered because the CLI prints a progress bar and
a summary, and the temporary server gets a generous start-up timeout for slow CI
machines.  Every value is a default: an explicit environment variable wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect() -> None:
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)

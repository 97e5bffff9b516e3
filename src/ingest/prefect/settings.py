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
    """Put :data:`DEFAULTS` into the environment where not set already; must run before
    Prefect is imported, since Prefect reads its settings at import."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)


def server_configured() -> bool:
    """Whether a Prefect API server is configured (see :func:`configured_api_url`)."""
    return configured_api_url() is not None


def configured_api_url() -> str | None:
    """The configured Prefect API server, answered without importing Prefect
    (importing its settings costs ~0.7 s): ``PREFECT_API_URL`` in the environment, or in
    the active profile of ``$PREFECT_HOME/profiles.toml`` (what ``prefect config set``
    writes).  Prefect itself has the last word once imported (see :mod:`.flow`)."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    import tomllib
    from pathlib import Path

    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    profile = profiles.get("profiles", {}).get(name, {})
    url = profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None
    return str(url) if url else None

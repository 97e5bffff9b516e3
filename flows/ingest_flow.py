"""Entry point for ``prefect deploy`` (see ``prefect.yaml``): the flow lives in the package.

``ingest.prefect.flow`` holds the flow and its tasks; this file only re-exports
them so a deployment can name ``flows/ingest_flow.py:ingest_flow`` from a
checkout.  Installed from a wheel, use the module path instead
(``ingest.prefect.flow:ingest_flow``).
"""

from ingest.prefect.flow import ingest_flow, run_flow

__all__ = ["ingest_flow", "run_flow"]

"""Everything Prefect-specific, in one corner of the package.

* :mod:`.settings`: the environment defaults the CLI applies before Prefect is
  imported (telemetry off, quiet logs) and whether a server is configured, asked
  without importing Prefect;
* :mod:`.server`: a temporary local API server for one run, started before the
  heavy imports so it boots while they load;
* :mod:`.flow`: the flow and its tasks, thin wiring over the library's one run
  loop (:func:`ingest.pipeline.run`), and :func:`~.flow.run_flow` for the CLI;
* :mod:`.serve`: the scheduled deployment behind ``ingest serve``.

Importing this package imports nothing of Prefect; only :mod:`.flow` and
:mod:`.serve` do.
"""

"""ingest: turn folders of messy drug monographs and research guides into a clean DuckDB warehouse.

The package is plain Python and usable without Prefect: ``ingest.document.process_file``
turns one file into warehouse rows (or a structured error), ``ingest.pipeline`` runs whole
folders, and ``flows/`` wires the same functions into a Prefect flow.
"""

__version__ = "0.1.0"

# Bump when extraction output changes, so unchanged files are re-parsed once.
PARSER_VERSION = "2026.11.22-1"

"""Per-document resource limits.

Parsing is bounded in time and memory by bounding its inputs: file size, line
length, front-matter size and YAML alias count, and the structure the parsers
would build (table cells, citation markers, headings, list items, quote nesting:
counted before parsing by :mod:`ingest.parse.read.preflight`).  Every pass over a document is
linear (or close to it) in its size, so these caps bound the work too.  What they
cannot foresee is caught while parsing: each document gets a budget of CPU seconds
and of memory, enforced by the process that parses it (:mod:`ingest.budgets`).  One
frozen dataclass so the limits travel with a batch to worker processes unchanged.

Every limit can be changed for a run or a validation through the environment of the
command: ``INGEST_`` and the field's name in capitals (``INGEST_MAX_PARSE_SECONDS=30``),
read once by the leader (:func:`from_env`) and sent with every batch, so a worker
started earlier, or on another machine, applies the same values.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENV_PREFIX = "INGEST_"


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-document caps and budgets one run or validation applies (defaults below;
    ``INGEST_<FIELD>`` in the environment overrides each, see :func:`from_env`)."""

    max_file_bytes: int = 8 * 1024 * 1024
    max_line_chars: int = 200_000
    max_front_matter_chars: int = 256 * 1024
    max_yaml_aliases: int = 1000
    # Nodes the front matter would have once aliases are expanded.
    max_yaml_nodes: int = 100_000
    max_citation_range: int = 100
    max_table_cells: int = 100_000
    # Structure counted before parsing (ingest.parse.read.preflight).  Real documents hold far
    # less: the largest of ../shared/corpus/real and a 20k realistic corpus are in
    # tests/test_preflight.py; each budget keeps its worst case under 512 MB and 10 s.
    max_html_cells: int = 50_000  # the HTML parser costs ~80 us per cell
    max_citation_markers: int = 20_000
    max_headings: int = 5_000
    max_list_items: int = 50_000
    max_quote_levels: int = 50_000
    # Enforced while one document is parsed (ingest.budgets): CPU seconds, and growth
    # of the parsing process's resident memory.  The largest real and realistic
    # documents take 0.09-0.29 s and 9-11 MB (../shared/corpus/real; the 300 largest of
    # a 10k realistic corpus); 8 MiB of plain prose would take ~330 MB and is refused.
    max_parse_seconds: float = 8.0
    max_parse_memory_mb: int = 256


DEFAULT_LIMITS = Limits()


def from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """The defaults, with every ``INGEST_<FIELD>`` set in ``environ`` (``os.environ``)
    applied; a value that is not a positive number is a usage error (exit code 2)."""
    env = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Limits):
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw is None or not raw.strip():
            continue
        changes[f.name] = _positive(f.name, raw, float if f.type == "float" else int)
    return dataclasses.replace(DEFAULT_LIMITS, **changes) if changes else DEFAULT_LIMITS


def _positive(name: str, raw: str, kind: type[float] | type[int]) -> float | int:
    from .config import ConfigError

    try:
        value = kind(raw.strip().replace("_", ""))
    except ValueError:
        value = 0
    if not value > 0:
        what = "a positive number" if kind is float else "a positive whole number"
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r}: must be {what}")
    return value

"""Per-document resource limits.

Parsing is bounded in time and memory by bounding its inputs: file size, line
length, front-matter size and YAML alias count.  Every pass over a document is
linear (or close to it) in its size, so these caps bound the work too.  One frozen
dataclass so the limits travel with a batch to worker processes unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 8 * 1024 * 1024
    max_line_chars: int = 200_000
    max_front_matter_chars: int = 256 * 1024
    max_yaml_aliases: int = 1000
    # Nodes the front matter would have once aliases are expanded.
    max_yaml_nodes: int = 100_000
    max_citation_range: int = 100
    max_table_cells: int = 200_000


DEFAULT_LIMITS = Limits()

"""Per-document resource limits.

Parsing is bounded in time and memory by bounding its inputs: file size, line
length, front-matter size and YAML alias count, and the structure the parsers
would build (table cells, citation markers, headings, list items, quote nesting:
counted before parsing by :mod:`ingest.parse.read.preflight`).  Every pass over a document is
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
    max_table_cells: int = 100_000
    # Structure counted before parsing (ingest.parse.read.preflight).  Real documents hold far
    # less: the largest of ../shared/corpus/real and a 20k realistic corpus are in
    # tests/test_preflight.py; each budget keeps its worst case under 512 MB and 10 s.
    max_html_cells: int = 50_000  # the HTML parser costs ~80 us per cell
    max_citation_markers: int = 20_000
    max_headings: int = 5_000
    max_list_items: int = 50_000
    max_quote_levels: int = 50_000


DEFAULT_LIMITS = Limits()

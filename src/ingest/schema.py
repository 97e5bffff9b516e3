"""The warehouse contract, loaded from ``schemas/warehouse.yaml`` and turned into
everything that depends on it: pandera schemas, DuckDB DDL, empty/typed frames and
the data dictionary.

Nothing about a table is written twice: add a column to the YAML file and the
validation, the DDL (with an additive migration for existing warehouses) and the
dictionary all follow.  The YAML is data, not a Python package, so no ``schemas``
module ever lands in site-packages (the name is taken on PyPI).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # pandas only where frames are built: the loader never imports it
    import pandas as pd

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (
    _HERE.parents[1] / "schemas" / "warehouse.yaml",
    _HERE / "_schemas" / "warehouse.yaml",
)

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "float": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}
PANDAS_TYPES = {
    "string": "string[pyarrow]",
    "integer": "Int64",
    "boolean": "boolean",
    "float": "Float64",
    "date": "date32[day][pyarrow]",
    "timestamp": "datetime64[us, UTC]",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the contract: its contract type (a key of ``DUCKDB_TYPES``), whether it
    may be null, its description, the pandera checks declared for it, and the
    ``table.column`` it points to, if any."""

    name: str
    type: str
    nullable: bool
    description: str
    checks: tuple[tuple[str, Any], ...]
    references: str | None = None  # "table.column" this column points to (not enforced)

    @property
    def comment(self) -> str:
        """The description, with what the column points to."""
        if not self.references:
            return self.description
        return f"{self.description} References {self.references}.".lstrip()


@dataclass(frozen=True, slots=True)
class Table:
    """One table of the contract: its kind (``document`` rows are replaced and removed with
    their document; ``run`` and ``state`` are bookkeeping), description, primary key and
    columns; ``derived`` tables are computed from the others' rows, not by the parser."""

    name: str
    kind: str  # document | run | state
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    derived: bool = False  # filled from the other tables' rows, not by the parser

    @property
    def names(self) -> list[str]:
        """Column names in contract order (the order of frames, DDL and Arrow tables)."""
        return [c.name for c in self.columns]


def fingerprint() -> str:
    """Text that changes whenever the declared contract changes."""
    return schema_path().read_text(encoding="utf-8")


def schema_path() -> Path:
    """The contract file: the repository's schemas/warehouse.yaml, else the copy packaged into
    a wheel; raises FileNotFoundError when neither exists."""
    for p in _CANDIDATES:
        if p.exists():
            return p
    raise FileNotFoundError("schemas/warehouse.yaml not found next to the package")


@cache
def tables() -> dict[str, Table]:
    """Every table of the contract by name, in file order, read once per process; raises
    ValueError on a column whose type is not one of ``DUCKDB_TYPES``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster
    raw = yaml.load(schema_path().read_text(encoding="utf-8"), Loader=loader)
    out: dict[str, Table] = {}
    for name, spec in raw["tables"].items():
        cols = []
        for c in spec["columns"]:
            if c["type"] not in DUCKDB_TYPES:
                raise ValueError(f"{name}.{c['name']}: unknown type {c['type']!r}")
            cols.append(
                Column(
                    c["name"],
                    c["type"],
                    bool(c.get("nullable", False)),
                    str(c.get("description", "")),
                    tuple((c.get("checks") or {}).items()),
                    c.get("references"),
                )
            )
        out[name] = Table(
            name,
            spec.get("kind", "document"),
            spec["description"],
            tuple(spec.get("key", ())),
            tuple(cols),
            bool(spec.get("derived", False)),
        )
    return out


def document_tables() -> list[str]:
    """Tables whose rows belong to one document (replaced and removed with it)."""
    return [n for n, t in tables().items() if t.kind == "document"]


def parsed_tables() -> list[str]:
    """Document tables the parser fills (one row builder each in ``ingest.parse.rows``);
    the others are ``derived: true`` in the contract, computed from these."""
    return [n for n, t in tables().items() if t.kind == "document" and not t.derived]


# -- frames -------------------------------------------------------------------
def frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame with the contract's column order and dtypes."""
    import pandas as pd

    table = tables()[name]
    df = (
        pd.DataFrame.from_records(rows, columns=table.names)
        if rows
        else pd.DataFrame({c: pd.Series([], dtype=object) for c in table.names})
    )
    for c in table.columns:
        if c.type == "integer" and df[c.name].dtype.kind == "f":
            # ints beside a null were inferred as float64, which keeps 53 bits: an
            # mtime_ns would lose its last digits (and every re-run would re-hash)
            df[c.name] = pd.array([r.get(c.name) for r in rows], dtype="Int64")
    return df.astype({c.name: PANDAS_TYPES[c.type] for c in table.columns})


# -- pandera ----------------------------------------------------------------------
@cache
def pandera_schema(name: str) -> Any:
    """The pandera schema of table ``name`` (built once per process): strict and ordered
    columns with the contract's dtypes, nullability and checks, and the primary key as a
    uniqueness check."""
    import pandera.pandas as pda

    table = tables()[name]
    columns = {
        c.name: pda.Column(
            PANDAS_TYPES[c.type],
            nullable=c.nullable,
            checks=[_check(pda, k, v) for k, v in c.checks],
            description=c.description or None,
        )
        for c in table.columns
    }
    return pda.DataFrameSchema(
        columns, name=name, strict=True, ordered=True, unique=list(table.key) or None
    )


def _check(pda: Any, kind: str, arg: Any) -> Any:
    if kind == "isin":
        return pda.Check.isin(list(arg))
    if kind == "ge":
        return pda.Check.ge(arg)
    if kind == "le":
        return pda.Check.le(arg)
    if kind == "str_length":
        return pda.Check.str_length(arg.get("min"), arg.get("max"))
    if kind == "matches":
        return pda.Check.str_matches(rf"^(?:{arg})$")
    if kind == "not_contains":
        return pda.Check(
            lambda s, x=arg: ~s.str.contains(x, regex=False),
            name="not_contains",
            error=f"must not contain {arg!r}",
        )
    raise ValueError(f"unknown check {kind!r}")


# -- DuckDB -------------------------------------------------------------------------
def ddl(name: str, as_name: str | None = None) -> str:
    """``CREATE TABLE IF NOT EXISTS`` for ``name`` (created as ``as_name`` when given),
    with its ``PRIMARY KEY`` when the contract declares a key."""
    table = tables()[name]
    lines = [
        f"    {c.name} {DUCKDB_TYPES[c.type]}{'' if c.nullable else ' NOT NULL'}"
        for c in table.columns
    ]
    if table.key:
        lines.append(f"    PRIMARY KEY ({', '.join(table.key)})")
    body = ",\n".join(lines)
    return f"CREATE TABLE IF NOT EXISTS {as_name or name} (\n{body}\n);"


def comments(name: str) -> list[str]:
    """``COMMENT ON`` statements carrying the table's and each column's description into the
    database, so the warehouse documents itself."""
    table = tables()[name]
    out = [f"COMMENT ON TABLE {name} IS {_sql_str(table.description)};"]
    out += [f"COMMENT ON COLUMN {name}.{c.name} IS {_sql_str(c.comment)};" for c in table.columns]
    return out


def all_ddl() -> str:
    """The DDL and comments of every table, as ``ingest schema --ddl`` prints it."""
    parts = ["-- Generated from schemas/warehouse.yaml by `ingest schema --ddl`. Do not edit."]
    for name in tables():
        parts.append(ddl(name))
        parts.extend(comments(name))
    return "\n\n".join(parts) + "\n"


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- data dictionary ------------------------------------------------------------------
def data_dictionary() -> str:
    """The Markdown data dictionary of every table (key, columns, types, nullability, checks),
    as ``ingest schema --dictionary`` prints it; a test keeps the committed copy in step."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `schemas/warehouse.yaml` by `ingest schema --dictionary`; do not edit",
        "by hand (a test fails when this file is out of date). Every row that comes from a",
        "place in a source file carries the 1-based `line_start` of that place.",
        "",
    ]
    for name, t in tables().items():
        lines += [f"## `{name}`", "", t.description, ""]
        if t.key:
            lines += [f"Primary key: `{', '.join(t.key)}`", ""]
        lines += ["| column | type | null | checks | description |", "|---|---|---|---|---|"]
        for c in t.columns:
            checks = "; ".join(_fmt_check(k, v) for k, v in c.checks).replace("|", "\\|")
            desc = c.comment.replace("|", "\\|")
            lines.append(
                f"| `{c.name}` | {DUCKDB_TYPES[c.type]} | {'yes' if c.nullable else 'no'}"
                f" | {checks} | {desc} |"
            )
        lines.append("")
    return "\n".join(lines)


def _fmt_check(kind: str, arg: Any) -> str:
    if kind == "isin":
        return "one of " + ", ".join(f"`{a}`" for a in arg)
    if kind == "str_length":
        lo, hi = arg.get("min"), arg.get("max")
        return f"length {lo if lo is not None else 0}..{hi if hi is not None else '∞'}"
    if kind in ("ge", "le"):
        return f"{'≥' if kind == 'ge' else '≤'} {arg}"
    if kind == "matches":
        return f"matches `{arg}`"
    return f"no `{arg}`"

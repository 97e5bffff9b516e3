"""``ingest validate``'s configuration, found and read like ruff's.

A content repository says once which problems matter to it, in ``ingest.toml``
(top level) or in ``pyproject.toml`` under ``[tool.ingest]``.  The file is found by
walking up from the working directory (the first folder holding ``ingest.toml``, or a
``pyproject.toml`` with a ``[tool.ingest]`` table, wins; ``ingest.toml`` first when
both are there), or given with ``--config``.  Keys::

    select = ["ALL"]                      # codes reported (default: all)
    ignore = ["truncated_description"]    # codes never reported
    include = ["*.md"]                    # as --include, relative to the config's folder
    exclude = ["drafts/"]                 # as --exclude, relative to the config's folder
    [severity]                            # re-grade a code everywhere
    template_placeholders = "error"
    [per-file-ignores]                    # glob -> codes ignored for matching files
    "legacy/**" = ["dangling_citation"]
    [per-file-severity]                   # glob -> {code: severity}
    "drafts/**" = { schema_violation = "warning" }

Globs are those of ``--include``/``--exclude`` (:mod:`ingest.selection`), matched
against the path relative to the config's folder.  A severity is ``error``,
``warning`` or ``ignore``.  Every code is checked against :mod:`ingest.rules`: an
unknown code or key is a usage error naming the file, never a silent no-op.  The
configuration changes what ``ingest validate`` reports and its exit code; ``ingest
run`` still quarantines every error (the warehouse contract does not bend per
repository).  One document can also waive codes for itself in its front matter
(``ingest: {ignore: [code, ...]}``, read by :mod:`ingest.lint`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ConfigError
from .rules import BY_CODE
from .selection import GlobError, Selection, _Glob, compile_glob

SEVERITIES = ("error", "warning", "ignore")
_KEYS = {
    "select",
    "ignore",
    "include",
    "exclude",
    "severity",
    "per-file-ignores",
    "per-file-severity",
}


@dataclass
class LintConfig:
    """The rules in force for one ``ingest validate`` call."""

    root: Path = field(default_factory=Path.cwd)  # folder the globs are relative to
    source: str = ""  # the file it was read from ("" = defaults)
    select: frozenset[str] = frozenset(BY_CODE)
    severity: dict[str, str] = field(default_factory=dict)
    per_file: list[tuple[_Glob, dict[str, str]]] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def severity_of(self, code: str, default: str, rel_path: str | None) -> str:
        """``error``, ``warning`` or ``ignore`` for ``code`` in the file at ``rel_path``
        (relative to :attr:`root`; None for a file outside it)."""
        if code not in self.select and code in BY_CODE:
            return "ignore"
        level = self.severity.get(code, default)
        if rel_path is not None:
            for glob, overrides in self.per_file:
                if code in overrides and glob.matches(rel_path):
                    level = overrides[code]
        return level

    def relative(self, path: str) -> str | None:
        """``path`` relative to :attr:`root` with ``/`` separators, None when outside."""
        rel = os.path.relpath(os.path.abspath(path), self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            return None
        return rel.replace(os.sep, "/")

    def selection(self) -> Selection | None:
        """The config's include/exclude rules, None when it sets neither."""
        if not (self.include or self.exclude):
            return None
        return Selection(self.include, self.exclude)


def find(start: Path | None = None) -> Path | None:
    """The configuration file in force for ``start`` (default: the working directory)."""
    folder = (start or Path.cwd()).resolve()
    for d in (folder, *folder.parents):
        own = d / "ingest.toml"
        if own.is_file():
            return own
        py = d / "pyproject.toml"
        if py.is_file() and _tool_table(py) is not None:
            return py
    return None


def load(path: str | Path | None = None, *, isolated: bool = False) -> LintConfig:
    """The configuration from ``path``, else the one :func:`find` finds, else defaults."""
    if isolated:
        return LintConfig()
    file = Path(path) if path else find()
    if file is None:
        return LintConfig()
    if not file.is_file():
        raise ConfigError(f"configuration file not found: {file}")
    table = _tool_table(file) if file.name == "pyproject.toml" else _read(file)
    return parse(table or {}, file.resolve())


def parse(table: dict[str, Any], file: Path) -> LintConfig:
    """A :class:`LintConfig` from the keys of one table; :class:`ConfigError` names the
    file and the key for anything that cannot be used."""
    where = str(file)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})"
        )
    select = _codes(table.get("select", ["ALL"]), where, "select")
    ignored = _codes(table.get("ignore", []), where, "ignore")
    severity = _levels(table.get("severity", {}), where, "severity")
    per_file = []
    for glob, codes in _mapping(
        table.get("per-file-ignores", {}), where, "per-file-ignores"
    ).items():
        names = _codes(codes, where, f"per-file-ignores.{glob!r}")
        per_file.append((_glob(glob, where), dict.fromkeys(names, "ignore")))
    for glob, levels in _mapping(
        table.get("per-file-severity", {}), where, "per-file-severity"
    ).items():
        per_file.append((_glob(glob, where), _levels(levels, where, f"per-file-severity.{glob!r}")))
    return LintConfig(
        root=file.parent,
        source=where,
        select=frozenset(select - ignored),
        severity=severity,
        per_file=per_file,
        include=_globs(table.get("include", []), where, "include"),
        exclude=_globs(table.get("exclude", []), where, "exclude"),
    )


def _read(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot be read: {exc.strerror}") from None


def _tool_table(pyproject: Path) -> dict[str, Any] | None:
    tool = _read(pyproject).get("tool", {})
    found = tool.get("ingest") if isinstance(tool, dict) else None
    if found is not None and not isinstance(found, dict):
        raise ConfigError(f"{pyproject}: [tool.ingest] must be a table")
    return found


def _mapping(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table")
    return value


def _list(value: Any, where: str, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of strings")
    return value


def _codes(value: Any, where: str, key: str) -> set[str]:
    codes = set(_list(value, where, key))
    if "ALL" in codes:
        return set(BY_CODE)
    unknown = sorted(codes - set(BY_CODE))
    if unknown:
        raise ConfigError(
            f"{where}: {key}: unknown code {unknown[0]!r} (see `ingest rules` for the list)"
        )
    return codes


def _levels(value: Any, where: str, key: str) -> dict[str, str]:
    levels = _mapping(value, where, key)
    _codes(list(levels), where, key)
    for code, level in levels.items():
        if level not in SEVERITIES:
            raise ConfigError(
                f"{where}: {key}.{code}: severity must be one of {', '.join(SEVERITIES)} "
                f"(got {level!r})"
            )
    return dict(levels)


def _glob(text: str, where: str) -> _Glob:
    try:
        return compile_glob(text)
    except GlobError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _globs(value: Any, where: str, key: str) -> list[str]:
    globs = _list(value, where, key)
    for g in globs:
        _glob(g, where)
    return globs

"""SARIF 2.1.0 output of ``ingest validate`` (``--format sarif``), for code-scanning views.

One run, one result per reported problem.  Every code of :mod:`ingest.rules` is a
rule of the tool's driver (id, short and full description, help: example and fix),
so a viewer can explain a result without this program.  Locations are relative to
the working directory (``%SRCROOT%``, which a CI upload resolves to the checkout)
with the line and, where known, the column.  A result's level is its severity after
configuration (``error`` or ``warning``).  ``tests/test_sarif.py`` checks the output
against the official JSON schema, vendored in ``tests/fixtures``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from . import __version__
from .errors import Issue
from .rules import RULES

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def document(findings: list[tuple[str, Issue, str]]) -> str:
    """The SARIF log of ``(display path, issue, level)`` findings, as JSON text."""
    index = {r.code: i for i, r in enumerate(RULES)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": _driver()},
                "results": [_result(path, issue, level, index) for path, issue, level in findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _driver() -> dict[str, Any]:
    return {
        "name": "ingest",
        "version": __version__,
        "rules": [
            {
                "id": r.code,
                "name": r.code,
                "shortDescription": {"text": r.meaning.split(". ")[0].rstrip(".") + "."},
                "fullDescription": {"text": r.meaning},
                "help": {
                    "text": f"{r.meaning}\nExample: {r.example}\nFix: {r.fix}",
                    "markdown": f"{r.meaning}\n\n- Example: {r.example}\n- Fix: {r.fix}",
                },
                "defaultConfiguration": {"level": r.severity},
                "properties": {"stage": r.stage},
            }
            for r in RULES
        ],
    }


def _result(path: str, issue: Issue, level: str, index: dict[str, int]) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": issue.line or 1}
    if issue.column:
        region["startColumn"] = issue.column
    result: dict[str, Any] = {
        "ruleId": issue.code,
        "level": "error" if level == "error" else "warning",
        "message": {"text": issue.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(path), "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "properties": {"stage": issue.stage},
    }
    if issue.code in index:
        result["ruleIndex"] = index[issue.code]
    return result


def _uri(path: str) -> str:
    """A relative URI reference for a displayed path (``/`` kept, the rest escaped)."""
    return quote(path.replace("\\", "/"), safe="/")

"""Rendering problems for people and machines: text, JSON and GitHub annotations.

One function per format over the same :class:`~ingest.errors.Issue` values, so the
CLI, the run summary and the Prefect artifact never disagree about a problem.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import Issue


def text_line(display_path: str, issue: Issue) -> str:
    """``path:line:col: severity [code] message`` (line and column where known)."""
    where = display_path
    if issue.line:
        where += f":{issue.line}" + (f":{issue.column}" if issue.column else "")
    return f"{where}: {issue.severity} [{issue.code}] {issue.message}"


def github_line(display_path: str, issue: Issue) -> str:
    """One finding as a GitHub Actions workflow command (``::error
    file=...,line=...::message``), so CI annotates the file; properties and message escaped
    as GitHub requires."""
    level = "error" if issue.severity == "error" else "warning"
    props = f"file={_gh_prop(display_path)}"
    if issue.line:
        props += f",line={issue.line}"
        if issue.column:
            props += f",col={issue.column}"
    props += f",title={_gh_prop(f'ingest {issue.code}')}"
    return f"::{level} {props}::{_gh_data(issue.message)}"


def json_document(files: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """The JSON ``ingest validate --format json`` prints: the summary and one entry per file."""
    return json.dumps({"summary": summary, "files": files}, indent=2, ensure_ascii=False)


def issue_dict(issue: Issue) -> dict[str, Any]:
    """One finding as a plain dict for the JSON output."""
    return {
        "severity": issue.severity,
        "stage": issue.stage,
        "code": issue.code,
        "line": issue.line,
        "column": issue.column,
        "message": issue.message,
    }


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")

"""Small helpers shared by tests."""

from __future__ import annotations

from ingest.document import DocResult, process_bytes


def run(text: str | bytes, path: str = "doc.md") -> DocResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return process_bytes(data, path)


def ok(text: str | bytes, path: str = "doc.md") -> DocResult:
    res = run(text, path)
    assert res.error is None, res.error
    return res


def rows(res: DocResult, table: str) -> list[dict]:
    return res.rows[table]


def col(res: DocResult, table: str, name: str) -> list:
    return [r[name] for r in res.rows[table]]

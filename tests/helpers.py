"""Small helpers shared by tests."""

from __future__ import annotations

import os
from pathlib import Path

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


def same_size_edit(path: Path) -> None:
    """Change content but keep size and mtime, as a careless copy tool might."""
    st = path.stat()
    data = bytearray(path.read_bytes())
    i = data.index(b"a")
    data[i : i + 1] = b"e"
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size

"""Problems as values.

Every failure and warning in the pipeline is an :class:`Issue` with the same fields
(stage, code, path, line, message), so one value feeds the quarantine table, the
``ingest validate`` output and the run report.  :class:`IngestError` carries an
``Issue`` through ``raise`` inside a stage; stages never raise anything else on bad
input, and callers turn unexpected exceptions into an ``internal_error`` issue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

# Longest message we keep: quarantine rows and CLI lines stay readable.
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in one source file."""

    stage: str
    code: str
    path: str
    message: str
    line: int | None = None
    severity: Severity = "error"
    # True when retrying the same input could succeed (I/O), False for bad content.
    transient: bool = False
    source: str = ""  # name of the source holding the file, where a run knows it
    column: int | None = None  # 1-based column on ``line``, where known

    def as_dict(self) -> dict[str, Any]:
        """Every field as a plain JSON-able dict (the ``problems`` of a JSON run summary)."""
        return asdict(self)

    def where(self) -> str:
        """``path:line`` for a message, or the bare path when the line is not known."""
        return f"{self.path}:{self.line}" if self.line else self.path


class IngestError(Exception):
    """Raised inside a stage to reject a document; carries the :class:`Issue`."""

    def __init__(
        self,
        stage: str,
        code: str,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        transient: bool = False,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.issue = Issue(
            stage=stage,
            code=code,
            path=path,
            message=truncate(message),
            line=line,
            transient=transient,
            column=column,
        )

    def at(self, path: str) -> Issue:
        """The issue with the document's path filled in."""
        i = self.issue
        return Issue(
            i.stage, i.code, path, i.message, i.line, i.severity, i.transient, column=i.column
        )


def warning(
    stage: str,
    code: str,
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
) -> Issue:
    """A warning-severity :class:`Issue`: reported with the document but not a reason to
    reject it (only ``ingest validate --strict`` fails on warnings); message truncated."""
    return Issue(stage, code, path, truncate(message), line, "warning", column=column)


def truncate(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` on one line (runs of whitespace become one space), cut to ``limit``
    characters with a trailing ``…`` so quarantine rows and CLI lines stay readable."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

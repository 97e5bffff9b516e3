"""Stage 1, decode: raw bytes to normalised text, or a structured error.

UTF-8 (with or without a byte-order mark) is the norm; a file that is not UTF-8 but
decodes cleanly as Windows-1252 is accepted and the fallback recorded as a repair,
because silently using ``errors="replace"`` would corrupt every accented word.
Line endings are normalised to ``\\n`` without changing the number of lines, so
line numbers reported later point into the original file.  Binary, empty,
undecodable, oversized files and pathological lines are rejected here, before any
parser sees them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import IngestError
from ...limits import DEFAULT_LIMITS, Limits

STAGE = "decode"
_BOM = "\ufeff"
# C0 controls other than tab, LF, CR, FF; their presence means "not text".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
_SOFT_HYPHEN = "\u00ad"


@dataclass(slots=True)
class Decoded:
    """A document's text, the encoding it was read with, and the repairs made."""

    text: str
    encoding: str
    repairs: list[tuple[str, str, str, str, int | None]] = field(default_factory=list)


def decode(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Decoded:
    """Decode one file's bytes; raise :class:`IngestError` when it is not usable text."""
    if len(data) > limits.max_file_bytes:
        raise IngestError(
            STAGE,
            "file_too_large",
            f"file is {len(data):,} bytes; the limit is {limits.max_file_bytes:,} bytes",
        )
    if not data.strip():
        raise IngestError(STAGE, "empty_file", "file is empty or only whitespace")
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise IngestError(
            STAGE,
            "binary_file",
            "file contains NUL bytes: it looks binary, not text",
            line=data.count(b"\n", 0, nul) + 1,
        )
    repairs: list[tuple[str, str, str, str, int | None]] = []
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        text, encoding = _legacy(data, exc)
        repairs.append(("encoding", "decode_cp1252", "invalid UTF-8", "windows-1252", None))
    bad = _CONTROL.search(text, 0, 65536)
    if bad:
        raise IngestError(
            STAGE,
            "binary_file",
            f"file contains control character U+{ord(bad.group()):04X}: it looks binary",
            line=text.count("\n", 0, bad.start()) + 1,
        )
    if text.startswith(_BOM):
        text = text[1:]
        repairs.append(("encoding", "strip_bom", "U+FEFF", "", 1))
    if "\r" in text:
        crlf = text.count("\r\n")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        repairs.append(("line_endings", "normalize_newlines", f"{crlf} CRLF/CR", "LF", None))
    if _SOFT_HYPHEN in text:
        n = text.count(_SOFT_HYPHEN)
        text = text.replace(_SOFT_HYPHEN, "")
        repairs.append(("text", "remove_soft_hyphens", f"{n} U+00AD", "", None))
    _check_lines(text, limits)
    return Decoded(text, encoding, repairs)


def _legacy(data: bytes, exc: UnicodeDecodeError) -> tuple[str, str]:
    line = data.count(b"\n", 0, exc.start) + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(
            STAGE,
            "undecodable",
            f"byte 0x{data[exc.start]:02X} is neither UTF-8 nor Windows-1252",
            line=line,
        ) from None
    if _C1.search(text):  # pragma: no cover - cp1252 maps 0x80-0x9f to printables
        raise IngestError(STAGE, "undecodable", "text decodes to C1 control characters", line=line)
    return text, "windows-1252"


def _check_lines(text: str, limits: Limits) -> None:
    if len(text) <= limits.max_line_chars:
        return
    start = 0
    lineno = 1
    for m in re.finditer("\n", text):
        if m.start() - start > limits.max_line_chars:
            break
        start = m.end()
        lineno += 1
    else:
        if len(text) - start <= limits.max_line_chars:
            return
    raise IngestError(
        STAGE,
        "line_too_long",
        f"line {lineno} is longer than {limits.max_line_chars:,} characters",
        line=lineno,
    )

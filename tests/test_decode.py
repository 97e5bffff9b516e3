"""Stage decode: every encoding quirk handled, every non-text input rejected with a reason."""

from __future__ import annotations

import pytest

from helpers import col, ok, run
from ingest.errors import IngestError
from ingest.limits import Limits
from ingest.parse.read.decode import decode

BODY = "# Title\n\nSome prose about caf\u00e9 dosing.\n"


def test_utf8_with_bom_and_crlf_keeps_line_numbers() -> None:
    data = b"\xef\xbb\xbf" + BODY.replace("\n", "\r\n").encode()
    res = ok(data)
    assert set(col(res, "repairs", "rule")) >= {"strip_bom", "normalize_newlines"}
    assert res.rows["sections"][0]["line_start"] == 1
    assert "café" in res.rows["sections"][0]["text"]


def test_windows_1252_is_decoded_and_logged() -> None:
    data = "# Allopurinol\n\nLe m\u00e9dicament est indiqu\u00e9 \u2013 voir notice.\n".encode(
        "cp1252"
    )
    res = ok(data)
    assert res.rows["documents"][0]["encoding"] == "windows-1252"
    assert "médicament est indiqué – voir" in res.rows["sections"][0]["text"]
    assert "decode_cp1252" in col(res, "repairs", "rule")


def test_lone_cr_line_endings() -> None:
    res = ok(b"# A\r\rtext one\r")
    assert res.rows["sections"][0]["text"] == "text one"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \n\t\n", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary_file"),
        (b"text\x01\x02\x03 more", "binary_file"),
        (b"# x\n\x81\x8d\x8f bytes", "undecodable"),
    ],
)
def test_non_text_is_rejected(data: bytes, code: str) -> None:
    res = run(data)
    assert res.error is not None and res.error.code == code
    assert res.error.stage == "decode"
    assert res.error.message
    assert res.rows == {}


def test_undecodable_names_the_line() -> None:
    res = run(b"line one\nline two\n\x81 bad\n")
    assert res.error is not None and res.error.line == 3


def test_size_cap_is_configurable() -> None:
    with pytest.raises(IngestError) as exc:
        decode(b"x" * 101, Limits(max_file_bytes=100))
    assert exc.value.issue.code == "file_too_large"


def test_pathological_line_is_rejected() -> None:
    with pytest.raises(IngestError) as exc:
        decode(b"ok\n" + b"a" * 50 + b"\n", Limits(max_line_chars=20))
    assert exc.value.issue.code == "line_too_long"
    assert exc.value.issue.line == 2


def test_soft_hyphens_removed() -> None:
    res = ok("# T\n\nanti\u00adinflammatory\n")
    assert res.rows["sections"][0]["text"] == "antiinflammatory"

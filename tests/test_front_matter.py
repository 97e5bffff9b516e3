"""Stage front matter: safe by construction, every error with its line."""

from __future__ import annotations

import time

import pytest

from helpers import ok, run
from ingest.parse.read.front import parse_front_matter


def test_yaml_front_matter_and_body_line() -> None:
    fm = parse_front_matter("---\ntitle: X\nn: 3\n---\n# Body\n")
    assert fm.meta == {"title": "X", "n": 3}
    assert fm.body_line == 5
    assert fm.format == "yaml"


def test_bom_and_crlf_do_not_hide_front_matter() -> None:
    res = ok(b"\xef\xbb\xbf---\r\ntitle: Hidden\r\n---\r\n# H\r\n")
    assert res.rows["documents"][0]["title"] == "Hidden"
    assert res.rows["documents"][0]["front_matter_format"] == "yaml"


def test_toml_front_matter() -> None:
    res = ok('+++\ntitle = "Asthma"\n[extra]\nstatus = "wip"  # comment\n+++\n\n## Notes\n\ntext\n')
    doc = res.rows["documents"][0]
    assert doc["title"] == "Asthma" and doc["front_matter_format"] == "toml"
    assert '"status": "wip"' in doc["meta_json"]


def test_json_front_matter_in_dashes_and_bare() -> None:
    res = ok('---\n{"title": "Caffeine", "dg-publish": true}\n---\n# C\n')
    assert res.rows["documents"][0]["title"] == "Caffeine"
    fm = parse_front_matter('{\n"title": "J"\n}\nbody\n')
    assert fm.format == "json" and fm.meta["title"] == "J" and fm.body == "body\n"


def test_front_matter_only_document_is_valid() -> None:
    res = ok("---\ntitle: Semaglutide\ndate: 2024-01-02T03:04:05Z\n---\n")
    assert res.rows["documents"][0]["title"] == "Semaglutide"
    assert res.rows["sections"] == []


def test_thematic_break_in_body_is_not_front_matter() -> None:
    res = ok("---\ntitle: A\n---\n# A\n\ntext\n\n---\n\nmore: text\n")
    assert [s["heading"] for s in res.rows["sections"]] == ["A"]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("---\ntitle: ok\nbad: a: b\n---\nx\n", "yaml_syntax", 3),
        # An open bracket or quote: the line where it opens, not where the parser gave up.
        ("---\ntitle: [unclosed\n---\nx\n", "yaml_syntax", 2),
        ('---\ntitle: "unterminated\nauthor: x\ntags:\n  - a\n---\nx\n', "yaml_syntax", 2),
        ("---\nx: !!python/object/apply:os.system ['echo hi']\n---\nx\n", "yaml_python_tag", 2),
        ("---\nx: !!python/name:os.system\n---\nx\n", "yaml_python_tag", 2),
        ("---\nx: !custom 3\n---\nx\n", "yaml_unknown_tag", 2),
        ("---\n- just\n- a list\n---\nx\n", "front_matter_not_mapping", 2),
        ("---\ntitle: never closed\nauthor: x\n\n# Body\n", "front_matter_unterminated", 1),
        ('+++\ntitle = "x\n+++\nbody\n', "toml_syntax", 2),
        ('---\n{"a": 1\n---\nx\n', "yaml_syntax", 2),
    ],
)
def test_bad_front_matter_is_a_structured_error(text: str, code: str, line: int) -> None:
    res = run(text)
    assert res.error is not None, "expected an error"
    assert (res.error.code, res.error.line) == (code, line)
    assert res.error.stage == "front_matter"
    if code == "yaml_syntax":  # the line is in the message too (the quarantine row's text)
        assert f"at line {line}" in res.error.message


def test_python_tag_is_never_executed(tmp_path) -> None:
    marker = tmp_path / "pwned"
    res = run(f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\nx\n")
    assert res.error is not None and not marker.exists()


def _bomb(levels: int) -> str:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijklmnop"[:levels]:
        lines.append(f"{c}: &{c} [{','.join(['*' + prev] * 9)}]")
        prev = c
    return "\n".join([*lines, "---", "body", ""])


def test_alias_bomb_fails_fast_without_expanding() -> None:
    t0 = time.perf_counter()
    res = run(_bomb(9))  # a billion laughs: 9**10 leaves once expanded
    assert time.perf_counter() - t0 < 2
    assert res.error is not None and res.error.code == "yaml_alias_limit"
    # A small bomb that would still expand to >100k nodes is refused too.
    small = run(_bomb(5))
    assert small.error is not None and small.error.code == "yaml_alias_limit"


def test_ordinary_anchors_still_work() -> None:
    fm = parse_front_matter("---\nbase: &b {dose: 5}\nadult: *b\nchild: *b\n---\n")
    assert fm.meta["child"] == {"dose": 5}

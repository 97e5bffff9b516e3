"""The rules reference: every code the source can emit is documented, and docs/rules.md
is the generated reference, up to date.

Emitted codes are found by reading the source, not by a list kept beside it: every
call that makes a problem (``IngestError``, ``Issue``, ``warning``, ``self.warn``)
names its code as a string literal, or as a name whose string values are found in
the same module (``code = "yaml_python_tag" if ... else "yaml_unknown_tag"``,
``CODE = "resource_limit"``, the entry kinds ``FIFO = "fifo"``...).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from ingest import rules
from ingest.entries import ENTRY_CODES

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ingest"
MAKERS = {"IngestError": 1, "Issue": 1, "warning": 1, "warn": 1}
# Modules that re-emit codes stored by an earlier run (read back from the warehouse),
# and the helpers that pass a caller's code through: they create none of their own.
PASS_THROUGH = {"finish.py", "freshness.py", "errors.py"}


def _values(node: ast.AST) -> set[str]:
    """The strings an expression can evaluate to: a literal, or either branch of a
    conditional (``"a" if test else "b"``); nothing for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body) | _values(node.orelse)
    return set()


def _element(node: ast.AST, k: int) -> set[str]:
    """The strings element ``k`` of a tuple expression can be (through conditionals)."""
    if isinstance(node, ast.Tuple) and k < len(node.elts):
        return _values(node.elts[k])
    if isinstance(node, ast.IfExp):
        return _element(node.body, k) | _element(node.orelse, k)
    return set()


def _assigned(tree: ast.Module, name: str) -> set[str]:
    """The values assigned to ``name`` anywhere in the module, also by unpacking
    (``code, text = ("a", "...") if x else ("b", "...")``)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    out |= _values(node.value)
                elif isinstance(target, ast.Tuple):
                    for k, elt in enumerate(target.elts):
                        if isinstance(elt, ast.Name) and elt.id == name:
                            out |= _element(node.value, k)
    return out


def _parameters_in_scope(tree: ast.Module) -> dict[ast.Call, set[str]]:
    """For every call inside a function, the names of that function's parameters."""
    out: dict[ast.Call, set[str]] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = {a.arg for a in fn.args.args + fn.args.kwonlyargs + fn.args.posonlyargs}
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    out.setdefault(node, set()).update(names)
    return out


def emitted_codes() -> dict[str, str]:
    """code -> ``file:line`` of one place that emits it."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.name in PASS_THROUGH:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        params = _parameters_in_scope(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            pos = MAKERS.get(name)
            if pos is None or len(node.args) <= pos:
                continue
            arg = node.args[pos]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                codes = {arg.value}
            elif isinstance(arg, ast.Name) and path.name == "entries.py":
                codes = set(ENTRY_CODES)  # the kinds: the module lists them for runs too
            elif isinstance(arg, ast.Name):
                codes = _assigned(tree, arg.id)
            else:
                codes = set()
            copies = (isinstance(arg, ast.Attribute) and arg.attr == "code") or (  # issue.code
                isinstance(arg, ast.Subscript) and _values(arg.slice) == {"code"}  # d["code"]
            )
            # warn(stage, code, ...) handing its own parameter on: its callers are scanned
            passes_on = isinstance(arg, ast.Name) and arg.id in params.get(node, set())
            assert codes or copies or passes_on, (
                f"{path.name}:{node.lineno}: cannot tell which code this call emits"
            )
            for c in codes:
                found.setdefault(c, f"{path.name}:{node.lineno}")
    return found


def test_scanner_finds_codes_of_every_kind() -> None:
    codes = emitted_codes()
    for code in ("fifo", "broken_symlink", "yaml_python_tag", "yaml_unknown_tag",
                 "resource_limit", "truncated_description", "schema_violation"):  # fmt: skip
        assert code in codes, code
    assert len(codes) >= 35


def test_every_emitted_code_is_documented() -> None:
    missing = {c: where for c, where in emitted_codes().items() if c not in rules.BY_CODE}
    assert missing == {}


def test_every_documented_code_is_emitted() -> None:
    emitted = set(emitted_codes())
    assert set(rules.BY_CODE) - emitted == set()


def test_every_rule_is_complete() -> None:
    assert len(rules.RULES) == len(rules.BY_CODE)
    for r in rules.RULES:
        assert r.severity in ("error", "warning") and r.stage, r
        assert r.meaning.endswith(".") and r.example and r.fix.endswith("."), r


def test_docs_rules_md_is_up_to_date() -> None:
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == rules.markdown(), "regenerate: ingest rules --markdown > docs/rules.md"


def _ingest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_rules_command() -> None:
    listing = _ingest("rules")
    assert listing.returncode == 0
    assert len(listing.stdout.splitlines()) == len(rules.RULES)
    one = _ingest("rules", "dangling_citation")
    assert one.returncode == 0 and "Example:" in one.stdout and "Fix:" in one.stdout
    bad = _ingest("rules", "dangling_citations")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == (
        "ingest: error: unknown code 'dangling_citations'; `ingest rules` lists them"
    )

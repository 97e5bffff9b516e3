"""``ingest validate`` configured like ruff: config files, per-path rules, inline
suppression, columns, ``-q``, SARIF checked against the official schema, and a
validate path that never imports pandas, pandera, pyarrow, DuckDB, Prefect or Dask.

Each test builds a small content repository in a temporary folder and runs the real
command (``main``) from inside it, as a pre-commit hook does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from ingest.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TRUNCATED = "---\ntitle: T\nauthor: A\ndescription: Cut off...\n---\n# T\n\nText.\n"
BROKEN = "---\ntitle: [unclosed\n---\n# B\n"
CITES = "# C\n\nCites [4] with no list.\n"


def _repo(root: Path, config: str, files: dict[str, str], name: str = "pyproject.toml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text(config)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


ACCEPTANCE = """[project]
name = "content"

[tool.ingest]
ignore = ["truncated_description"]

[tool.ingest.per-file-severity]
"legacy/**" = { yaml_syntax = "warning" }
"""


def test_ignore_one_code_and_relax_another_for_one_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(
        tmp_path / "content",
        ACCEPTANCE,
        {"a.md": TRUNCATED, "legacy/old.md": BROKEN, "new/b.md": BROKEN},
    )
    monkeypatch.chdir(repo)
    code, out, err = _validate(capsys, "a.md", "legacy/old.md")
    assert code == 0, out + err  # the ignored warning and the relaxed error do not fail
    assert out == "legacy/old.md:2: warning [yaml_syntax] " + _yaml_message(out) + "\n"
    assert "2 file(s) checked: 2 valid, 0 invalid, 1 warning(s) in 1 file(s)" in err
    code, out, _ = _validate(capsys, "legacy/old.md", "new/b.md")
    assert code == 1 and "new/b.md:2: error [yaml_syntax]" in out
    code, out, _ = _validate(capsys, "--isolated", "a.md", "legacy/old.md")
    assert code == 1 and "[truncated_description]" in out and "error [yaml_syntax]" in out


def _yaml_message(out: str) -> str:
    return out.split("] ", 1)[1].rstrip("\n")


def test_sarif_is_valid_and_carries_the_configured_levels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(
        tmp_path / "content",
        ACCEPTANCE,
        {"a.md": TRUNCATED, "legacy/old.md": BROKEN, "new/b.md": BROKEN, "c.md": CITES},
    )
    monkeypatch.chdir(repo)
    code, out, _ = _validate(capsys, "--format", "sarif", ".")
    assert code == 1
    log = json.loads(out)
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    got = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"], r["level"])
        for r in run["results"]
    }
    assert got == {
        ("legacy/old.md", "yaml_syntax", "warning"),
        ("new/b.md", "yaml_syntax", "error"),
        ("c.md", "no_reference_list", "warning"),
    }
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The vendored schema is real: a log missing its version fails it."""
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate({"runs": []})


def test_columns_and_the_description_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(TRUNCATED)
    (tmp_path / "t.md").write_text("# T\n\nDose: {DOSE_MG} daily.\n")
    code, out, _ = _validate(capsys, "--isolated", "a.md", "t.md")
    assert code == 0
    assert "a.md:4:14: warning [truncated_description]" in out  # the value on line 4
    assert "t.md:3:7: warning [template_placeholders]" in out
    _validate(capsys, "--isolated", "--format", "github", "a.md")
    code, out, _ = _validate(capsys, "--isolated", "--format", "github", "a.md")
    assert out.startswith("::warning file=a.md,line=4,col=14,title=ingest truncated_description::")
    code, out, _ = _validate(capsys, "--isolated", "--format", "sarif", "a.md")
    region = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 14}


def test_quiet_prints_only_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(5):
        (tmp_path / f"w{i}.md").write_text(TRUNCATED)
    assert _validate(capsys, "--isolated", "-q", ".") == (0, "", "")
    (tmp_path / "bad.md").write_text(BROKEN)
    code, out, err = _validate(capsys, "--isolated", "-q", ".")
    assert code == 1 and out.count("\n") == 1 and out.startswith("bad.md:2: error [yaml_syntax]")
    assert "6 file(s) checked: 5 valid, 1 invalid, 5 warning(s)" in err
    code, out, _ = _validate(capsys, "--isolated", "-q", "--strict", ".")
    assert code == 1 and out.count("[truncated_description]") == 5  # what fails is shown


def test_config_found_walking_up_ingest_toml_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(
        tmp_path / "r", '[tool.ingest]\nignore = ["no_reference_list"]\n', {"d/c.md": CITES}
    )
    monkeypatch.chdir(repo / "d")
    assert _validate(capsys, "--strict", "c.md")[0] == 0  # pyproject's [tool.ingest]
    (repo / "ingest.toml").write_text('severity = { no_reference_list = "error" }\n')
    code, out, _ = _validate(capsys, "c.md")  # ingest.toml wins in the same folder
    assert code == 1 and "c.md:3: error [no_reference_list]" in out
    other = _repo(tmp_path / "o", 'select = ["yaml_syntax"]\n', {}, name="ingest.toml")
    assert _validate(capsys, "--strict", "--config", str(other / "ingest.toml"), "c.md")[0] == 0
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.ingest]
    (repo / "ingest.toml").unlink()
    assert _validate(capsys, "--strict", "c.md")[0] == 1  # walked past it: defaults


def test_per_file_ignores_select_and_include_exclude(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = """select = ["ALL"]
exclude = ["drafts/"]
include = ["*.md"]
[per-file-ignores]
"refs/*.md" = ["no_reference_list"]
"""
    repo = _repo(
        tmp_path / "r",
        config,
        {"refs/c.md": CITES, "c.md": CITES, "drafts/b.md": BROKEN, "notes.txt": BROKEN},
        name="ingest.toml",
    )
    monkeypatch.chdir(repo)
    code, out, err = _validate(capsys, "--strict", "refs/c.md", "c.md", "drafts/b.md", "notes.txt")
    assert code == 1 and out.splitlines() == [
        "c.md:3: warning [no_reference_list] document cites [4] but has no reference list"
    ]
    assert "2 file(s) checked" in err and "drafts/**" not in err
    assert (
        "1 excluded by --exclude (drafts/)" in err and "1 not matched by --include (*.txt)" in err
    )
    # A command-line --include replaces the config's (the .txt file is taken again).
    code, out, _ = _validate(capsys, "--include", "*.txt", "notes.txt")
    assert code == 1 and "notes.txt:2: error [yaml_syntax]" in out


def test_inline_suppression_in_front_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    waived = "---\ntitle: W\ningest:\n  ignore: [no_reference_list]\n---\n# W\n\nCites [4].\n"
    typo = "---\ntitle: W\ningest:\n  ignore: [no_reference_lists]\n---\n# W\n\nCites [4].\n"
    shape = "---\ntitle: W\ningest: no_reference_list\n---\n# W\n\nCites [4].\n"
    (tmp_path / "w.md").write_text(waived)
    (tmp_path / "t.md").write_text(typo)
    (tmp_path / "s.md").write_text(shape)
    (tmp_path / "other.md").write_text(CITES)
    code, out, _ = _validate(capsys, "--isolated", "--strict", "w.md")
    assert (code, out) == (0, "")
    code, out, _ = _validate(capsys, "--isolated", "t.md", "s.md", "other.md")
    assert code == 0
    assert "t.md:8: warning [no_reference_list]" in out  # not waived by the typo...
    assert "t.md: warning [invalid_suppression] front matter ignores unknown code " in out
    assert "s.md: warning [invalid_suppression] front-matter key 'ingest' must be" in out
    assert "other.md:3: warning [no_reference_list]" in out  # one document's waiver only


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('ignore = ["dangling_citations"]\n', "ignore: unknown code 'dangling_citations'"),
        ("colour = 1\n", "unknown key 'colour'"),
        ('ignore = "dangling_citation"\n', "ignore must be a list of strings"),
        ('severity = { no_sections = "fatal" }\n', "severity.no_sections: severity must be"),
        ('[per-file-ignores]\n"" = ["no_sections"]\n', "not a usable pattern: ''"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_a_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    message: str,
) -> None:
    repo = _repo(tmp_path / "r", config, {"c.md": CITES}, name="ingest.toml")
    monkeypatch.chdir(repo)
    code, out, err = _validate(capsys, "c.md")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"ingest: error: {repo / 'ingest.toml'}: ")
    assert message in err


def test_missing_config_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _validate(capsys, "--config", str(tmp_path / "nope.toml"), str(tmp_path))
    assert code == 2 and out == "" and "configuration file not found" in err


def test_validate_imports_nothing_heavy(tmp_path: Path) -> None:
    """What a pre-commit environment without the run's libraries needs: none of them."""
    (tmp_path / "a.md").write_text(TRUNCATED)
    (tmp_path / "b.md").write_text("---\ntitle: B\nfaqs:\n  - q: Why\n    a: x\n---\n# B\n")
    code = (
        "import sys; from ingest.cli import main; rc = main(['validate', '-q', '--isolated', "
        f"{str(tmp_path)!r}]); heavy = sorted(m for m in ('pandas', 'pandera', 'pyarrow', "
        "'duckdb', 'prefect', 'dask', 'numpy') if m in sys.modules); print(rc, heavy)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert res.stdout.strip().splitlines()[-1] == "0 []", res.stdout + res.stderr


def test_files_of_one_name_in_two_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hook passes every staged file: two README.md are two files, one file twice is one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "c.md").write_text(BROKEN)
    (tmp_path / "b" / "c.md").write_text(CITES)
    code, out, err = _validate(capsys, "--isolated", "a/c.md", "b/c.md", "./a/c.md")
    assert code == 1 and "2 file(s) checked: 1 valid, 1 invalid" in err
    assert out.count("a/c.md:2: error [yaml_syntax]") == 1 and "b/c.md:3: warning" in out


BLOCK_RUN_EXTRAS = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'prefect', 'duckdb', 'pandas', 'pandera', 'pyarrow', 'dask'}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from ingest.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_validate_only_install(tmp_path: Path) -> None:
    """Without the `run` extra (as in a pre-commit environment): validate works, a bad
    configuration is still one line, and the pipeline's commands say what to install."""
    (tmp_path / "a.md").write_text(TRUNCATED)

    def ingest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", BLOCK_RUN_EXTRAS, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )

    ok = ingest("validate", "--format", "sarif", "a.md")
    assert ok.returncode == 0 and json.loads(ok.stdout)["runs"][0]["results"][0]["ruleId"]
    (tmp_path / "ingest.toml").write_text("nope = 1\n")
    bad = ingest("validate", "a.md")
    assert bad.returncode == 2 and bad.stderr.startswith("ingest: error: ") and "nope" in bad.stderr
    run = ingest("sources", "--db", str(tmp_path / "w.duckdb"))
    assert run.returncode == 1 and "pip install 'ingest[run]'" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_cache_keeps_results_of_unchanged_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ingest.document as document
    from ingest import lint

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.md").write_text(TRUNCATED)
    (tmp_path / "b.md").write_text(BROKEN)
    (tmp_path / "w.md").write_text(
        "---\ntitle: W\ningest:\n  ignore: [no_reference_list]\n---\n# W\n\nCites [4].\n"
    )
    first = _validate(capsys, "--isolated", "--strict", ".")
    cache = tmp_path / ".ingest_cache"
    assert (cache / ".gitignore").read_text().endswith("*\n")
    assert len(list(cache.rglob("*.json"))) == 3
    parsed: list[str] = []
    assert not hasattr(lint, "process_bytes")  # imported lazily, on a miss only

    original = document.process_bytes

    def counting(data: bytes, source_path: str, *a: object, **k: object) -> object:
        parsed.append(source_path)
        return original(data, source_path, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "process_bytes", counting)
    again = _validate(capsys, "--isolated", "--strict", ".")
    assert again[:2] == first[:2]  # all three from the cache
    assert "1 folder hidden, not walked (.ingest_cache/)" in again[2]  # like .git/
    assert parsed == []
    (tmp_path / "a.md").write_text(TRUNCATED.replace("Cut off...", "Whole."))
    code, out, _ = _validate(capsys, "--isolated", "--strict", ".")
    assert parsed == ["a.md"] and "[truncated_description]" not in out and code == 1
    for entry in cache.rglob("*.json"):
        entry.write_text("{not json")  # a corrupt cache is a miss, then rewritten
    assert _validate(capsys, "--isolated", "--strict", ".")[0] == 1
    assert sorted(parsed) == ["a.md", "a.md", "b.md", "w.md"]
    assert _validate(capsys, "--isolated", "--strict", "--no-cache", ".")[0] == 1
    assert len(parsed) == 7


def test_cache_follows_the_configuration_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _repo(tmp_path / "r", 'ignore = ["no_sections"]\n', {"d/c.md": CITES}, "ingest.toml")
    monkeypatch.chdir(repo / "d")
    assert _validate(capsys, "c.md")[0] == 0
    assert (repo / ".ingest_cache").is_dir() and not (repo / "d" / ".ingest_cache").exists()
    assert _validate(capsys, "--no-cache", "c.md")[0] == 0

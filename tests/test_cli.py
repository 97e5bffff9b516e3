"""The CLI, run as a user runs it: exact exit codes, output formats, --help, docs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingest.cli import _parser, main
from ingest.generate import _Doc, bad

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [
    "validate",
    "rules",
    "run",
    "serve",
    "sources",
    "remove-source",
    "generate",
    "schema",
    "report",
    "search",
    "changes",
    "lake",
]


def ingest(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ingest.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Unseen documents of all three families plus one of each kind of bad file."""
    d = tmp_path / "docs"
    (d / "ok").mkdir(parents=True)
    (d / "bad").mkdir()
    (d / "ok" / "mono.md").write_text(
        "---\ntitle: Zed\nfaqs:\n  - q: 'Why?**'\n    a: 'A:** Because.'\n"
        "---\n## **Usage**\n\n- **Class:** Statin.\n"
    )
    (d / "ok" / "guide.txt").write_text(
        "# Guide\n\nClaim [1].\n\n## References\n\n- 1. T - P [p.org]\n"
    )
    (d / "ok" / "note.md").write_text("# Note\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    doc = _Doc(__import__("random").Random(1), 1)
    for kind in ("broken_yaml", "empty", "binary", "alias_bomb", "python_tag"):
        (d / "bad" / f"{kind}.md").write_bytes(bad(doc, kind))
    return d


def test_validate_ok_and_bad(mixed: Path) -> None:
    good = ingest("validate", str(mixed / "ok"))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "3 file(s) checked: 3 valid, 0 invalid" in good.stderr
    t0 = time.perf_counter()
    res = ingest("validate", str(mixed))
    assert time.perf_counter() - t0 < 30
    assert res.returncode == 1
    out = res.stdout
    lines = {
        Path(m.group(1)).name: (m.group(2), m.group(3))
        for m in re.finditer(r"^(\S+?\.md):?(\d+)?: error \[(\w+)\]", out, re.M)
    }
    assert lines == {
        "broken_yaml.md": ("2", "yaml_syntax"),
        "empty.md": (None, "empty_file"),
        "binary.md": ("1", "binary_file"),
        "alias_bomb.md": ("7", "yaml_alias_limit"),
        "python_tag.md": ("3", "yaml_python_tag"),
    }
    assert "ok/" not in out.replace("warning", "")  # good files print nothing but warnings
    assert "8 file(s) checked: 3 valid, 5 invalid" in res.stderr


def test_validate_json_and_github_formats(mixed: Path) -> None:
    res = ingest("validate", "--format", "json", str(mixed))
    data = json.loads(res.stdout)
    assert data["summary"] == {
        "files": 8,
        "valid": 3,
        "invalid": 5,
        "errors": 5,
        "warnings": 0,
        "strict": False,
        "skipped": {"files": 0, "folders": 0, "reasons": {}},
    }
    bad_files = {
        Path(f["path"]).name: f["errors"][0]["code"] for f in data["files"] if not f["valid"]
    }
    assert bad_files["python_tag.md"] == "yaml_python_tag"
    gh = ingest("validate", "--format", "github", str(mixed / "bad"))
    assert gh.returncode == 1
    ann = [ln for ln in gh.stdout.splitlines() if ln.startswith("::error ")]
    assert len(ann) == 5
    assert any(
        re.match(r"::error file=.*broken_yaml\.md,line=2,title=ingest yaml_syntax::", a)
        for a in ann
    )


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    f = tmp_path / "w.md"
    f.write_text("# Doc\n\nCites [4] with no list.\n")
    assert ingest("validate", str(f)).returncode == 0
    res = ingest("validate", "--strict", str(f))
    assert res.returncode == 1 and "warning [no_reference_list]" in res.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert ingest("validate", str(tmp_path / "missing")).returncode == 2
    assert ingest("validate").returncode == 2
    assert ingest("validate", "--format", "xml", str(tmp_path)).returncode == 2
    assert ingest("run", str(tmp_path / "missing"), "--no-prefect").returncode == 2
    assert main([]) == 2


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command: str) -> None:
    res = ingest(command, "--help")
    assert res.returncode == 0 and "usage: ingest " + command in res.stdout


def test_every_command_is_documented_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    sub = next(a for a in _parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)  # type: ignore[attr-defined]
    for command in COMMANDS:
        assert f"ingest {command}" in readme, command


def test_generate_and_schema_commands(tmp_path: Path) -> None:
    res = ingest("generate", str(tmp_path / "c"), "-n", "30", "--seed", "3")
    assert res.returncode == 0 and "wrote 30 files" in res.stdout
    assert ingest("schema", "--ddl").stdout.startswith("-- Generated")
    assert ingest("generate", str(tmp_path / "d"), "-n", "0").returncode == 2


@pytest.mark.flow
def test_run_on_its_own_temporary_server_is_clean(tmp_path: Path) -> None:
    """The README's door: no PREFECT_API_URL, so `ingest run` boots its own temporary
    server; the run loads, prints no ERROR or Traceback, and leaves no server behind.
    Run again unchanged, it finishes without booting a server, and leaves the same
    records as a re-run forced through the flow."""
    from ingest.generate import generate_corpus

    src, db, report = tmp_path / "src", tmp_path / "w.duckdb", tmp_path / "r.json"
    generate_corpus(src, 30, seed=11, bad_share=0.1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # no profile naming a server
    servers_before = _temporary_servers(env["PREFECT_HOME"])

    def run(*extra: str) -> dict[str, Any]:
        args = ["run", str(src), "--db", str(db), "--no-progress", "--report-json", str(report)]
        proc = subprocess.run(
            [sys.executable, "-m", "ingest.cli", *args, *extra],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # not the repository: no pyproject settings to lean on
            env=env,
            timeout=300,
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out
        assert "ERROR" not in out and "Traceback" not in out, out
        data: dict[str, Any] = json.loads(report.read_text())
        data["stdout"] = proc.stdout
        return data

    cold = run()
    assert cold["orchestration"] == "prefect"
    assert cold["counts"]["seen"] == 30
    assert cold["counts"]["loaded"] + cold["counts"]["quarantined"] == 30
    assert cold["timings_s"]["prefect_server_boot"] > 0
    assert 0 <= cold["timings_s"]["prefect_startup"] <= cold["timings_s"]["prefect_server_boot"]
    assert _temporary_servers(env["PREFECT_HOME"]) <= servers_before  # ours was stopped

    again = run()
    assert again["orchestration"] == "up-to-date"
    assert "prefect_server_boot" not in again["timings_s"]
    assert "up to date: nothing changed" in again["stdout"] and again["recorded"] == "journal"
    forced = run("--always-flow")
    assert forced["orchestration"] == "prefect" and forced["timings_s"]["prefect_server_boot"] > 0
    expected = {**cold["counts"], "loaded": 0, "unchanged": cold["counts"]["loaded"]}
    assert again["counts"] == forced["counts"] == expected
    # Touched files (same bytes, new mtime): nothing to parse, but their new stat is
    # worth a publish, in-process; it folds the two journaled runs into ingest_runs.
    for p in src.rglob("*.md"):
        os.utime(p)
    touched = run()
    assert touched["orchestration"] == "up-to-date" and touched["recorded"] == "warehouse"
    assert touched["counts"] == expected
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "SELECT run_id, files_seen, loaded, unchanged, quarantined FROM ingest_runs "
            "ORDER BY started_at"
        ).fetchall()
        per_run = dict(
            con.execute(
                "SELECT run_id, list(source_path || ' ' || error_code ORDER BY source_path) "
                "FROM quarantine GROUP BY run_id"
            ).fetchall()
        )
    ids = [cold["run_id"], again["run_id"], forced["run_id"], touched["run_id"]]
    assert [r[0] for r in runs] == ids
    assert runs[1][1:] == runs[2][1:] == runs[3][1:]
    assert len({str(per_run[i]) for i in ids}) == 1
    assert _temporary_servers(env["PREFECT_HOME"]) <= servers_before


def _temporary_servers(home: str) -> set[str]:
    """Temporary Prefect servers started with ``PREFECT_HOME=home``: this test's own, not
    those of whatever else runs on the machine."""
    found = subprocess.run(
        ["pgrep", "-f", "prefect.server.api.server:create_app"], capture_output=True, text=True
    )
    ours = set()
    for pid in found.stdout.split():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"PREFECT_HOME={home}".encode() in environ:
            ours.add(pid)
    return ours


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--batch-size", "0", "must be at least 1"),
        ("--workers", "-3", "must be at least 1"),
        ("--lock-timeout", "-1", "must be 0 or more seconds"),
        ("--batch-size", "many", "not a whole number"),
    ],
)
def test_bad_run_options_are_usage_errors(
    tmp_path: Path, option: str, value: str, says: str
) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.md").write_text("# A\n\ntext\n")
    db = tmp_path / "w.duckdb"
    res = ingest("run", str(tmp_path / "src"), "--db", str(db), "--no-prefect", option, value)
    assert res.returncode == 2 and says in res.stderr, res.stderr
    assert not db.exists()  # nothing was published


def test_a_reader_that_closes_the_pipe_stops_the_command_quietly() -> None:
    """`ingest rules | head -1`: the reader goes away; no traceback, no error line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest.cli", "rules", "--markdown"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command has written anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == ""

"""The synthetic corpus generator: the original "small" profile, the "realistic" size
profile (real-corpus sizes reached with more structure, not padding), determinism, the
process pool, the stats a benchmark prints, and the package's layout (pinned bytes, so a
refactoring of ``ingest.generate`` cannot change a corpus unnoticed)."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import random
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

import ingest.generate
from ingest.document import process_file
from ingest.generate import (
    _SIZE_PARAMS,
    MAX_DOC_BYTES,
    MIN_DOC_BYTES,
    PROFILES,
    REAL_SIZES,
    _clipped_lognormal_mean,
    generate_corpus,
    render,
    target_bytes,
)

FAMILY = {"monographs": "monograph", "guides": "guide", "notes": "generic"}
STAT_KEYS = {"files", "bytes", "mean", "min", "p10", "median", "p90", "max"}


def _tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _stable(stats: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in stats.items() if k not in ("seconds", "mb_per_s")}


def test_profiles_and_bad_profile() -> None:
    assert PROFILES == ("small", "realistic")
    with pytest.raises(ValueError, match="unknown profile"):
        render(0, 7, 0.02, "huge")
    with pytest.raises(ValueError, match="unknown profile"):
        generate_corpus(Path("unused"), 1, profile="huge")
    with pytest.raises(ValueError, match="workers"):
        generate_corpus(Path("unused"), 1, workers=0)


def test_small_profile_is_the_default_and_keeps_its_shape(tmp_path: Path) -> None:
    # Golden numbers elsewhere depend on the small corpus: same counts per folder for a
    # seed, ~2 KB files, the same file names; its bytes must not depend on the new code.
    a, b = tmp_path / "a", tmp_path / "b"
    stats = generate_corpus(a, 300, seed=7, bad_share=0.02)
    again = generate_corpus(b, 300, seed=7, bad_share=0.02, profile="small")
    assert _tree(a) == _tree(b)
    assert _stable(stats) == _stable(again)
    assert stats["profile"] == "small"
    assert stats["by_kind"] == {"bad": 5, "guides": 112, "monographs": 147, "notes": 36}
    assert 1_500 < stats["bytes"] / 300 < 3_000
    assert render(17, 7, 0.02) == render(17, 7, 0.02, "small")
    names = {Path(p).name for p in _tree(a)}
    first = ["000000_sulcillin.txt", "000001_sulmycin.md", "000002_fenriazole.md"]
    assert [render(i, 7, 0.02)[1] for i in range(3)] == first
    assert set(first) <= names


def test_realistic_is_deterministic_and_independent_of_workers(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    s1 = generate_corpus(one, 260, seed=3, profile="realistic")  # 2 pool tasks
    s2 = generate_corpus(two, 260, seed=3, profile="realistic", workers=2)
    assert _tree(one) == _tree(two)
    assert _stable(s1) == _stable(s2)
    other = render(5, 4, 0.02, "realistic")
    assert render(5, 3, 0.02, "realistic") != other  # the seed matters
    assert render(5, 4, 0.02, "realistic") == other


def test_stats_describe_the_files_written(tmp_path: Path) -> None:
    stats = generate_corpus(tmp_path, 120, seed=9, bad_share=0.05, profile="realistic")
    sizes: dict[str, list[int]] = {}
    for p in tmp_path.rglob("*"):
        if p.is_file():
            sizes.setdefault(p.relative_to(tmp_path).parts[0], []).append(p.stat().st_size)
    assert stats["files"] == 120 == sum(len(v) for v in sizes.values())
    assert stats["bytes"] == sum(sum(v) for v in sizes.values())
    assert stats["mb"] == pytest.approx(stats["bytes"] / 1e6)
    assert stats["seconds"] > 0 and stats["mb_per_s"] > 0
    assert stats["by_kind"] == {k: len(v) for k, v in sorted(sizes.items())}
    for kind, st in stats["bytes_by_kind"].items():
        assert set(st) == STAT_KEYS
        assert st["bytes"] == sum(sizes[kind])
        assert st["median"] == statistics.median(sizes[kind])
        assert st["min"] <= st["p10"] <= st["median"] <= st["p90"] <= st["max"]


def test_size_distribution_is_fitted_to_the_real_corpus() -> None:
    for folder, (median, mean) in REAL_SIZES.items():
        mu, sigma = _SIZE_PARAMS[folder]
        assert _clipped_lognormal_mean(mu, sigma, MIN_DOC_BYTES, MAX_DOC_BYTES) == (
            pytest.approx(mean, rel=1e-3)
        )
        rng = random.Random(1)
        draws = [target_bytes(folder, rng) for _ in range(20_000)]
        assert statistics.median(draws) == pytest.approx(median, rel=0.05)
        assert statistics.mean(draws) == pytest.approx(mean, rel=0.1)
        assert min(draws) >= MIN_DOC_BYTES and max(draws) <= MAX_DOC_BYTES


def test_realistic_sizes_per_family_match_the_real_medians() -> None:
    sizes: dict[str, list[int]] = {}
    for i in range(400):
        folder, _, data = render(i, 7, 0.02, "realistic")
        sizes.setdefault(folder, []).append(len(data))
    counts = {k: len(v) for k, v in sizes.items()}
    # The real corpus's mix: 55% monographs, 32% guides, 13% generic notes.
    assert 0.45 < counts["monographs"] / 400 < 0.65
    assert 0.22 < counts["guides"] / 400 < 0.42
    assert 0.07 < counts["notes"] / 400 < 0.20
    for folder, (median, _) in REAL_SIZES.items():
        got = statistics.median(sizes[folder])
        assert got == pytest.approx(median, rel=0.3), (folder, got, median)
        assert max(sizes[folder]) < 420_000  # the 400 KB clip (plus CRLF / last section)
    # Spread, not one size: the largest documents are many times the median.
    assert max(sizes["guides"]) > 8 * statistics.median(sizes["guides"])
    assert statistics.mean(sizes["guides"]) > 2 * statistics.median(sizes["guides"])


def test_every_good_realistic_document_parses_as_its_family(tmp_path: Path) -> None:
    stats = generate_corpus(tmp_path, 160, seed=11, bad_share=0.08, profile="realistic")
    seen: Counter[str] = Counter()
    for p in sorted(tmp_path.rglob("*")):
        if not p.is_file():
            continue
        folder = p.relative_to(tmp_path).parts[0]
        res = process_file(p, p.relative_to(tmp_path).as_posix())
        if folder == "bad":  # quarantined, exactly as in the small profile
            assert not res.ok, p.name
            continue
        assert res.ok, (p.name, res.error)
        assert res.family == FAMILY[folder], (p.name, res.family)
        seen[folder] += 1
        rows = res.rows
        assert rows["sections"], p.name
        if folder == "monographs":
            assert rows["faqs"], p.name
        if folder == "guides":
            assert rows["reference_entries"] and rows["citations"], p.name
    assert seen.keys() == {"monographs", "guides", "notes"}
    assert stats["by_kind"].get("bad", 0) > 0
    # The bad files are the same ones (names and bytes) as in the small profile.
    bad_small = {render(i, 11, 0.08)[1] for i in range(160) if render(i, 11, 0.08)[0] == "bad"}
    assert bad_small == {p.name for p in (tmp_path / "bad").rglob("*") if p.is_file()}


def test_realistic_documents_are_unique_varied_structure_not_padding() -> None:
    docs = [render(i, 21, 0.0, "realistic") for i in range(200)]
    assert len({hashlib.sha256(data).digest() for _, _, data in docs}) == len(docs)
    formats: Counter[str] = Counter()
    for folder, name, data in docs:
        text = data.decode("utf-8", errors="replace")
        prose = [
            ln
            for ln in text.splitlines()
            if len(ln) > 60 and not ln.startswith(("|", "<", "#")) and "\t" not in ln
        ]
        top = Counter(prose).most_common(1)
        assert not top or top[0][1] <= 8, (name, top)
        formats["tsv"] += bool(re.search(r"^[^\t\n]+\t[^\t\n]+\t", text, re.M))
        formats["html"] += "<table>" in text
        formats["pipe"] += bool(re.search(r"^\|(?:---\|)+$", text, re.M))
        if folder == "guides" and len(data) > 100_000:
            # Long guides get longer reference lists, not longer paragraphs.
            assert len(re.findall(r"^(?:- )?\d+\. ", text, re.M)) > 60, name
    assert min(formats.values()) > 10, formats
    # Bigger documents have more sections: structure grows with size.
    pairs = sorted((len(data), data.count(b"\n#")) for f, _, data in docs if f == "monographs")
    small_half, big_half = pairs[: len(pairs) // 2], pairs[len(pairs) // 2 :]
    assert statistics.mean(h for _, h in big_half) > 1.5 * statistics.mean(h for _, h in small_half)


def _digest(n: int, seed: int, bad_share: float, profile: str) -> str:
    """One sha256 over the folder, name and bytes of documents ``0..n-1``."""
    h = hashlib.sha256()
    for i in range(n):
        folder, name, data = render(i, seed, bad_share, profile)
        h.update(f"{folder}/{name}\0".encode())
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def test_bytes_are_pinned() -> None:
    # Both profiles' bytes for a seed are part of the contract (golden numbers, the
    # benchmark's corpora): these digests were taken before ingest.generate became a
    # package and must only change together with a deliberate change of the corpus.
    assert _digest(300, 7, 0.02, "small") == (
        "8a74c6095a45adfc413a616f6d015c224069d17614b16768db55e04e280d0bdc"
    )
    assert _digest(120, 7, 0.05, "realistic") == (
        "9372a296d05e13166342da16499f7d8c544214d6a553f6b6876b84aca9e7958e"
    )


def test_every_module_of_the_package_says_what_it_is_for() -> None:
    names = [m.name for m in pkgutil.iter_modules(ingest.generate.__path__)]
    assert {"write", "corpus", "small", "sizes", "broken"} <= set(names)
    for name in ["", *names]:
        module = importlib.import_module(f"ingest.generate{'.' + name if name else ''}")
        doc = module.__doc__ or ""
        assert len(doc.split()) >= 20, f"{module.__name__} needs a docstring"
    for name in ingest.generate.__all__:
        assert hasattr(ingest.generate, name), name

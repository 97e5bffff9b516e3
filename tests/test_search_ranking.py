"""search()'s top hits against a brute-force BM25 computed here, over a generated warehouse.

The macro prunes: a one-term query ranks postings without summing, and a query of
several terms sums only the units that can still reach the top (MaxScore).  Pruning
must never change the answer, so this test ranks every unit of a small warehouse by
hand (Python, from the units' own text: the index's tokenizer rule, the fts
extension's Porter stemmer, BM25 with k1 = 1.2, b = 0.75 and the fts extension's
idf) and compares the top ``k`` of many queries, for several ``k``, with and without a
source filter.  The vocabulary is skewed (a few words in almost every unit, most in a
few) so that common words are non-essential for small ``k``, which is when the
pruning path runs.
"""

from __future__ import annotations

import functools
import math
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from ingest import extensions, search_index
from ingest.pipeline import RunConfig, run_pipeline
from ingest.search import K1, B, search

COMMON = ["patient", "dose", "treatment", "clinical", "effect"]
MIDDLE = ["renal", "hepatic", "infusion", "tablet", "plasma", "enzyme", "kinase", "receptor"]
RARE = ["zolpramab", "quintaxel", "vermiforin", "lumacaftor", "brexolide", "tizanidine"]
QUERIES = [
    *COMMON[:2],
    *MIDDLE[:3],
    *RARE[:3],
    "patient dose",
    "renal dose",
    "hepatic patient treatment",
    "zolpramab patient",
    "quintaxel renal dose",
    "plasma enzyme kinase",
    "clinical effect receptor tablet",
]


def _sentence(rng: random.Random) -> str:
    words = rng.sample(COMMON, 3) + rng.sample(MIDDLE, rng.randint(0, 2))
    if rng.random() < 0.35:
        words.append(rng.choice(RARE))
    words += ["and", "the"] * rng.randint(0, 2)  # stopwords count in a unit's length
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def _document(rng: random.Random, n: int) -> str:
    parts = [f"# Document {n}\n"]
    for s in range(rng.randint(1, 4)):
        body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
        parts.append(f"## Part {n}-{s}\n\n{body}\n")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ranking")
    rng = random.Random(12)
    sources = []
    for name in ("a", "b"):
        root = tmp / name
        root.mkdir()
        for n in range(20):
            (root / f"d{n}.md").write_text(_document(rng, n), encoding="utf-8")
        sources.append(f"{name}={root}")
    db = tmp / "w.duckdb"
    run_pipeline(RunConfig(sources=sources, db=str(db), workers=1))
    return db


def _words(text: str) -> list[str]:
    """The index's tokenizer rule: lower case, accents stripped, runs of letters/digits."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", text)


Key = tuple[str, str, str, str]  # source, source_path, kind, heading: one unit here


@functools.cache
def _brute_force(db: Path) -> tuple[dict[Key, Counter[str]], dict[Key, int], dict[str, str]]:
    """Every unit's stem counts and length (keyed by source, path, kind, heading), and the
    stem of every word."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("CREATE TEMP TABLE search_chunk AS SELECT doc_id FROM documents")
        units = con.execute(
            "SELECT d.source, d.source_path, u.kind, u.heading, u.text "
            f"FROM ({search_index._UNIT_TEXTS}) u JOIN documents d USING (doc_id)"
        ).fetchall()
        extensions.load(con, "fts")
        vocab = {w for *_, text in units for w in _words(text)}
        stems = dict(
            con.execute(
                "SELECT w, stem(w, 'porter') FROM unnest(?::VARCHAR[]) t(w)", [sorted(vocab)]
            ).fetchall()
        )
    stop = set(search_index.STOPWORDS)
    tfs: dict[Key, Counter[str]] = {}
    lens: dict[Key, int] = {}
    for *key, text in units:
        words = _words(text)
        if words:
            tfs[tuple(key)] = Counter(stems[w] for w in words if w not in stop)
            lens[tuple(key)] = len(words)
    return tfs, lens, stems


def _term_scores(db: Path, query: str) -> dict[str, dict[Key, float]]:
    """BM25 of each of the query's terms alone, per unit holding it."""
    tfs, lens, stems = _brute_force(db)
    terms = {stems[w] for w in _words(query) if w in stems and w not in search_index.STOPWORDS}
    n, avgdl = len(lens), sum(lens.values()) / len(lens)
    out: dict[str, dict[Key, float]] = {}
    for t in terms:
        df = sum(1 for c in tfs.values() if c[t])
        idf = math.log10((n - df + 0.5) / (df + 0.5) + 1)
        out[t] = {
            key: idf * c[t] * (K1 + 1) / (c[t] + K1 * (1 - B + B * lens[key] / avgdl))
            for key, c in tfs.items() if c[t]
        }  # fmt: skip
    return out


def _bm25(db: Path, query: str, source: str | None) -> list[tuple[float, Key]]:
    total: Counter[Key] = Counter()
    for scores in _term_scores(db, query).values():
        total.update(scores)
    scored = [(round(s, 4), key) for key, s in total.items() if source in (None, key[0])]
    return sorted(scored, key=lambda s: -s[0])


def test_the_data_leaves_common_words_out_of_the_candidates(warehouse: Path) -> None:
    """The pruning path runs here: for some query, the best scores of its commonest
    terms add up to less than the k-th score of its best term alone."""
    pruned = []
    for query in QUERIES:
        scores = _term_scores(warehouse, query)
        floor = max(sorted(s.values(), reverse=True)[0] for s in scores.values())  # k = 1
        reach = 0.0
        for term, s in sorted(scores.items(), key=lambda ts: max(ts[1].values())):
            reach += max(s.values())
            if reach < floor:
                pruned.append((query, term))
    assert any(term in {"patient", "dose"} for _, term in pruned), pruned


@pytest.mark.parametrize("source", [None, "b"])
def test_top_k_is_the_brute_force_top_k(warehouse: Path, source: str | None) -> None:
    assert [h.score for h in search(warehouse, "renal dose", limit=3)] == [
        s for s, _ in _bm25(warehouse, "renal dose", None)[:3]
    ]  # the library's door is the macro's
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for query in QUERIES:
            expected = _bm25(warehouse, query, source)
            assert expected, query
            for k in (1, 4):
                hits = con.execute(
                    "SELECT score, source, source_path, kind, heading "
                    "FROM search(?, max_hits := ?, source_filter := ?)",
                    [query, k, source],
                ).fetchall()
                assert [h[0] for h in hits] == [s for s, _ in expected[:k]], (query, k)
                # The units above the last score are the same (ties there may pick others).
                last = expected[: len(hits)][-1][0]
                assert {h[1:] for h in hits if h[0] > last} == {
                    key for s, key in expected if s > last
                }, (query, k)

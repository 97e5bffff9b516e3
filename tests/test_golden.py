"""Golden tests: the seed documents produce exactly the committed rows of every table.

The expected rows in tests/golden/ were reviewed by hand.  After a deliberate
change, regenerate with ``pytest tests/test_golden.py --update-golden`` and
review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.document import process_bytes

GOLDEN = Path(__file__).parent / "golden"
SEED_FILES = ["000_d781650ff312540d.txt", "001_1d36653f659e23be.txt"]
VOLATILE = {"parser_version"}


def _snapshot(seeds: Path, name: str) -> dict:
    res = process_bytes((seeds / name).read_bytes(), f"seeds/{name}")
    assert res.error is None, res.error
    tables = {
        t: [{k: v for k, v in row.items() if k not in VOLATILE} for row in rows]
        for t, rows in res.rows.items()
    }
    return {"family": res.family, "warnings": [w.code for w in res.warnings], "tables": tables}


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_rows_match_golden(seeds: Path, name: str, update_golden: bool) -> None:
    got = json.loads(json.dumps(_snapshot(seeds, name), ensure_ascii=False, default=str))
    path = GOLDEN / (Path(name).stem + ".json")
    if update_golden or not path.exists():
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"golden file {path.name} was missing and has been written; review it")
    want = json.loads(path.read_text(encoding="utf-8"))
    for table in sorted(set(want["tables"]) | set(got["tables"])):
        assert got["tables"].get(table) == want["tables"].get(table), f"table {table} differs"
    assert got["family"] == want["family"]
    assert got["warnings"] == want["warnings"]


def test_seed_expectations_written_by_hand(seeds: Path) -> None:
    """The facts the golden files encode, stated independently of them."""
    mono = _snapshot(seeds, SEED_FILES[0])
    assert mono["family"] == "monograph"
    faqs = mono["tables"]["faqs"]
    assert len(faqs) == 9 and all(f["origin"] == "both" for f in faqs)
    assert faqs[0]["question"] == "What is the recommended dosage for Pimecrolimus?"
    assert faqs[0]["answer"].startswith("Apply a thin layer of 1% pimecrolimus cream")
    assert all(
        "**" not in f["question"] + f["answer"] and not f["answer"].startswith("A:") for f in faqs
    )
    guide = _snapshot(seeds, SEED_FILES[1])
    t = guide["tables"]
    assert guide["family"] == "guide"
    assert [(x["format"], x["n_rows"], x["n_cols"]) for x in t["doc_tables"]] == [
        ("tsv", 4, 6),
        ("tsv", 4, 6),
    ]
    assert len(t["reference_entries"]) == 17
    assert all(c["resolved"] for c in t["citations"])
    text = " ".join(s["text"] for s in t["sections"])
    assert "NFAT cannot translocate to the nucleus, which blocks the transcription" in text
    assert "Get Quote" not in text and "benchchem.com" not in text.lower()
    doc = t["documents"][0]
    assert (doc["compound_name"], doc["catalog_number"]) == ("Pimecrolimus hydrate", "B12652346")

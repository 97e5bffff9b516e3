"""Baseline: what a team would glue together instead of ingest.

Unstructured's ``partition_md`` turns each file into elements, and a dlt pipeline
loads them into DuckDB: one process, one core.  Neither library is a dependency
of ingest, so this script runs under another interpreter that has them::

    python -m venv /tmp/ub && /tmp/ub/bin/pip install "unstructured[md]" "dlt[duckdb]"
    /tmp/ub/bin/python bench/baseline_unstructured_dlt.py CORPUS --limit 1000

``bench/bench.py --baseline-python /tmp/ub/bin/python`` runs it on the same
files as ingest, in the same session.  Prints one JSON object: documents, wall
seconds, documents per second, elements loaded, and how many elements
Unstructured typed as tables.

Unstructured classifies elements with spaCy's ``en_core_web_sm`` model, which it
downloads from GitHub on first use (the model is not on PyPI).  Where that cannot
happen, two stand-ins bracket it:

- ``--spacy blank``: spaCy's blank English pipeline with a rule-based sentencizer; no
  tagger, no parser, so strictly less work per element than the real model.  The
  glue runs *faster* than it really would: a speed-up against it is a lower bound.
- ``--spacy shape``: the components Unstructured loads from ``en_core_web_sm``
  (a shared CNN tok2vec, width 96, depth 4; a tagger; a transition-based parser,
  hidden width 64) with the model's label sets, built from spaCy's own
  architectures with untrained weights.  The compute per token is the model's;
  the tags are noise, so element types differ.  An estimate of the real speed.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# dlt reports telemetry by default; with no network that only costs time.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument(
        "--limit", type=int, default=0, help="N files evenly spaced over the sorted corpus; 0 = all"
    )
    ap.add_argument("--db", default=None, help="DuckDB file to load (default: a temp file)")
    ap.add_argument(
        "--spacy",
        choices=("model", "blank", "shape"),
        default="model",
        help="model: Unstructured's own en_core_web_sm (downloaded on first use); "
        "blank: spaCy's blank pipeline (cheaper: a lower bound on the speed-up); "
        "shape: the model's architecture with untrained weights (an estimate)",
    )
    args = ap.parse_args()

    import dlt
    from unstructured.partition.md import partition_md

    if args.spacy != "model":
        from unstructured.nlp import tokenize

        nlp = stand_in_pipeline(args.spacy)
        tokenize._get_nlp = lambda: nlp  # type: ignore[attr-defined]

    root = Path(args.corpus)
    files = sample(sorted(p for p in root.rglob("*") if p.is_file()), args.limit)
    work = Path(tempfile.mkdtemp(prefix="baseline-"))
    db = Path(args.db) if args.db else work / "glue.duckdb"
    counts = {"elements": 0, "tables": 0, "failed": 0}

    def elements() -> Iterator[dict[str, Any]]:
        for f in files:
            try:
                els = partition_md(filename=str(f))
            except Exception:  # a glue pipeline skips what it cannot read
                counts["failed"] += 1
                continue
            for i, el in enumerate(els):
                counts["elements"] += 1
                counts["tables"] += el.category == "Table"
                yield {
                    "source_path": f.relative_to(root).as_posix(),
                    "position": i,
                    "type": el.category,
                    "text": el.text,
                }

    t0 = time.perf_counter()
    pipeline = dlt.pipeline(
        pipeline_name="glue",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="documents",
        pipelines_dir=str(work / "pipelines"),
    )
    pipeline.run(elements(), table_name="elements")
    wall = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "docs": len(files),
                "wall_s": wall,
                "docs_per_s": len(files) / wall,
                "spacy": args.spacy,
                **counts,
            }
        )
    )


# en_core_web_sm 3.8's tagger and parser label sets.
_TAGS = [
    "$",
    "''",
    ",",
    "-LRB-",
    "-RRB-",
    ".",
    ":",
    "ADD",
    "AFX",
    "CC",
    "CD",
    "DT",
    "EX",
    "FW",
    "HYPH",
    "IN",
    "JJ",
    "JJR",
    "JJS",
    "LS",
    "MD",
    "NFP",
    "NN",
    "NNP",
    "NNPS",
    "NNS",
    "PDT",
    "POS",
    "PRP",
    "PRP$",
    "RB",
    "RBR",
    "RBS",
    "RP",
    "SYM",
    "TO",
    "UH",
    "VB",
    "VBD",
    "VBG",
    "VBN",
    "VBP",
    "VBZ",
    "WDT",
    "WP",
    "WP$",
    "WRB",
    "XX",
    "_SP",
    "``",
]
_DEPS = [
    "ROOT",
    "acl",
    "acomp",
    "advcl",
    "advmod",
    "agent",
    "amod",
    "appos",
    "attr",
    "aux",
    "auxpass",
    "case",
    "cc",
    "ccomp",
    "compound",
    "conj",
    "csubj",
    "csubjpass",
    "dative",
    "dep",
    "det",
    "dobj",
    "expl",
    "intj",
    "mark",
    "meta",
    "neg",
    "nmod",
    "npadvmod",
    "nsubj",
    "nsubjpass",
    "nummod",
    "oprd",
    "parataxis",
    "pcomp",
    "pobj",
    "poss",
    "preconj",
    "predet",
    "prep",
    "prt",
    "punct",
    "quantmod",
    "relcl",
    "xcomp",
]


def stand_in_pipeline(kind: str) -> Any:
    """A spaCy pipeline in place of ``en_core_web_sm`` (see the module docstring)."""
    import spacy

    nlp = spacy.blank("en")
    if kind == "blank":
        nlp.add_pipe("sentencizer")
        return nlp
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    nlp.add_pipe("tok2vec")  # spaCy's default: HashEmbedCNN, width 96, depth 4, as in sm
    tagger = nlp.add_pipe(
        "tagger",
        config={"model": {"@architectures": "spacy.Tagger.v2", "nO": None, "tok2vec": listener}},
    )
    parser = nlp.add_pipe(
        "parser",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "parser",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": listener,
            }
        },
    )
    for tag in _TAGS:
        tagger.add_label(tag)
    for dep in _DEPS:
        parser.add_label(dep)
    nlp.initialize()
    return nlp


def sample(files: list[Path], n: int) -> list[Path]:
    """``n`` files evenly spaced over ``files`` (all when ``n`` is 0): a prefix of a
    sorted corpus would be one family, or only the bad files, not a fair sample."""
    if not n or n >= len(files):
        return files
    return [files[i * len(files) // n] for i in range(n)]


if __name__ == "__main__":
    main()

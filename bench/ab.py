"""Alternated A/B passes of two versions of ingest, for ``ab_parse.py`` and ``ab_worker.py``.

On a machine other jobs share, two runs taken minutes apart see different loads, so a
before/after comparison is taken in one go: one long-lived child process per version
(each imports ingest from its own ``src`` folder), both given the same input once, and
passes alternated between them.  A child is a Python snippet that reads its input
from stdin, warms up, prints ``ready``, then answers each ``go`` line with the CPU
and wall seconds of one pass.  CPU seconds are the figure load does not inflate.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

Passes = dict[str, list[float]]


def alternate(
    code: str,
    versions: dict[str, str],
    stdin_text: str,
    rounds: int,
    on_pass: Callable[[str, float, float], None] | None = None,
) -> tuple[Passes, Passes]:
    """Run ``rounds`` passes of child ``code`` for each of ``versions`` (name -> src
    folder), alternated; return CPU and wall seconds per pass, by name."""
    kids = {name: _start(code, src, stdin_text) for name, src in versions.items()}
    cpu: Passes = {k: [] for k in kids}
    wall: Passes = {k: [] for k in kids}
    try:
        for _ in range(rounds):
            for name, kid in kids.items():
                assert kid.stdin is not None and kid.stdout is not None
                kid.stdin.write("go\n")
                kid.stdin.flush()
                c, w = map(float, kid.stdout.readline().split())
                cpu[name].append(c)
                wall[name].append(w)
                if on_pass is not None:
                    on_pass(name, c, w)
    finally:
        for kid in kids.values():
            assert kid.stdin is not None
            kid.stdin.close()
            kid.wait()
    return cpu, wall


def _start(code: str, src: str, stdin_text: str) -> subprocess.Popen[str]:
    """One child importing ingest from ``src``, given its input and warmed up."""
    env = {**os.environ, "PYTHONPATH": os.path.abspath(src), "PYTHONWARNINGS": "ignore"}
    kid = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert kid.stdin is not None and kid.stdout is not None
    kid.stdin.write(stdin_text)
    kid.stdin.flush()
    if kid.stdout.readline().strip() != "ready":
        raise SystemExit(f"the child of {src} did not start")
    return kid

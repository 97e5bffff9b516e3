"""The deliberately broken files: what the pipeline must quarantine, never load.

Broken YAML, an empty file, binary bytes, a YAML alias bomb, a Python object tag and
undecodable bytes.  Which document is broken, and how, is drawn before the family, so the
bad files are the same (names and bytes) in both profiles.
"""

from __future__ import annotations

from .doc import _Doc


def bad(d: _Doc, kind: str) -> bytes:
    """The bytes of a broken file of ``kind`` (one of ``_BAD_KINDS``)."""
    if kind == "broken_yaml":
        return f"---\ntitle: {d.drug}: broken: yaml\n  - x\n---\n# {d.drug}\n".encode()
    if kind == "empty":
        return b""
    if kind == "binary":
        return bytes(d.rng.randrange(256) for _ in range(512)) + b"\x00\x00"
    if kind == "alias_bomb":
        lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        prev = "a"
        for c in "bcdefghi":
            lines.append(f"{c}: &{c} [{','.join(['*' + prev] * 9)}]")
            prev = c
        return ("\n".join([*lines, "---", f"# {d.drug}", ""])).encode()
    if kind == "python_tag":
        return f"---\ntitle: {d.drug}\nx: !!python/object/apply:os.system ['echo owned']\n---\nbody\n".encode()
    return b"# " + d.drug.encode() + b"\n\x81\x8d\x8f\x90\x9d invalid bytes\n"


_BAD_KINDS = ["broken_yaml", "empty", "binary", "alias_bomb", "python_tag", "undecodable"]

"""Which files of a source a run takes: the default document types, ``--include``/``--exclude``.

A source folder holds more than documents: images beside the Markdown, a
``MANIFEST.tsv``, a ``data.json``.  Taking everything quarantined the images as
binary and loaded the data files as documents.  So a walk takes *document types*
by default: the names the parsers are made for, ending in ``.md``, ``.markdown``,
``.txt``, ``.html`` or ``.htm`` in any case (the same set as the pre-commit
hook's ``files:``).  ``--include GLOB`` replaces that default; ``--exclude GLOB``
leaves files out of either.  Both are repeatable and live in the one
:class:`~ingest.config.RunConfig`, so scheduled runs take the same files.

Globs are matched against ``source_path`` (relative to the source's root, ``/``
separators), gitignore-style:

* a pattern without ``/`` matches the file's name or the name of any folder on
  its path (``*.md`` takes Markdown at any depth; ``--exclude drafts`` leaves out
  every folder called ``drafts``);
* a pattern with ``/`` is anchored at the root and matched against the whole
  path (a leading ``/`` is allowed); ``*``, ``?`` and ``[...]`` never cross a
  ``/``; ``**`` as a whole component spans any number of folders, none included
  (``docs/**/*.md`` takes ``docs/a.md`` and ``docs/x/y/b.md``); a trailing ``/``
  means everything below (``drafts/`` is ``drafts/**``).

User globs are case-sensitive.  A folder that an exclude pattern covers whole is
not walked at all (nothing under it is looked at, odd entries included).  Every
file left out is tallied by reason in a :class:`Skipped`, which the run summary,
the JSON report and ``ingest validate`` print: nothing is left out silently.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")

# Why a file or folder was left out (keys of Skipped.counts), and how a summary says it.
HIDDEN, NOT_DOCUMENT, NOT_INCLUDED, EXCLUDED = "hidden", "not_document", "not_included", "excluded"
NAME_CLASH = "name_clash"
HIDDEN_FOLDER, EXCLUDED_FOLDER = "hidden_folder", "excluded_folder"
REASONS = {
    NOT_DOCUMENT: "not a document type",
    NOT_INCLUDED: "not matched by --include",
    EXCLUDED: "excluded by --exclude",
    HIDDEN: "hidden (name starts with '.')",
    NAME_CLASH: "name not valid UTF-8 and its escaped form is another file's name",
    EXCLUDED_FOLDER: "excluded by --exclude, not walked",
    HIDDEN_FOLDER: "hidden, not walked",
}
FOLDER_REASONS = (EXCLUDED_FOLDER, HIDDEN_FOLDER)
_EXAMPLES = 3


class GlobError(ValueError):
    """A pattern that cannot be used (empty, or holding a NUL character)."""


@dataclass(frozen=True)
class _Glob:
    text: str
    regex: re.Pattern[str]
    anchored: bool  # has a '/': matched against the whole path, else against each name
    folder: re.Pattern[str] | None  # anchored patterns ending in '/**': the folder part

    def matches(self, path: str) -> bool:
        if self.anchored:
            return self.regex.fullmatch(path) is not None
        return any(self.regex.fullmatch(part) for part in path.split("/"))

    def covers_folder(self, folder: str) -> bool:
        """True when every path below ``folder`` matches (so it need not be walked)."""
        if not self.anchored:
            return self.regex.fullmatch(folder.rpartition("/")[2]) is not None
        return self.folder is not None and self.folder.fullmatch(folder) is not None


def compile_glob(text: str) -> _Glob:
    """One pattern, with the semantics of the module doc."""
    if not text or "\0" in text:
        raise GlobError(f"not a usable pattern: {text!r}")
    if "/" not in text:
        return _Glob(text, re.compile(_component(text), re.S), False, None)
    pattern = text.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if not pattern:
        raise GlobError(f"not a usable pattern: {text!r}")
    parts = pattern.split("/")
    folder = None
    if len(parts) > 1 and parts[-1] == "**":
        folder = re.compile(_path(parts[:-1]), re.S)
    return _Glob(text, re.compile(_path(parts), re.S), True, folder)


def _path(parts: Sequence[str]) -> str:
    out = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out += ".*" if last else "(?:[^/]*/)*"
        else:
            out += _component(part) + ("" if last else "/")
    return out


def _component(glob: str) -> str:
    """fnmatch's ``*``, ``?`` and ``[...]``, none of them matching ``/``."""
    out, i, n = [], 0, len(glob)
    while i < n:
        c = glob[i]
        i += 1
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = _class_end(glob, i)
            if j < 0:
                out.append(re.escape(c))
                continue
            # fnmatch's own escaping of the class; the lookahead keeps '/' out of it.
            out.append("(?!/)" + fnmatch.translate(glob[i - 1 : j + 1])[4:-3])
            i = j + 1
        else:
            out.append(re.escape(c))
    return "".join(out)


def _class_end(glob: str, i: int) -> int:
    """Index of the ``]`` closing a class opened just before ``i`` (fnmatch's rules:
    ``!`` negates, a ``]`` first or right after it is a member), or -1."""
    j = i
    if j < len(glob) and glob[j] == "!":
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    return glob.find("]", j)


@dataclass
class Skipped:
    """Files (and folders not walked) left out by a walk, counted by reason, with a
    few examples each (``*.png``, the exclude pattern that matched)."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, reason: str, example: str) -> None:
        """Count one entry left out for ``reason``; ``example`` (a suffix pattern or the
        glob that matched) is tallied so the most frequent ones can be shown."""
        self.counts[reason] += 1
        self.examples.setdefault(reason, Counter())[example] += 1

    def update(self, other: Skipped) -> None:
        """Add ``other``'s counts and examples to these (two tallies merged into one)."""
        self.counts.update(other.counts)
        for reason, ex in other.examples.items():
            self.examples.setdefault(reason, Counter()).update(ex)

    @property
    def files(self) -> int:
        """How many files were left out (every reason but the folder ones)."""
        return sum(n for r, n in self.counts.items() if r not in FOLDER_REASONS)

    @property
    def folders(self) -> int:
        """How many folders were not walked (excluded or hidden); their files are not
        counted, since they were never listed."""
        return sum(self.counts[r] for r in FOLDER_REASONS)

    def render(self) -> str:
        """``skipped 3 files: 2 not a document type (*.png, *.tsv), 1 excluded by
        --exclude (drafts/**)``, or "" when nothing was skipped."""
        if not self.counts:
            return ""
        head = f"skipped {_n(self.files, 'file')}"
        if self.folders:
            head += f" and {_n(self.folders, 'folder')}"
        parts = []
        for reason, label in REASONS.items():
            n = self.counts.get(reason, 0)
            if n:
                kind = " folder" + ("s" if n > 1 else "") if reason in FOLDER_REASONS else ""
                parts.append(f"{n}{kind} {label} ({', '.join(self._top(reason))})")
        return head + ": " + ", ".join(parts)

    def _top(self, reason: str) -> list[str]:
        ex = self.examples.get(reason, Counter())
        top = sorted(ex, key=lambda e: (-ex[e], e))[:_EXAMPLES]
        return top + (["..."] if len(ex) > _EXAMPLES else [])

    def as_dict(self) -> dict[str, Any]:
        """The tally as JSON: ``files``, ``folders`` and per reason its ``count`` and up to
        three most frequent ``examples`` (``"..."`` last when there were more)."""
        return {
            "files": self.files,
            "folders": self.folders,
            "reasons": {
                reason: {"count": n, "examples": self._top(reason)}
                for reason, n in sorted(self.counts.items())
            },
        }


def _n(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Selection:
    """``include``/``exclude`` globs, compiled; empty ``include`` means document types."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include = [compile_glob(g) for g in include]
        self.exclude = [compile_glob(g) for g in exclude]

    def skip_file(self, path: str, name: str = "") -> tuple[str, str] | None:
        """``(reason, example)`` when the file at ``path`` (named ``name``, the last part
        of the path: given by the walk, which knows it) is left out, else None."""
        for g in self.exclude:
            if g.matches(path):
                return EXCLUDED, g.text
        name = name or path.rpartition("/")[2]
        if not self.include:
            if name.lower().endswith(DOCUMENT_SUFFIXES):
                return None
            return NOT_DOCUMENT, _kind_of(name)
        if any(g.matches(path) for g in self.include):
            return None
        return NOT_INCLUDED, _kind_of(name)

    def skip_folder(self, path: str) -> str | None:
        """The exclude pattern that covers the whole folder at ``path``, if any."""
        return next((g.text for g in self.exclude if g.covers_folder(path)), None)


def _kind_of(name: str) -> str:
    """How an example names a file: ``*.png``, or the name itself when it has no suffix."""
    stem, dot, suffix = name.rpartition(".")
    return f"*.{suffix}" if dot and stem else name


def check_globs(patterns: Sequence[str], option: str) -> list[str]:
    """The patterns as a list of strings; raise :class:`GlobError` for an unusable one."""
    if isinstance(patterns, str):
        patterns = [patterns]
    out = [str(p) for p in patterns]
    for p in out:
        try:
            compile_glob(p)
        except GlobError as exc:
            raise GlobError(f"{option}: {exc}") from None
    return out

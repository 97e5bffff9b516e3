"""Stage 2, front matter: YAML, TOML or JSON metadata split from the body.

python-frontmatter finds and splits the block; we give it loaders that are safe
by construction: YAML goes through ``SafeLoader`` (no tag can construct a Python
object) with a cap on alias expansion (a "billion laughs" block fails at the
first few dozen aliases instead of expanding), TOML through the standard
library's ``tomllib``.  Every error names the line in the original file.  The
body keeps its line offset so later stages report original line numbers.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, TOMLHandler, YAMLHandler

from ...errors import IngestError
from ...limits import DEFAULT_LIMITS, Limits

STAGE = "front_matter"
_KEY_LINE = re.compile(r"^[A-Za-z_][\w .-]*:(\s|$)", re.MULTILINE)
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class FrontMatter:
    """Front matter as a mapping, its format, and the body after it (with its line)."""

    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line number of the body's first line in the file
    format: str | None  # "yaml" | "toml" | "json" | None


class _AliasLimit(yaml.YAMLError):
    def __init__(self, mark: Any) -> None:
        super().__init__("too many YAML aliases")
        self.problem_mark = mark


@lru_cache(maxsize=8)  # one class per pair of limits, not one per document
def _bounded_loader(max_aliases: int, max_nodes: int) -> type[yaml.SafeLoader]:
    class BoundedSafeLoader(yaml.SafeLoader):
        """SafeLoader that tracks the size the document would have once aliases are
        expanded, and refuses it past ``max_nodes`` or ``max_aliases``, before any
        consumer can walk the shared structure."""

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._aliases = 0
            self._weight: dict[int, int] = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                node = super().compose_node(parent, index)
                self._aliases += 1
                if self._aliases > max_aliases or self._weight.get(id(node), 1) > max_nodes:
                    raise _AliasLimit(mark)
                return node
            node = super().compose_node(parent, index)
            weight = 1
            if isinstance(node, yaml.SequenceNode):
                weight += sum(self._weight.get(id(c), 1) for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                weight += sum(
                    self._weight.get(id(k), 1) + self._weight.get(id(v), 1) for k, v in node.value
                )
            if weight > max_nodes:
                raise _AliasLimit(getattr(node, "start_mark", None))
            self._weight[id(node)] = weight
            return node

    return BoundedSafeLoader


class _SafeYAML(YAMLHandler):
    def __init__(self, limits: Limits) -> None:
        self._bounded = _bounded_loader(limits.max_yaml_aliases, limits.max_yaml_nodes)

    def load(self, fm: str, **kwargs: object) -> Any:
        # Anchors (&name) are the only way aliases can resolve; without one the fast
        # C loader is safe.  With one, the pure-Python loader counts every alias.
        loader = self._bounded if "&" in fm else _FAST_LOADER
        return yaml.load(fm, Loader=loader)


class _TOML(TOMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


class _JSON(JSONHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return json.loads(fm)


def key_position(fm_lines: list[str], keys: tuple[str, ...]) -> tuple[int, int | None]:
    """1-based (line, column) of the value of the first of ``keys`` set at the top of the
    front matter in ``fm_lines`` (``key: v``, ``key = v``, ``"key": v``); the column is
    None when the value starts on a later line.  ``(1, None)`` when no line sets one
    (the front matter's first line: where a reader starts looking)."""
    names = "|".join(re.escape(k) for k in keys)
    rx = re.compile(rf"^(?:(?:{names})|[ \t]*\"(?:{names})\")[ \t]*[:=][ \t]*")
    for i, text in enumerate(fm_lines, start=1):
        m = rx.match(text)
        if m:
            rest = text[m.end() :].rstrip()
            return i, (m.end() + 1 if rest and rest not in (">", "|", ">-", "|-") else None)
    return 1, None


def parse_front_matter(text: str, limits: Limits = DEFAULT_LIMITS) -> FrontMatter:
    """Split ``text`` into metadata and body; raise :class:`IngestError` on bad metadata."""
    if not text.startswith(("---", "+++", "{")):
        return FrontMatter({}, text, 1, None)
    handlers: list[BaseHandler] = [_SafeYAML(limits), _TOML(), _JSON()]
    handler = frontmatter.detect_format(text, handlers)
    if handler is None:
        return FrontMatter({}, text, 1, None)
    fmt = (
        "yaml"
        if isinstance(handler, YAMLHandler)
        else ("toml" if isinstance(handler, TOMLHandler) else "json")
    )
    span = _split(text, handler)
    if span is None:
        if fmt == "yaml" and _KEY_LINE.search(text[:2000]):
            raise IngestError(
                STAGE,
                "front_matter_unterminated",
                "front matter opened with '---' on line 1 is never closed",
                line=1,
            )
        return FrontMatter({}, text, 1, None)
    fm_start, fm_end, body_start = span
    fm = text[fm_start:fm_end]
    if fmt == "json":  # the JSON handler keeps its braces as part of the data
        fm = text[:body_start]
    if len(fm) > limits.max_front_matter_chars:
        raise IngestError(
            STAGE,
            "front_matter_too_large",
            f"front matter is {len(fm):,} characters; the limit is "
            f"{limits.max_front_matter_chars:,}",
            line=1,
        )
    first_line = text.count("\n", 0, fm_start) + 1
    meta = _load(handler, fm, fmt, first_line)
    body = text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    return FrontMatter(meta, body, body_line, fmt)


def _split(text: str, handler: BaseHandler) -> tuple[int, int, int] | None:
    """(start of metadata, end of metadata, start of body), using the handler's fences."""
    pattern = handler.FM_BOUNDARY
    assert pattern is not None
    fences = []
    for m in pattern.finditer(text):
        fences.append(m)
        if len(fences) == 2:
            break
    if len(fences) < 2 or fences[0].start() != 0:
        return None
    first, second = fences
    fm_start = _after_line(text, first.start())
    body_start = _after_line(text, second.start())
    return fm_start, second.start(), body_start


def _after_line(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl + 1


def _load(handler: BaseHandler, fm: str, fmt: str, first_line: int) -> dict[str, Any]:
    try:
        meta = handler.load(fm)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _load_error(exc, fmt, first_line) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise IngestError(
            STAGE,
            "front_matter_not_mapping",
            f"front matter must be a mapping of keys to values, not a {type(meta).__name__}",
            line=first_line,
        )
    return {str(k): v for k, v in meta.items()}


def _load_error(exc: Exception, fmt: str, first_line: int) -> IngestError:
    """The one-line error for front matter its loader refused, at the line it names."""
    if isinstance(exc, _AliasLimit):
        return IngestError(
            STAGE,
            "yaml_alias_limit",
            "front matter uses too many YAML aliases (possible alias bomb); refused "
            "without expanding it",
            line=_mark_line(exc, first_line),
        )
    if isinstance(exc, yaml.constructor.ConstructorError):
        tag = str(exc.problem or "")
        code = "yaml_python_tag" if "python/" in tag else "yaml_unknown_tag"
        return IngestError(
            STAGE,
            code,
            f"front matter uses a YAML tag that is not allowed ({_tag(tag)}); "
            "tags that construct objects are refused",
            line=_mark_line(exc, first_line),
        )
    if isinstance(exc, yaml.YAMLError):
        line, problem = _yaml_problem(exc, first_line)
        msg = f"front matter is not valid YAML at line {line}: {problem}"
        return IngestError(STAGE, "yaml_syntax", msg, line=line)
    if isinstance(exc, tomllib.TOMLDecodeError):
        lineno = getattr(exc, "lineno", None)
        msg = f"front matter is not valid TOML: {str(exc).split(' (at')[0]}"
        return IngestError(
            STAGE, "toml_syntax", msg, line=first_line + lineno - 1 if lineno else first_line
        )
    if isinstance(exc, json.JSONDecodeError):
        line = first_line + exc.lineno - 1 - (1 if fmt == "json" else 0)
        return IngestError(
            STAGE, "json_syntax", f"front matter is not valid JSON: {exc.msg}", line=line
        )
    return IngestError(
        STAGE, "front_matter_too_deep", "front matter nests too deeply", line=first_line
    )


def _yaml_problem(exc: yaml.YAMLError, first_line: int) -> tuple[int, str]:
    """Where a YAML error starts, and what it is.  For a construct left open (a quote
    never closed: "while scanning a quoted scalar ... found unexpected end of stream")
    the parser's problem mark is where it gave up, often the end of the front matter;
    the construct began at the context mark, which is the line to look at."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    start = getattr(exc, "context_mark", None)
    end = getattr(exc, "problem_mark", None)
    if start is not None and end is not None and context.startswith("while "):
        opened, gave_up = first_line + start.line, first_line + end.line
        if opened != gave_up:
            return opened, f"{problem} (at line {gave_up}) {context} that starts here"
    return _mark_line(exc, first_line), problem


def _mark_line(exc: Exception, first_line: int) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return first_line + mark.line if mark is not None else first_line


def _tag(problem: str) -> str:
    m = re.search(r"'([^']+)'", problem)
    return m.group(1) if m else problem

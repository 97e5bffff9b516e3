"""One source file in, the warehouse rows of that file (or one structured error) out.

This is the library's main entry point, :func:`process_bytes`: decode -> front
matter -> blocks -> one extraction pass (sections, facts, list items, tables,
citations, references, FAQ blocks, boilerplate, metadata lines) -> classify
family -> FAQ reconcile -> citation resolution -> rows.  It is pure: bytes and a
path in, plain data out, so it runs the same in a worker process, a Dask worker,
a test or ``ingest validate``.  Any failure becomes an :class:`~ingest.errors.Issue`;
nothing raised inside escapes, so one bad document never stops a batch.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from . import PARSER_VERSION, boilerplate, citations, clean, faq, preflight, references
from .blocks import Block, parse_blocks
from .decode import decode
from .entries import NotRegularFile, read_regular
from .errors import IngestError, Issue, truncate, warning
from .families import classify
from .front import parse_front_matter
from .limits import DEFAULT_LIMITS, Limits
from .tables import RawTable, html_tables, merge_tab_runs, pipe_table, tsv_segments

Row = dict[str, Any]
TABLES = (
    "documents",
    "sections",
    "list_items",
    "facts",
    "faqs",
    "repairs",
    "doc_tables",
    "table_cells",
    "citations",
    "reference_entries",
    "document_warnings",
)
_FACT = re.compile(r"^\s*\*\*([^*\n]{1,120}?)(?::\s*\*\*|\*\*\s*:)\s*(.+)$", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{[A-Z][A-Z0-9_]{2,}\}|\{\{\s*[a-z_]+\s*\}\}")


def doc_id_for(source: str, source_path: str) -> str:
    """Stable id of a document: the first 16 hex digits of sha256 of
    ``"<source>:<source_path>"`` (source names never hold ``:``).  The warehouse's
    migration computes the same value in SQL (:mod:`ingest.migrate`)."""
    return hashlib.sha256(f"{source}:{source_path}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class DocResult:
    source_path: str
    doc_id: str
    content_sha256: str
    n_bytes: int
    family: str | None = None
    rows: dict[str, list[Row]] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None
    timings: dict[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


def process_file(
    path: Path, source_path: str, limits: Limits = DEFAULT_LIMITS, *, source: str = ""
) -> DocResult:
    """Read and process one file; an unreadable file becomes a (transient) read error.
    Only a regular file is read (:func:`~ingest.entries.read_regular`): one that became
    a FIFO or a device since the walk is refused, never waited on."""
    try:
        data = read_regular(path)
    except OSError as exc:
        res = DocResult(source_path, doc_id_for(source, source_path), "", 0, source=source)
        res.error = _read_error(exc, source_path)
        return res
    return process_bytes(data, source_path, limits, source=source)


def _read_error(exc: OSError, source_path: str) -> Issue:
    if isinstance(exc, NotRegularFile):
        return Issue(
            "read",
            "not_regular_file",
            source_path,
            "no longer a regular file when it was read (it changed during the run): not read",
            transient=True,
        )
    return Issue(
        "read", "unreadable", source_path, f"cannot read file: {exc.strerror}", transient=True
    )


def process_bytes(
    data: bytes, source_path: str, limits: Limits = DEFAULT_LIMITS, *, source: str = ""
) -> DocResult:
    res = DocResult(
        source_path,
        doc_id_for(source, source_path),
        hashlib.sha256(data).hexdigest(),
        len(data),
        source=source,
    )
    ex = _Extraction(res, limits)
    try:
        ex.run(data)
    except IngestError as exc:
        res.error = exc.at(source_path)
        res.rows = {}
    except RecursionError:
        res.error = Issue(
            ex.stage, "too_deeply_nested", source_path, "document nests too deeply to parse safely"
        )
        res.rows = {}
    except Exception as exc:  # never let one document crash a batch
        res.error = Issue(
            ex.stage,
            "internal_error",
            source_path,
            truncate(f"unexpected {type(exc).__name__}: {exc}"),
        )
        res.rows = {}
    return res


@dataclass(slots=True)
class _Section:
    id: int
    parent: _Section | None
    level: int
    heading: str
    line: int
    boiler: bool = False
    refs: bool = False
    faq: bool = False
    parts: list[str] = field(default_factory=list)
    prev_para: bool = False
    dropped: int = 0
    kept_content: int = 0


class _Extraction:
    """State of one pass over one document (kept off the public API)."""

    def __init__(self, res: DocResult, limits: Limits) -> None:
        self.res = res
        self.limits = limits
        self.stage = "decode"
        self.meta: dict[str, Any] = {}
        self.headings: list[str] = []
        self.fields: dict[str, str] = {}
        self.references: list[references.Reference] = []
        self.citation_count = 0
        self.sections: list[_Section] = []
        self.rows: dict[str, list[Row]] = {t: [] for t in TABLES}
        self.faq_blocks: list[tuple[str, str, int]] = []
        self.vendor: str | None = None
        self.n_cells = 0

    # -- driver -------------------------------------------------------------
    def run(self, data: bytes) -> None:
        res, t = self.res, time.perf_counter
        t0 = t()
        dec = decode(data, self.limits)
        for fld, rule, before, after, line in dec.repairs:
            self.repair(fld, rule, before, after, line)
        self.stage = "front_matter"
        t1 = t()
        fm = parse_front_matter(dec.text, self.limits)
        self.meta = fm.meta
        self.stage = "parse"
        t2 = t()
        preflight.check(fm.body, fm.body_line, self.limits)
        self.lines = dec.text.split("\n")
        self.body = fm.body
        self.body_line = fm.body_line
        blocks, fallback = parse_blocks(fm.body, fm.body_line)
        if fallback:
            self.warn(
                "parse",
                "parser_fallback",
                "the fast Markdown parser failed on this document; parsed with the "
                "pure-Python one instead",
            )
        self.stage = "extract"
        t3 = t()
        self.walk(blocks)
        self.read_reference_sections()
        family = classify(self)
        res.family = family.NAME
        self.stage = "repair"
        self.build_faqs()
        self.resolve_citations()
        self.finish_sections()
        self.document_row(dec.encoding, fm.format, family.metadata(self), len(self.lines))
        self.check_quality()
        t4 = t()
        res.rows = self.rows
        res.timings = {
            "decode": t1 - t0,
            "front_matter": t2 - t1,
            "parse": t3 - t2,
            "extract": t4 - t3,
        }

    # -- helpers --------------------------------------------------------------
    def repair(self, fld: str, rule: str, before: str, after: str, line: int | None) -> None:
        self.rows["repairs"].append(
            {
                "doc_id": self.res.doc_id,
                "position": len(self.rows["repairs"]) + 1,
                "field": fld,
                "rule": rule,
                "before": before,
                "after": after,
                "line_start": line,
            }
        )

    def warn(self, stage: str, code: str, message: str, line: int | None = None) -> None:
        self.res.warnings.append(warning(stage, code, self.res.source_path, message, line))

    def new_section(self, level: int, heading: str, line: int) -> _Section:
        stack_parent = None
        for s in reversed(self.sections):
            if s.level < level:
                stack_parent = s
                break
        sec = _Section(len(self.sections) + 1, stack_parent, level, heading, line)
        if stack_parent is not None:
            sec.boiler = stack_parent.boiler
            sec.faq = stack_parent.faq
        if boilerplate.is_boilerplate_heading(heading, self.vendor):
            sec.boiler = True
        if references.HEADING.match(heading):
            sec.refs = True
        elif faq.SECTION.search(heading):
            sec.faq = True
        self.sections.append(sec)
        return sec

    def current(self) -> _Section:
        if not self.sections:
            return self.new_section(0, "", 1)
        return self.sections[-1]

    # -- the pass -------------------------------------------------------------
    def walk(self, blocks: list[Block]) -> None:
        skip_until = 0
        for b in boilerplate.mark_furniture(merge_tab_runs(blocks, self.lines)):
            if b.line <= skip_until:
                continue
            if b.kind == "heading":
                text = clean.heading(citations.strip(b.text))
                self.headings.append(text)  # for family detection, after the walk
                sec = self.new_section(b.level, text, b.line)
                if sec.faq:
                    sec.heading = faq.strip_prefix(sec.heading) or sec.heading
                if sec.faq and not sec.boiler:
                    self.faq_blocks.append((b.text, "heading", b.line))
                continue
            sec = self.current()
            if sec.boiler or b.furniture:
                sec.dropped += 1
                continue
            if b.kind in ("para", "item"):
                if sec.refs:
                    continue
                if references.FOOTNOTE_DEF.match(b.text.partition("\n")[0]):
                    continue  # footnote definitions are read from raw lines later
                if b.kind == "para" and "\t" in b.text:
                    for seg in tsv_segments(self.lines[b.line - 1 : b.end], b.line):
                        if isinstance(seg, RawTable):
                            self.add_table(seg, sec)
                            sec.prev_para = False
                        else:
                            self.add_text(seg[1], "para", seg[0], sec, b.quote)
                else:
                    self.add_text(b.text, b.kind, b.line, sec, b.quote, b.level)
            elif b.kind == "table":
                if b.rows:
                    self.add_table(pipe_table(b.rows, b.line), sec)
                sec.prev_para = False
            elif b.kind == "html":
                skip_until = self.add_html(b, sec)
            else:
                sec.prev_para = False

    def add_text(
        self, raw: str, kind: str, line: int, sec: _Section, quote: int = 0, depth: int = 0
    ) -> None:
        marks, stripped = citations.scan(raw, self.limits.max_citation_range)
        text = clean.plain(stripped)
        if not text:
            return
        if boilerplate.is_boilerplate(text):
            sec.dropped += 1
            return
        if kind == "para" and not sec.faq:
            found = boilerplate.metadata_fields(text)
            if found:
                for k, v in found.items():
                    self.fields.setdefault(k, clean.plain(v))
                if "author" in found:
                    self.vendor = boilerplate.vendor_from_author(found["author"])
                return
        for mk in marks:
            self.add_citation(mk.number, line + raw.count("\n", 0, mk.offset), sec.id, None, None)
        if sec.faq:
            self.faq_blocks.append((stripped, kind, line))
            text = faq.strip_prefix(text) or text
        sec.kept_content += 1
        if kind == "item":
            self.rows["list_items"].append(
                {
                    "doc_id": self.res.doc_id,
                    "section_id": sec.id,
                    "position": len(self.rows["list_items"]) + 1,
                    "depth": depth,
                    "text": text,
                    "line_start": line,
                }
            )
            fm = _FACT.match(stripped)
            if fm:
                value = clean.plain(fm.group(2))
                fkey = clean.heading(fm.group(1))
                if value and fkey:
                    self.rows["facts"].append(
                        {
                            "doc_id": self.res.doc_id,
                            "section_id": sec.id,
                            "position": len(self.rows["facts"]) + 1,
                            "key": fkey,
                            "value": value,
                            "line_start": line,
                        }
                    )
            sec.parts.append(text)
            sec.prev_para = False
            return
        if (
            sec.prev_para
            and sec.parts
            and text[:1].islower()
            and len(text.split(None, 3)) > 2
            and _open_ended(sec.parts[-1])
        ):
            prev = sec.parts[-1]
            joined = prev + " " + text
            self.repair(
                f"sections[{sec.id}].text",
                "rejoin_split_paragraph",
                prev[-80:] + "\n\n" + text[:80],
                prev[-80:] + " " + text[:80],
                line,
            )
            sec.parts[-1] = joined
        else:
            sec.parts.append(text)
        sec.prev_para = quote == 0

    def add_html(self, b: Block, sec: _Section) -> int:
        sec.prev_para = False
        low = b.text.lower()
        if "<table" in low:
            html = b.text
            end = b.end
            if "</table>" not in low:  # an HTML block ends at a blank line; tables may not
                for i in range(b.end, len(self.lines)):
                    if "</table>" in self.lines[i].lower():
                        end = i + 1
                        break
                html = "\n".join(self.lines[b.line - 1 : end])
            for t in html_tables(html, b.line):
                self.add_table(t, sec)
            return end
        text = clean.plain(citations.strip(b.text))
        if text and not boilerplate.is_boilerplate(text):
            self.add_text(b.text, "para", b.line, sec)
        return 0

    def add_citation(
        self,
        number: int,
        line: int,
        section_id: int | None,
        table_id: int | None,
        row_index: int | None,
    ) -> None:
        self.citation_count += 1
        self.rows["citations"].append(
            {
                "doc_id": self.res.doc_id,
                "position": len(self.rows["citations"]) + 1,
                "ref_number": number,
                "resolved": False,
                "section_id": section_id,
                "table_id": table_id,
                "row_index": row_index,
                "line_start": line,
            }
        )

    def add_table(self, t: RawTable, sec: _Section) -> None:
        table_id = len(self.rows["doc_tables"]) + 1
        n_cols = t.n_cols
        self.n_cells += n_cols * (len(t.rows) + 1)
        if self.n_cells > self.limits.max_table_cells:
            raise IngestError(
                "extract",
                "too_many_table_cells",
                f"tables hold more than {self.limits.max_table_cells:,} cells",
                line=t.line,
            )
        names = _column_names(t.header, n_cols)
        for r, row in enumerate(t.rows, start=1):
            line = t.row_lines[r - 1] if r - 1 < len(t.row_lines) else t.line
            self.add_row(t, table_id, r, line, row, names)
        sec.kept_content += 1
        self.rows["doc_tables"].append(
            {
                "doc_id": self.res.doc_id,
                "table_id": table_id,
                "position": table_id,
                "format": t.format,
                "n_rows": len(t.rows),
                "n_cols": n_cols,
                "section_id": sec.id,
                "line_start": t.line,
                "header": t.header is not None,
                "columns": json.dumps(names, ensure_ascii=False),
            }
        )

    def add_row(
        self, t: RawTable, table_id: int, r: int, line: int, row: list[str], names: list[str]
    ) -> None:
        """The cells of row ``r`` (padded to the table's width) and their citations.
        The per-cell work is kept to what the cell needs: most cells hold no ``[``."""
        keep_nl = t.format == "html"
        doc_id, plain = self.res.doc_id, clean.plain
        append = self.rows["table_cells"].append
        width = len(row)
        for c, name in enumerate(names):
            raw = row[c] if c < width else ""
            if "[" in raw:
                marks, raw = citations.scan(raw, self.limits.max_citation_range)
                for mk in marks:
                    self.add_citation(mk.number, line, None, table_id, r)
            append(
                {
                    "doc_id": doc_id,
                    "table_id": table_id,
                    "row_index": r,
                    "col_index": c + 1,
                    "column_name": name,
                    "text": plain(raw, keep_newlines=keep_nl, cell=True),
                }
            )

    # -- after the pass ---------------------------------------------------------
    def read_reference_sections(self) -> None:
        starts = [s.line for s in self.sections]
        in_lists: set[int] = set()
        for i, sec in enumerate(self.sections):
            if not sec.refs or sec.boiler:
                continue
            end = starts[i + 1] - 1 if i + 1 < len(starts) else len(self.lines)
            self.references.extend(references.parse_list(self.lines[sec.line : end], sec.line + 1))
            in_lists.update(range(sec.line, end))
        if "[^" in self.body:  # footnote definitions anywhere else in the body
            self.references.extend(references.footnotes(self.lines, self.body_line, in_lists))
        seen: dict[int, references.Reference] = {}
        dupes: list[references.Reference] = []
        for ref in self.references:
            if ref.number in seen:
                dupes.append(ref)
                continue
            seen[ref.number] = ref
        if dupes:
            nums = dict.fromkeys(r.number for r in dupes)
            self.warn(
                "extract",
                "duplicate_reference_number",
                f"reference numbers listed more than once (first kept): {_numbers(nums)}",
                dupes[0].line,
            )
        self.references = list(seen.values())

    def build_faqs(self) -> None:
        repairs: list[faq.Repair] = []
        fm_items = self.meta.get("faqs", self.meta.get("faq", self.meta.get("FAQs")))
        front = faq.from_front_matter(fm_items, repairs)
        body = self._body_faqs()
        merged = faq.reconcile(front, body, repairs)
        for fld, rule, before, after, where in repairs:
            self.repair(fld, rule, before, after, where)
        for i, f in enumerate(merged, start=1):
            if not f.answer:
                self.warn(
                    "repair",
                    "faq_missing_answer",
                    f"FAQ {i} has no answer on either side: {f.question}",
                    f.line,
                )
            self.rows["faqs"].append(
                {
                    "doc_id": self.res.doc_id,
                    "position": i,
                    "question": f.question,
                    "answer": f.answer or None,
                    "origin": f.origin,
                    "line_start": f.line,
                }
            )

    def _body_faqs(self) -> list[faq.Faq]:
        """Question/answer pairs of the body's FAQ blocks.  Where answers carry an ``A:``
        label, unlabelled paragraphs after one are held back: they join that answer if
        another question follows (a second paragraph), and are dropped after the last
        (a disclaimer under the list is not part of its last answer)."""
        body: list[faq.Faq] = []
        cur: faq.Faq | None = None
        labelled = False
        held: list[str] = []
        for raw, kind, line in self.faq_blocks:
            q, a = faq.parse_body_block(raw, kind)
            if q:
                if cur is not None and held:
                    cur.answer = " ".join([cur.answer, *held]).strip()
                held = []
                cur = faq.Faq(q, a or "", "body", line)
                body.append(cur)
            elif a and cur is not None:
                is_label = faq.labelled_answer(raw)
                labelled = labelled or is_label
                if labelled and not is_label and cur.answer:
                    held.append(a)
                else:
                    cur.answer = f"{cur.answer} {a}".strip() if cur.answer else a
        return body

    def resolve_citations(self) -> None:
        numbers = {r.number for r in self.references}
        cited: set[int] = set()
        dangling: dict[int, int] = {}
        for c in self.rows["citations"]:
            n = c["ref_number"]
            cited.add(n)
            c["resolved"] = n in numbers
            if not c["resolved"]:
                dangling.setdefault(n, c["line_start"])
        for r in self.references:
            self.rows["reference_entries"].append(
                {
                    "doc_id": self.res.doc_id,
                    "ref_number": r.number,
                    "title": r.title or None,
                    "source": r.source,
                    "domain": r.domain,
                    "url": r.url,
                    "line_start": r.line,
                    "cited": r.number in cited,
                }
            )
        if dangling and numbers:
            first = min(dangling.values())
            self.warn(
                "extract",
                "dangling_citation",
                f"cited but not in the reference list: {_numbers(dangling)}",
                first,
            )
        elif dangling:
            self.warn(
                "extract",
                "no_reference_list",
                f"document cites {_numbers(dangling)} but has no reference list",
                min(dangling.values()),
            )
        uncited = sorted(numbers - cited)
        if uncited and cited:
            self.warn(
                "extract",
                "uncited_reference",
                f"references never cited in the text: {_numbers(dict.fromkeys(uncited, 0))}",
                next(r.line for r in self.references if r.number == uncited[0]),
            )

    def finish_sections(self) -> None:
        title = self.title()
        keep: dict[int, int] = {}
        kept_children: set[int] = set()
        for sec in reversed(self.sections):
            empty_vendor = sec.dropped > 0 and sec.kept_content == 0 and sec.id not in kept_children
            if sec.boiler or (empty_vendor and not sec.refs):
                continue
            keep[sec.id] = 0
            if sec.parent is not None:
                kept_children.add(sec.parent.id)
        for new_id, sec in enumerate((s for s in self.sections if s.id in keep), start=1):
            keep[sec.id] = new_id
        doc_id = self.res.doc_id
        for sec in self.sections:
            if sec.id not in keep:
                continue
            parent = sec.parent.id if sec.parent is not None and sec.parent.id in keep else None
            self.rows["sections"].append(
                {
                    "doc_id": doc_id,
                    "section_id": keep[sec.id],
                    "parent_section_id": keep[parent] if parent else None,
                    "level": sec.level,
                    "heading": sec.heading or title,
                    "text": "\n".join(sec.parts),
                    "line_start": sec.line,
                }
            )
        for table in ("list_items", "facts", "doc_tables", "citations"):
            rows = self.rows[table]
            for row in rows:
                old = row.get("section_id")
                if old is not None:
                    row["section_id"] = keep.get(old)
        self.rows["list_items"] = [r for r in self.rows["list_items"] if r["section_id"]]
        self.rows["facts"] = [r for r in self.rows["facts"] if r["section_id"]]

    def title(self) -> str:
        t = self.meta.get("title")
        if isinstance(t, str) and t.strip():
            return clean.plain(t)
        for s in self.sections:
            if s.level == 1 and s.heading:
                return s.heading
        for s in self.sections:
            if s.heading:
                return s.heading
        return PurePosixPath(self.res.source_path).stem

    def document_row(
        self, encoding: str, fm_format: str | None, fam: dict[str, Any], n_lines: int
    ) -> None:
        meta = self.meta
        description, truncated = self.description()
        author = self.fields.get("author") or _text(meta.get("author", meta.get("authors")))
        row: Row = {
            "doc_id": self.res.doc_id,
            "source": self.res.source,
            "source_path": self.res.source_path,
            "family": self.res.family,
            "title": self.title(),
            "content_sha256": self.res.content_sha256,
            "n_bytes": self.res.n_bytes,
            "n_lines": n_lines,
            "encoding": encoding,
            "front_matter_format": fm_format,
            "description": description,
            "description_truncated": truncated,
            "is_banned": None,
            "last_modified": _text(
                _first(meta, "lastModified", "last_modified", "modified", "updated", "lastmod")
            ),
            "author": author,
            "published": self.fields.get("published")
            or _text(_first(meta, "published", "date", "pubDate", "publishDate")),
            "compound_name": self.fields.get("compound_name"),
            "catalog_number": self.fields.get("catalog_number"),
            "cas_number": self.fields.get("cas_number"),
            "meta_json": _meta_json(meta),
            "parser_version": PARSER_VERSION,
        }
        row.update(fam)
        self.rows["documents"].append(row)

    def description(self) -> tuple[str | None, bool]:
        raw = self.meta.get("description", self.meta.get("summary"))
        if not isinstance(raw, str) or not raw.strip():
            return None, False
        d = raw.strip()
        if d.startswith(("- ", "* ")):
            self.repair("description", "description_list_marker", d[:80], d[2:82], None)
            d = d[2:]
        squashed = clean.squash(d)
        if squashed != d:
            self.repair("description", "whitespace", d, squashed, None)
        truncated = squashed.endswith(("...", "…"))
        if truncated:
            self.warn(
                "front_matter",
                "truncated_description",
                "front-matter description is cut off (ends with '...')",
                1,
            )
        return squashed, truncated

    def check_quality(self) -> None:
        if self.res.family == "monograph" and not any(s.level > 0 for s in self.sections):
            self.warn("extract", "no_sections", "monograph has no headed sections")
        body_sample = "\n".join(self.lines[:400])
        m = _PLACEHOLDER.search(body_sample)
        if m:
            line = body_sample.count("\n", 0, m.start()) + 1
            self.warn(
                "extract",
                "template_placeholders",
                f"document looks like an unfilled template ({m.group()})",
                line,
            )
        for w in self.res.warnings:
            self.rows["document_warnings"].append(
                {
                    "doc_id": self.res.doc_id,
                    "stage": w.stage,
                    "code": w.code,
                    "line_start": w.line,
                    "message": w.message,
                }
            )


def _open_ended(text: str) -> bool:
    """True when ``text`` reads as prose cut mid-sentence (several words, ending on a
    word, comma or hyphen): the first half of a paragraph split by a page break."""
    last = text[-1:]
    return (last.isalnum() or last in ",-–") and len(text.split(None, 6)) > 6


def _column_names(header: list[str] | None, n_cols: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i in range(n_cols):
        raw = header[i] if header and i < len(header) else ""
        name = clean.plain(citations.strip(raw)) or f"col_{i + 1}"
        base, k = name, 2
        while name.lower() in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name.lower())
        names.append(name)
    return names


def _numbers(found: dict[int, Any]) -> str:
    nums = sorted(found)
    shown = ", ".join(f"[{n}]" for n in nums[:20])
    return shown + (f" and {len(nums) - 20} more" if len(nums) > 20 else "")


def _first(meta: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if meta.get(k) not in (None, ""):
            return meta[k]
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        value = value.get("name") or next(iter(value.values()), None)
        return _text(value)
    if isinstance(value, list):
        parts = [p for p in (_text(v) for v in value) if p]
        return "; ".join(parts) or None
    return clean.plain(str(value)) or None


def _meta_json(meta: dict[str, Any]) -> str:
    rest = {k: v for k, v in meta.items() if k not in ("faqs", "faq", "FAQs")}
    return json.dumps(rest, ensure_ascii=False, default=str, sort_keys=True)

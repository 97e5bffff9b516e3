"""Every problem code ``ingest`` can report: what it means, an example, how to fix it.

One table, read by ``ingest rules`` (the reference, or one code), by the SARIF
output (each code is a SARIF rule with its help text) and by the configuration
loader (an unknown code in ``select``/``ignore`` is a usage error, so a typo cannot
silently switch nothing off).  ``docs/rules.md`` is generated from it; a test
fails when that file is out of date or when the source emits a code that is not
listed here.  Codes are grouped by the stage that reports them; the severity is
the default one (configuration can change it for ``ingest validate``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One problem code."""

    code: str
    stage: str
    severity: str  # default: error (quarantined by a run) | warning (loaded, recorded)
    meaning: str
    example: str
    fix: str


def _r(code: str, stage: str, severity: str, meaning: str, example: str, fix: str) -> Rule:
    return Rule(code, stage, severity, meaning, example, fix)


_E, _W = "error", "warning"
_ENTRY_FIX = "Replace it with a regular file, or leave it out with `exclude`."

RULES: tuple[Rule, ...] = (
    # -- discover: entries that are not regular files -----------------------------
    _r(
        "fifo",
        "discover",
        _E,
        "A named pipe; reading one can wait forever, so it is never opened.",
        "`mkfifo docs/feed.md`",
        _ENTRY_FIX,
    ),
    _r(
        "socket",
        "discover",
        _E,
        "A Unix socket where a document was expected.",
        "a socket file `docs/agent.sock.md`",
        _ENTRY_FIX,
    ),
    _r(
        "device",
        "discover",
        _E,
        "A character or block device (also through a link, e.g. to `/dev/zero`).",
        "`ln -s /dev/zero docs/zero.md`",
        _ENTRY_FIX,
    ),
    _r(
        "special_file",
        "discover",
        _E,
        "An entry of some other non-regular type.",
        "a door or whiteout entry",
        _ENTRY_FIX,
    ),
    _r(
        "broken_symlink",
        "discover",
        _E,
        "A symbolic link to something that does not exist; the message names the target.",
        "`ln -s missing.md docs/a.md`",
        "Point the link at an existing file, or remove it.",
    ),
    _r(
        "symlink_loop",
        "discover",
        _E,
        "Links that go round in a circle, or a folder link back to a folder above it.",
        "`ln -s .. docs/up`",
        "Remove the looping link.",
    ),
    _r(
        "unreadable_folder",
        "discover",
        _E,
        "A folder that cannot be listed (permission denied); its path ends in `/`.",
        "`chmod 000 docs/private`",
        "Give read and execute permission on the folder, or exclude it.",
    ),
    _r(
        "stat_failed",
        "discover",
        _E,
        "An entry that cannot even be looked at (in a folder that may be listed but not searched).",
        "a folder with `r` but not `x` permission",
        "Fix the folder's permissions, or exclude it.",
    ),
    # -- read ---------------------------------------------------------------------
    _r(
        "unreadable",
        "read",
        _E,
        "A regular file that cannot be read (permission denied, I/O error).",
        "`chmod 000 docs/a.md`",
        "Make the file readable; a run retries it every time.",
    ),
    _r(
        "not_regular_file",
        "read",
        _E,
        "The file stopped being a regular file between the walk and the read.",
        "a file replaced by a FIFO during a run",
        "Run again once the folder has settled.",
    ),
    # -- decode -------------------------------------------------------------------
    _r(
        "file_too_large",
        "decode",
        _E,
        "The file is larger than the per-document size limit.",
        "a 200 MB export saved as `.md`",
        "Split the document, or exclude it.",
    ),
    _r(
        "empty_file",
        "decode",
        _E,
        "The file is empty or holds only whitespace.",
        "a zero-byte `docs/todo.md`",
        "Write the document, or delete the file.",
    ),
    _r(
        "binary_file",
        "decode",
        _E,
        "The bytes are not text (NUL bytes, an image or archive signature).",
        "a PNG renamed `figure.md`",
        "Keep binaries out of the content folders, or exclude them.",
    ),
    _r(
        "undecodable",
        "decode",
        _E,
        "The text decodes neither as UTF-8 nor as Windows-1252, or decodes to C1 control characters; the line is given.",
        "Latin-2 bytes in a UTF-8 file",
        "Re-save the file as UTF-8.",
    ),
    _r(
        "line_too_long",
        "decode",
        _E,
        "A line is longer than the per-line limit (often minified HTML or a data dump).",
        "a 2 MB single-line HTML export",
        "Break the line, or exclude the file.",
    ),
    # -- front matter -------------------------------------------------------------
    _r(
        "front_matter_unterminated",
        "front_matter",
        _E,
        "Front matter opened with `---` on line 1 is never closed.",
        "`---` then `title: X` and no closing `---`",
        "Add the closing `---` line after the metadata.",
    ),
    _r(
        "front_matter_too_large",
        "front_matter",
        _E,
        "The front-matter block is longer than its limit.",
        "a whole article pasted into `description:`",
        "Move long text into the body.",
    ),
    _r(
        "front_matter_not_mapping",
        "front_matter",
        _E,
        "The front matter is valid YAML/TOML/JSON but not a mapping of keys.",
        "`---` / `- a` / `- b` / `---`",
        "Write the metadata as `key: value` lines.",
    ),
    _r(
        "front_matter_too_deep",
        "front_matter",
        _E,
        "The front matter nests deeper than the limit.",
        "a list of lists 100 levels deep",
        "Flatten the metadata.",
    ),
    _r(
        "yaml_syntax",
        "front_matter",
        _E,
        "The YAML front matter does not parse; the line is where the broken construct opens.",
        "`title: [unclosed`",
        "Close the quote or bracket the message points at.",
    ),
    _r(
        "yaml_alias_limit",
        "front_matter",
        _E,
        "The YAML uses too many aliases (a possible alias bomb); refused without expanding it.",
        "`a: &a [x,x]` / `b: &b [*a,*a]` ...",
        "Write the values out instead of aliasing them.",
    ),
    _r(
        "yaml_python_tag",
        "front_matter",
        _E,
        "A YAML tag that would construct a Python object (never executed).",
        "`x: !!python/object/apply:os.system [ls]`",
        "Remove the tag; front matter holds plain data.",
    ),
    _r(
        "yaml_unknown_tag",
        "front_matter",
        _E,
        "A YAML tag the safe loader does not know.",
        "`date: !timestamp 2024-01-01`",
        "Remove the tag and write the plain value.",
    ),
    _r(
        "toml_syntax",
        "front_matter",
        _E,
        "The TOML front matter (between `+++` lines) does not parse.",
        "`title = unquoted text`",
        "Quote strings; fix the line named in the message.",
    ),
    _r(
        "json_syntax",
        "front_matter",
        _E,
        "The JSON front matter (a leading `{...}` block) does not parse.",
        '`{"title": "X",}`',
        "Fix the JSON (trailing commas, quotes).",
    ),
    _r(
        "truncated_description",
        "front_matter",
        _W,
        "The front-matter description ends in `...`: it was cut off at the source. Points at the description's line and column.",
        "`description: Semaglutide is a GLP-1...`",
        "Write the full description; or ignore the code where truncated descriptions are expected.",
    ),
    # -- parse ----------------------------------------------------------------------
    _r(
        "resource_limit",
        "parse",
        _E,
        "The body's structure (nesting, table cells, links...) or its parse exceeds what one document may spend (time: max_parse_seconds, memory: max_parse_memory_mb; set through INGEST_<LIMIT>).",
        "50,000 nested `>` quote markers",
        "Simplify or split the document.",
    ),
    _r(
        "worker_died",
        "parse",
        _E,
        "The parse worker died while parsing this document alone (a crash, or a signal other than the budgets' SIGKILL/SIGXCPU); the worker was replaced and the run went on.",
        "a document that crashes a native parser library",
        "Report it with the document: it is a bug in a parser. Meanwhile fix or exclude the file.",
    ),
    _r(
        "too_deeply_nested",
        "parse",
        _E,
        "The document nests too deeply for the parser to recurse safely.",
        "thousands of nested list levels",
        "Flatten the nesting.",
    ),
    _r(
        "too_many_table_cells",
        "extract",
        _E,
        "A document holds more table cells than the per-document limit.",
        "a 1,000 x 1,000 pipe table",
        "Move the data into a data file, or split the table.",
    ),
    _r(
        "parser_fallback",
        "parse",
        _W,
        "The fast Markdown parser failed on the document; the pure-Python one parsed it with the same rules.",
        "input that triggers a parser bug",
        "Nothing to fix in the document; report it if it recurs.",
    ),
    _r(
        "internal_error",
        "parse",
        _E,
        "An unexpected failure of the extraction on this document (a bug): the message names the exception.",
        "`unexpected KeyError: ...`",
        "Report it with the file; ignore it meanwhile only if you must.",
    ),
    # -- extract / repair: warnings ---------------------------------------------------
    _r(
        "dangling_citation",
        "extract",
        _W,
        "The text cites numbers the reference list does not have; the line of the first is given.",
        "`... shown in [12]` with references 1-10",
        "Add the missing references or correct the markers.",
    ),
    _r(
        "no_reference_list",
        "extract",
        _W,
        "The text cites numbered references but the document has no reference list.",
        "`[1]` markers and no References section",
        "Add a References section, or remove the markers.",
    ),
    _r(
        "uncited_reference",
        "extract",
        _W,
        "Entries of the reference list are never cited in the text.",
        "reference 7 never appears as `[7]`",
        "Cite the entry or drop it.",
    ),
    _r(
        "duplicate_reference_number",
        "extract",
        _W,
        "The reference list numbers an entry more than once; the first is kept.",
        "two entries numbered `3.`",
        "Renumber the reference list.",
    ),
    _r(
        "faq_missing_answer",
        "repair",
        _W,
        "An FAQ question has an answer neither in the front matter nor in the body.",
        "`faqs: [{q: Is it safe?}]`",
        "Write the answer.",
    ),
    _r(
        "no_sections",
        "extract",
        _W,
        "A monograph has no headed sections.",
        "a monograph body with no `#` headings",
        "Add headings for its parts.",
    ),
    _r(
        "template_placeholders",
        "extract",
        _W,
        "The document looks like an unfilled template; points at the placeholder.",
        "`Dosage: {DOSE_MG}`",
        "Fill in the placeholders.",
    ),
    _r(
        "unreadable_date",
        "extract",
        _W,
        "A publication or last-modified date is not a date ingest can read: the text is kept (documents.published_text / last_modified_text) and the typed column is null.",
        "`date: A Scientific Statement From the American Heart Association`",
        "Write the date as ISO 8601 (2024-03-15), a month and year (March 2024) or a year.",
    ),
    # -- validate -----------------------------------------------------------------------
    _r(
        "invalid_suppression",
        "validate",
        _W,
        "The document's front-matter key `ingest:` cannot be used (not `{ignore: [code, ...]}`, or an unknown code), so it waives nothing.",
        "`ingest: {ignore: [dangling_citations]}`",
        "Write `ingest: {ignore: [code, ...]}` with codes from this reference.",
    ),
    _r(
        "schema_violation",
        "validate",
        _E,
        "Rows extracted from the document fail the warehouse schema (`schemas/warehouse.yaml`); the message names table, column, check and examples.",
        "`faqs.question failed str_matches(...)`: a question without `?`",
        "Fix the content the message names (e.g. end the question with `?`).",
    ),
)

BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}


def explain(code: str) -> str:
    """One rule as plain text, for ``ingest rules CODE``; KeyError when unknown."""
    r = BY_CODE[code]
    return (
        f"{r.code} ({r.severity}, stage {r.stage})\n\n{r.meaning}\n\n"
        f"Example: {r.example}\n\nFix: {r.fix}\n"
    )


def markdown() -> str:
    """The rules reference, ``docs/rules.md``."""
    out = [
        "# Rules reference",
        "",
        "Every code `ingest validate` and `ingest run` can report. Generated from",
        "`src/ingest/rules.py` by `ingest rules --markdown`; do not edit by hand (a test",
        "fails when this file is out of date). Errors quarantine a document in a run and",
        "fail `ingest validate`; warnings are recorded (`document_warnings`) and fail",
        "`ingest validate` only with `--strict`. Configuration can select, ignore or",
        "re-grade codes for `ingest validate` (see the README).",
        "",
        "| code | stage | severity | meaning |",
        "|---|---|---|---|",
    ]
    out += [
        f"| [`{r.code}`](#{r.code}) | {r.stage} | {r.severity} | {_cell(r.meaning)} |"
        for r in RULES
    ]
    for r in RULES:
        out += [
            "",
            f"## {r.code}",
            "",
            f"Stage `{r.stage}`, {r.severity} by default.",
            "",
            r.meaning,
            "",
            f"- Example: {r.example}",
            f"- Fix: {r.fix}",
        ]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")

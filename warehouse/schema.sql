-- Generated from schemas/warehouse.yaml by `ingest schema --ddl`. Do not edit.

CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    n_bytes BIGINT NOT NULL,
    n_lines BIGINT NOT NULL,
    encoding VARCHAR NOT NULL,
    front_matter_format VARCHAR,
    description VARCHAR,
    description_truncated BOOLEAN NOT NULL,
    is_banned BOOLEAN,
    last_modified TIMESTAMPTZ,
    last_modified_text VARCHAR,
    author VARCHAR,
    published DATE,
    published_text VARCHAR,
    compound_name VARCHAR,
    catalog_number VARCHAR,
    cas_number VARCHAR,
    meta_json VARCHAR NOT NULL,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (doc_id)
);

COMMENT ON TABLE documents IS 'One row per loaded source file.';

COMMENT ON COLUMN documents.doc_id IS 'Stable id of the document: first 16 hex digits of sha256(''<source>:<source_path>'').';

COMMENT ON COLUMN documents.source IS 'Name of the source the file was loaded from. References sources.source.';

COMMENT ON COLUMN documents.source_path IS 'Path relative to the source''s root, with `/` separators.';

COMMENT ON COLUMN documents.family IS 'Document family: monograph, guide, generic or html (a plain HTML page).';

COMMENT ON COLUMN documents.title IS 'Front-matter title, else the first H1, else the file name.';

COMMENT ON COLUMN documents.content_sha256 IS 'sha256 of the file''s bytes; unchanged files are skipped by it.';

COMMENT ON COLUMN documents.n_bytes IS 'Size of the file in bytes.';

COMMENT ON COLUMN documents.n_lines IS 'Number of lines in the file.';

COMMENT ON COLUMN documents.encoding IS 'Encoding the file was decoded with (windows-1252 is a logged repair).';

COMMENT ON COLUMN documents.front_matter_format IS 'Format of the front-matter block, if any.';

COMMENT ON COLUMN documents.description IS 'Front-matter description, cleaned.';

COMMENT ON COLUMN documents.description_truncated IS 'True when the description is cut off at the source (ends in ''...'').';

COMMENT ON COLUMN documents.is_banned IS 'Monographs: the front-matter is_banned flag.';

COMMENT ON COLUMN documents.last_modified IS 'Front-matter lastModified/modified/updated as an instant (UTC; a date alone is its midnight, a month its first day). Null when the text is not a date (a document warning says so).';

COMMENT ON COLUMN documents.last_modified_text IS 'last_modified as written in the document.';

COMMENT ON COLUMN documents.author IS 'Author from front matter or a guide''s ''Author:'' line.';

COMMENT ON COLUMN documents.published IS 'Publication date (''Date:'' line or front-matter date); a month or a year alone is its first day. Null when the text is not a date (a document warning says so).';

COMMENT ON COLUMN documents.published_text IS 'Publication date as written (''March 2023'', ''2024-08-15T10:00:00Z'').';

COMMENT ON COLUMN documents.compound_name IS 'Guides: ''Compound Name:'' line.';

COMMENT ON COLUMN documents.catalog_number IS 'Guides: ''Cat. No.:'' line.';

COMMENT ON COLUMN documents.cas_number IS 'Guides: ''CAS No.:'' line, when present.';

COMMENT ON COLUMN documents.meta_json IS 'All other front-matter fields as JSON (FAQs excluded: see faqs).';

COMMENT ON COLUMN documents.parser_version IS 'Version of the extraction that produced the rows.';

COMMENT ON COLUMN documents.run_id IS 'Run that loaded this version of the document. References ingest_runs.run_id.';

CREATE TABLE IF NOT EXISTS sections (
    doc_id VARCHAR NOT NULL,
    section_id BIGINT NOT NULL,
    parent_section_id BIGINT,
    level BIGINT NOT NULL,
    heading VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    line_start BIGINT NOT NULL,
    PRIMARY KEY (doc_id, section_id)
);

COMMENT ON TABLE sections IS 'One row per heading-delimited section. Text is clean prose (no markup, citation markers or boilerplate); list items are lines of it.';

COMMENT ON COLUMN sections.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN sections.section_id IS 'Section number within the document, in reading order.';

COMMENT ON COLUMN sections.parent_section_id IS 'Enclosing section, null at the top.';

COMMENT ON COLUMN sections.level IS 'Heading level (1-6); 0 for text before the first heading.';

COMMENT ON COLUMN sections.heading IS 'Heading text without markup or trailing colon.';

COMMENT ON COLUMN sections.text IS 'Clean prose of the section itself (not of its subsections); split paragraphs rejoined.';

COMMENT ON COLUMN sections.line_start IS '1-based line of the heading in the source file.';

CREATE TABLE IF NOT EXISTS list_items (
    doc_id VARCHAR NOT NULL,
    section_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    depth BIGINT NOT NULL,
    text VARCHAR NOT NULL,
    line_start BIGINT NOT NULL,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE list_items IS 'One row per bullet or numbered list item in section text.';

COMMENT ON COLUMN list_items.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN list_items.section_id IS 'Section holding the item.';

COMMENT ON COLUMN list_items.position IS 'Order of the item in the document.';

COMMENT ON COLUMN list_items.depth IS 'List nesting depth (1 = top level).';

COMMENT ON COLUMN list_items.text IS 'Clean item text.';

COMMENT ON COLUMN list_items.line_start IS '1-based line of the item.';

CREATE TABLE IF NOT EXISTS facts (
    doc_id VARCHAR NOT NULL,
    section_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    key VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    line_start BIGINT NOT NULL,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE facts IS 'One row per key/value bullet (`- **Key:** value`).';

COMMENT ON COLUMN facts.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN facts.section_id IS 'Section holding the fact.';

COMMENT ON COLUMN facts.position IS 'Order of the fact in the document.';

COMMENT ON COLUMN facts.key IS 'The bold key, without colon.';

COMMENT ON COLUMN facts.value IS 'Clean value text.';

COMMENT ON COLUMN facts.line_start IS '1-based line of the bullet.';

CREATE TABLE IF NOT EXISTS faqs (
    doc_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    question VARCHAR NOT NULL,
    answer VARCHAR,
    origin VARCHAR NOT NULL,
    line_start BIGINT,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE faqs IS 'One row per repaired question/answer pair, front matter and body reconciled.';

COMMENT ON COLUMN faqs.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN faqs.position IS 'Order of the FAQ.';

COMMENT ON COLUMN faqs.question IS 'Clean question, ending in ''?'', no markup or ''Q:'' label.';

COMMENT ON COLUMN faqs.answer IS 'Clean answer; null when neither side had one (a warning is recorded).';

COMMENT ON COLUMN faqs.origin IS 'Where the pair was found.';

COMMENT ON COLUMN faqs.line_start IS 'Line of the question in the body, when it appears there.';

CREATE TABLE IF NOT EXISTS repairs (
    doc_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    before VARCHAR NOT NULL,
    after VARCHAR NOT NULL,
    line_start BIGINT,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE repairs IS 'One row per change made to source content while cleaning it.';

COMMENT ON COLUMN repairs.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN repairs.position IS 'Order of the repair.';

COMMENT ON COLUMN repairs.field IS 'What was changed, e.g. faqs[0].q, description, sections[3].text, encoding.';

COMMENT ON COLUMN repairs.rule IS 'Name of the repair rule, e.g. q_embedded_answer, a_prefix, rejoin_split_paragraph, decode_cp1252.';

COMMENT ON COLUMN repairs.before IS 'Value before the repair.';

COMMENT ON COLUMN repairs.after IS 'Value after the repair.';

COMMENT ON COLUMN repairs.line_start IS 'Line in the source, where known.';

CREATE TABLE IF NOT EXISTS doc_tables (
    doc_id VARCHAR NOT NULL,
    table_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    format VARCHAR NOT NULL,
    n_rows BIGINT NOT NULL,
    n_cols BIGINT NOT NULL,
    section_id BIGINT,
    line_start BIGINT NOT NULL,
    header BOOLEAN NOT NULL,
    columns VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, table_id)
);

COMMENT ON TABLE doc_tables IS 'One row per table found in a document.';

COMMENT ON COLUMN doc_tables.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN doc_tables.table_id IS 'Table number within the document.';

COMMENT ON COLUMN doc_tables.position IS 'Order of the table in the document.';

COMMENT ON COLUMN doc_tables.format IS 'Source spelling: tab-separated, HTML or Markdown pipe table.';

COMMENT ON COLUMN doc_tables.n_rows IS 'Data rows, header excluded.';

COMMENT ON COLUMN doc_tables.n_cols IS 'Columns (widest row; ragged rows are padded).';

COMMENT ON COLUMN doc_tables.section_id IS 'Section enclosing the table.';

COMMENT ON COLUMN doc_tables.line_start IS '1-based line of the table''s first row.';

COMMENT ON COLUMN doc_tables.header IS 'True when the first row was taken as the header.';

COMMENT ON COLUMN doc_tables.columns IS 'Column names as a JSON array (col_N when there is no header).';

CREATE TABLE IF NOT EXISTS table_cells (
    doc_id VARCHAR NOT NULL,
    table_id BIGINT NOT NULL,
    row_index BIGINT NOT NULL,
    col_index BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, table_id, row_index, col_index)
);

COMMENT ON TABLE table_cells IS 'One row per data cell of a table (header cells are the column names).';

COMMENT ON COLUMN table_cells.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN table_cells.table_id IS 'Table (doc_tables.table_id).';

COMMENT ON COLUMN table_cells.row_index IS '1-based data row.';

COMMENT ON COLUMN table_cells.col_index IS '1-based column.';

COMMENT ON COLUMN table_cells.column_name IS 'Header text of the column.';

COMMENT ON COLUMN table_cells.text IS 'Clean cell text: entities decoded, citation markers removed, <br> as newline.';

CREATE TABLE IF NOT EXISTS citations (
    doc_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    ref_number BIGINT NOT NULL,
    resolved BOOLEAN NOT NULL,
    section_id BIGINT,
    table_id BIGINT,
    row_index BIGINT,
    line_start BIGINT NOT NULL,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE citations IS 'One row per in-text citation of one reference number (ranges and lists expanded).';

COMMENT ON COLUMN citations.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN citations.position IS 'Order of the citation in the document.';

COMMENT ON COLUMN citations.ref_number IS 'Reference number cited.';

COMMENT ON COLUMN citations.resolved IS 'True when the document''s reference list has an entry with that number.';

COMMENT ON COLUMN citations.section_id IS 'Section where it was found (prose).';

COMMENT ON COLUMN citations.table_id IS 'Table where it was found (cell).';

COMMENT ON COLUMN citations.row_index IS 'Table row holding the marker.';

COMMENT ON COLUMN citations.line_start IS '1-based line of the marker.';

CREATE TABLE IF NOT EXISTS reference_entries (
    doc_id VARCHAR NOT NULL,
    ref_number BIGINT NOT NULL,
    title VARCHAR,
    source VARCHAR,
    domain VARCHAR,
    url VARCHAR,
    line_start BIGINT NOT NULL,
    cited BOOLEAN NOT NULL,
    PRIMARY KEY (doc_id, ref_number)
);

COMMENT ON TABLE reference_entries IS 'One row per entry of a document''s reference list (numbered entries and footnote definitions).';

COMMENT ON COLUMN reference_entries.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN reference_entries.ref_number IS 'Entry number.';

COMMENT ON COLUMN reference_entries.title IS 'Title of the work.';

COMMENT ON COLUMN reference_entries.source IS 'Publisher when named (e.g. PubMed), else the domain.';

COMMENT ON COLUMN reference_entries.domain IS 'Domain in [brackets] or of the URL.';

COMMENT ON COLUMN reference_entries.url IS 'URL, when the entry has one.';

COMMENT ON COLUMN reference_entries.line_start IS '1-based line of the entry.';

COMMENT ON COLUMN reference_entries.cited IS 'True when the text cites this number at least once.';

CREATE TABLE IF NOT EXISTS document_warnings (
    doc_id VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    stage VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    line_start BIGINT,
    message VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, position)
);

COMMENT ON TABLE document_warnings IS 'Warnings about loaded documents (dangling citations, truncated descriptions, templates, dates that could not be read...). They never block a load.';

COMMENT ON COLUMN document_warnings.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN document_warnings.position IS 'Order of the warning in the document.';

COMMENT ON COLUMN document_warnings.stage IS 'Pipeline stage that raised it.';

COMMENT ON COLUMN document_warnings.code IS 'Machine-readable code, e.g. dangling_citation.';

COMMENT ON COLUMN document_warnings.line_start IS 'Line, where known.';

COMMENT ON COLUMN document_warnings.message IS 'Plain-words explanation.';

CREATE TABLE IF NOT EXISTS quarantine (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    content_sha256 VARCHAR,
    stage VARCHAR NOT NULL,
    error_code VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    line_start BIGINT,
    PRIMARY KEY (run_id, source, source_path)
);

COMMENT ON TABLE quarantine IS 'One row per input file a run could not load, with the reason. History of all runs is kept; see the view current_quarantine.';

COMMENT ON COLUMN quarantine.run_id IS 'Run that could not load the file. References ingest_runs.run_id.';

COMMENT ON COLUMN quarantine.source IS 'Name of the source holding the file.';

COMMENT ON COLUMN quarantine.source_path IS 'Path relative to the source''s root; a folder that could not be walked ends in `/`; a name that is not UTF-8 has each such byte as `\xNN` and its backslashes doubled.';

COMMENT ON COLUMN quarantine.content_sha256 IS 'sha256 of the bytes (null when unreadable or never read).';

COMMENT ON COLUMN quarantine.stage IS 'Stage that rejected it: discover (an entry that is not a regular file, never read), read, decode, front_matter, parse, extract, validate.';

COMMENT ON COLUMN quarantine.error_code IS 'Machine-readable code, e.g. yaml_syntax, binary_file; at stage discover: fifo, socket, device, special_file, broken_symlink, symlink_loop, unreadable_folder, stat_failed.';

COMMENT ON COLUMN quarantine.message IS 'Plain-words reason, with the line where known.';

COMMENT ON COLUMN quarantine.line_start IS 'Line of the problem, where known.';

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id VARCHAR NOT NULL,
    action VARCHAR,
    source_names VARCHAR,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    files_seen BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    parser_version VARCHAR NOT NULL,
    sources VARCHAR NOT NULL,
    snapshot_id BIGINT,
    PRIMARY KEY (run_id)
);

COMMENT ON TABLE ingest_runs IS 'One row per run (and per `ingest remove-source`). files_seen = loaded + unchanged + quarantined.';

COMMENT ON COLUMN ingest_runs.run_id IS 'Run id (also the Prefect flow-run id when run by the flow).';

COMMENT ON COLUMN ingest_runs.action IS 'What the run did: `run` (load sources) or `remove-source`. Null in rows written before sources were named.';

COMMENT ON COLUMN ingest_runs.source_names IS 'Names of the sources the run covered, as a JSON array; the run touched documents of these sources only.';

COMMENT ON COLUMN ingest_runs.started_at IS 'Start (UTC).';

COMMENT ON COLUMN ingest_runs.finished_at IS 'End (UTC).';

COMMENT ON COLUMN ingest_runs.files_seen IS 'Input files discovered.';

COMMENT ON COLUMN ingest_runs.loaded IS 'Files parsed and loaded (new or changed).';

COMMENT ON COLUMN ingest_runs.unchanged IS 'Files skipped because their content hash was already loaded.';

COMMENT ON COLUMN ingest_runs.quarantined IS 'Files rejected (see quarantine).';

COMMENT ON COLUMN ingest_runs.removed IS 'Documents deleted because their file left the source.';

COMMENT ON COLUMN ingest_runs.parser_version IS 'Extraction version used.';

COMMENT ON COLUMN ingest_runs.sources IS 'Source roots (absolute paths) as a JSON array, in the order of source_names.';

COMMENT ON COLUMN ingest_runs.snapshot_id IS 'On a DuckLake target, the lake snapshot the run''s commit made: query the lake as it was after the run with `AT (VERSION => snapshot_id)`. Null on the DuckDB file, and for runs recorded before the column existed.';

CREATE TABLE IF NOT EXISTS source_files (
    source VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    parser_version VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    size BIGINT,
    mtime_ns BIGINT,
    error_stage VARCHAR,
    error_code VARCHAR,
    message VARCHAR,
    line_start BIGINT,
    PRIMARY KEY (source, source_path)
);

COMMENT ON TABLE source_files IS 'Bookkeeping: the last known state of every source file, used to skip unchanged files.';

COMMENT ON COLUMN source_files.source IS 'Name of the source holding the file.';

COMMENT ON COLUMN source_files.source_path IS 'Path relative to the source''s root.';

COMMENT ON COLUMN source_files.doc_id IS 'Document id for that path.';

COMMENT ON COLUMN source_files.content_sha256 IS 'Hash of the bytes last seen.';

COMMENT ON COLUMN source_files.status IS 'Outcome for those bytes.';

COMMENT ON COLUMN source_files.parser_version IS 'Extraction version that produced the outcome.';

COMMENT ON COLUMN source_files.run_id IS 'Run that last processed the file.';

COMMENT ON COLUMN source_files.size IS 'File size in bytes when last processed.';

COMMENT ON COLUMN source_files.mtime_ns IS 'File modification time (ns) when last processed; with size, lets a re-run skip reading unchanged files (`ingest run --rehash` reads them all).';

COMMENT ON COLUMN source_files.error_stage IS 'Stage that rejected the file (quarantined only).';

COMMENT ON COLUMN source_files.error_code IS 'Error code (quarantined only).';

COMMENT ON COLUMN source_files.message IS 'Reason (quarantined only); unchanged quarantined files are re-reported from here without re-parsing.';

COMMENT ON COLUMN source_files.line_start IS 'Line of the problem, where known.';

CREATE TABLE IF NOT EXISTS sources (
    source VARCHAR NOT NULL,
    root VARCHAR NOT NULL,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    last_run_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source)
);

COMMENT ON TABLE sources IS 'One row per named source loaded into the warehouse: a root folder (or file) under a name. A run adds, replaces and removes documents of the sources it is given only.';

COMMENT ON COLUMN sources.source IS 'Source name (`ingest run NAME=PATH`, or derived from the path: see the README).';

COMMENT ON COLUMN sources.root IS 'Absolute path of the source''s root when it was last run.';

COMMENT ON COLUMN sources.first_run_id IS 'Run that first loaded the source.';

COMMENT ON COLUMN sources.last_run_id IS 'Latest run that covered the source (see ingest_runs).';

COMMENT ON COLUMN sources.last_run_at IS 'When that run finished (UTC).';

CREATE TABLE IF NOT EXISTS document_counts (
    doc_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    n_rows BIGINT NOT NULL,
    n_flagged BIGINT NOT NULL,
    PRIMARY KEY (doc_id, table_name, subject)
);

COMMENT ON TABLE document_counts IS 'Rows of each table per document (and the flagged ones: dangling citations, uncited reference entries; repairs per rule), written with the document''s rows, so run_metrics sums one small table instead of scanning every table. One row per document with table_name `documents`; tables where a document has no rows are left out. Derived: source and family are the document''s.';

COMMENT ON COLUMN document_counts.doc_id IS 'Document. References documents.doc_id.';

COMMENT ON COLUMN document_counts.source IS 'The document''s source (documents.source).';

COMMENT ON COLUMN document_counts.family IS 'The document''s family (documents.family).';

COMMENT ON COLUMN document_counts.table_name IS 'Table counted (`documents`: the document itself, one row).';

COMMENT ON COLUMN document_counts.subject IS 'The repair rule for table_name `repairs` (one row per rule); empty otherwise.';

COMMENT ON COLUMN document_counts.n_rows IS 'Rows of the document in that table (and rule).';

COMMENT ON COLUMN document_counts.n_flagged IS 'Of those, citations not resolved (citations) or entries never cited (reference_entries); 0 for other tables.';

CREATE TABLE IF NOT EXISTS run_metrics (
    run_id VARCHAR NOT NULL,
    run_at TIMESTAMPTZ NOT NULL,
    source VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    value DOUBLE,
    count BIGINT NOT NULL,
    base BIGINT NOT NULL,
    PRIMARY KEY (run_id, source, family, metric, subject)
);

COMMENT ON TABLE run_metrics IS 'Quality of the warehouse after each run that published, per source and family (family `all`: the whole source), measured over every document of the run''s sources (not the run''s batch only), so runs that parse little compare with runs that parse much. `ingest run` checks each run against the median of the trailing runs (drift); `ingest report --html` charts them.';

COMMENT ON COLUMN run_metrics.run_id IS 'Run that measured. References ingest_runs.run_id.';

COMMENT ON COLUMN run_metrics.run_at IS 'When the run finished measuring (UTC); orders the history.';

COMMENT ON COLUMN run_metrics.source IS 'Source measured (one of the run''s sources).';

COMMENT ON COLUMN run_metrics.family IS 'Document family measured, or `all` for the whole source (quarantine_rate and files are per source only: a quarantined file has no family).';

COMMENT ON COLUMN run_metrics.metric IS 'What is measured: files, documents, quarantine_rate (quarantined files / files), rows_per_document (per table; doc_tables is tables_per_document), repairs_per_document (per rule), dangling_citation_rate (citations with no reference entry / citations), uncited_reference_rate (reference entries never cited / entries), tables_per_document.';

COMMENT ON COLUMN run_metrics.subject IS 'The table (rows_per_document) or repair rule (repairs_per_document) measured; empty for the others.';

COMMENT ON COLUMN run_metrics.value IS 'The measure: count / base for rates and per-document figures, the count itself for files and documents; null when the base is 0.';

COMMENT ON COLUMN run_metrics.count IS 'Numerator: files quarantined, rows, repairs, dangling citations, uncited entries, tables.';

COMMENT ON COLUMN run_metrics.base IS 'Denominator: files, documents, citations or reference entries.';

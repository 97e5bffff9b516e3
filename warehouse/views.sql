-- Analyst views, (re)created by every run after the tables exist.
-- Keep them backward compatible: analysts' saved queries depend on them.

-- What each source's latest run could not load (sources are run separately, so "the
-- latest run" is per source).
CREATE OR REPLACE VIEW current_quarantine AS
SELECT q.*
FROM quarantine q
JOIN sources s ON s.source = q.source AND s.last_run_id = q.run_id;

COMMENT ON VIEW current_quarantine IS 'Files the latest run of each source could not load, with the reason (quarantine rows of that run; older runs are in quarantine).';

-- Every citation with the reference entry it points to (NULL when dangling).
CREATE OR REPLACE VIEW citation_links AS
SELECT c.doc_id, d.source, d.source_path, c.position, c.ref_number, c.resolved,
       c.section_id, s.heading AS section_heading, c.table_id, c.row_index, c.line_start,
       r.title AS ref_title, r.source AS ref_source, r.url AS ref_url
FROM citations c
JOIN documents d USING (doc_id)
LEFT JOIN sections s ON s.doc_id = c.doc_id AND s.section_id = c.section_id
LEFT JOIN reference_entries r ON r.doc_id = c.doc_id AND r.ref_number = c.ref_number;

COMMENT ON VIEW citation_links IS 'One row per in-text citation, with its document, section and the reference entry it points to (ref_* are NULL when the citation is dangling: resolved is false).';
COMMENT ON COLUMN citation_links.section_heading IS 'Heading of the section holding the citation (NULL for a citation in a table cell).';
COMMENT ON COLUMN citation_links.ref_title IS 'Title of the cited reference entry; NULL when the document has no entry with that number.';

-- Table cells with their table's context, one row per cell.  A cell's citation
-- markers are citations rows (table_id, row_index), not cell text: the numbers its
-- row cites are shown beside it.
CREATE OR REPLACE VIEW table_cells_wide AS
SELECT d.source, d.source_path, d.title, t.table_id, t.format, t.line_start AS table_line,
       s.heading AS section_heading, c.row_index, c.col_index, c.column_name, c.text,
       rc.row_citations
FROM table_cells c
JOIN doc_tables t USING (doc_id, table_id)
JOIN documents d USING (doc_id)
LEFT JOIN sections s ON s.doc_id = t.doc_id AND s.section_id = t.section_id
LEFT JOIN (
    SELECT doc_id, table_id, row_index,
           array_to_string(list_sort(list_distinct(list(ref_number))), ', ') AS row_citations
    FROM citations WHERE table_id IS NOT NULL
    GROUP BY ALL
) rc ON rc.doc_id = c.doc_id AND rc.table_id = c.table_id AND rc.row_index = c.row_index;

COMMENT ON VIEW table_cells_wide IS 'One row per table cell with its document, table and section. Citation markers are not cell text: row_citations lists the reference numbers the cell''s row cites.';
COMMENT ON COLUMN table_cells_wide.table_line IS '1-based line of the table''s first row in the source file.';
COMMENT ON COLUMN table_cells_wide.section_heading IS 'Heading of the section enclosing the table.';
COMMENT ON COLUMN table_cells_wide.text IS 'Clean cell text (citation markers removed: see row_citations).';
COMMENT ON COLUMN table_cells_wide.row_citations IS 'Reference numbers cited anywhere in the cell''s table row, e.g. ''1, 5'' (join citation_links on table_id and row_index for the entries); NULL when the row cites none.';

-- Repairs counted by rule, for data-quality dashboards.
CREATE OR REPLACE VIEW repairs_by_rule AS
SELECT rule, count(*) AS n_repairs, count(DISTINCT doc_id) AS n_documents
FROM repairs GROUP BY rule ORDER BY n_repairs DESC;

COMMENT ON VIEW repairs_by_rule IS 'Repairs made while cleaning content, counted by rule: how many and in how many documents.';
COMMENT ON COLUMN repairs_by_rule.n_documents IS 'Documents with at least one repair of the rule.';

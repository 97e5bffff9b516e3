-- Analyst views, (re)created by every run after the tables exist.
-- Keep them backward compatible: analysts' saved queries depend on them.

-- What each source's latest run could not load (sources are run separately, so "the
-- latest run" is per source).
CREATE OR REPLACE VIEW current_quarantine AS
SELECT q.*
FROM quarantine q
JOIN sources s ON s.source = q.source AND s.last_run_id = q.run_id;

-- Every citation with the reference entry it points to (NULL when dangling).
CREATE OR REPLACE VIEW citation_links AS
SELECT c.doc_id, d.source, d.source_path, c.position, c.ref_number, c.resolved,
       c.section_id, s.heading AS section_heading, c.table_id, c.row_index, c.line_start,
       r.title AS ref_title, r.source AS ref_source, r.url AS ref_url
FROM citations c
JOIN documents d USING (doc_id)
LEFT JOIN sections s ON s.doc_id = c.doc_id AND s.section_id = c.section_id
LEFT JOIN reference_entries r ON r.doc_id = c.doc_id AND r.ref_number = c.ref_number;

-- Table cells with their table's context, one row per cell.
CREATE OR REPLACE VIEW table_cells_wide AS
SELECT d.source, d.source_path, d.title, t.table_id, t.format, t.line_start AS table_line,
       s.heading AS section_heading, c.row_index, c.col_index, c.column_name, c.text
FROM table_cells c
JOIN doc_tables t USING (doc_id, table_id)
JOIN documents d USING (doc_id)
LEFT JOIN sections s ON s.doc_id = t.doc_id AND s.section_id = t.section_id;

-- Repairs counted by rule, for data-quality dashboards.
CREATE OR REPLACE VIEW repairs_by_rule AS
SELECT rule, count(*) AS n_repairs, count(DISTINCT doc_id) AS n_documents
FROM repairs GROUP BY rule ORDER BY n_repairs DESC;

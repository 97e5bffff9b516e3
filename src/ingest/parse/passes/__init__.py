"""Pure passes over the document model, run in this order after the walk.

Each pass reads and amends a :class:`~ingest.parse.model.Document` and logs what it
changed (repairs) or doubts (warnings) on it; none builds rows.  The order matters
where one pass reads another's result, and it fixes the order of the logged repairs
and warnings: rejoin (paragraphs split by a page break), reference lists, FAQ
reconcile (front matter against body), citation resolution, section pruning
(boilerplate-only sections), description, quality checks.  The family is chosen
between reference lists and FAQs (:mod:`ingest.parse.families`), because it looks at
references and citations.
"""

"""Recognisers of the shapes documents are written in: tables (pipe, tab-separated,
HTML), citation markers, reference entries, FAQ labels, vendor boilerplate, and the
cleaning of inline markup.  Pure functions over text, used by the walk and the passes."""

"""From paths to inputs and back to a table: walking bundles and archives,
folding duplicates and occurrences, the manifest, export-wide facts, and
writing the table out.  The tree reads ingest → parsing → correlate → reporting."""

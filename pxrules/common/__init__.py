"""Small helpers every layer shares: canonical JSON and its hash, spreadsheet-safe text, the collector
pause."""

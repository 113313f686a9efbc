"""Data in: readers and validation (ingest), the canonical schema and crime taxonomy, bundled
datasets and the dashboard's incident selection.
"""

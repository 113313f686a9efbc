"""Ingest: turn police.uk files, council/CAD CSVs and vector files into canonical incidents.

Every reader returns a :class:`LoadResult` ``(incidents, quarantine, report)``: the incidents
in the canonical schema (:mod:`hotspots.data.schema`), the rows set aside with a reason
(:data:`QUARANTINE_REASONS`; nothing is dropped silently:
``rows_read == rows_kept + rows quarantined``) and a :class:`LoadReport`.

Examples
--------
>>> from hotspots.data import datasets
>>> from hotspots.data.ingest import read_policeuk
>>> incidents, quarantine, report = read_policeuk(datasets.herts_policeuk_zip())
>>> report.rows_read == report.rows_kept + len(quarantine)
True
"""

from hotspots.data.ingest.columns import ColumnMap
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.load import concat_results, load
from hotspots.data.ingest.policeuk import read_policeuk
from hotspots.data.ingest.report import QUARANTINE_REASONS, LoadReport, LoadResult
from hotspots.data.ingest.studyarea import resolve_study_area
from hotspots.data.ingest.table import read_incident_csv
from hotspots.data.ingest.vector import read_vector

__all__ = [
    "QUARANTINE_REASONS",
    "ColumnMap",
    "IngestError",
    "LoadReport",
    "LoadResult",
    "concat_results",
    "load",
    "read_incident_csv",
    "read_policeuk",
    "read_vector",
    "resolve_study_area",
]

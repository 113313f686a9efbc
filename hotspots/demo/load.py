"""The bundled Dacorum demo: where its files are and how to load them.

``data/demo/`` holds one REAL file (police.uk records clipped to Dacorum's wards) and SYNTHETIC
ones (a council incident log, CCTV cameras, a VAWG walkabout); see data/README.md and
:mod:`hotspots.demo.generate`, which regenerates them.

Examples
--------
>>> from hotspots.demo.load import load_demo_log
>>> result = load_demo_log()
>>> len(result.quarantine)  # the four deliberately bad rows
4
"""

from __future__ import annotations

from pathlib import Path

from hotspots.data import datasets
from hotspots.data.ingest import LoadResult, read_incident_csv, read_policeuk

DEMO_LOG_COLUMNS: dict[str, str] = {
    "incident_id": "ref",
    "datetime": "from_datetime",
    "datetime_to": "to_datetime",
    "date": "reported_date",
    "time": "reported_time",
    "easting": "easting",
    "northing": "northing",
    "crime_type": "incident_type",
    "location": "location",
}
"""Column map of the synthetic incident log for :func:`hotspots.data.ingest.read_incident_csv`.

An incident is timed by its ``from_datetime`` / ``to_datetime`` window where the log has one
(a minority of rows: an aoristic window), else by when it was reported."""

DEMO_LOG_SOURCE = "Dacorum incident log (SYNTHETIC demo)"


def demo_files() -> dict[str, Path]:
    """Paths of the demo files by kind (see :func:`hotspots.data.datasets.demo_path`).

    Examples
    --------
    >>> sorted(demo_files())
    ['cameras', 'feedback', 'incident_log', 'policeuk', 'walkabouts']
    """
    kinds = ("policeuk", "incident_log", "cameras", "walkabouts", "feedback")
    return {kind: datasets.demo_path(kind) for kind in kinds}


def load_demo_policeuk() -> LoadResult:
    """Load the REAL police.uk records of Dacorum, 2021-01..2022-01 (month precision).

    Returns
    -------
    LoadResult from :func:`hotspots.data.ingest.read_policeuk`: canonical incidents (EPSG:4326,
    ``x``/``y`` metres in EPSG:27700), quarantine and report.

    Examples
    --------
    >>> result = load_demo_policeuk()
    >>> result.report.rows_read
    13184
    """
    return read_policeuk(datasets.demo_path("policeuk"))


def load_demo_log(*, study_area: str | None = datasets.DACORUM) -> LoadResult:
    """Load the SYNTHETIC council incident log (minute precision, BNG eastings/northings).

    Parameters
    ----------
    study_area
        Clip to this district (LAD code; default Dacorum, so the row with swapped easting and
        northing is quarantined as outside the study area); ``None`` keeps every valid point.

    Returns
    -------
    LoadResult from :func:`hotspots.data.ingest.read_incident_csv` with :data:`DEMO_LOG_COLUMNS`;
    the log's four deliberately bad rows end up in the quarantine.
    """
    return read_incident_csv(
        datasets.demo_path("incident_log"),
        DEMO_LOG_COLUMNS,
        source=DEMO_LOG_SOURCE,
        crs="EPSG:27700",
        study_area=study_area,
    )

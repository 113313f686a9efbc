"""Paths to the data bundled in the repository's ``data/`` folder (see data/README.md).

Set ``HOTSPOTS_DATA`` to use another folder with the same layout.
"""

from __future__ import annotations

import os
from pathlib import Path

DACORUM = "E07000096"
"""LAD code of Dacorum, the demo district."""

HERTFORDSHIRE_LADS: tuple[str, ...] = (
    "E07000095", "E07000096", "E07000098", "E07000099", "E07000102",
    "E07000103", "E07000240", "E07000241", "E07000242", "E07000243",
)  # fmt: skip


def data_dir() -> Path:
    """The bundled data folder (``$HOTSPOTS_DATA`` or the repository's ``data/``)."""
    env = os.environ.get("HOTSPOTS_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"bundled data folder {path} not found: run from a clone of the hotspots repository "
            "or set HOTSPOTS_DATA to a folder laid out like its data/"
        )
    return path


def _existing(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} is not bundled; see {data_dir() / 'README.md'}")
    return path


def herts_policeuk_zip() -> Path:
    """police.uk street-level crime, Hertfordshire, 2021-01..2022-01 (zip, monthly folders)."""
    return _existing(data_dir() / "policeuk" / "hertfordshire-2021-01_2022-01.zip")


def wards_path(lad_code: str = DACORUM) -> Path:
    """2013 electoral wards (GeoJSON, WGS84; ``WD13CD``, ``WD13NM``) of one district."""
    return _existing(data_dir() / "boundaries" / "wards" / f"{lad_code}.json")


def lsoas_path(lad_code: str = DACORUM) -> Path:
    """2011 LSOAs (GeoJSON, WGS84; ``LSOA11CD``, ``LSOA11NM``) of one district."""
    return _existing(data_dir() / "boundaries" / "lsoa" / f"{lad_code}.json")


def districts_path() -> Path:
    """The 10 Hertfordshire district outlines, 2017 (GeoJSON, WGS84)."""
    return _existing(data_dir() / "boundaries" / "lad" / "hertfordshire_lad17_codeinstitute.json")


def population_path() -> Path:
    """2011 Census usual residents and households per LSOA, England and Wales (CSV, gzip)."""
    return _existing(data_dir() / "lookups" / "census_2011_population_hh.csv.gz")


def timed_path(name: str) -> Path:
    """A timed incident extract: ``houston``, ``nyc`` or ``dc`` (CSV, gzip)."""
    files = {
        "houston": "houston_2010_jan_aug_ggmap.csv.gz",
        "nyc": "nyc_vehicle_thefts_2014_2017_crimedata.csv.gz",
        "dc": "dc_burglaries_2016h1_aoristic.csv.gz",
    }
    if name not in files:
        raise ValueError(f"unknown timed extract {name!r}; choose one of {sorted(files)}")
    return _existing(data_dir() / "timed" / files[name])


def demo_path(name: str) -> Path:
    """A file of the Dacorum demo (``data/demo/``, see data/README.md).

    Parameters
    ----------
    name
        ``policeuk`` (REAL police.uk records clipped to Dacorum's wards, zip), ``incident_log``
        (SYNTHETIC council ASB log, CSV, BNG easting/northing), ``cameras`` (SYNTHETIC CCTV
        cameras, CSV, lon/lat), ``walkabouts`` or ``feedback`` (SYNTHETIC VAWG walkabout and its
        feedback points, CSV, lon/lat).

    Examples
    --------
    >>> demo_path("incident_log").name
    'dacorum_incident_log.csv'
    """
    files = {
        "policeuk": "dacorum-policeuk-2021-01_2022-01.zip",
        "incident_log": "dacorum_incident_log.csv",
        "cameras": "dacorum_cctv_cameras.csv",
        "walkabouts": "dacorum_walkabouts.csv",
        "feedback": "dacorum_walkabout_feedback.csv",
    }
    if name not in files:
        raise ValueError(f"unknown demo file {name!r}; choose one of {sorted(files)}")
    return _existing(data_dir() / "demo" / files[name])

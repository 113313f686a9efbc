"""Generate the bundled Dacorum demo data in ``data/demo/`` (see data/README.md).

One real file and four synthetic ones, all reproducible byte for byte from the bundled
Hertfordshire police.uk zip, the Dacorum ward boundaries and a seed:

- ``dacorum-policeuk-2021-01_2022-01.zip``: the police.uk rows whose point lies in the union
  of Dacorum's 25 wards, CSV lines written through unmodified, in the data.police.uk layout;
- ``dacorum_incident_log.csv``: a SYNTHETIC council ASB / incident log with date and time,
  British National Grid easting / northing (metres), a few deliberately bad rows;
- ``dacorum_cctv_cameras.csv``: SYNTHETIC town-centre cameras at real police.uk snap points;
- ``dacorum_walkabouts.csv`` and ``dacorum_walkabout_feedback.csv``: one SYNTHETIC VAWG
  walkabout and its feedback points.

Synthetic locations are real police.uk snap points of Dacorum (so street names are real) moved
10-40 m in a random direction. The generator does not use :mod:`hotspots.data.ingest`.

Run ``python -m hotspots.demo.generate --out data/demo`` to regenerate.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from hotspots.core.crs import pipeline_transformer
from hotspots.core.points import inside
from hotspots.data import datasets
from hotspots.store.records import CAMERA_TYPES, REASONS, TIMES_OF_CONCERN

SEED = 20210101
"""Default seed of the synthetic files."""

POLICEUK_ZIP = "dacorum-policeuk-2021-01_2022-01.zip"
INCIDENT_LOG = "dacorum_incident_log.csv"
CAMERAS = "dacorum_cctv_cameras.csv"
WALKABOUTS = "dacorum_walkabouts.csv"
FEEDBACK = "dacorum_walkabout_feedback.csv"
DEMO_FILES: tuple[str, ...] = (POLICEUK_ZIP, INCIDENT_LOG, CAMERAS, WALKABOUTS, FEEDBACK)
"""File names written by :func:`generate`, in writing order."""

LOG_COLUMNS: tuple[str, ...] = (
    "ref",
    "reported_date",
    "reported_time",
    "from_datetime",
    "to_datetime",
    "incident_type",
    "easting",
    "northing",
    "location",
    "ward",
)

FIRST_DAY = pd.Timestamp("2021-01-01")
LAST_DAY = pd.Timestamp("2022-01-31")

# A fixed 7-parameter Helmert transformation WGS84 -> OSGB36 + British National Grid (what PROJ
# uses for EPSG:4326 -> EPSG:27700 when the OSTN15 grid is absent; accurate to ~2 m). Fixed so
# that the eastings / northings are identical on machines with and without the grid file.
_WGS84_TO_BNG = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=push +v_3 "
    "+step +proj=cart +ellps=WGS84 +step +inv +proj=helmert +x=446.448 +y=-125.157 "
    "+z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 +s=-20.489 +convention=position_vector "
    "+step +inv +proj=cart +ellps=airy +step +proj=pop +v_3 +step +proj=tmerc +lat_0=49 "
    "+lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy"
)
_ZIP_TIME = (2022, 2, 1, 0, 0, 0)
_SNAP_PREFIX = "On or near "

# Town-centre anchors: (name, lat, lon, radius in metres).
_TOWN_CENTRES: dict[str, tuple[float, float, float]] = {
    "Hemel Hempstead": (51.7515, -0.4727, 500.0),
    "Berkhamsted": (51.7605, -0.5640, 350.0),
    "Tring": (51.7950, -0.6600, 300.0),
}
_NTE_STREETS = ("Nightclub", "Waterhouse Street", "Bridge Street", "Marlowes")
_ESTATE_WARDS = (
    "Adeyfield East",
    "Adeyfield West",
    "Bennetts End",
    "Chaulden and Warners End",
    "Gadebridge",
    "Grovehill",
    "Highfield",
    "Woodhall Farm",
)
_YOUTH_SPOTS = ("Park/Open Space", "Sports/Recreation Area", "Pedestrian Subway", "Shopping Area")
_NOT_RESIDENTIAL = (
    "Parking Area",
    "Petrol Station",
    "Shopping Area",
    "Supermarket",
    "Sports/Recreation Area",
    "Bus/Coach Station",
    "Police Station",
    "Prison",
    "Nightclub",
    "Theatre/Concert Hall",
    "Airport/Airfield",
    "Further/Higher Educational Building",
    "Park/Open Space",
    "Pedestrian Subway",
    "Hospital",
)
_EXCLUDED_SPOTS = ("Prison", "Airport/Airfield")
# Approximate Hertfordshire school holidays (inclusive); term time = other weekdays.
_SCHOOL_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("2021-02-15", "2021-02-19"),
    ("2021-04-02", "2021-04-16"),
    ("2021-05-31", "2021-06-04"),
    ("2021-07-22", "2021-09-02"),
    ("2021-10-25", "2021-10-29"),
    ("2021-12-18", "2022-01-03"),
)
# Relative volume by month, Jan 2021 .. Jan 2022: quiet winters, a summer peak.
_SEASON = np.array([0.65, 0.75, 0.9, 1.0, 1.15, 1.45, 1.6, 1.5, 1.1, 1.0, 0.9, 0.9, 0.7])


def _hours(weights: dict[int, float]) -> tuple[float, ...]:
    return tuple(float(weights.get(h, 0.0)) for h in range(24))


# Relative weight of each hour 00..23 for incidents that follow the ordinary day.
_DIURNAL = (1, 1, 1, 0, 0, 0, 1, 2, 3, 4, 5, 5, 6, 6, 6, 7, 8, 8, 8, 8, 7, 5, 3, 2)
_PROFILES: dict[str, tuple[float, ...]] = {
    "nte_night": _hours({22: 0.2, 23: 0.3, 0: 0.25, 1: 0.15, 2: 0.1}),
    "evening": _hours({16: 1, 17: 2, 18: 3, 19: 4, 20: 5, 21: 5, 22: 4, 23: 2, 0: 1}),
    "after_school": _hours({15: 1, 16: 1, 17: 1, 18: 1}),
    "holiday": _hours(dict.fromkeys(range(12, 22), 1.0)),
    "daytime": _hours(dict.fromkeys(range(9, 19), 1.0)),
    "noise": _hours({18: 1, 19: 2, 20: 3, 21: 4, 22: 5, 23: 5, 0: 3, 1: 2}),
    "overnight": _hours({18: 1, 19: 2, 20: 3, 21: 4, 22: 4, 23: 4, 0: 3, 1: 2, 2: 1}),
    "diurnal": tuple(float(w) for w in _DIURNAL),
}


@dataclass(frozen=True)
class _Component:
    """One source of synthetic incidents: how many, when, where, and how they are timed."""

    incident_type: str
    n: int
    pool: str
    days: str  # "all" | "fri_sat_nights" | "school_weekdays" | "not_school" | "weekdays"
    hours: str  # key of _PROFILES
    seasonal: float  # 0 = flat over the year, 1 = the full _SEASON curve
    window_share: float = 0.0  # share of rows with a from/to window (occurred before reported)
    from_only_share: float = 0.03  # share of rows with only a from time


_COMPONENTS: tuple[_Component, ...] = (
    _Component("Night-time economy violence", 620, "nte", "fri_sat_nights", "nte_night", 0.4),
    _Component("Night-time economy violence", 110, "town_centres", "all", "evening", 0.4),
    _Component("Youth ASB", 1050, "estates", "school_weekdays", "after_school", 1.0),
    _Component("Youth ASB", 450, "estates", "not_school", "holiday", 1.0),
    _Component("Nuisance ASB", 1400, "asb", "all", "diurnal", 1.0),
    _Component("Street drinking", 350, "town_centres", "all", "daytime", 1.5),
    _Component("Drug dealing", 300, "drugs", "all", "evening", 0.5),
    _Component("Criminal damage and arson", 700, "damage", "all", "overnight", 0.6, 0.35, 0.1),
    _Component("Graffiti", 200, "damage", "all", "overnight", 0.6, 0.6, 0.1),
    _Component("Street harassment", 200, "town_centres", "all", "evening", 0.6),
    _Component("Domestic abuse", 40, "residential", "all", "evening", 0.3),
    _Component("Noise", 800, "residential", "all", "noise", 1.2),
    _Component("Fly-tipping", 500, "fly_tipping", "weekdays", "daytime", 0.5, 0.5, 0.2),
    _Component("Vehicle nuisance", 300, "car_parks", "all", "evening", 1.0),
    _Component("Begging", 150, "town_centres", "all", "daytime", 0.3),
)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate` wrote and the figures the README quotes.

    Attributes
    ----------
    files
        File name → path of every file written.
    seed
        The seed of the synthetic files.
    source_rows
        police.uk rows read from the Hertfordshire zip.
    no_location_rows
        Source rows without coordinates (they cannot be placed, so are not in the clip).
    clip_rows
        Rows in the Dacorum clip (points in the union of Dacorum's wards).
    log_rows
        Rows of the synthetic incident log, bad rows included.
    bad_refs
        Kind of deliberately bad row → its ``ref`` in the incident log.
    """

    files: dict[str, Path]
    seed: int
    source_rows: int
    no_location_rows: int
    clip_rows: int
    log_rows: int
    bad_refs: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- the police.uk clip


def ward_union(wards_geojson: str | Path) -> shapely.Geometry:
    """The union of the ward polygons of a GeoJSON file in WGS84 lon/lat.

    Parameters
    ----------
    wards_geojson
        A GeoJSON FeatureCollection of polygons in lon/lat (EPSG:4326 / CRS84).

    Returns
    -------
    shapely geometry in lon/lat degrees.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> ward_union(datasets.wards_path()).geom_type
    'Polygon'
    """
    features = json.loads(Path(wards_geojson).read_text(encoding="utf-8"))["features"]
    return shapely.union_all(shapely.from_geojson([json.dumps(f["geometry"]) for f in features]))


def _read_policeuk_members(source_zip: Path) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(member name, header line, data lines with their line ends, parsed rows) per CSV."""
    members = []
    with zipfile.ZipFile(source_zip) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith("-street.csv")):
            text = zf.read(name).decode("utf-8")
            lines = text.splitlines(keepends=True)
            rows = list(csv.reader(io.StringIO(text)))
            if len(rows) != len(lines):
                raise ValueError(
                    f"{source_zip}:{name}: a quoted field spans several lines; expected one "
                    "record per line as data.police.uk publishes them"
                )
            header = rows[0]
            if "Longitude" not in header or "Latitude" not in header:
                raise ValueError(
                    f"{source_zip}:{name}: no Longitude / Latitude columns in header {header}; "
                    "expected a data.police.uk street-level crime file"
                )
            members.append((name, lines[0], lines[1:], rows[1:]))
    if not members:
        raise ValueError(
            f"{source_zip} holds no '*-street.csv' file; expected a data.police.uk download"
        )
    return members


def _lon_lat(rows: list[list[str]], header: list[str]) -> tuple[np.ndarray, np.ndarray]:
    ilon, ilat = header.index("Longitude"), header.index("Latitude")
    lon = pd.to_numeric(pd.Series([r[ilon] for r in rows], dtype=object), errors="coerce")
    lat = pd.to_numeric(pd.Series([r[ilat] for r in rows], dtype=object), errors="coerce")
    return lon.to_numpy(float), lat.to_numpy(float)


def clip_policeuk(
    source_zip: str | Path, area: shapely.Geometry, out_zip: str | Path
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Write the police.uk rows whose point lies in ``area`` to a new zip, lines unmodified.

    The output keeps the data.police.uk layout (``YYYY-MM/`` folders, the original member
    names and header) and is deterministic: sorted entries, fixed timestamps. Points inside
    ``area`` are kept as the ingest's study-area clip keeps them
    (:func:`hotspots.core.points.inside`: a point on the boundary is left out). Rows without
    coordinates cannot be placed and are left out.

    Parameters
    ----------
    source_zip
        A data.police.uk download (zip of ``YYYY-MM/YYYY-MM-<force>-street.csv``).
    area
        Polygon(s) in WGS84 lon/lat.
    out_zip
        Path of the zip to write.

    Returns
    -------
    (kept rows as a DataFrame of strings with the police.uk columns, counts) where counts has
    ``source_rows``, ``no_location_rows`` and ``clip_rows``.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> rows, counts = clip_policeuk(datasets.herts_policeuk_zip(),
    ...                              ward_union(datasets.wards_path()), "/tmp/dacorum.zip")
    >>> counts["clip_rows"]
    13184
    """
    members = _read_policeuk_members(Path(source_zip))
    entries: dict[str, bytes] = {}
    kept: list[list[str]] = []
    counts = {"source_rows": 0, "no_location_rows": 0, "clip_rows": 0}
    header: list[str] = []
    for name, header_line, lines, rows in members:
        header = next(csv.reader([header_line]))
        lon, lat = _lon_lat(rows, header)
        located = np.isfinite(lon) & np.isfinite(lat)
        idx = np.flatnonzero(inside(area, lon, lat))  # the ingest's clip: boundary left out
        entries[name.rsplit("/", 1)[0] + "/"] = b""
        entries[name] = (header_line + "".join(lines[i] for i in idx)).encode("utf-8")
        kept.extend(rows[i] for i in idx)
        counts["source_rows"] += len(rows)
        counts["no_location_rows"] += int((~located).sum())
        counts["clip_rows"] += len(idx)
    _write_zip(Path(out_zip), entries)
    return pd.DataFrame(kept, columns=header, dtype=object), counts


def _write_zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.create_system = 3  # Unix, whatever the host
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
            else:
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, entries[name], compresslevel=9)


# --------------------------------------------------------------------------- anchors


def _snap_points(rows: pd.DataFrame, wards_geojson: Path) -> pd.DataFrame:
    """Unique police.uk snap points with BNG x/y, ward, town centre and counts per crime type."""
    rows = rows.assign(label=rows["Location"].str.removeprefix(_SNAP_PREFIX))
    counts = pd.crosstab([rows["Longitude"], rows["Latitude"], rows["label"]], rows["Crime type"])
    points = counts.reset_index()
    points.columns = [str(c) for c in points.columns]
    lon = points["Longitude"].astype(float).to_numpy()
    lat = points["Latitude"].astype(float).to_numpy()
    x, y = pipeline_transformer(_WGS84_TO_BNG).transform(lon, lat)
    points = points.assign(lon=lon, lat=lat, x=x, y=y, total=counts.to_numpy().sum(axis=1))
    names, polygons = _wards_bng(wards_geojson)
    ward = np.full(len(points), "", dtype=object)
    for name, polygon in zip(names, polygons, strict=True):
        ward[shapely.intersects_xy(polygon, x, y) & (ward == "")] = name
    town = np.full(len(points), "", dtype=object)
    for name, (clat, clon, radius) in _TOWN_CENTRES.items():
        cx, cy = pipeline_transformer(_WGS84_TO_BNG).transform(clon, clat)
        town[np.hypot(x - cx, y - cy) <= radius] = name
    points = points.assign(ward=ward, town=town)
    return points[~points["label"].isin(_EXCLUDED_SPOTS)].reset_index(drop=True)


def _wards_bng(wards_geojson: Path) -> tuple[list[str], np.ndarray]:
    features = json.loads(Path(wards_geojson).read_text(encoding="utf-8"))["features"]
    names = [f["properties"]["WD13NM"] for f in features]
    polygons = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    to_bng = pipeline_transformer(_WGS84_TO_BNG)
    polygons = shapely.transform(polygons, lambda c: np.column_stack(to_bng.transform(*c.T)))
    shapely.prepare(polygons)
    return names, polygons


def _pool_weights(points: pd.DataFrame) -> dict[str, np.ndarray]:
    """Anchor weights per pool name (non-negative, one per snap point)."""

    def count(*types: str) -> np.ndarray:
        return sum((points[t].to_numpy(float) for t in types if t in points), np.zeros(len(points)))

    label, town = points["label"], points["town"]
    violence = count("Violence and sexual offences", "Public order")
    in_town = (town != "").to_numpy()
    nte_boost = np.where(label.isin(_NTE_STREETS), 5.0, 1.0)
    youth_boost = np.where(label.isin(_YOUTH_SPOTS), 4.0, 1.0)
    residential = ~label.isin(_NOT_RESIDENTIAL).to_numpy() & ~label.str.match(r"[ABM]\d").to_numpy()
    return {
        "nte": violence * nte_boost * (town == "Hemel Hempstead").to_numpy(),
        "town_centres": (violence + count("Shoplifting", "Other theft")) * in_town,
        "estates": count("Anti-social behaviour")
        * youth_boost
        * points["ward"].isin(_ESTATE_WARDS).to_numpy(),
        "asb": count("Anti-social behaviour"),
        "drugs": count("Drugs"),
        "damage": count("Criminal damage and arson"),
        "residential": points["total"].to_numpy(float) * residential * ~in_town,
        "fly_tipping": count("Anti-social behaviour", "Criminal damage and arson") * ~in_town,
        "car_parks": count("Vehicle crime", "Anti-social behaviour")
        * label.isin(["Parking Area", "Supermarket", "Petrol Station"]).to_numpy(),
    }


# --------------------------------------------------------------------------- incident log


def _calendar() -> pd.DataFrame:
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    holiday = np.zeros(len(days), dtype=bool)
    for start, end in _SCHOOL_HOLIDAYS:
        holiday |= (days >= start) & (days <= end)
    month_index = (days.year - FIRST_DAY.year) * 12 + days.month - 1
    return pd.DataFrame(
        {
            "day": days,
            "weekday": days.day_of_week,
            "month_index": month_index,
            "school": (days.day_of_week < 5) & ~holiday,
        }
    )


def _day_weights(calendar: pd.DataFrame, component: _Component) -> np.ndarray:
    season = 1.0 + component.seasonal * (_SEASON[calendar["month_index"].to_numpy()] - 1.0)
    weekday = calendar["weekday"].to_numpy()
    school = calendar["school"].to_numpy()
    keep = {
        "all": np.ones(len(calendar), dtype=bool),
        "fri_sat_nights": np.isin(weekday, [4, 5]),
        "school_weekdays": school,
        "not_school": ~school,
        "weekdays": weekday < 5,
    }[component.days]
    weights = np.clip(season, 0.05, None) * keep
    return weights / weights.sum()


def _sample_component(
    component: _Component,
    points: pd.DataFrame,
    weights: np.ndarray,
    calendar: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Occurrence time, reported time, optional window and anchor of ``component.n`` rows."""
    n = component.n
    day = calendar["day"].to_numpy()[
        rng.choice(len(calendar), size=n, p=_day_weights(calendar, component))
    ]
    hour_p = np.asarray(_PROFILES[component.hours])
    hour = rng.choice(24, size=n, p=hour_p / hour_p.sum())
    minute = rng.integers(0, 60, size=n)
    start = pd.DatetimeIndex(day) + pd.to_timedelta(hour * 60 + minute, unit="min")
    if component.days == "fri_sat_nights":  # the small hours belong to the night before
        start = start + pd.to_timedelta(np.where(hour < 6, 1, 0), unit="D")
    neither = 1.0 - component.window_share - component.from_only_share
    # kind 0: a from-to window, 1: only a from time, 2: neither (it happened when reported)
    kind = rng.choice(3, size=n, p=[component.window_share, component.from_only_share, neither])
    window_end = start + pd.to_timedelta(rng.integers(6 * 60, 36 * 60, size=n), unit="min")
    delay = pd.to_timedelta(rng.integers(10, 24 * 60, size=n), unit="min")
    reported = np.where(kind == 0, window_end + delay, np.where(kind == 1, start + delay, start))
    reported = pd.DatetimeIndex(reported)
    late = reported > LAST_DAY + pd.Timedelta(days=1) - pd.Timedelta(minutes=1)
    kind = np.where(late, 2, kind)
    reported = reported.where(~late, start)
    anchor = rng.choice(len(points), size=n, p=weights / weights.sum())
    distance = rng.uniform(10.0, 40.0, size=n)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    return pd.DataFrame(
        {
            "incident_type": component.incident_type,
            "reported": reported,
            "from": pd.DatetimeIndex(start).where(kind != 2),
            "to": pd.DatetimeIndex(window_end).where(kind == 0),
            "anchor": anchor,
            "x": points["x"].to_numpy()[anchor] + distance * np.cos(angle),
            "y": points["y"].to_numpy()[anchor] + distance * np.sin(angle),
        }
    )


def make_incident_log(
    points: pd.DataFrame,
    wards_geojson: str | Path,
    *,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The SYNTHETIC council incident log (all columns as text, as written to CSV).

    Parameters
    ----------
    points
        Snap points from the real Dacorum police.uk clip (see :func:`generate`).
    wards_geojson
        The Dacorum wards (WGS84); jittered points falling outside every ward keep their
        snap point, and each row's ``ward`` is the ward its point lies in.
    rng
        The random generator (seeded by the caller for reproducibility).

    Returns
    -------
    (log with :data:`LOG_COLUMNS`, sorted by report time; bad-row kind → ref)
    """
    calendar = _calendar()
    pools = _pool_weights(points)
    log = pd.concat(
        [_sample_component(c, points, pools[c.pool], calendar, rng) for c in _COMPONENTS],
        ignore_index=True,
    )
    names, polygons = _wards_bng(Path(wards_geojson))
    x, y = np.round(log["x"].to_numpy()), np.round(log["y"].to_numpy())
    ax, ay = np.round(points["x"].to_numpy()), np.round(points["y"].to_numpy())
    ward = np.full(len(log), "", dtype=object)
    for name, polygon in zip(names, polygons, strict=True):
        ward[shapely.intersects_xy(polygon, x, y) & (ward == "")] = name
    outside = ward == ""
    anchor = log["anchor"].to_numpy()
    x[outside], y[outside] = ax[anchor[outside]], ay[anchor[outside]]
    ward[outside] = points["ward"].to_numpy()[anchor[outside]]
    log = log.assign(
        easting=x.astype(int).astype(str),
        northing=y.astype(int).astype(str),
        location=points["label"].to_numpy()[anchor],
        ward=ward,
    )
    log = log.sort_values(["reported", "incident_type", "easting"], kind="stable")
    year = log["reported"].dt.year.to_numpy()
    serial = log.groupby(year).cumcount().to_numpy() + 1
    text = pd.DataFrame(
        {
            "ref": [f"DBC-{y % 100:02d}-{s:05d}" for y, s in zip(year, serial, strict=True)],
            "reported_date": log["reported"].dt.strftime("%d/%m/%Y"),
            "reported_time": log["reported"].dt.strftime("%H:%M"),
            "from_datetime": log["from"].dt.strftime("%d/%m/%Y %H:%M").fillna(""),
            "to_datetime": log["to"].dt.strftime("%d/%m/%Y %H:%M").fillna(""),
            "incident_type": log["incident_type"],
            "easting": log["easting"],
            "northing": log["northing"],
            "location": log["location"],
            "ward": log["ward"],
        }
    ).reset_index(drop=True)
    return _add_bad_rows(text, rng=rng)


def _add_bad_rows(
    log: pd.DataFrame, *, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Spoil four Nuisance ASB rows the way real exports go wrong; return kind → ref."""
    candidates = np.flatnonzero(
        (log["incident_type"] == "Nuisance ASB").to_numpy()
        & (log["from_datetime"] == "").to_numpy()
    )
    missing, bad_date, duplicate, far = np.sort(rng.choice(candidates, size=4, replace=False))
    log.loc[missing, "easting"] = ""
    year = log.loc[bad_date, "reported_date"].rsplit("/", 1)[1]
    log.loc[bad_date, "reported_date"] = f"31/02/{year}"  # no such day
    log.loc[far, ["easting", "northing"]] = log.loc[far, ["northing", "easting"]].to_numpy()
    bad = {
        "missing_easting": str(log.loc[missing, "ref"]),
        "unparseable_date": str(log.loc[bad_date, "ref"]),
        "duplicated_ref": str(log.loc[duplicate, "ref"]),
        "far_outside": str(log.loc[far, "ref"]),
    }
    order = np.insert(np.arange(len(log)), duplicate + 1, duplicate)  # the row exported twice
    return log.iloc[order].reset_index(drop=True), bad


# --------------------------------------------------------------------------- cameras, walkabout


def make_cameras(points: pd.DataFrame, *, rng: np.random.Generator) -> pd.DataFrame:
    """SYNTHETIC town-centre CCTV cameras at real snap points (all columns as text).

    Hemel Hempstead gets 20 cameras, Berkhamsted 8, Tring 5, at snap points drawn from the
    busiest (most police.uk records) of each town centre; about half fixed, four in ten
    PTZ (no bearing, no field of view: they turn), the rest redeployable; two faulty, one
    decommissioned. ``range_m`` is the useful viewing distance in metres.
    """
    quota = {"Hemel Hempstead": ("HH", 20), "Berkhamsted": ("BK", 8), "Tring": ("TR", 5)}
    rows = []
    for town, (code, n) in quota.items():
        in_town = np.flatnonzero((points["town"] == town).to_numpy())
        busiest = in_town[np.argsort(-points["total"].to_numpy()[in_town], kind="stable")]
        chosen = np.sort(rng.choice(busiest[: n + n // 2], size=n, replace=False))
        for k, i in enumerate(chosen, start=1):
            rows.append((town, code, k, i))
    n = len(rows)
    kind = rng.choice(CAMERA_TYPES, size=n, p=[0.5, 0.4, 0.1])
    status = np.array(["active"] * n, dtype=object)
    status[rng.choice(n, size=3, replace=False)] = ["faulty", "faulty", "decommissioned"]
    range_m = np.select(
        [kind == "fixed", kind == "ptz"],
        [rng.integers(40, 81, size=n), rng.integers(80, 151, size=n)],
        rng.integers(40, 61, size=n),
    )
    bearing = rng.integers(0, 360, size=n)
    fov = rng.choice([50, 60, 70, 90], size=n)
    labels = points["label"].to_numpy()
    return pd.DataFrame(
        {
            "camera_id": [f"DBC-CAM-{j:03d}" for j in range(1, n + 1)],
            "name": [f"{code}{k:02d} {labels[i]}" for _, code, k, i in rows],
            "location": [f"{labels[i]}, {town}" for town, _, _, i in rows],
            "type": kind,
            "range_m": range_m.astype(str),
            "bearing_deg": np.where(kind == "ptz", "", bearing.astype(str)),
            "fov_deg": np.where(kind == "ptz", "", fov.astype(str)),
            "lon": [points["Longitude"].iat[i] for *_, i in rows],
            "lat": [points["Latitude"].iat[i] for *_, i in rows],
            "status": status,
        }
    )


_ESCAPING_COMMENT = 'Pasted from an email: <b>HTML</b> & "quotes" must show as typed'
_COMMENTS: dict[str, tuple[str, ...]] = {
    "poor_lighting": (
        "Street lights out along the path, very dark after 6pm",
        "Underpass lighting flickers and half the lamps are broken",
        "Car park stairwell has no working lights",
    ),
    "isolated": (
        "Nobody about once the shops shut, long walk to the bus",
        "Footpath behind the car park feels cut off",
    ),
    "overgrown": (
        "Bushes by the path are overgrown and hide the view",
        "Hedges block sight lines from the road",
    ),
    "no_cctv": ("No cameras cover this corner", "Camera here looks broken or pointing away"),
    "groups_loitering": (
        "Groups drinking by the benches most evenings",
        "Young men gather by the entrance and comment on women walking past",
    ),
    "harassment_experienced": (
        "Was followed and shouted at here last month",
        "Cat-calling from cars on Friday nights",
    ),
    "other": ("Taxi rank queue spills into the road at closing time", _ESCAPING_COMMENT),
}


def make_walkabout(
    points: pd.DataFrame, *, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One SYNTHETIC VAWG walkabout in Hemel Hempstead town centre and its feedback points.

    Returns
    -------
    (walkabouts, feedback), all columns as text. Feedback points are town-centre snap points
    moved 10-40 m (lon/lat, 6 decimals). Exactly one comment holds HTML and quotes
    (``<b>HTML</b> & "quotes"``) so that views can be checked for escaping.
    """
    walkabouts = pd.DataFrame(
        {
            "walkabout_id": ["WALK-2021-01"],
            "date": ["2021-11-18"],
            "start_time": ["18:30"],
            "end_time": ["20:30"],
            "area": ["Hemel Hempstead town centre"],
            "organiser": ["Dacorum Community Safety Partnership"],
            "agencies": ["Dacorum Borough Council; Hertfordshire Constabulary; Herts Women's Aid"],
            "participants": ["14"],
        }
    )
    n = 24
    in_town = np.flatnonzero((points["town"] == "Hemel Hempstead").to_numpy())
    weight = points["total"].to_numpy(float)[in_town]
    anchor = rng.choice(in_town, size=n, replace=False, p=weight / weight.sum())
    reasons = np.array(list(REASONS), dtype=object)  # the store's codes
    reason = np.concatenate([reasons, rng.choice(reasons[:-1], size=n - len(reasons))])
    reason = reason[rng.permutation(n)]
    comment = [_ESCAPING_COMMENT if r == "other" else str(rng.choice(_COMMENTS[r])) for r in reason]
    lat = points["lat"].to_numpy()[anchor]
    distance, angle = rng.uniform(10.0, 40.0, size=n), rng.uniform(0.0, 2 * np.pi, size=n)
    dlat = distance * np.sin(angle) / 111_320.0
    dlon = distance * np.cos(angle) / (111_320.0 * np.cos(np.radians(lat)))
    concern = np.where(
        np.isin(reason, ["poor_lighting", "harassment_experienced", "groups_loitering"]),
        rng.choice(["evening", "night"], size=n),
        rng.choice(TIMES_OF_CONCERN, size=n),
    )
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"FB-{i:03d}" for i in range(1, n + 1)],
            "walkabout_id": "WALK-2021-01",
            "lon": [f"{v:.6f}" for v in points["lon"].to_numpy()[anchor] + dlon],
            "lat": [f"{v:.6f}" for v in lat + dlat],
            "reason": reason,
            "comment": comment,
            "time_of_concern": concern,
            "severity": rng.integers(1, 6, size=n).astype(str),
        }
    )
    return walkabouts, feedback


# --------------------------------------------------------------------------- orchestration


def generate(
    out: str | Path,
    *,
    seed: int = SEED,
    source_zip: str | Path | None = None,
    wards_geojson: str | Path | None = None,
) -> DemoSummary:
    """Write every demo file into ``out`` (created when missing), deterministically.

    Parameters
    ----------
    out
        Folder to write :data:`DEMO_FILES` into.
    seed
        Seed of the synthetic files (default :data:`SEED`, the one the bundled files use).
    source_zip
        The Hertfordshire police.uk zip; ``None`` uses the bundled one.
    wards_geojson
        Ward polygons (WGS84, property ``WD13NM``) whose union is the study area; ``None`` uses
        the bundled Dacorum wards.

    Returns
    -------
    DemoSummary with the paths written and the figures the README quotes.

    Examples
    --------
    >>> summary = generate("/tmp/demo")
    >>> summary.clip_rows, summary.log_rows
    (13184, 7171)
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    source_zip = Path(source_zip) if source_zip else datasets.herts_policeuk_zip()
    wards_geojson = Path(wards_geojson) if wards_geojson else datasets.wards_path()
    files = {name: out / name for name in DEMO_FILES}
    rows, counts = clip_policeuk(source_zip, ward_union(wards_geojson), files[POLICEUK_ZIP])
    points = _snap_points(rows[rows["Longitude"] != ""], wards_geojson)
    log_seq, camera_seq, walk_seq = np.random.SeedSequence(seed).spawn(3)
    log, bad_refs = make_incident_log(points, wards_geojson, rng=np.random.default_rng(log_seq))
    walkabouts, feedback = make_walkabout(points, rng=np.random.default_rng(walk_seq))
    _write_csv(log, files[INCIDENT_LOG])
    _write_csv(make_cameras(points, rng=np.random.default_rng(camera_seq)), files[CAMERAS])
    _write_csv(walkabouts, files[WALKABOUTS])
    _write_csv(feedback, files[FEEDBACK])
    return DemoSummary(files=files, seed=seed, log_rows=len(log), bad_refs=bad_refs, **counts)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m hotspots.demo.generate --out data/demo [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m hotspots.demo.generate", description="Regenerate the bundled demo data."
    )
    parser.add_argument("--out", default=None, help="output folder (default: data/demo)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed (default {SEED})")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else datasets.data_dir() / "demo"
    summary = generate(out, seed=args.seed)
    print(
        f"police.uk: {summary.source_rows} rows read, {summary.no_location_rows} without a "
        f"location (not placeable), {summary.clip_rows} inside the Dacorum wards"
    )
    print(f"incident log: {summary.log_rows} rows (seed {summary.seed}); bad rows:")
    for kind, ref in summary.bad_refs.items():
        print(f"  {kind}: {ref}")
    for name, path in summary.files.items():
        print(f"wrote {path} ({path.stat().st_size:,} bytes) [{name}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The canonical incident schema, the crime taxonomy and the working CRS.

Every reader in :mod:`hotspots.data.ingest` returns a GeoDataFrame with exactly
:data:`COLUMNS` (geometry = Point in EPSG:4326) and the working CRS (metres)
recorded in ``gdf.attrs["working_crs"]``; ``x`` / ``y`` are in that CRS.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS

from hotspots.core.crs import BNG, WGS84, to_crs, to_lonlat
from hotspots.core.crs import working_crs_for as working_crs_for  # re-exported (old home)
from hotspots.core.disclosure import SENSITIVE_PATTERN

WORKING_CRS = "working_crs"
"""Key in ``GeoDataFrame.attrs`` holding the working CRS (an EPSG string, metres)."""

COLUMNS: list[str] = [
    "incident_id",
    "source",
    "crime_type",
    "category",
    "sensitive",
    "vawg",
    "month",
    "occurred_from",
    "occurred_to",
    "time_precision",
    "location",
    "lsoa_code",
    "ward_code",
    "x",
    "y",
    "geometry",
]

CATEGORIES: list[str] = [
    "Violence and sexual offences",
    "Anti-social behaviour",
    "Acquisitive",
    "Criminal damage and arson",
    "Drugs",
    "Possession of weapons",
    "Public order",
    "Other",
]
"""CSP crime groups, in display order."""

TIME_PRECISIONS: tuple[str, ...] = ("month", "day", "hour", "minute")

VIOLENCE = "Violence and sexual offences"
"""The CSP group of violence: from exact-coordinate sources every type in it is sensitive but
those the taxonomy places in public (``public_place``)."""

# A crime type nobody mapped is still flagged sensitive when its name says so (the pattern
# lives with the disclosure rule); these words only make it VAWG-relevant: harassment and the
# like, and violence, as the taxonomy flags every violent type but murder.
_VIOLENT_WORDS = re.compile(
    r"violen|assault|wounding|\babh\b|\bgbh\b|murder|manslaughter|homicide|stabb", re.IGNORECASE
)
"""Names that read as violence against a person (whatever group a workspace maps them to)."""
_VAWG_WORDS = re.compile(
    r"harass|spiking|exposure|kerb.?crawl|misogyn|" + _VIOLENT_WORDS.pattern, re.IGNORECASE
)


def load_taxonomy(path: str | Path | None = None) -> pd.DataFrame:
    """Load the crime-type → CSP group table.

    Parameters
    ----------
    path
        A CSV with columns ``crime_type, category, sensitive, vawg`` and, optional,
        ``public_place`` (true: the type says the offence happened in a public place, as
        "Night-time economy violence" does, so a violent one stays mappable from an
        exact-coordinate source; see :func:`classify`). ``None`` loads the bundled table
        (police.uk's 14 types plus common council/CAD types).

    Returns
    -------
    DataFrame indexed by lower-cased, stripped ``crime_type``.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> tax.loc["burglary", "category"]
    'Acquisitive'
    """
    if path is None:
        with resources.files("hotspots.data.resources").joinpath("crime_taxonomy.csv").open() as fh:
            table = pd.read_csv(fh, dtype=str)
    else:
        table = pd.read_csv(path, dtype=str)
    missing = {"crime_type", "category", "sensitive", "vawg"} - set(table.columns)
    if missing:
        raise ValueError(
            f"crime taxonomy {path}: missing column(s) {sorted(missing)}; expected "
            "crime_type, category, sensitive, vawg"
        )
    unknown = set(table["category"]) - set(CATEGORIES)
    if unknown:
        raise ValueError(
            f"crime taxonomy {path}: unknown category {sorted(unknown)}; use one of {CATEGORIES}"
        )
    if "public_place" not in table.columns:
        table["public_place"] = "false"
    for flag in ("sensitive", "vawg", "public_place"):
        table[flag] = table[flag].fillna("").str.strip().str.lower().isin(["true", "1", "yes", "y"])
    table.index = _normal(pd.Index(table["crime_type"]))
    return table[~table.index.duplicated(keep="last")]


def sensitive_labels() -> pd.DataFrame:
    """The maintained list of sensitive crime labels (``data/resources/sensitive_labels.csv``).

    Home Office offence classes and codes and common council and CAD labels (DV, RASSO,
    "Dom. assault", ...), each with its CSP ``category`` and ``vawg`` flag; indexed by the
    lower-cased, stripped label. Every label is sensitive whatever the taxonomy says.
    """
    return _labels().copy()


@lru_cache(maxsize=1)
def _labels() -> pd.DataFrame:
    with resources.files("hotspots.data.resources").joinpath("sensitive_labels.csv").open() as fh:
        table = pd.read_csv(fh, dtype=str, keep_default_na=False)
    table["vawg"] = table["vawg"].str.strip().str.lower() == "true"
    table.index = _normal(pd.Index(table["label"]))
    return table[~table.index.duplicated(keep="first")]


def _flag(taxonomy: pd.DataFrame, column: str) -> pd.Series:
    """A flag column of ``taxonomy``; False where a table made in code lacks it (or a row)."""
    if column in taxonomy.columns:
        return taxonomy[column].astype("boolean").fillna(False).astype(bool)
    return pd.Series(False, index=taxonomy.index)


def _normal(labels: pd.Index) -> pd.Index:
    return labels.str.strip().str.lower().str.replace(r"\s+", " ", regex=True)


def classify(
    crime_types: pd.Series,
    taxonomy: pd.DataFrame | None = None,
    *,
    exact_coordinates: bool | np.ndarray = False,
) -> pd.DataFrame:
    """Map crime types to ``category``, ``sensitive`` and ``vawg``.

    Sensitive: the taxonomy says so, or the type is on the maintained list
    (:func:`sensitive_labels`, whatever the taxonomy says), or the taxonomy does not know it and
    its name matches :data:`hotspots.core.disclosure.SENSITIVE_PATTERN`. From sources with
    exact coordinates (``exact_coordinates`` True, per row or for all: council and CAD data,
    not police.uk's snapped points) also every type neither the taxonomy nor the list knows
    (sensitive until mapped), and every type whose name matches the pattern whatever the
    taxonomy says: a record labelled "Violence and sexual offences" at an exact point may be a
    sexual offence; and every violent type (group :data:`VIOLENCE`: "Assault", "Violence with
    injury", ..., or a name that reads as violence whatever its group, :data:`_VIOLENT_WORDS`):
    at an exact point it may be a victim's home, domestic abuse not recorded as such; but a
    type the taxonomy marks ``public_place`` ("Night-time economy violence": the label itself
    places it in the street or a venue) and the pattern does not match. Unmapped
    types not on the list become category ``"Other"``. VAWG-relevant: the taxonomy or the list
    says so, or, for a type neither knows, its name reads as a sensitive, violent or harassment
    offence. Vectorised over the unique types.
    """
    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    labels = _labels()
    types = crime_types.fillna("").astype(str)
    uniq = pd.Index(types.unique())
    key = _normal(uniq)
    known = key.isin(taxonomy.index)
    listed = key.isin(labels.index)
    cat = np.where(
        known,
        taxonomy["category"].reindex(key).to_numpy(),
        np.where(listed, labels["category"].reindex(key).to_numpy(), "Other"),
    )
    sens_known = taxonomy["sensitive"].reindex(key).fillna(False).to_numpy(bool)
    vawg_known = taxonomy["vawg"].reindex(key).fillna(False).to_numpy(bool)
    public = _flag(taxonomy, "public_place").reindex(key).fillna(False).to_numpy(bool)
    sens_guess = np.array([bool(SENSITIVE_PATTERN.search(k)) for k in key], dtype=bool)
    # violent by its group, or by its name: a workspace's [categories] mapping "Assault" to
    # "Public order" does not make an exact point of it mappable
    violent = (cat == VIOLENCE) | np.array([bool(_VIOLENT_WORDS.search(k)) for k in key], bool)
    vawg_guess = sens_guess | np.array([bool(_VAWG_WORDS.search(k)) for k in key], dtype=bool)
    lookup = pd.DataFrame(
        {
            "category": cat,
            "sensitive": np.where(known, sens_known, sens_guess) | listed,
            "vawg": np.where(known, vawg_known, vawg_guess | listed),
            "_unsure": (~known & ~listed) | sens_guess | (violent & ~public),
        },
        index=uniq,
    )
    out = lookup.reindex(types.to_numpy())
    out.index = crime_types.index
    exact = np.broadcast_to(np.asarray(exact_coordinates, dtype=bool), (len(out),))
    if exact.any():
        unsure = out["_unsure"].to_numpy(bool)
        out["sensitive"] = out["sensitive"].to_numpy(bool) | (exact & unsure)
    return out.drop(columns="_unsure")


def unmapped_types(crime_types: pd.Series, taxonomy: pd.DataFrame | None = None) -> list[str]:
    """Crime types (as given) that the taxonomy does not know; they fall into ``"Other"``."""
    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    uniq = pd.Series(crime_types.dropna().astype(str).unique())
    key = _normal(pd.Index(uniq))
    return sorted(uniq[~(key.isin(taxonomy.index) | key.isin(_labels().index))])


def empty_incidents(working_crs: str = BNG) -> gpd.GeoDataFrame:
    """An incidents GeoDataFrame with the canonical columns and dtypes and no rows."""
    frame = pd.DataFrame(
        {
            "incident_id": pd.Series(dtype="string"),
            "source": pd.Series(dtype="string"),
            "crime_type": pd.Series(dtype="string"),
            "category": pd.Series(dtype="string"),
            "sensitive": pd.Series(dtype=bool),
            "vawg": pd.Series(dtype=bool),
            "month": pd.Series(dtype="datetime64[ns]"),
            "occurred_from": pd.Series(dtype="datetime64[ns]"),
            "occurred_to": pd.Series(dtype="datetime64[ns]"),
            "time_precision": pd.Series(dtype="string"),
            "location": pd.Series(dtype="string"),
            "lsoa_code": pd.Series(dtype="string"),
            "ward_code": pd.Series(dtype="string"),
            "x": pd.Series(dtype=float),
            "y": pd.Series(dtype=float),
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    gdf.attrs[WORKING_CRS] = working_crs
    return gdf


def incidents_from_xy(
    xy: np.ndarray,
    crime_types: str | list[str],
    *,
    crs: str = BNG,
    month: str = "2021-06-01",
    source: str = "synthetic",
    location: str = "",
) -> gpd.GeoDataFrame:
    """Canonical month-only incidents at ``(n, 2)`` coordinates in metres (``crs``).

    For synthetic data in tests, benchmarks and notebooks: ids ``"0"…``, category and flags
    from the taxonomy, ``x``/``y`` as given, lon/lat geometry, ``attrs["working_crs"] = crs``.

    Examples
    --------
    >>> inc = incidents_from_xy(np.array([[505000.0, 207000.0]]), "Burglary")
    >>> inc["category"].iloc[0], float(inc["x"].iloc[0])
    ('Acquisitive', 505000.0)
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    types = [crime_types] * n if isinstance(crime_types, str) else list(crime_types)
    lon, lat = to_lonlat(xy[:, 0], xy[:, 1], crs)
    flags = classify(pd.Series(types))
    frame = pd.DataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "source": source,
            "crime_type": types,
            "category": flags["category"].to_numpy(object),
            "sensitive": flags["sensitive"].to_numpy(bool),
            "vawg": flags["vawg"].to_numpy(bool),
            "month": pd.Timestamp(month),
            "occurred_from": pd.NaT,
            "occurred_to": pd.NaT,
            "time_precision": "month",
            "location": location,
            "lsoa_code": None,
            "ward_code": None,
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)[COLUMNS]
    gdf = gdf.astype(empty_incidents().dtypes.drop("geometry").to_dict())
    gdf.attrs[WORKING_CRS] = crs
    return gdf


def is_arrow_text(values: pd.Series) -> bool:
    """Whether ``values`` is text held in Arrow (pandas' ``str`` dtype with pyarrow storage,
    as the readers give every text column): its buffers can be read by pyarrow directly."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def positions_in(values: pd.Series, among: pd.Series) -> np.ndarray:
    """The position of each of ``values`` in ``among`` (each value there once; missing values
    match a missing one), -1 where it is not there: ``pd.Index(among).get_indexer(values)``,
    hashed by Arrow when both are text held in Arrow (no Python string made per value: the
    force-year's 18,000 cell ids in 0.7 ms, not 3.4 ms)."""
    if not (is_arrow_text(values) and is_arrow_text(among)):
        return pd.Index(among).get_indexer(values)
    value_set = pa.array(among.array)
    found = pc.index_in(pa.array(values.array).cast(value_set.type), value_set=value_set)
    return found.fill_null(-1).to_numpy().astype(np.intp)


def text_buffers(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (``int64``, one more than the strings; string *i* is ``data[offsets[i]:
    offsets[i + 1]]``) and the bytes (``uint8``) of an Arrow ``string`` or ``large_string``
    array (one chunk), read in place from its buffers: no copy of the text.

    Examples
    --------
    >>> offsets, data = text_buffers(pa.array(["ab", None, "c"]).slice(1))
    >>> offsets.tolist(), data[offsets[0] : offsets[-1]].tobytes()
    ([2, 2, 3], b'c')
    """
    _, offsets_buf, data_buf = strings.buffers()
    width = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64, copy=False), data


def incident_points(incidents: gpd.GeoDataFrame) -> np.ndarray:
    """The incidents' points as a shapely array in EPSG:4326, or an error saying the fix.

    Raises ``TypeError`` for anything but a GeoDataFrame, ``ValueError`` for a missing CRS or
    geometries that are missing or not points (``hotspots.data.ingest`` quarantines those).
    """
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(
            f"incidents must be a GeoDataFrame of points, got {type(incidents).__name__}; "
            "load data with hotspots.data.ingest"
        )
    if incidents.crs is None:
        raise ValueError("incidents have no CRS; set it (EPSG:4326 for lon/lat)")
    geom = incidents.geometry
    if CRS.from_user_input(incidents.crs).to_epsg() != 4326:
        geom = to_crs(geom, WGS84)
    points = geom.to_numpy()
    bad = shapely.get_type_id(points) != shapely.GeometryType.POINT
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} incident geometries are missing or not points; drop or quarantine "
            "them first (hotspots.data.ingest does)"
        )
    return points


def check_incidents(gdf: gpd.GeoDataFrame) -> None:
    """Raise ``ValueError`` naming what is missing when ``gdf`` is not canonical incidents."""
    missing = [c for c in COLUMNS if c not in gdf.columns]
    if missing:
        raise ValueError(
            f"not an incidents table: missing column(s) {missing}; load data with "
            "hotspots.data.ingest (read_policeuk, read_incident_csv, read_vector)"
        )
    if gdf.crs is None or CRS.from_user_input(gdf.crs).to_epsg() != 4326:
        raise ValueError(f"incidents must be in EPSG:4326 (lon/lat), got {gdf.crs}")
    if WORKING_CRS not in gdf.attrs:
        raise ValueError(f"incidents lack attrs[{WORKING_CRS!r}] (the metric working CRS)")

"""Read incident points from vector files: GeoJSON, GeoPackage, Shapefile, GeoParquet."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.data.ingest import assemble, coords, mapped
from hotspots.data.ingest.columns import ColumnMap, as_column_map, check_columns
from hotspots.data.ingest.errors import IngestError
from hotspots.data.ingest.report import LoadReport, LoadResult
from hotspots.data.ingest.studyarea import StudyArea, describe_study_area, resolve_study_area
from hotspots.data.ingest.taxonomy import Taxonomy, as_taxonomy
from hotspots.data.schema import COLUMNS

_PARQUET = {".parquet", ".geoparquet"}


def read_vector(
    path: str | Path,
    *,
    columns: ColumnMap | Mapping[str, str] | None = None,
    layer: str | None = None,
    study_area: StudyArea | None = None,
    taxonomy: Taxonomy = None,
    dayfirst: bool = True,
) -> LoadResult:
    """Load incident points from a GeoJSON, GeoPackage, Shapefile or GeoParquet file.

    Parameters
    ----------
    path
        The file.
    columns
        Attribute columns for the time fields, ``incident_id``, ``crime_type``, ... (the
        location comes from the geometry); ``None`` guesses them from common names.
    layer
        The layer to read when the file has several (a GeoPackage); required then.
    study_area, taxonomy, dayfirst
        As for :func:`read_incident_csv`.

    Returns
    -------
    LoadResult
        The quarantine's ``line`` is the 1-based feature number. The file's CRS is honoured;
        a file without one, or a GeoJSON whose coordinates are British National Grid metres
        (GeoJSON readers assume lon/lat), is recognised by its value range and reprojected.
        Null or empty geometries are ``no_location``; lines and polygons are ``not_a_point``.

    Raises
    ------
    IngestError
        Unreadable file, several layers and no ``layer``, a column named in the map missing.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, pathlib
    >>> pts = gpd.GeoDataFrame({"date": ["01/03/2021"]},
    ...     geometry=gpd.points_from_xy([505000], [207000]), crs="EPSG:27700")
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "asb.gpkg"
    >>> pts.to_file(out)
    >>> read_vector(out).incidents["month"].iloc[0].strftime("%Y-%m")
    '2021-03'
    """
    path = Path(path)
    label = str(path)
    frame = _read(path, layer=layer)
    cmap = as_column_map(columns)
    report = LoadReport(files_read=[label], encodings={label: "n/a (vector file)"})
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    if cmap is None and set(COLUMNS) <= set(frame.columns):
        staged = _canonical(frame, label, report)
        return assemble.finish(
            staged,
            study_area=None if study_area is None else resolve_study_area(study_area),
            study_area_label=None if study_area is None else describe_study_area(study_area),
            taxonomy=as_taxonomy(taxonomy),
        )
    if cmap is None:
        cmap = ColumnMap.guess(attributes)
        report.parameters[f"{label}: columns guessed"] = "yes (pass columns= to override)"
    if cmap.kind is not None:
        raise IngestError(
            f"{label}: the location of a vector feature is its geometry; remove "
            f"{cmap.used()} location fields from the ColumnMap"
        )
    check_columns(cmap, attributes, source=label, need_location=False)
    raw = frame[attributes].astype("str").reset_index(drop=True)
    raw["geometry (WKT)"] = shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=6)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    labels = np.full(len(frame), label, dtype=object)
    located = _locate(frame, label)
    report.crs[label] = f"{located.crs} ({located.how})"
    staged = mapped.stage(
        raw,
        labels,
        lines,
        located,
        cmap,
        source=path.stem,
        stem=path.stem,
        dayfirst=dayfirst,
        report=report,
    )
    return assemble.finish(
        staged,
        study_area=None if study_area is None else resolve_study_area(study_area),
        study_area_label=None if study_area is None else describe_study_area(study_area),
        taxonomy=as_taxonomy(taxonomy),
    )


def _canonical(frame: gpd.GeoDataFrame, label: str, report: LoadReport) -> assemble.Staged:
    """Stage a file already in the canonical schema (e.g. written by ``hotspots ingest``).

    Its fields are taken as they are (dates already parsed); locations are checked again, the
    working CRS is chosen again and ``category``/``sensitive``/``vawg`` re-derived from the
    crime type with the taxonomy in use.
    """
    raw = frame[[c for c in frame.columns if c != frame.geometry.name]].astype("str")
    raw = raw.reset_index(drop=True)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    labels = np.full(len(frame), label, dtype=object)
    located = _locate(frame, label)
    report.crs[label] = f"{located.crs} ({located.how})"
    report.parameters[f"{label}: columns"] = "canonical incidents (hotspots schema)"
    ledger = assemble.Ledger(len(frame))
    ledger.take(located.reason, located.detail)
    months = pd.to_datetime(frame["month"]).reset_index(drop=True)
    ledger.flag(months.isna().to_numpy(), "unparseable_date", "month is blank")
    fields = {
        name: frame[name].reset_index(drop=True)
        for name in (
            "incident_id", "source", "crime_type", "month", "occurred_from", "occurred_to",
            "time_precision", "location", "lsoa_code",
        )
    }  # fmt: skip
    return assemble.Staged(raw, labels, lines, ledger, located, fields, report)


def _read(path: Path, *, layer: str | None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise IngestError(f"{path}: no such file")
    try:
        if path.suffix.lower() in _PARQUET:
            return gpd.read_parquet(path)
        import pyogrio  # lazy: GDAL loads only when a vector file is read (~0.1 s)

        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            raise IngestError(
                f"{path}: the file has {len(layers)} layers ({', '.join(layers[:, 0])}); pass "
                "layer= to choose one"
            )
        return gpd.read_file(path, layer=layer)
    except IngestError:
        raise
    except Exception as exc:  # pyogrio / pyarrow raise many types; name the file and the fix
        raise IngestError(
            f"{path}: cannot read it as a vector file ({exc}); expected GeoJSON, GeoPackage, "
            "Shapefile (with its .shx/.dbf) or GeoParquet"
        ) from exc


def _locate(frame: gpd.GeoDataFrame, label: str) -> coords.Located:
    """Point coordinates via :func:`coords.locate`; other geometries get ``not_a_point``."""
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    single = (kinds == 4) & (shapely.get_num_geometries(geoms) == 1)  # a MultiPoint of one
    points = np.where(single, shapely.get_geometry(geoms, 0), geoms)
    is_point = ~missing & (shapely.get_type_id(points) == 0)
    x, y = _point_xy(points, is_point)
    crs = frame.crs.to_string() if frame.crs is not None else None
    finite = np.isfinite(x) & np.isfinite(y)
    how_prefix = ""
    geographic = crs is not None and frame.crs.is_geographic
    if geographic and finite.any() and not coords.looks_like_degrees(x[finite], y[finite]):
        how_prefix = f"file says {crs}, values say otherwise: "
        crs = None
    located = coords.locate(
        pd.Series(x), pd.Series(y), kind="xy", crs=crs, names=("x", "y"), source=label
    )
    reason = located.reason.copy()
    detail = located.detail.copy()
    not_point = ~missing & ~is_point
    reason[not_point] = "not_a_point"
    detail[not_point] = (
        pd.Series(shapely.get_type_id(geoms[not_point])).map(_TYPE_NAMES).fillna("geometry")
        + " geometry; incidents must be points"
    ).to_numpy(object)
    reason[missing] = "no_location"
    detail[missing] = "null or empty geometry"
    return coords.Located(
        located.lon,
        located.lat,
        located.x,
        located.y,
        located.crs,
        how_prefix + located.how,
        reason,
        detail,
        located.swapped,
    )


def _point_xy(points: np.ndarray, is_point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each point, NaN elsewhere. GEOS refuses ``get_x`` on a point it reads as
    empty (e.g. GeoJSON ``[NaN, NaN]``): those points get NaN, so they are quarantined."""
    try:
        return (
            np.where(is_point, shapely.get_x(points), np.nan),
            np.where(is_point, shapely.get_y(points), np.nan),
        )
    except shapely.errors.GEOSException:
        x = np.full(points.size, np.nan)
        y = np.full(points.size, np.nan)
        for i in np.flatnonzero(is_point):
            try:
                x[i], y[i] = shapely.get_x(points[i]), shapely.get_y(points[i])
            except shapely.errors.GEOSException:
                continue
        return x, y


_TYPE_NAMES = {
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}

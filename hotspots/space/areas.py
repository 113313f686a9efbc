"""Wards and LSOAs: read boundaries, join incidents to areas, counts, population and rates.

Boundaries are returned in WGS84 (EPSG:4326) with two columns, ``area_code`` and
``area_name``. Areas (m²) and snapping distances (metres) are computed in British National
Grid (EPSG:27700) or the incidents' working CRS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS

from hotspots.core.crs import BNG, WGS84, in_bng_extent, outside_degrees, to_crs, working_crs_for
from hotspots.core.points import coordinates, distinct_points
from hotspots.data import boundaries, datasets
from hotspots.data.schema import WORKING_CRS, incident_points, positions_in

if TYPE_CHECKING:
    from hotspots.data.workspace import WorkspaceData

# ONS/NRS geography prefixes, finest first: when a layer carries several code columns
# (e.g. a ward's WD13CD and its district's LAD13CD) the finest is the feature's own code.
_PREFIXES = (
    "OA", "LSOA", "DZ", "MSOA", "IZ", "WD", "WARD", "CED", "PCON", "LAD", "LA", "CTYUA", "CTY",
    "CMLAD", "CSP", "PFA", "RGN", "CTRY",
)  # fmt: skip
_CODE_RE = re.compile(r"^([a-z]+)(\d{2})cd$", re.IGNORECASE)
# Point-in-polygon: a loop of vectorised tests per area up to this many areas, STRtree beyond.
_LOOP_MAX_AREAS = 500


def _read_layer(path_or_gdf: str | Path | gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    if isinstance(path_or_gdf, gpd.GeoDataFrame):
        return path_or_gdf.copy(), "GeoDataFrame"
    path = Path(path_or_gdf)
    if not path.exists():
        raise FileNotFoundError(f"boundary file {path} not found")
    if path.suffix.lower() in {".parquet", ".geoparquet"}:
        return gpd.read_parquet(path), str(path)
    return gpd.read_file(path), str(path)


def _fix_crs(gdf: gpd.GeoDataFrame, crs: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """Set the layer's true CRS; detect BNG metres in a layer that has none (or claims lon/lat)."""
    if crs is not None:
        return gdf.set_crs(crs, allow_override=True), f"{crs} (given)"
    west, south, east, north = gdf.total_bounds
    in_degrees = not outside_degrees([west, east], [south, north]).any()
    declared = None if gdf.crs is None else CRS.from_user_input(gdf.crs)
    if declared is not None and (declared.is_projected or in_degrees):
        return gdf, f"{declared.to_string()} (declared)"
    if in_degrees:
        return gdf.set_crs(WGS84), f"{WGS84} (none declared; coordinates are lon/lat degrees)"
    if in_bng_extent([west, east], [south, north]).all():
        note = "declared lon/lat" if declared is not None else "none declared"
        return (
            gdf.set_crs(BNG, allow_override=True),
            f"{BNG} (detected: {note} but coordinates are British National Grid metres)",
        )
    raise ValueError(
        f"boundary layer has no usable CRS and coordinates {tuple(gdf.total_bounds)} are neither "
        "lon/lat degrees nor British National Grid metres; save the file with its CRS "
        "declared (e.g. a GeoPackage, or GeoJSON in lon/lat); in Python, pass crs='EPSG:nnnn'"
    )


def _guess_columns(
    gdf: gpd.GeoDataFrame, code_col: str | None, name_col: str | None
) -> tuple[str, str]:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for given, role in ((code_col, "code_col"), (name_col, "name_col")):
        if given is not None and given not in columns:
            raise ValueError(f"{role}={given!r} is not a column of the layer; columns: {columns}")
    if code_col is None and name_col is None and {"area_code", "area_name"} <= set(columns):
        return "area_code", "area_name"  # written by read_boundaries
    if code_col is None:
        found = [(c, m.group(1).upper()) for c in columns if (m := _CODE_RE.match(str(c)))]
        known = [(c, p) for c, p in found if p in _PREFIXES]
        if not known:
            raise ValueError(
                f"cannot tell which column holds the area code; columns: {columns}. Name the "
                "columns area_code and area_name, or ONS-style (e.g. WD23CD and WD23NM); in "
                "Python, pass code_col= (and name_col=), e.g. code_col='WD13CD'"
            )
        code_col = min(known, key=lambda cp: (not gdf[cp[0]].is_unique, _PREFIXES.index(cp[1])))[0]
    if name_col is None:
        wanted = str(code_col)[:-2].lower() + "nm"
        matches = [c for c in columns if str(c).lower() == wanted]
        if not matches:
            raise ValueError(
                f"found area code column {code_col!r} but no name column {wanted.upper()!r}; "
                f"columns: {columns}. Pass name_col= (name_col=code_col to use codes as names)"
            )
        name_col = matches[0]
    return code_col, name_col


def read_boundaries(
    path_or_gdf: str | Path | gpd.GeoDataFrame,
    *,
    code_col: str | None = None,
    name_col: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read area boundaries (wards, LSOAs, districts) into ``area_code``, ``area_name``.

    Parameters
    ----------
    path_or_gdf
        GeoJSON, GeoPackage, shapefile or GeoParquet file, or a GeoDataFrame.
    code_col, name_col
        Columns holding the area code and name. ``None`` guesses ONS-style columns
        (``WD13CD``/``WD13NM``, ``LSOA11CD``/``LSOA11NM``, ``lad17cd``/``lad17nm``, any
        ``<prefix><yy>CD`` with its ``NM``; ``area_code``/``area_name`` as written here),
        preferring a column with one code per feature, then the finest geography.
    crs
        The layer's true CRS, overriding what the file declares. ``None``: use the declared CRS;
        a layer with no CRS (or one claiming lon/lat) whose coordinates are British National
        Grid metres is detected as EPSG:27700 — a common GeoJSON mistake that would otherwise
        draw nothing.

    Returns
    -------
    GeoDataFrame in EPSG:4326 with ``area_code``, ``area_name``, geometry (one row per code:
    rows sharing a code are merged). ``attrs["report"]``: source, code and name columns, how
    the CRS was set, number of invalid geometries repaired (``shapely.make_valid``) and of rows
    merged.

    Raises
    ------
    ValueError
        Columns cannot be guessed (the message lists them), geometries are missing or not
        polygons, or the CRS cannot be determined.

    Examples
    --------
    >>> wards = read_boundaries(datasets.wards_path())
    >>> wards.attrs["report"]["code_col"], len(wards)
    ('WD13CD', 25)
    """
    gdf, source = _read_layer(path_or_gdf)
    if gdf.empty:
        raise ValueError(f"boundary layer {source} has no features")
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        raise ValueError(
            f"{int(missing.sum())} feature(s) of {source} have no geometry (rows "
            f"{list(gdf.index[missing][:5])}); remove or repair them"
        )
    polygonal = gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polygonal.all():
        raise ValueError(
            f"boundaries must be polygons; {source} has {sorted(set(gdf.geom_type[~polygonal]))}"
        )
    code_col, name_col = _guess_columns(gdf, code_col, name_col)
    gdf, crs_how = _fix_crs(gdf, crs)
    geoms = gdf.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure")
    out = to_crs(
        gpd.GeoDataFrame(
            {
                "area_code": gdf[code_col].astype("string").str.strip().to_numpy(),
                "area_name": gdf[name_col].astype("string").str.strip().to_numpy(),
            },
            geometry=gpd.GeoSeries(geoms, crs=gdf.crs),
        ),
        WGS84,
    )
    n_rows = len(out)
    if not out["area_code"].is_unique:
        out = out.dissolve(by="area_code", aggfunc="first", as_index=False)
        out = out[["area_code", "area_name", "geometry"]]
    if not out["area_name"].dropna().is_unique:  # two areas of one name: each its own
        shown = shown_ward_names(out["area_name"], out["area_code"])
        out["area_name"] = pd.array(shown, dtype=out["area_name"].dtype)
    out.attrs["report"] = {
        "source": source,
        "code_col": str(code_col),
        "name_col": str(name_col),
        "crs": crs_how,
        "invalid_fixed": int(invalid.sum()),
        "rows_merged": n_rows - len(out),
    }
    return out


_QUALIFIED = re.compile(r"^(?P<name>.*) \((?P<which>[^()]*)\)$")
"""A name :func:`shown_ward_names` made unique: "Blackdown (Taunton Deane)"."""


def shown_ward_names(
    names: ArrayLike, codes: ArrayLike, districts: ArrayLike | None = None
) -> np.ndarray:
    """Each ward's name as shown and chosen, everywhere (tables, maps, places, the dashboard's
    filter and its links): its own name, unique, or, where several wards share it, the name
    with the district it is in ("Blackdown (Taunton Deane)", the pack's older districts of a
    council formed since), else with its code ("Blackdown (E05006819)").

    Examples
    --------
    >>> shown_ward_names(["Blackdown", "Wellington", "Blackdown"], ["E1", "E2", "E3"],
    ...                  ["South Somerset", "Taunton Deane", "Taunton Deane"]).tolist()
    ['Blackdown (South Somerset)', 'Wellington', 'Blackdown (Taunton Deane)']
    >>> shown_ward_names(["Abbey", "Abbey"], ["E1", "E2"]).tolist()
    ['Abbey (E1)', 'Abbey (E2)']
    """
    plain = pd.Series(np.asarray(names, dtype=object)).astype(str)
    code = pd.Series(np.asarray(codes, dtype=object)).astype(str)
    shared = plain.duplicated(keep=False).to_numpy().copy()
    shown = plain.to_numpy(dtype=object).copy()
    if districts is not None:
        which = pd.Series(np.asarray(districts, dtype=object)).astype(str)
        by_district = (plain + " (" + which + ")").to_numpy(dtype=object)
        shown[shared] = by_district[shared]
        shared = shared & pd.Series(shown).duplicated(keep=False).to_numpy()  # twice in one
    by_code = (plain + " (" + code + ")").to_numpy(dtype=object)
    shown[shared] = by_code[shared]
    return shown


def wards_named(names: Mapping[str, str], text: str) -> list[str]:
    """The codes of the wards ``text`` names among ``names`` (code → name as shown,
    :func:`shown_ward_names`): the ward of that code or shown name, else every ward whose own
    name it is (a link made before names were made unique: "Blackdown" → both Blackdowns,
    for the caller to say it cannot tell which); none when it names no ward.

    Examples
    --------
    >>> shown = {"E1": "Blackdown (South Somerset)", "E3": "Blackdown (Taunton Deane)",
    ...          "E2": "Wellington"}
    >>> wards_named(shown, "Wellington"), wards_named(shown, "E3"), wards_named(shown, "Blackdown")
    (['E2'], ['E3'], ['E1', 'E3'])
    """
    if text in names:
        return [text]
    exact = [code for code, name in names.items() if name == text]
    if exact:
        return exact
    found = []
    for code, name in names.items():
        qualified = _QUALIFIED.match(name)
        if qualified and qualified["name"] == text:
            found.append(code)
    return found


def _check_areas(areas: gpd.GeoDataFrame) -> None:
    if not isinstance(areas, gpd.GeoDataFrame) or not {"area_code", "area_name"} <= set(
        areas.columns
    ):
        raise ValueError("areas must come from read_boundaries (columns area_code, area_name)")


def _first_match(
    query_idx: np.ndarray, tree_idx: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lowest tree index per query (-1 when none), and whether each query had several."""
    order = np.lexsort((tree_idx, query_idx))
    query_idx, tree_idx = query_idx[order], tree_idx[order]
    first = np.ones(query_idx.size, dtype=bool)
    first[1:] = query_idx[1:] != query_idx[:-1]
    match = np.full(n, -1, dtype=np.intp)
    match[query_idx[first]] = tree_idx[first]
    return match, np.bincount(query_idx, minlength=n) > 1


def _locate(
    points: np.ndarray, polygons: np.ndarray, *, loop_max: int = _LOOP_MAX_AREAS
) -> tuple[np.ndarray, int]:
    """First polygon intersecting each point (-1 for none) and how many points touch several.

    Each distinct point is located once (police.uk snaps incidents to a few map points: a
    million rows hold tens of thousands of points), then its answer is given to every point
    equal to it; the same answers as locating every point.
    """
    x, y = coordinates(points)
    if points.size >= _DISTINCT_MIN and np.isfinite(x).all() and np.isfinite(y).all():
        codes, distinct_x, distinct_y = distinct_points(x, y)
        if len(distinct_x) <= points.size // 2:
            match, several = _locate_each(distinct_x, distinct_y, polygons, loop_max)
            return match[codes], int(several[codes].sum())
    match, several = _locate_each(x, y, polygons, loop_max)
    return match, int(several.sum())


_DISTINCT_MIN = 10_000
"""Points from which :func:`_locate` locates each distinct point once (fewer: every point)."""


def _locate_each(
    x: np.ndarray, y: np.ndarray, polygons: np.ndarray, loop_max: int
) -> tuple[np.ndarray, np.ndarray]:
    """First polygon intersecting each point ``(x, y)`` (-1 for none) and whether it touches
    several.

    Up to ``loop_max`` polygons: one vectorised ``shapely.intersects_xy`` per polygon over the
    points in its bounding box (1M points into 25 wards: 0.7 s). More polygons: an STRtree
    query (3 s for the same job, but it does not grow with the number of areas).
    """
    if len(polygons) > loop_max:
        hits = shapely.STRtree(polygons).query(shapely.points(x, y), predicate="intersects")
        return _first_match(hits[0], hits[1], x.size)
    match = np.full(x.size, -1, dtype=np.intp)
    n_hits = np.zeros(x.size, dtype=np.int32)
    for i, polygon in enumerate(polygons):
        x0, y0, x1, y1 = polygon.bounds
        near = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        inside = near[shapely.intersects_xy(polygon, x[near], y[near])]
        n_hits[inside] += 1
        fresh = inside[match[inside] < 0]
        match[fresh] = i
    return match, n_hits > 1


def assign_areas(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    column: str = "ward_code",
    max_snap_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Fill ``column`` with the code of the area containing each incident (point in polygon).

    Parameters
    ----------
    incidents
        Point GeoDataFrame with a CRS.
    areas
        Boundaries from :func:`read_boundaries`.
    column
        Column to fill (``"ward_code"``, ``"lsoa_code"``, ...); created when absent.
    max_snap_m
        Points outside every area but within this many metres of one (in the working CRS,
        ``attrs["working_crs"]`` or EPSG:27700 in Great Britain) go to the nearest area.
        Generalised boundaries miss police.uk points by a few metres (Dacorum: 3 of 13,187
        points, 6.6 m out); 0 disables snapping.

    Returns
    -------
    A copy of ``incidents`` with ``column`` (string dtype, ``<NA>`` outside every area). A point
    on a shared boundary goes to the first area in ``areas`` order. ``attrs["area_join"]``:
    ``column``, ``outside`` (left ``<NA>``), ``on_boundary`` (touching several areas),
    ``snapped`` and ``max_snap_m``.

    Examples
    --------
    >>> joined = assign_areas(incidents, read_boundaries(datasets.wards_path()))  # doctest: +SKIP
    >>> joined.attrs["area_join"]["outside"]  # doctest: +SKIP
    3
    """
    _check_areas(areas)
    match, report = _area_index(incidents, areas, max_snap_m=max_snap_m)
    codes = np.where(match >= 0, areas["area_code"].to_numpy(dtype=object)[match], None)
    out = incidents.copy()
    out[column] = pd.array(codes, dtype="string")
    out.attrs["area_join"] = {"column": column, **report}
    return out


def _area_index(
    incidents: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, *, max_snap_m: float
) -> tuple[np.ndarray, dict[str, Any]]:
    """Row of ``areas`` holding each incident (-1: none) and the join report."""
    if max_snap_m < 0:
        raise ValueError(f"max_snap_m is a distance in metres >= 0, got {max_snap_m}")
    points = incident_points(incidents)
    match, n_multi = _locate(points, to_crs(areas, WGS84).geometry.to_numpy())
    snapped = 0
    unmatched = np.flatnonzero(match < 0)
    if max_snap_m > 0 and unmatched.size:
        lon, lat = coordinates(points)
        metric = incidents.attrs.get(WORKING_CRS) or working_crs_for(lon, lat)
        # each distinct point snapped once (the same answers as snapping every point)
        codes, far_lon, far_lat = np.arange(unmatched.size), lon[unmatched], lat[unmatched]
        if np.isfinite(far_lon).all() and np.isfinite(far_lat).all():
            codes, far_lon, far_lat = distinct_points(far_lon, far_lat)
        far = to_crs(gpd.GeoSeries(shapely.points(far_lon, far_lat), crs=WGS84), metric)
        near = shapely.STRtree(to_crs(areas, metric).geometry.to_numpy()).query_nearest(
            far.to_numpy(), max_distance=max_snap_m
        )
        nearest = _first_match(near[0], near[1], far_lon.size)[0][codes]
        match[unmatched] = nearest
        snapped = int((nearest >= 0).sum())
    report = {
        "outside": int((match < 0).sum()),
        "on_boundary": n_multi,
        "snapped": snapped,
        "max_snap_m": float(max_snap_m),
    }
    return match, report


def area_counts(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    column: str = "ward_code",
    max_snap_m: float = 0.0,
) -> pd.DataFrame:
    """Incidents per area, zeros included (and per value of ``by``, long format).

    Parameters
    ----------
    incidents
        Point GeoDataFrame. When ``column`` holds codes already (e.g. police.uk's
        ``lsoa_code``) they are used; when it is absent or entirely empty the points are joined
        spatially with :func:`assign_areas`.
    areas
        Boundaries from :func:`read_boundaries`.
    by
        Optional column, e.g. ``"month"`` or ``"category"``: one row per area and value of
        ``by`` observed in ``incidents``.
    column
        Incident column holding area codes.
    max_snap_m
        For the spatial join: snap points up to this many metres outside (see
        :func:`assign_areas`).

    Returns
    -------
    DataFrame ``area_code``, ``area_name``, [``by``], ``count`` in ``areas`` order. ``attrs``:
    ``column``, ``by``, ``codes_from`` ("existing column" or "spatial join") and
    ``not_counted`` (incidents in no listed area: counted nowhere, reported here).

    Examples
    --------
    >>> counts = area_counts(incidents, wards, by="month")  # doctest: +SKIP
    """
    _check_areas(areas)
    if by is not None and by not in incidents.columns:
        raise ValueError(f"by={by!r} is not a column of incidents: {list(incidents.columns)}")
    if column in incidents.columns and incidents[column].notna().any():
        match = positions_in(incidents[column].astype("string"), areas["area_code"])
        how = "existing column"
    else:
        match, _ = _area_index(incidents, areas, max_snap_m=max_snap_m)
        how = f"spatial join (max_snap_m={max_snap_m:g})"
    listed = match >= 0
    n_areas = len(areas)
    out = pd.DataFrame(
        {"area_code": areas["area_code"].to_numpy(), "area_name": areas["area_name"].to_numpy()}
    )
    if by is None:
        out["count"] = np.bincount(match[listed], minlength=n_areas)
    else:
        period_idx, periods = pd.factorize(incidents[by], sort=True, use_na_sentinel=False)
        flat = match[listed] * len(periods) + period_idx[listed]
        counts = np.bincount(flat, minlength=n_areas * len(periods))
        out = out.loc[out.index.repeat(len(periods))].reset_index(drop=True)
        out[by] = np.tile(np.asarray(periods), n_areas)
        out["count"] = counts
    out.attrs.update(column=column, by=by, codes_from=how, not_counted=int((~listed).sum()))
    return out


def load_population(path: str | Path | None = None) -> pd.DataFrame:
    """2011 Census usual residents and households per LSOA (England and Wales).

    Parameters
    ----------
    path
        The ONS table as bundled (``None``: ``datasets.population_path()``), with columns
        ``LSOA Code``, ``LSOA Name``, three ``Persons`` columns (all residents, household
        residents, communal residents; numbers like ``"1,563"``) and ``Households``.

    Returns
    -------
    DataFrame ``lsoa_code``, ``lsoa_name``, ``residents``, ``household_residents``,
    ``communal_residents``, ``households`` (integers), one row per LSOA.

    Examples
    --------
    >>> pop = load_population()
    >>> int(pop["residents"].sum())  # England and Wales, 2011
    56075912
    """
    path = datasets.population_path() if path is None else Path(path)
    table = pd.read_csv(path, thousands=",", dtype={"LSOA Code": str, "LSOA Name": str})
    # pandas names the repeated "Persons" headers Persons, Persons.1, Persons.2
    wanted = {
        "LSOA Code": "lsoa_code",
        "LSOA Name": "lsoa_name",
        "Persons": "residents",
        "Persons.1": "household_residents",
        "Persons.2": "communal_residents",
        "Households": "households",
    }
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise ValueError(
            f"population table {path}: missing column(s) {missing}; expected the 2011 Census "
            "LSOA table with 'LSOA Code', three 'Persons' columns and 'Households'"
        )
    out = table[list(wanted)].rename(columns=wanted)
    counts = ["residents", "household_residents", "communal_residents", "households"]
    if not all(pd.api.types.is_integer_dtype(out[c]) for c in counts):
        raise ValueError(f"population table {path}: non-numeric counts in {counts}")
    if not out["lsoa_code"].is_unique:
        raise ValueError(f"population table {path}: LSOA codes repeat")
    out.attrs["vintage"] = "residents: 2011 Census, 2011 LSOAs"
    return out


def ward_population(
    wards: gpd.GeoDataFrame,
    lsoas: gpd.GeoDataFrame,
    population: pd.DataFrame,
    *,
    method: Literal["area_weighted", "centroid"] = "area_weighted",
) -> pd.DataFrame:
    """Residents and households per ward from LSOA figures.

    Parameters
    ----------
    wards, lsoas
        Boundaries from :func:`read_boundaries`.
    population
        From :func:`load_population` (``lsoa_code``, ``residents``, ``households``).
    method
        ``"area_weighted"``: each LSOA's figures are shared among the wards it overlaps in
        proportion to the overlapping area (m², EPSG:27700). ``"centroid"``: each LSOA goes
        whole to the ward containing its centroid (the nearest ward when the centroid falls in
        none), so ward figures sum exactly to the LSOA total.

    Returns
    -------
    DataFrame ``area_code``, ``area_name``, ``residents``, ``households``, ``method`` in
    ``wards`` order. ``attrs``: ``method``, ``vintage`` (``population.attrs["vintage"]``, the
    boundary and census vintage, when known), ``lsoa_residents`` (total of the LSOAs),
    ``ward_residents`` (sum over wards; below the LSOA total when LSOAs reach beyond the
    wards), ``centroid_fallbacks``.

    Examples
    --------
    >>> wards = read_boundaries(datasets.wards_path())
    >>> lsoas = read_boundaries(datasets.lsoas_path())
    >>> pop = ward_population(wards, lsoas, load_population(), method="centroid")
    >>> int(pop["residents"].sum())
    144847
    """
    _check_areas(wards)
    _check_areas(lsoas)
    if method not in ("area_weighted", "centroid"):
        raise ValueError(f"method must be 'area_weighted' or 'centroid', got {method!r}")
    figures = population.set_index("lsoa_code").reindex(lsoas["area_code"].to_numpy())
    absent = figures["residents"].isna().to_numpy()
    if absent.any():
        codes = lsoas["area_code"].to_numpy()[absent][:5].tolist()
        raise ValueError(
            f"{int(absent.sum())} LSOA(s) have no population figures, e.g. {codes}; population "
            "is for 2011 LSOAs (LSOA11CD): use matching boundaries"
        )
    ward_geoms = to_crs(wards, BNG).geometry.to_numpy()
    lsoa_geoms = to_crs(lsoas, BNG).geometry.to_numpy()
    fallbacks = 0
    if method == "area_weighted":
        lsoa_idx, ward_idx = shapely.STRtree(ward_geoms).query(lsoa_geoms, predicate="intersects")
        overlap = shapely.area(shapely.intersection(lsoa_geoms[lsoa_idx], ward_geoms[ward_idx]))
        share = overlap / shapely.area(lsoa_geoms)[lsoa_idx]
    else:
        centroids = shapely.centroid(lsoa_geoms)
        hits = shapely.STRtree(ward_geoms).query(centroids, predicate="intersects")
        match, _ = _first_match(hits[0], hits[1], len(lsoa_geoms))
        lost = np.flatnonzero(match < 0)
        if lost.size:
            near = shapely.STRtree(ward_geoms).query_nearest(centroids[lost])
            match[lost], _ = _first_match(near[0], near[1], lost.size)
            fallbacks = int(lost.size)
        lsoa_idx, ward_idx, share = np.arange(len(lsoa_geoms)), match, np.ones(len(lsoa_geoms))
    shared = {}
    for col in ("residents", "households"):
        values = figures[col].to_numpy(dtype=float)[lsoa_idx] * share
        summed = np.bincount(ward_idx, weights=values, minlength=len(wards))
        shared[col] = summed if method == "area_weighted" else np.rint(summed).astype(np.int64)
    return _ward_table(
        wards, shared, method, population.attrs.get("vintage"), figures["residents"], fallbacks
    )


def _ward_table(
    wards: gpd.GeoDataFrame,
    shared: dict[str, np.ndarray],
    method: str,
    vintage: object,
    lsoa_residents: pd.Series,
    fallbacks: int,
) -> pd.DataFrame:
    """:func:`ward_population`'s table from the residents and households shared to the wards."""
    out = pd.DataFrame(
        {"area_code": wards["area_code"].to_numpy(), "area_name": wards["area_name"].to_numpy()}
    )
    for col in ("residents", "households"):
        out[col] = shared[col]
    out["method"] = method
    out.attrs.update(
        method=method,
        vintage=vintage,
        lsoa_residents=int(lsoa_residents.sum()),
        ward_residents=float(out["residents"].sum()),
        centroid_fallbacks=fallbacks,
    )
    return out


def area_rates(counts: pd.DataFrame, population: pd.DataFrame, *, per: int = 1000) -> pd.DataFrame:
    """Incidents per ``per`` residents for each area (and period, when counts have one).

    Parameters
    ----------
    counts
        From :func:`area_counts` (``area_code``, ``count``, optional ``by`` column).
    population
        From :func:`ward_population` (``area_code``, ``residents``), or any table with those
        columns.
    per
        Rate denominator, residents (1,000 by default).

    Returns
    -------
    ``counts`` with ``residents``, ``rate`` (``count / residents * per``) and ``rate_note``:
    ``<NA>`` for a valid rate, otherwise why ``rate`` is NaN (no residents, or no population
    figure for the area) — never infinite. ``attrs``: ``per``, ``population_method`` and
    ``vintage`` (boundaries and census, from ``population.attrs``).

    Examples
    --------
    >>> rates = area_rates(area_counts(incidents, wards), ward_population(wards, lsoas, pop))
    ... # doctest: +SKIP
    """
    if isinstance(per, bool) or not isinstance(per, int | float) or per <= 0:
        raise ValueError(f"per must be a positive number of residents, got {per!r}")
    for table, cols, name in (
        (counts, ("area_code", "count"), "counts"),
        (population, ("area_code", "residents"), "population"),
    ):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValueError(
                f"{name} lacks column(s) {missing}; build it with hotspots.space.areas"
            )
    if not population["area_code"].is_unique:
        raise ValueError("population has repeated area codes; give one row per area")
    residents = population.set_index("area_code")["residents"]
    out = counts.copy()
    out["residents"] = out["area_code"].map(residents).astype(float)
    valid = (out["residents"] > 0).to_numpy()
    rate = np.full(len(out), np.nan)
    rate[valid] = out["count"].to_numpy(dtype=float)[valid] / out["residents"].to_numpy()[valid]
    out["rate"] = rate * per
    note = np.full(len(out), None, dtype=object)
    note[~valid] = "no residents (population 0)"
    note[out["residents"].isna().to_numpy()] = "no population figure for this area"
    out["rate_note"] = pd.array(note, dtype="string")
    out.attrs.update(
        per=per,
        population_method=population.attrs.get("method"),
        vintage=population.attrs.get("vintage"),
    )
    return out


def district_wards(
    district: str, *, method: Literal["area_weighted", "centroid"] = "area_weighted"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The 2013 wards of any district of England and Wales and their 2011 residents.

    Parameters
    ----------
    district
        LAD code or name (``"E08000035"``, ``"Leeds"``), from the national boundary pack
        (:mod:`hotspots.data.boundaries`).
    method
        How LSOA residents are shared among wards (see :func:`ward_population`).

    Returns
    -------
    wards
        ``area_code`` (WD13CD), ``area_name``, geometry (EPSG:4326).
    population
        From :func:`ward_population`; ``attrs["vintage"]`` states the boundary and census
        vintage (:data:`hotspots.data.boundaries.VINTAGE`), ``attrs["district"]`` its name and
        code.

    Raises
    ------
    LookupError
        Unknown district (the message lists close names).

    Examples
    --------
    >>> wards, pop = district_wards("Leeds")
    >>> len(wards), int(pop["residents"].sum()) > 7 * 10**5
    (33, True)
    """
    found = boundaries.district(district)
    return _district_wards(found, method=method, stored=boundaries.ward_residents([found.code]))


def area_wards(
    area: str, *, method: Literal["area_weighted", "centroid"] = "area_weighted"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The wards and residents of a district (:func:`district_wards`), or of a council formed
    since from several (:func:`hotspots.data.boundaries.find_area`): its former districts'
    wards (:func:`districts_wards`), ``population.attrs["district"]`` naming the council.

    Raises
    ------
    LookupError
        Neither a district nor such a council (the message lists close names).

    Examples
    --------
    >>> wards, pop = area_wards("Buckinghamshire")
    >>> len(wards) > 60, pop.attrs["district"]
    (True, 'Buckinghamshire (E06000060)')
    """
    code, name, codes = boundaries.find_area(area)
    if len(codes) == 1:
        return district_wards(codes[0], method=method)
    wards, population = districts_wards(codes, method=method)
    population.attrs["district"] = f"{name} ({code})"
    return wards, population


def districts_wards(
    districts: Sequence[str], *, method: Literal["area_weighted", "centroid"] = "area_weighted"
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The wards and residents of several districts (:func:`district_wards` of each, in the
    order given, stacked), the pack read once for all of them.

    ``population.attrs`` are the first district's (vintage, method; ``"district"`` its name).

    Examples
    --------
    >>> wards, pop = districts_wards(["Leeds", "Bradford"])
    >>> len(wards) == len(pop) == 33 + 30
    True
    """
    codes = [boundaries.find_district(d)[0] for d in districts]
    stored = boundaries.ward_residents(codes) if method == "area_weighted" else {}
    if codes and all(code in stored for code in codes):
        wards, sizes = boundaries.stacked_wards(codes)
        known = [stored[code] for code in codes]
        each = np.split(wards["area_code"].to_numpy(), np.cumsum(sizes)[:-1])
        if all(  # the stored residents are each district's wards', in their order
            np.array_equal(k["ward_code"].to_numpy(), w) for k, w in zip(known, each, strict=True)
        ):
            wards = _unique_names(wards, codes, sizes)
            return wards, _stacked_population(wards, known, codes[0], stored)
    every = boundaries.districts_data(codes)
    found = [_district_wards(d, method=method, stored=stored) for d in every]
    wards = gpd.GeoDataFrame(pd.concat([w for w, _ in found], ignore_index=True), crs=4326)
    wards = _unique_names(wards, codes, np.array([len(w) for w, _ in found]))
    population = pd.concat([p for _, p in found], ignore_index=True)
    population.attrs = dict(found[0][1].attrs)
    if "area_name" in population.columns:  # the wards' names as shown
        shown = dict(zip(wards["area_code"], wards["area_name"], strict=True))
        population["area_name"] = population["area_code"].map(shown).to_numpy()
    return wards, population


def _unique_names(
    wards: gpd.GeoDataFrame, codes: Sequence[str], sizes: np.ndarray
) -> gpd.GeoDataFrame:
    """The stacked ``wards`` of the districts ``codes`` (``sizes`` wards each) with their names
    as shown (:func:`shown_ward_names`: a name several share gets its district's); unchanged
    when no two share one."""
    if wards["area_name"].is_unique:
        return wards
    names = [boundaries.find_district(code)[1] for code in codes]
    named = wards.copy()
    named["area_name"] = shown_ward_names(
        wards["area_name"], wards["area_code"], np.repeat(names, sizes)
    )
    return named


def _stacked_population(
    wards: gpd.GeoDataFrame, known: list[pd.DataFrame], first: str, stored: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """The residents of the stacked ``wards`` of several districts (:func:`districts_wards`)
    from the pack's stored shares (``known``, one table per district, in the wards' order),
    as each district's :func:`ward_population` stacked: ``attrs`` the ``first`` district's."""
    population = pd.DataFrame(
        {"area_code": wards["area_code"].to_numpy(), "area_name": wards["area_name"].to_numpy()}
    )
    for col in ("residents", "households"):
        population[col] = np.concatenate([k[col].to_numpy(dtype=float) for k in known])
    population["method"] = "area_weighted"
    # the first district's figures, as pd.concat of the districts' tables keeps them
    _, alone = _district_wards(boundaries.district(first), method="area_weighted", stored=stored)
    population.attrs = dict(alone.attrs)
    return population


def _district_wards(
    found: boundaries.District,
    *,
    method: Literal["area_weighted", "centroid"],
    stored: dict[str, pd.DataFrame] | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A district's wards and residents; area-weighted residents from ``stored`` (the pack's
    precomputed :func:`ward_population`, :func:`hotspots.data.boundaries.ward_residents`)
    when it holds this district's wards, else computed."""
    lsoa_population = found.population.copy()
    lsoa_population.attrs["vintage"] = found.vintage
    known = None if stored is None or method != "area_weighted" else stored.get(found.code)
    codes = found.wards["area_code"].to_numpy()
    if known is not None and np.array_equal(known["ward_code"].to_numpy(), codes):
        shared = {c: known[c].to_numpy(dtype=float) for c in ("residents", "households")}
        population = _ward_table(
            found.wards, shared, method, found.vintage, lsoa_population["residents"], 0
        )
    else:
        population = ward_population(found.wards, found.lsoas, lsoa_population, method=method)
    population.attrs["district"] = found.label
    return found.wards.copy(), population


def workspace_areas(
    data: WorkspaceData,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """A workspace's incidents with ``ward_code`` joined, its wards and residents per ward.

    Wards are the 2013 wards of the district (or of a council's former districts) from the
    national boundary pack; residents the pack's 2011 LSOA residents shared by area, unless
    ``[population] source`` names a CSV.

    Returns
    -------
    (incidents, wards, population)
    """
    from hotspots.data.workspace import own_population

    wards, population = districts_wards(data.workspace.districts)
    own = own_population(data.workspace)
    if own is not None:
        population = own
    incidents = assign_areas(data.incidents, wards)
    incidents.attrs.update(data.incidents.attrs)
    return incidents, wards, population

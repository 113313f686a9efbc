"""Tests for hotspots.core: CRS rules, the shared defaults and the Gi* class table.

CRS detection runs on real coordinates (police.uk lon/lat, the council log's British National
Grid metres, Houston/NYC/DC extracts, DC's Maryland state plane feet); transforms are checked
against a fresh pyproj Transformer; the defaults are checked in the signatures and in the
results of the entry points that use them.
"""

from __future__ import annotations

import inspect
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from scipy import stats

import hotspots
from hotspots.analysis import analyse as analyse_module
from hotspots.analysis.clusters import dbscan_settings, suggest_eps
from hotspots.analysis.evaluate import DEFAULT_COVERAGE, backtest
from hotspots.analysis.stats import GI_CLASSES, hotspots_gistar, significance_bins
from hotspots.analysis.temporal import compare_periods
from hotspots.core import classes, crs, defaults
from hotspots.data import datasets
from hotspots.data.ingest import coords
from hotspots.data.schema import incidents_from_xy
from hotspots.products import cctv, vawg
from hotspots.products.patrol import hot_areas_from_cells, patrol_plan
from hotspots.space.grid import grid_counts
from hotspots.views import maps, report

PACKAGE = Path(hotspots.__file__).parent


@pytest.fixture(scope="module")
def policeuk_lonlat() -> tuple[np.ndarray, np.ndarray]:
    """One month of real police.uk records for Hertfordshire (lon/lat)."""
    with zipfile.ZipFile(datasets.herts_policeuk_zip()) as zf:
        name = next(n for n in zf.namelist() if n.endswith("-street.csv"))
        frame = pd.read_csv(zf.open(name), usecols=["Longitude", "Latitude"]).dropna()
    return frame["Longitude"].to_numpy(float), frame["Latitude"].to_numpy(float)


def timed(name: str, columns: list[str]) -> pd.DataFrame:
    return pd.read_csv(datasets.timed_path(name), usecols=columns, nrows=5_000).dropna()


# --------------------------------------------------------------------------- detection


def test_police_uk_lonlat_is_wgs84_and_british(policeuk_lonlat: tuple) -> None:
    lon, lat = policeuk_lonlat
    assert len(lon) > 5_000
    assert crs.detect_crs(lon, lat) == crs.WGS84
    assert crs.in_gb(lon, lat).all()
    assert crs.working_crs_for(lon, lat) == crs.BNG
    assert not crs.swapped_lonlat(lon, lat).any()


def test_swapped_police_uk_rows_are_found(policeuk_lonlat: tuple) -> None:
    lon, lat = policeuk_lonlat
    rng = np.random.default_rng(0)
    swap = rng.random(lon.size) < 0.1
    given_lon, given_lat = np.where(swap, lat, lon), np.where(swap, lon, lat)
    # Degrees either way round: the values still read as lon/lat.
    assert crs.detect_crs(given_lon, given_lat) == crs.WGS84
    np.testing.assert_array_equal(crs.swapped_lonlat(given_lon, given_lat), swap)


def test_council_log_eastings_are_bng_and_match_pyproj() -> None:
    log = pd.read_csv(datasets.demo_path("incident_log"), usecols=["easting", "northing"])
    log = log.dropna()  # the log has a row without an easting (quarantined on load)
    x, y = log["easting"].to_numpy(float), log["northing"].to_numpy(float)
    assert crs.detect_crs(x, y) == crs.BNG
    assert crs.looks_like_bng(x, y) and not crs.looks_like_degrees(x, y)
    lon, lat = crs.to_lonlat(x, y, crs.BNG)
    ref_lon, ref_lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
    np.testing.assert_allclose(lon, ref_lon, atol=1e-9)
    np.testing.assert_allclose(lat, ref_lat, atol=1e-9)
    assert crs.in_gb(lon, lat).all()
    back_x, back_y = crs.from_lonlat(lon, lat, crs.BNG)
    np.testing.assert_allclose(back_x, x, atol=1e-3)  # metres
    np.testing.assert_allclose(back_y, y, atol=1e-3)


@pytest.mark.parametrize(
    ("name", "columns", "utm"),
    [
        ("houston", ["lon", "lat"], "EPSG:32615"),
        ("nyc", ["longitude", "latitude"], "EPSG:32618"),
        ("dc", ["lon", "lat"], "EPSG:32618"),
    ],
)
def test_non_gb_points_get_their_utm_zone(name: str, columns: list[str], utm: str) -> None:
    frame = timed(name, columns)
    lon, lat = frame[columns[0]].to_numpy(float), frame[columns[1]].to_numpy(float)
    assert crs.detect_crs(lon, lat) == crs.WGS84
    assert not crs.in_gb(lon, lat).any()
    assert crs.working_crs_for(lon, lat) == utm
    assert not crs.swapped_lonlat(lon, lat).any()
    # Swapped outside Great Britain, a swap shows only where the longitude is beyond ±90
    # (Houston, -95°): the "latitude" is then impossible. NYC's and DC's (-74°, -77°) are
    # valid latitudes, so those swaps cannot be told from the values and are left alone.
    expected = bool((np.abs(lon) > 90).all())
    assert crs.swapped_lonlat(lat, lon).all() == expected
    assert crs.swapped_lonlat(lat, lon).any() == expected


def test_state_plane_feet_are_neither_degrees_nor_bng() -> None:
    dc = timed("dc", ["x_md_stateplane_ftus", "y_md_stateplane_ftus"])
    x, y = dc["x_md_stateplane_ftus"].to_numpy(float), dc["y_md_stateplane_ftus"].to_numpy(float)
    assert crs.detect_crs(x, y) is None
    assert not crs.in_bng_extent(x, y).all()


def test_bng_extent_edges_and_degree_range() -> None:
    e0, n0, e1, n1 = crs.BNG_EXTENT
    assert crs.in_bng_extent([e0, e1], [n0, n1]).all()
    assert not crs.in_bng_extent([e0 - 1, e1 + 1], [n0, n1]).any()
    np.testing.assert_array_equal(
        crs.outside_degrees([180, -180.5, 0, 0], [90, 0, -90.5, np.nan]), [False, True, True, False]
    )
    assert crs.detect_crs([np.nan], [np.nan]) is None
    assert crs.working_crs_for([np.nan], [np.nan]) == crs.BNG


def test_one_bng_extent_and_transformers_only_in_core() -> None:
    assert coords.BNG_RANGE is crs.BNG_EXTENT
    assert coords.looks_like_bng is crs.looks_like_bng
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"Transformer\.from_|query_utm_crs_info|700_000|1_300_000", text):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_transformers_are_cached() -> None:
    assert crs.transformer(crs.BNG, crs.WGS84) is crs.transformer(crs.BNG, crs.WGS84)
    assert crs.transformer(crs.WGS84, crs.BNG) is not crs.transformer(crs.BNG, crs.WGS84)
    before = crs.transformer.cache_info().hits
    crs.to_lonlat([505_000.0], [207_000.0], crs.BNG)
    crs.to_lonlat([506_000.0], [208_000.0], crs.BNG)
    assert crs.transformer.cache_info().hits >= before + 2
    assert coords.transform is crs.transform


def test_every_reprojection_goes_through_core_to_crs() -> None:
    """No ``.to_crs(`` call and no ``transformer(...).transform(`` in the package outside
    hotspots.core.crs (one home: the projection thread). The demo generator's fixed pipeline
    (run once, to build the demo) is the exception."""
    import ast

    offenders = []
    for path in PACKAGE.rglob("*.py"):
        where = str(path.relative_to(PACKAGE))
        if where in ("core/crs.py", "demo/generate.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                reprojects = node.func.attr == "to_crs"
                transforms = node.func.attr == "transform" and "transformer(" in ast.unparse(
                    node.func.value
                )
                if reprojects or transforms:
                    offenders.append(f"{where}:{node.lineno}")
    assert offenders == []


def test_reprojection_runs_on_the_projection_threads_from_any_thread() -> None:
    """to_crs, transform and on_proj_thread run on the projection threads whichever thread
    asks (PROJ's set-up is per thread), give the same result as geopandas, and raise as it;
    a long reprojection does not hold up another."""
    import threading

    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=shapely.points([-0.45, -0.2], [51.75, 51.8]), crs=crs.WGS84
    )
    names: list[str] = []
    results: list[gpd.GeoDataFrame] = []

    def ask() -> None:
        names.append(crs.on_proj_thread(lambda: threading.current_thread().name))
        results.append(crs.to_crs(frame, crs.BNG))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert names and all(n.startswith("hotspots-proj") for n in names)
    for got in results:
        assert got.geom_equals(frame.to_crs(crs.BNG)).all()
    x, y = crs.from_lonlat([-0.45], [51.75], crs.BNG)
    assert np.allclose(
        [x[0], y[0]], [frame.to_crs(crs.BNG).geometry.x[0], frame.to_crs(crs.BNG).geometry.y[0]]
    )
    with pytest.raises(ValueError):
        crs.to_crs(frame.set_crs(None, allow_override=True), crs.BNG)

    release = threading.Event()
    long_one = threading.Thread(target=crs.on_proj_thread, args=(release.wait, 30))
    long_one.start()  # holds one projection thread until released
    small = threading.Thread(target=crs.to_lonlat, args=([505_000.0], [207_000.0], crs.BNG))
    small.start()
    small.join(timeout=20)
    finished = not small.is_alive()
    release.set()
    long_one.join()
    assert finished


def test_ingest_reports_detected_crs_for_bng_and_swapped_rows() -> None:
    located = coords.locate(
        pd.Series(["505000", "51.75"]), pd.Series(["207000", "-0.45"]), kind="xy"
    )
    assert located.crs == crs.BNG  # medians are metres; the degree row is out of the grid
    loc = coords.locate(
        pd.Series(["-0.45", "51.76", "-0.47"]),
        pd.Series(["51.75", "-0.46", "51.74"]),
        kind="lonlat",
    )
    assert loc.crs == crs.WGS84 and loc.swapped == 1
    np.testing.assert_allclose(loc.lat, [51.75, 51.76, 51.74])


# --------------------------------------------------------------------------- defaults


def default_of(func: object, name: str) -> object:
    return inspect.signature(func).parameters[name].default  # type: ignore[arg-type]


def test_defaults_in_every_entry_point() -> None:
    assert default_of(analyse_module.analyse, "res") == defaults.H3_RES
    assert default_of(analyse_module.analyse, "k") == defaults.GI_K
    assert default_of(analyse_module.analyse, "max_eps_m") == defaults.DBSCAN_MAX_EPS_M
    assert default_of(analyse_module.analyse, "eps_m") is None
    assert default_of(patrol_plan, "res") == defaults.H3_RES
    assert default_of(patrol_plan, "min_bin") == defaults.HOT_MIN_BIN
    assert default_of(patrol_plan, "eps_m") is None
    assert default_of(patrol_plan, "min_samples") is None
    assert default_of(hot_areas_from_cells, "min_bin") == defaults.HOT_MIN_BIN
    for func in (
        cctv.coverage, cctv.hot_areas, cctv.hotspot_membership, cctv.candidate_sites,
        cctv.tasking_sheet,
    ):  # fmt: skip
        assert default_of(func, "min_gi_bin") == defaults.HOT_MIN_BIN, func.__name__
    assert default_of(vawg.uncovered_hot_cells, "min_gi_bin") == defaults.HOT_MIN_BIN
    assert default_of(vawg.uncovered_hot_cells, "res") == defaults.H3_RES
    assert default_of(backtest, "res") == defaults.H3_RES
    assert default_of(backtest, "coverage") == DEFAULT_COVERAGE == defaults.DEFAULT_COVERAGE


def test_dashboard_uses_the_defaults() -> None:
    from hotspots.views.dashboard import cached, page_cctv, page_vawg, page_when

    assert cached.DEFAULT_ANALYSIS == {
        "res": defaults.H3_RES,
        "k": defaults.GI_K,
        "method": "dbscan",
        "eps_m": None,
        "min_samples": None,
        "coverage": 0.05,
    }
    assert page_cctv.ANALYSIS is cached.DEFAULT_ANALYSIS
    assert page_when.MAP_DEFAULTS is cached.DEFAULT_ANALYSIS
    assert page_vawg.CELL_RES == defaults.H3_RES


def test_min_samples_policy() -> None:
    assert defaults.dbscan_min_samples(0) == defaults.DBSCAN_MIN_SAMPLES_FLOOR
    assert defaults.dbscan_min_samples(3_333) == 10  # 0.3 % of 3,333 is 10
    assert defaults.dbscan_min_samples(48_400) == 145
    assert defaults.dbscan_eps_m(400.0) == defaults.DBSCAN_MAX_EPS_M == 100.0
    assert defaults.dbscan_eps_m(80.0) == 80.0


def two_towns(n: int = 3_000) -> np.ndarray:
    rng = np.random.default_rng(1)
    centres = np.array([[505_000.0, 207_000.0], [501_000.0, 211_000.0]])
    xy = centres[rng.integers(0, 2, n)] + rng.normal(0, 120, (n, 2))
    noise = rng.uniform([495_000, 200_000], [515_000, 218_000], (n // 3, 2))
    return np.vstack([xy, noise])


def test_analyse_and_patrol_choose_dbscan_alike() -> None:
    xy = two_towns()
    settings = dbscan_settings(xy)
    expected_ms = defaults.dbscan_min_samples(len(xy))
    knee = suggest_eps(xy, min_samples=expected_ms).eps_m
    assert settings.min_samples == expected_ms
    assert settings.eps_m == min(knee, defaults.DBSCAN_MAX_EPS_M)
    incidents = incidents_from_xy(xy, "Burglary")
    result = analyse_module.analyse(incidents, study_area=None)
    clusters = result.params["clusters"]
    assert clusters["eps_m"] == pytest.approx(settings.eps_m)
    assert clusters["min_samples"] == settings.min_samples
    assert clusters["eps_cap_m"] == defaults.DBSCAN_MAX_EPS_M
    area = incidents.geometry.union_all().convex_hull.buffer(0.01)
    plan = patrol_plan(
        incidents, study_area=area, method="dbscan", period=("2021-06", "2021-06"),
        run_backtest=False, top=3,
    )  # fmt: skip
    used = plan.metadata["localities_params"]
    assert used["eps_m"] == pytest.approx(settings.eps_m)
    assert used["min_samples"] == settings.min_samples


def test_hot_threshold_is_the_same_for_patrol_and_cctv() -> None:
    incidents = incidents_from_xy(two_towns(), "Burglary")
    area = incidents.geometry.union_all().convex_hull.buffer(0.01)
    cells = hotspots_gistar(grid_counts(incidents, defaults.H3_RES, study_area=area))
    hot = set(cells.loc[cells["gi_bin"] >= defaults.HOT_MIN_BIN, "cell"])
    assert hot
    patrol_cells = hot_areas_from_cells(incidents, cells).params["n_hot_cells"]
    cctv_cells = set(cctv.hot_areas(cells)[0]["cell"])
    assert patrol_cells == len(hot)
    assert cctv_cells == hot


# --------------------------------------------------------------------------- Gi* classes


def test_one_gi_class_table() -> None:
    table = classes.GI_CLASS_TABLE
    assert [c.bin for c in table] == list(range(-3, 4))
    assert GI_CLASSES is classes.GI_CLASSES
    assert maps.GI_COLOURS is classes.GI_COLOURS
    assert report.GI_LABELS is classes.GI_LABELS
    assert len(set(classes.GI_COLOURS.values())) == 6
    assert classes.GI_LABELS[2] == "Hot 95%" and classes.GI_LABELS[-3] == "Cold 99%"
    for c in table:
        if c.alpha is None:
            continue
        z = np.array([3.5 * np.sign(c.bin)])
        assert significance_bins(z, np.array([c.alpha]))[0] == c.bin
        assert classes.GI_CONFIDENCE[c.bin] == f"{round(100 * (1 - c.alpha))} %"
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name != "core":
            assert '"Hot 95%"' not in path.read_text(encoding="utf-8"), path


# --------------------------------------------------------------------------- FDR


def test_compare_periods_q_values_match_scipy() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform([500_000, 200_000], [510_000, 210_000], (4_000, 2))
    types = rng.choice(["Burglary", "Shoplifting", "Vehicle crime", "Drugs"], len(xy))
    months = rng.choice(pd.date_range("2021-01-01", periods=6, freq="MS"), len(xy))
    incidents = incidents_from_xy(xy, list(types))
    incidents["month"] = months
    table = compare_periods(
        incidents, current=("2021-04", "2021-06"), previous=("2021-01", "2021-03"), by="crime_type"
    )
    np.testing.assert_allclose(
        table["q_value"], stats.false_discovery_control(table["p_value"]), rtol=1e-12
    )


def test_distinct_points_are_the_points_with_both_coordinates_equal() -> None:
    """core.points: the distinct points in order of first occurrence, each point's code, on
    the county's police.uk points (compared with factorising the coordinate pairs)."""
    from hotspots.core.points import distinct_points, point_keys
    from hotspots.data.ingest import read_policeuk

    inc = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    x, y = inc["x"].to_numpy(float), inc["y"].to_numpy(float)
    codes, dx, dy = distinct_points(x, y)
    ref_codes, ref = pd.factorize(pd.Series(list(zip(x.tolist(), y.tolist(), strict=True))))
    np.testing.assert_array_equal(codes, ref_codes)
    assert [(a, b) for a, b in zip(dx, dy, strict=True)] == list(ref)
    np.testing.assert_array_equal(dx[codes], x)
    np.testing.assert_array_equal(dy[codes], y)
    assert len(dx) < len(x) // 2  # police.uk repeats its map points
    assert (
        point_keys(np.array([1.0]), np.array([2.0]))[0]
        != point_keys(np.array([2.0]), np.array([1.0]))[0]
    )


def test_shared_points_equal_shapely_points_one_object_per_distinct_point() -> None:
    """core.points.shared_points: point for point what ``shapely.points`` makes (the county's
    police.uk points, and missing coordinates), each distinct point one object its copies
    share; the incidents the readers give hold them so."""
    import shapely

    from hotspots.core.points import shared_points
    from hotspots.data.ingest import read_policeuk

    inc = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    held = inc.geometry.to_numpy()
    x = np.r_[shapely.get_x(held), np.nan, 1.0, np.nan, 0.0, -0.0, 0.0, 3.0]
    y = np.r_[shapely.get_y(held), 2.0, np.nan, np.nan, 1.0, 1.0, 1.0, -0.0]
    for a, b in ((x, y), (x[-4:], y[-4:]), (np.array([np.nan]), np.array([np.nan]))):
        # bit for bit: a longitude written "-0.000000" keeps its sign (Greenwich)
        assert (
            shapely.to_wkb(shared_points(a, b)).tolist()
            == shapely.to_wkb(shapely.points(a, b)).tolist()
        )
    shared = shared_points(x, y)
    assert len({id(p) for p in shared[: len(held)]}) == len(np.unique(held.astype(str)))
    assert len({id(p) for p in held}) < len(held) // 2  # the readers share them too


def test_distinct_rows_are_numpys_unique_rows() -> None:
    """Distinct coordinate rows (hashed, then sorted; the forecast's places, KDE locations,
    CCTV sites' incidents): ``np.unique(axis=0, return_inverse=True)`` exactly, on repeated
    rows, one row, none, and with missing values (the sorted path)."""
    from hotspots.core.points import distinct_rows

    rng = np.random.default_rng(7)
    for n, k in [(20_000, 4), (500, 2), (1, 4), (0, 4)]:
        x = rng.integers(0, 30, (n, k)).astype(float) * 0.25 - 3
        unique, inverse = np.unique(x, axis=0, return_inverse=True)
        rows, codes = distinct_rows(x)
        np.testing.assert_array_equal(rows, unique)
        np.testing.assert_array_equal(codes, inverse.ravel())
    x = np.array([[1.0, np.nan], [1.0, np.nan], [0.0, 1.0]])
    rows, codes = distinct_rows(x)
    assert rows.shape == (3, 2) and codes.tolist() == [1, 2, 0]  # NaN rows never equal


def test_points_changed_in_place_are_read_again_outside_one_analysis() -> None:
    """``gdf.loc[i, "geometry"] = ...`` writes into the array of points: a notebook that moves
    a point and analyses again gets the point where it is now, not where it was read first."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import Point

    from hotspots.core.points import coordinates, reading_once

    frame = gpd.GeoDataFrame(geometry=shapely.points([1.0, 3.0], [2.0, 4.0]), crs=27700)
    with reading_once():
        points = frame.geometry.to_numpy()
        first = coordinates(points)
        assert coordinates(frame.geometry.to_numpy())[0] is first[0]  # read once within
    frame.loc[0, "geometry"] = Point(5.0, 6.0)
    x, y = coordinates(frame.geometry.to_numpy())
    assert x.tolist() == [5.0, 3.0] and y.tolist() == [6.0, 4.0]


def test_shared_points_from_a_pool_are_its_objects_and_shapely_points() -> None:
    """core.points.shared_points taking a pool (the points of a data load a selection's rows
    come from): the pool's objects where it holds the point, bit for bit what
    ``shapely.points`` makes everywhere (points it does not hold, missing and signed zero
    coordinates made as without it)."""
    import shapely

    from hotspots.core.points import PointPool, shared_points
    from hotspots.data.ingest import read_policeuk

    inc = read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    held = inc.geometry.to_numpy()
    hx, hy = shapely.get_x(held), shapely.get_y(held)
    pool = PointPool(held, hx, hy)
    some = np.arange(0, len(held), 3)
    x = np.r_[hx[some], 5.0, np.nan, 0.0, -0.0, hx[0]]
    y = np.r_[hy[some], 6.0, 1.0, 1.0, 1.0, -0.0]
    got = shared_points(x, y, pool=pool)
    assert shapely.to_wkb(got).tolist() == shapely.to_wkb(shapely.points(x, y)).tolist()
    pooled = {id(p) for p in held}
    assert all(id(p) in pooled for p in got[: len(some)])
    assert not any(id(p) in pooled for p in got[len(some) :])

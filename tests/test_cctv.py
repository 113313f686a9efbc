"""CCTV views, coverage, siting and tasking sheets: hand-made geometry with known answers,
independent references (shapely point-in-polygon, brute force over combinations,
``peak_windows`` on the incidents in view) and the real Dacorum data."""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
from datetime import date
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from scipy import sparse

from hotspots import store
from hotspots.analysis.stats import hotspots_gistar
from hotspots.analysis.temporal import peak_windows
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.schema import BNG, COLUMNS, WGS84, WORKING_CRS
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products.cctv import (
    GREEDY_GUARANTEE,
    camera_views,
    cameras_left_out,
    coverage,
    hotspots_with_incidents,
    new_windows,
    next_monday,
    proposed_cameras,
    schedule_taskings,
    sheet_csv,
    site_cameras,
    tasking_kpi,
    tasking_sheet,
    uncovered_hotspots,
)
from hotspots.products.cctv.siting import candidate_sites, coverage_matrix, exact_max_coverage
from hotspots.space.grid import assign_cells, grid_counts
from hotspots.views.documents.tasking_sheet import sheet_html

ORIGIN = (500_000.0, 200_000.0)  # a BNG point in Hertfordshire
TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)


def _incidents(offsets: list[tuple[float, float]], *, sensitive: bool = False) -> gpd.GeoDataFrame:
    """Canonical month-only incidents at given (east, north) metre offsets from ORIGIN."""
    xy = np.asarray(offsets, dtype=float).reshape(-1, 2) + ORIGIN
    lon, lat = TO_WGS84.transform(xy[:, 0], xy[:, 1])
    n = len(xy)
    frame = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "source": "test",
            "crime_type": "Violence and sexual offences",
            "category": "Violence and sexual offences",
            "sensitive": sensitive,
            "vawg": True,
            "month": pd.Timestamp("2021-06-01"),
            "occurred_from": pd.NaT,
            "occurred_to": pd.NaT,
            "time_precision": "month",
            "location": "On or near Test Street",
            "lsoa_code": "",
            "ward_code": "",
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)[COLUMNS]
    gdf.attrs[WORKING_CRS] = BNG
    return gdf


def _camera(camera_id: str = "C1", *, east: float = 0.0, north: float = 0.0, **extra) -> dict:
    lon, lat = TO_WGS84.transform(ORIGIN[0] + east, ORIGIN[1] + north)
    return {
        "camera_id": camera_id,
        "type": "fixed",
        "range_m": 100.0,
        "bearing_deg": 90.0,
        "fov_deg": 60.0,
        "lon": lon,
        "lat": lat,
        "status": "active",
        **extra,
    }


@pytest.fixture(scope="module")
def policeuk() -> gpd.GeoDataFrame:
    return load_demo_policeuk().incidents


@pytest.fixture(scope="module")
def timed_log() -> gpd.GeoDataFrame:
    return load_demo_log().incidents


@pytest.fixture(scope="module")
def cameras() -> pd.DataFrame:
    return pd.read_csv(datasets.demo_path("cameras"))


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    return gpd.read_file(datasets.wards_path())


# --- views and coverage on hand-made geometry -------------------------------------------------


def test_a_sector_facing_east_sees_east_not_west() -> None:
    points = [(50, 0), (-50, 0), (0, 50), (100, 0), (101, 0), (0, 0)]
    angle = np.radians([90 - 29, 90 + 29, 90 - 31, 90 + 31])  # bearings 61°, 119°, 59°, 121°
    points += [(50 * np.sin(a), 50 * np.cos(a)) for a in angle]
    result = coverage(_incidents(points), pd.DataFrame([_camera()]))
    assert result.covered_mask.tolist() == [
        True,  # 50 m east
        False,  # 50 m west
        False,  # 50 m north
        True,  # 100 m east: at the range, included
        False,  # 101 m east
        True,  # at the camera (within 1 m)
        True,  # 29° off axis, inside the 60° field of view
        True,
        False,  # 31° off axis
        False,
    ]
    assert result.share == pytest.approx(5 / 10)
    turning = coverage(_incidents(points), pd.DataFrame([_camera(type="ptz")]))
    assert turning.covered_mask.tolist() == [True] * 4 + [False] + [True] * 5


def test_a_sector_across_north_wraps_round_360_degrees() -> None:
    # Field of view 330°..10°: bearings 348.7° and 9.1° are in it, 11.3° and 180° are not.
    incidents = _incidents([(-10, 50), (8, 50), (10, 50), (0, -50)])
    result = coverage(incidents, pd.DataFrame([_camera(bearing_deg=350.0, fov_deg=40.0)]))
    assert result.covered_mask.tolist() == [True, True, False, False]


def test_only_active_cameras_count_and_the_rest_are_reported() -> None:
    incidents = _incidents([(50, 0), (-50, 0)])
    cams = pd.DataFrame([_camera("EAST"), _camera("WEST", bearing_deg=270.0, status="faulty")])
    result = coverage(incidents, cams)
    assert result.covered_mask.tolist() == [True, False]
    assert result.params["cameras_left_out"] == {"WEST": "faulty"}
    everyone = coverage(incidents, cams, statuses=None)
    assert everyone.covered_mask.tolist() == [True, True]
    assert everyone.by_camera["only_this_camera"].tolist() == [1, 1]


def test_camera_views_draw_the_sector_they_test(policeuk) -> None:
    cams = pd.DataFrame([_camera(), _camera("P", type="ptz", north=500.0)])
    views = camera_views(cams).to_crs(BNG)
    sector, circle = views.geometry.to_numpy()
    assert views["shape"].tolist() == ["sector", "circle"]
    assert sector.area == pytest.approx(np.pi * 100**2 * 60 / 360, rel=2e-3)
    assert circle.area == pytest.approx(np.pi * 100**2, rel=2e-3)
    assert shapely.contains_xy(sector, ORIGIN[0] + 50, ORIGIN[1])
    assert not shapely.contains_xy(sector, ORIGIN[0] - 50, ORIGIN[1])


def test_bad_camera_tables_are_refused_with_the_fix() -> None:
    incidents = _incidents([(0, 0)])
    with pytest.raises(ValueError, match="fixed cameras need bearing_deg and fov_deg"):
        coverage(incidents, pd.DataFrame([_camera(bearing_deg=None)]))
    with pytest.raises(ValueError, match="lacks column"):
        coverage(incidents, pd.DataFrame([{"camera_id": "X"}]))
    with pytest.raises(ValueError, match="range_m must be a positive distance"):
        coverage(incidents, pd.DataFrame([_camera(range_m=-5)]))
    with pytest.raises(ValueError, match="type not one of"):
        coverage(incidents, pd.DataFrame([_camera(type="dome")]))


# --- coverage on the real data ----------------------------------------------------------------


def test_coverage_matches_point_in_polygon_on_real_data(policeuk, cameras, wards) -> None:
    result = coverage(policeuk, cameras)
    active = cameras[cameras["status"] == "active"]
    views = camera_views(active, segments=1440).to_crs(BNG).geometry.to_numpy()
    x, y = policeuk["x"].to_numpy(), policeuk["y"].to_numpy()
    inside = np.zeros(len(policeuk), dtype=bool)
    for view in views:  # the reference: shapely point in polygon, camera by camera
        inside |= shapely.contains_xy(view, x, y)
    differ = np.flatnonzero(inside != result.covered_mask)
    if differ.size:  # only points on a view's edge may differ (arc drawn within 1 cm)
        edges = shapely.union_all([v.boundary for v in views])
        assert shapely.distance(shapely.points(x[differ], y[differ]), edges).max() < 0.05
    assert result.covered == int(result.covered_mask.sum()) > 500
    assert result.share == pytest.approx(result.covered / len(policeuk))
    assert result.params["cameras_used"] == 30 and len(result.params["cameras_left_out"]) == 3


def test_hotspot_coverage_counts_each_cells_incidents(policeuk, cameras, wards) -> None:
    cells = hotspots_gistar(grid_counts(policeuk, 9, study_area=wards))
    result = coverage(policeuk, cameras, hotspots=cells)
    hot = cells[cells["gi_bin"] >= 1].set_index("cell")
    table = result.by_hotspot.set_index("cell")
    assert set(table.index) == set(hot.index)
    assert (table["incidents"] == hot.loc[table.index, "count"]).all()
    incident_cell = assign_cells(policeuk.geometry.x.to_numpy(), policeuk.geometry.y.to_numpy(), 9)
    expected = pd.Series(result.covered_mask).groupby(incident_cell).sum()
    assert (table["covered"] == expected.reindex(table.index, fill_value=0)).all()
    assert (table["uncovered"].diff().dropna() <= 0).all()  # ranked, most uncovered first
    assert table["rank_uncovered"].tolist() == list(range(1, len(table) + 1))
    gaps = uncovered_hotspots(result)
    assert len(gaps) > 0 and (gaps["covered"] == 0).all() and (gaps["cameras"] == "").all()
    # the hot cells with incidents and those no camera sees are counted over the same cells
    # (the demo has hot cells with no incident of their own): the difference is those seen
    assert (table["incidents"] == 0).any()
    counted = hotspots_with_incidents(result)
    assert (counted["incidents"] > 0).all() and set(gaps["cell"]) <= set(counted["cell"])
    assert len(counted) - len(gaps) == int((table["covered"] > 0).sum())
    seen = table[table["covered"] > 0]
    assert (seen["cameras"] != "").all()


# --- siting -----------------------------------------------------------------------------------


def _brute_force(matrix, weights: np.ndarray, k: int) -> float:
    dense = matrix.toarray() > 0
    return max(
        float(weights[dense[list(combo)].any(axis=0)].sum())
        for combo in itertools.combinations(range(dense.shape[0]), k)
    )


def test_greedy_falls_short_where_it_must_and_the_optimum_is_found() -> None:
    # Sites at x = -90, 0, +90 (range 50 m): the middle one sees 4 points, the outer ones 3
    # each (2 shared with the middle). Greedy takes the middle, then one side: 5; best is 6.
    incidents = _incidents([(-45, 0), (-42, 0), (-120, 0), (45, 0), (42, 0), (120, 0)])
    lon, lat = TO_WGS84.transform(np.array([-90.0, 0.0, 90.0]) + ORIGIN[0], np.full(3, ORIGIN[1]))
    sites = pd.DataFrame({"site_id": ["left", "middle", "right"], "lon": lon, "lat": lat})
    plan = site_cameras(incidents, sites, k=2, range_m=50)
    assert plan.chosen["site_id"].tolist() == ["middle", "left"]
    assert plan.chosen["new_weight"].tolist() == [4.0, 1.0]
    assert (plan.greedy, plan.optimum) == (5.0, 6.0)
    assert plan.ratio == pytest.approx(5 / 6) and plan.ratio >= GREEDY_GUARANTEE
    assert plan.upper_bound == 6.0 and "HiGHS" in plan.params["exact"]


def test_greedy_and_exact_against_brute_force_on_random_cases() -> None:
    rng = np.random.default_rng(20211118)
    ratios = []
    for _ in range(3):
        offsets = rng.uniform(-400, 400, size=(150, 2))
        weights = rng.integers(1, 4, size=150).astype(float)
        incidents = _incidents([tuple(o) for o in offsets])
        site_xy = rng.uniform(-400, 400, size=(12, 2)) + ORIGIN
        lon, lat = TO_WGS84.transform(site_xy[:, 0], site_xy[:, 1])
        sites = pd.DataFrame({"lon": lon, "lat": lat})
        plan = site_cameras(incidents, sites, k=3, range_m=150, weights=weights)
        matrix = coverage_matrix(
            site_xy[:, 0], site_xy[:, 1], incidents["x"].to_numpy(), incidents["y"].to_numpy(), 150
        )
        best = _brute_force(matrix, weights, 3)
        assert plan.optimum == pytest.approx(best)
        assert GREEDY_GUARANTEE * best <= plan.greedy <= best + 1e-9
        unsolved = site_cameras(
            incidents, sites, k=3, range_m=150, weights=weights, exact_max_candidates=0
        )
        assert unsolved.optimum is None and unsolved.upper_bound >= best - 1e-9
        assert "not solved exactly" in unsolved.params["exact"]
        ratios.append(plan.ratio)
    assert min(ratios) >= GREEDY_GUARANTEE


def test_exact_solver_matches_brute_force_when_points_overlap() -> None:
    rng = np.random.default_rng(7)
    matrix = (rng.random((9, 40)) < 0.25).astype(float)
    weights = rng.random(40)
    optimum, rows, _ = exact_max_coverage(sparse.csr_array(matrix), weights, 3)
    assert optimum == pytest.approx(_brute_force(sparse.csr_array(matrix), weights, 3))
    assert len(rows) <= 3
    assert weights[(matrix[rows] > 0).any(axis=0)].sum() == pytest.approx(optimum)


def test_existing_cameras_and_weights_steer_the_choice() -> None:
    incidents = _incidents([(0, 0), (5, 0), (300, 0)])
    lon, lat = TO_WGS84.transform(np.array([0.0, 300.0]) + ORIGIN[0], np.full(2, ORIGIN[1]))
    sites = pd.DataFrame({"site_id": ["busy", "quiet"], "lon": lon, "lat": lat})
    assert site_cameras(incidents, sites, k=1, range_m=50).chosen["site_id"].tolist() == ["busy"]
    heavy = site_cameras(incidents, sites, k=1, range_m=50, weights=np.array([1.0, 1.0, 5.0]))
    assert heavy.chosen["site_id"].tolist() == ["quiet"]
    watched = pd.DataFrame([_camera(type="ptz", range_m=20)])
    plan = site_cameras(incidents, sites, k=2, range_m=50, cameras=watched)
    assert plan.already_covered == 2.0 and plan.available == 1.0
    assert plan.chosen["site_id"].tolist() == ["quiet"]  # the covered site adds nothing
    with pytest.raises(ValueError, match="k must be a whole number"):
        site_cameras(incidents, sites, k=0)


def test_siting_on_hot_cells_of_real_data(policeuk, cameras, wards) -> None:
    cells = hotspots_gistar(grid_counts(policeuk, 9, study_area=wards))
    sites = candidate_sites(cells)
    assert len(sites) == int((cells["gi_bin"] >= 1).sum())
    plan = site_cameras(policeuk, sites, k=5, range_m=150, cameras=cameras)
    gains = plan.chosen["new_weight"].to_numpy()
    assert len(gains) == 5 and (np.diff(gains) <= 0).all()  # greedy gains never grow
    assert plan.optimum is not None and plan.greedy <= plan.optimum <= plan.upper_bound + 1e-9
    assert plan.ratio >= GREEDY_GUARANTEE
    assert plan.already_covered == coverage(policeuk, cameras).covered
    assert plan.params["range_m"] == 150 and plan.params["candidates"] == len(sites)


# --- tasking sheets ---------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_tasking_windows_come_from_the_incidents_in_view(timed_log, cameras, wards) -> None:
    timed_log = mappable(timed_log)  # sensitive incidents are never counted in a camera view
    cells = hotspots_gistar(grid_counts(mappable(timed_log), 9, study_area=wards))
    sheet = tasking_sheet(timed_log, cameras, cells, top=3, block_hours=3)
    assert sheet.note == "" and (sheet.windows["resolution"] == "hour").all()
    busiest = sheet.pairs.iloc[sheet.pairs["incidents_in_view"].argmax()]
    view = camera_views(cameras[cameras["camera_id"] == busiest["camera_id"]], segments=1440)
    polygon = view.to_crs(BNG).geometry.iloc[0]
    in_view = shapely.contains_xy(polygon, timed_log["x"].to_numpy(), timed_log["y"].to_numpy())
    lon, lat = timed_log.geometry.x.to_numpy(), timed_log.geometry.y.to_numpy()
    in_cell = assign_cells(lon, lat, 9) == busiest["cell"]
    reference = peak_windows(timed_log[in_view & in_cell], top=3, block_hours=3)
    reference = reference[reference["incidents"] >= 3]  # one or two incidents: no window
    rows = sheet.windows[
        (sheet.windows["camera_id"] == busiest["camera_id"])
        & (sheet.windows["cell"] == busiest["cell"])
    ]
    assert int((in_view & in_cell).sum()) == busiest["incidents_in_view"]
    assert rows["window"].tolist() == reference["label"].tolist()
    assert rows["incidents"].to_numpy() == pytest.approx(reference["incidents"].to_numpy())
    # The synthetic log puts night-time economy violence in Hemel town centre on Friday and
    # Saturday nights from 22:00: the town-centre cameras' best windows must show it.
    centre = sheet.windows[
        (sheet.windows["rank"] == 1) & (sheet.windows["incidents_in_view"] > 100)
    ]
    assert len(centre) > 0
    assert set(centre["weekday"]) <= {"Fri", "Sat"} and set(centre["start_hour"]) <= {21, 22, 23}
    assert (sheet.pairs["on_sheet"] == (sheet.pairs["incidents_in_view"] >= 5)).all()
    # No window rests on one or two incidents, and each hot spot is named by its street.
    assert (sheet.windows["incidents"] >= 3).all() and sheet.params["windows_dropped"] > 0
    assert (sheet.windows["place"] != "").all()
    assert not sheet.windows["place"].str.fullmatch(r"[0-9a-f]{15}").any()  # not an H3 id
    loose = tasking_sheet(timed_log, cameras, cells, top=3, block_hours=3, min_window_incidents=0)
    assert len(loose.windows) == len(sheet.windows) + sheet.params["windows_dropped"]
    # The printed sheet names each hot spot by its place, never by a bare H3 id.
    page = sheet_html(sheet)
    assert "<th>Place</th>" in page and "<th>Hotspot</th>" not in page
    assert not re.search(r"<td>[0-9a-f]{15}</td>", page)
    for place in sheet.windows["place"].unique():
        assert f"<td>{html.escape(place)}</td>" in page


def test_month_only_data_give_months_and_say_so(policeuk, cameras, wards) -> None:
    cells = hotspots_gistar(grid_counts(policeuk, 9, study_area=wards))
    sheet = tasking_sheet(policeuk, cameras, cells)
    assert (sheet.windows["resolution"] == "month").all() and len(sheet.windows) > 0
    assert "month only" in sheet.note and "start_hour" not in sheet.windows.columns
    assert sheet.windows["window"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert "month only" in sheet_html(sheet)
    with pytest.raises(ValueError, match="windows are months"):
        schedule_taskings(sheet, start=date(2022, 2, 1), end=date(2022, 3, 1), requested_by="x")


def test_sheets_escape_typed_text_in_html_and_csv() -> None:
    nasty = "<img src=x onerror=alert(1)>"
    incidents = _incidents([(20, 0), (50, 0), (80, 0)] * 2)  # a street: text at 3 points
    cams = pd.DataFrame([_camera(name=nasty, location='=HYPERLINK("x")')])
    cells = gpd.GeoDataFrame(
        {"cluster": ["<script>alert(2)</script>"]},
        geometry=[shapely.box(-1, 50, 1, 53)],
        crs=WGS84,
    )
    sheet = tasking_sheet(incidents, cams, cells)
    assert len(sheet.windows) == 1 and sheet.windows["camera_name"].iloc[0] == nasty
    page = sheet_html(sheet, title="Week 47 <b>draft</b>")
    parser = _Tags()
    parser.feed(page)
    assert not parser.tags & {"img", "script", "b"}
    # the camera's typed name, and the place (its location text) where the id used to be
    assert nasty in "".join(parser.text) and "Test Street" in "".join(parser.text)
    assert "<script>alert(2)</script>" not in page  # the id is not printed, let alone raw
    rows = list(csv.reader(io.StringIO(sheet_csv(sheet).decode("utf-8"))))
    header, row = rows[0], rows[1]
    assert row[header.index("camera_name")] == nasty
    assert row[header.index("camera_location")] == '\'=HYPERLINK("x")'


def test_scheduled_taskings_and_the_monthly_kpi(timed_log, cameras, wards, tmp_path) -> None:
    cells = hotspots_gistar(grid_counts(mappable(timed_log), 9, study_area=wards))
    sheet = tasking_sheet(timed_log, cameras, cells)
    plan = schedule_taskings(
        sheet, start=date(2022, 2, 7), end=date(2022, 2, 21), requested_by="Herts Police"
    )
    best = sheet.windows[sheet.windows["rank"] == 1]
    assert len(plan) == 2 * len(best)  # two weeks, each best window once a week
    weekday = plan["window_start"].dt.day_name().str[:3]
    merged = plan.assign(weekday=weekday.to_numpy()).merge(
        best,
        left_on=["camera_id", "hotspot_id", "weekday"],
        right_on=["camera_id", "cell", "weekday"],
    )
    assert len(merged) == len(plan)
    assert (merged["window_start"].dt.hour == merged["start_hour"]).all()
    hours = (plan["window_end"] - plan["window_start"]).dt.total_seconds() / 3600
    assert (hours == 3).all()
    starts = ["2022-01-03 22:00", "2022-01-20 21:00", "2022-03-05 22:00"]
    log = pd.DataFrame({"window_start": pd.to_datetime(starts), "camera_id": ["A", "B", "A"]})
    kpi = tasking_kpi(log, by="camera_id")
    assert kpi["month"].dt.strftime("%Y-%m").tolist() == ["2022-01", "2022-02", "2022-03"]
    assert kpi["taskings"].tolist() == [2, 0, 1] and kpi["change"].tolist() == [0, -2, 1]
    assert kpi["A"].tolist() == [1, 0, 1] and kpi["B"].tolist() == [1, 0, 0]
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.import_records(engine, datasets.demo_path("cameras"), "cameras")
    for record in plan.head(20).to_dict("records"):
        assert store.add_tasking(engine, record).warnings == ()
    stored = store.list_taskings(engine)
    pairs = sorted(zip(stored["camera_id"], stored["window_start"], strict=True))
    assert pairs == sorted(zip(plan["camera_id"][:20], plan["window_start"][:20], strict=True))
    assert tasking_kpi(stored)["taskings"].tolist() == [20]
    engine.dispose()


# --- what the CCTV page shows -----------------------------------------------------------------


def test_cameras_left_out_are_counted_by_status() -> None:
    incidents = _incidents([(50, 0)])
    cams = pd.DataFrame(
        [
            _camera("A"),
            _camera("B", status="faulty"),
            _camera("C", status="faulty"),
            _camera("D", status="decommissioned"),
        ]
    )
    result = coverage(incidents, cams)
    assert cameras_left_out(result) == {"faulty": 2, "decommissioned": 1}
    assert list(cameras_left_out(result)) == ["faulty", "decommissioned"]  # most first
    assert cameras_left_out(coverage(incidents, cams, statuses=None)) == {}


def test_proposed_sites_and_the_share_of_the_bound(policeuk, cameras, wards) -> None:
    cells = hotspots_gistar(grid_counts(policeuk, 9, study_area=wards))
    plan = site_cameras(policeuk, candidate_sites(cells), k=3, range_m=120, cameras=cameras)
    proposed = proposed_cameras(plan)
    assert proposed["camera_id"].tolist() == ["proposed 1", "proposed 2", "proposed 3"]
    assert proposed["name"].tolist() == [f"Proposed site {n}" for n in (1, 2, 3)]
    assert set(proposed["status"]) == {"proposed"} and set(proposed["range_m"]) == {120.0}
    np.testing.assert_array_equal(proposed[["lon", "lat"]], plan.chosen[["lon", "lat"]])
    views = camera_views(proposed)  # a valid camera table: redeployable cameras see circles
    assert len(views) == 3 and set(views["status"]) == {"proposed"}
    assert plan.share_of_bound == pytest.approx(plan.greedy / plan.upper_bound)
    assert plan.share_of_bound == pytest.approx(plan.ratio)  # solved exactly here
    nothing = site_cameras(_incidents([(0, 0)]), pd.DataFrame(
        {"site_id": ["far"], "lon": [0.0], "lat": [0.0]}), k=1, range_m=50)  # fmt: skip
    assert nothing.upper_bound == 0 and nothing.share_of_bound == 1.0


def test_pairs_on_sheet_count_the_pairs_with_windows(timed_log, cameras, wards) -> None:
    cells = hotspots_gistar(grid_counts(mappable(timed_log), 9, study_area=wards))
    sheet = tasking_sheet(timed_log, cameras, cells, min_incidents=20)
    on_sheet = sheet.pairs[sheet.pairs["incidents_in_view"] >= 20]
    assert sheet.pairs_on_sheet == len(on_sheet) > 0
    assert sheet.pairs_on_sheet < len(sheet.pairs)
    listed = sheet.windows[["camera_id", "cell"]].drop_duplicates()
    assert len(listed) == sheet.pairs_on_sheet


def test_next_monday_starts_the_next_week() -> None:
    for day in range(1, 15):
        today = date(2022, 2, day)
        monday = next_monday(today)
        assert monday.weekday() == 0 and 1 <= (monday - today).days <= 7
    assert next_monday(date(2022, 2, 7)) == date(2022, 2, 14)  # a Monday: the next one


def test_new_windows_leave_out_what_the_log_holds(timed_log, cameras, wards, tmp_path) -> None:
    cells = hotspots_gistar(grid_counts(mappable(timed_log), 9, study_area=wards))
    sheet = tasking_sheet(timed_log, cameras, cells)
    plan = schedule_taskings(
        sheet, start=date(2022, 2, 7), end=date(2022, 2, 14), requested_by="Herts Police"
    )
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.import_records(engine, datasets.demo_path("cameras"), "cameras")
    assert new_windows(plan, store.list_taskings(engine)).attrs["already_logged"] == 0
    for record in plan.head(3).to_dict("records"):
        store.add_tasking(engine, record)
    fresh = new_windows(plan, store.list_taskings(engine))
    assert fresh.attrs["already_logged"] == 3
    key = ["camera_id", "window_start", "hotspot_id"]
    expected = plan.iloc[3:].reset_index(drop=True)
    pd.testing.assert_frame_equal(fresh[key], expected[key])
    engine.dispose()


def test_sightings_made_once_give_the_coverage_and_sheet_made_alone(
    timed_log, cameras, wards
) -> None:
    """The page makes the sightings once for its coverage and its tasking sheet: both equal
    the ones made from scratch; sightings made with other options are refused."""
    from hotspots.products.cctv import sightings

    cells = hotspots_gistar(grid_counts(mappable(timed_log), 9, study_area=wards))
    seen = sightings(timed_log, cameras, hotspots=cells)
    alone = coverage(timed_log, cameras, hotspots=cells)
    shared = coverage(timed_log, cameras, hotspots=cells, seen=seen)
    assert (alone.incidents, alone.covered, alone.params) == (
        shared.incidents,
        shared.covered,
        shared.params,
    )
    np.testing.assert_array_equal(alone.covered_mask, shared.covered_mask)
    pd.testing.assert_frame_equal(alone.by_camera, shared.by_camera)
    pd.testing.assert_frame_equal(alone.by_hotspot, shared.by_hotspot)
    sheet = tasking_sheet(timed_log, cameras, cells, seen=seen)
    fresh = tasking_sheet(timed_log, cameras, cells)
    assert len(fresh.windows) > 0 and sheet.params == fresh.params
    pd.testing.assert_frame_equal(sheet.windows, fresh.windows)
    pd.testing.assert_frame_equal(sheet.pairs, fresh.pairs)
    assert "hotspot_id" not in seen.params  # the coverage's parameters were its own copy
    with pytest.raises(ValueError, match="other options"):
        coverage(timed_log, cameras, hotspots=cells, statuses=None, seen=seen)
    with pytest.raises(ValueError, match="other options"):
        tasking_sheet(timed_log, cameras, cells, min_gi_bin=3, seen=seen)

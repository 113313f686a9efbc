"""VAWG feedback analysis: suggested actions, counts of recorded crime near feedback points and
hot cells no walkabout reached — on hand-made points with known answers and on the real
Dacorum police.uk records, against independent references (scipy's KD-tree, shapely distances,
Gi* computed directly)."""

from __future__ import annotations

from datetime import date, timedelta

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from hotspots import store
from hotspots.analysis.stats import hotspots_gistar
from hotspots.data import datasets
from hotspots.data.schema import BNG, COLUMNS, WGS84, WORKING_CRS
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products.vawg import (
    ACTION_FIELDS,
    DAYS_BY_SEVERITY,
    REASON_ACTIONS,
    action_counts,
    draft_actions,
    feedback_near_incidents,
    recorded_crime,
    uncovered_hot_cells,
)
from hotspots.space.grid import grid_counts

ORIGIN = (500_000.0, 200_000.0)
TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)


@pytest.fixture(scope="module")
def policeuk() -> gpd.GeoDataFrame:
    return load_demo_policeuk().incidents


@pytest.fixture(scope="module")
def feedback() -> pd.DataFrame:
    return pd.read_csv(datasets.demo_path("feedback"), keep_default_na=False)


def _incidents(rows: list[tuple[float, float, bool, bool, str]]) -> gpd.GeoDataFrame:
    """Incidents at (east, north) offsets from ORIGIN with (vawg, sensitive, category)."""
    east, north, vawg, sensitive, category = (np.array(c) for c in zip(*rows, strict=True))
    x, y = east.astype(float) + ORIGIN[0], north.astype(float) + ORIGIN[1]
    lon, lat = TO_WGS84.transform(x, y)
    frame = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(len(rows))],
            "source": "test",
            "crime_type": category,
            "category": category,
            "sensitive": sensitive.astype(bool),
            "vawg": vawg.astype(bool),
            "month": pd.Timestamp("2021-06-01"),
            "occurred_from": pd.NaT,
            "occurred_to": pd.NaT,
            "time_precision": "month",
            "location": "On or near Test Street",
            "lsoa_code": "",
            "ward_code": "",
            "x": x,
            "y": y,
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)[COLUMNS]
    gdf.attrs[WORKING_CRS] = BNG
    return gdf


def _point(east: float, north: float, **extra) -> dict:
    lon, lat = TO_WGS84.transform(ORIGIN[0] + east, ORIGIN[1] + north)
    return {
        "feedback_id": "P",
        "lon": lon,
        "lat": lat,
        "reason": "isolated",
        "severity": 3,
        **extra,
    }


def test_every_feedback_point_gets_an_owned_action_with_a_due_date(feedback, tmp_path) -> None:
    walk = date(2021, 11, 18)
    drafts = draft_actions(feedback, start=walk)
    assert len(drafts) == len(feedback) == 24
    for _, row in drafts.iterrows():
        assert (row["description"], row["owner_agency"]) == REASON_ACTIONS[row["reason"]]
        assert row["due_date"] == walk + timedelta(days=DAYS_BY_SEVERITY[row["severity"]])
    assert (drafts["severity"].diff().dropna() <= 0).all()  # most severe first
    typed = feedback.set_index("feedback_id").loc["FB-014", "comment"]
    assert drafts.set_index("feedback_id").loc["FB-014", "comment"] == typed
    assert '<b>HTML</b> & "quotes"' in typed
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.import_records(engine, datasets.demo_path("walkabouts"), "walkabouts")
    store.import_records(engine, datasets.demo_path("feedback"), "feedback")
    stored = draft_actions(store.list_feedback(engine), start=walk)
    for record in stored[ACTION_FIELDS].to_dict("records"):
        store.add_action(engine, record, today=walk)
    tracker = store.list_actions(engine, today=date(2021, 12, 10))
    assert len(tracker) == 24 and tracker["overdue"].sum() == (feedback["severity"] == 5).sum()
    engine.dispose()
    with pytest.raises(ValueError, match="unknown reason code"):
        draft_actions(feedback.assign(reason="dark"))


def test_counts_near_a_feedback_point_on_known_distances() -> None:
    incidents = _incidents(
        [
            (50, 0, True, False, "Violence and sexual offences"),
            (0, 99, True, True, "Violence and sexual offences"),
            (-70, 70, True, False, "Public order"),  # 99.0 m away
            (150, 0, True, False, "Violence and sexual offences"),
            (0, -60, False, False, "Acquisitive"),
        ]
    )
    points = pd.DataFrame([_point(0, 0, comment="<img src=x onerror=alert(1)>")])
    near = feedback_near_incidents(points, incidents, distance_m=100)
    assert near.loc[0, "incidents_within"] == 2  # sensitive ones are never counted by the metre
    assert near.loc[0, "top_category"] == "Violence and sexual offences"
    assert near.loc[0, "comment"] == "<img src=x onerror=alert(1)>"
    everything = feedback_near_incidents(points, incidents, distance_m=100, vawg_only=False)
    assert everything.loc[0, "incidents_within"] == 3
    assert feedback_near_incidents(points, incidents, distance_m=40).loc[0, "incidents_within"] == 0
    assert set(near.columns) == {
        "feedback_id",
        "reason",
        "severity",
        "comment",
        "incidents_within",
        "top_category",
    }  # fmt: skip  (no incident location, id or date, no count of sensitive incidents)
    with pytest.raises(ValueError, match="positive distance in metres"):
        feedback_near_incidents(points, incidents, distance_m=0)


def test_counts_near_feedback_match_a_kd_tree_on_real_data(feedback, policeuk) -> None:
    near = feedback_near_incidents(feedback, policeuk, distance_m=100).set_index("feedback_id")
    vawg = policeuk[policeuk["vawg"] & ~policeuk["sensitive"]]
    tree = cKDTree(np.column_stack([vawg["x"], vawg["y"]]))
    to_bng = Transformer.from_crs(WGS84, BNG, always_xy=True)
    fx, fy = to_bng.transform(feedback["lon"].to_numpy(), feedback["lat"].to_numpy())
    hits = tree.query_ball_point(np.column_stack([fx, fy]), r=100)
    expected = pd.Series([len(h) for h in hits], index=feedback["feedback_id"])
    assert (near["incidents_within"] == expected.reindex(near.index)).all()
    assert near["incidents_within"].sum() > 0 and near.attrs["incidents_counted"] == len(vawg)


def test_hot_cells_no_walkabout_reached(feedback, policeuk) -> None:
    wards = gpd.read_file(datasets.wards_path())
    gaps = uncovered_hot_cells(policeuk, feedback, study_area=wards, distance_m=200)
    cells = hotspots_gistar(grid_counts(policeuk[policeuk["vawg"]], 9, study_area=wards))
    hot = cells[cells["gi_bin"] >= 1]
    to_bng = Transformer.from_crs(WGS84, BNG, always_xy=True)
    fx, fy = to_bng.transform(feedback["lon"].to_numpy(), feedback["lat"].to_numpy())
    points = shapely.points(fx, fy)
    hexagons = hot.geometry.to_crs(BNG).to_numpy()
    nearest = np.array([shapely.distance(h, points).min() for h in hexagons])
    expected = set(hot["cell"][nearest > 200])
    assert set(gaps["cell"]) == expected and 0 < len(expected) < len(hot)
    by_cell = pd.Series(nearest, index=hot["cell"].to_numpy())
    assert gaps["nearest_feedback_m"].to_numpy() == pytest.approx(
        by_cell.reindex(gaps["cell"]).to_numpy()
    )
    assert (gaps["gi_z"].diff().dropna() <= 0).all()
    assert (gaps.geometry.geom_type == "Polygon").all()  # aggregated hexagons, never points
    params = gaps.attrs["params"]
    assert params["hot_cells"] == len(hot) and params["hot_cells_walked"] == len(hot) - len(gaps)
    nobody = uncovered_hot_cells(policeuk, feedback.iloc[:0], study_area=datasets.DACORUM)
    assert len(nobody) == len(hot) and nobody["nearest_feedback_m"].isna().all()


def test_sensitive_incidents_never_make_a_hot_cell(feedback, policeuk) -> None:
    from shapely import Point

    burst = policeuk.head(80).copy()
    # 80 domestic-abuse records at one (made-up) address far from any recorded crime
    burst["incident_id"] = [f"da-{i}" for i in range(len(burst))]
    burst["crime_type"], burst["sensitive"], burst["vawg"] = "Domestic abuse", True, True
    burst["geometry"] = [Point(-0.6, 51.80)] * len(burst)
    with_burst = gpd.GeoDataFrame(pd.concat([policeuk, burst], ignore_index=True), crs=WGS84)
    with_burst.attrs = dict(policeuk.attrs)
    before = uncovered_hot_cells(policeuk, feedback, study_area=datasets.DACORUM)
    after = uncovered_hot_cells(with_burst, feedback, study_area=datasets.DACORUM)
    assert set(after["cell"]) == set(before["cell"])
    assert after["count"].sum() == before["count"].sum()


def test_recorded_crime_counts_relevant_incidents_and_never_places_sensitive_ones() -> None:
    incidents = _incidents(
        [
            (0, 0, True, False, "Violence and sexual offences"),
            (5, 5, True, False, "Violence and sexual offences"),
            (900, 0, True, True, "Domestic abuse"),
            (900, 5, True, True, "Domestic abuse"),
            (0, 900, False, False, "Vehicle crime"),
        ]
    )
    recorded = recorded_crime(incidents, res=9)
    assert (recorded.mapped, recorded.not_mapped) == (2, "<5")  # 2 left out: said as "<5"
    assert recorded.cells["count"].sum() == 2  # the two mappable ones, in one cell here
    assert recorded.cells.loc[recorded.cells["count"] > 0, "count"].tolist() == [2]
    none = recorded_crime(incidents[~incidents["vawg"]], res=9)
    assert none.cells is None and (none.mapped, none.not_mapped) == (0, "0")


@pytest.mark.parametrize("data", ["police.uk", "council log"])
def test_recorded_crime_on_the_demo_data_matches_a_count_per_cell(data, policeuk) -> None:
    incidents = policeuk if data == "police.uk" else load_demo_log().incidents
    recorded = recorded_crime(incidents, res=9)
    relevant = incidents[incidents["vawg"].to_numpy(bool)]
    placed = relevant[~relevant["sensitive"].to_numpy(bool)]
    assert recorded.mapped == len(placed)
    left = len(relevant) - len(placed)
    assert (left > 0) == (data == "council log")  # police.uk flags none
    # the number left out only through the gate: "<5"/"withheld", or the exact count when
    # every group in it is 5 or more
    assert recorded.not_mapped in {"<5", "withheld", "0", str(left)}
    cell = h3.latlng_to_cell  # the H3 library, called directly
    expected = pd.Series(
        [cell(y, x, 9) for x, y in zip(placed.geometry.x, placed.geometry.y, strict=True)]
    ).value_counts()
    counts = recorded.cells.set_index("cell")["count"]
    counts = counts[counts > 0]
    assert counts.sort_index().to_dict() == expected.sort_index().to_dict()


def test_action_counts_against_the_stored_actions(feedback, tmp_path) -> None:
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for kind in ("walkabouts", "feedback"):
        store.import_records(engine, datasets.demo_path(kind), kind)
    long_ago = date.today() - timedelta(days=400)
    drafts = draft_actions(store.list_feedback(engine), start=long_ago)  # all overdue
    saved = [store.add_action(engine, r).id for r in drafts[ACTION_FIELDS].to_dict("records")]
    store.update_action_status(engine, saved[0], "done")
    store.update_action_status(engine, saved[1], "in_progress")
    actions = store.list_actions(engine)
    counts = action_counts(actions)
    assert counts == {
        "actions": len(saved),
        "open": len(saved) - 1,  # every one but the one done
        "overdue": len(saved) - 1,  # due long ago and not done
    }
    assert action_counts(actions.iloc[:0]) == {"actions": 0, "open": 0, "overdue": 0}
    engine.dispose()

"""Tests for hotspots.products.patrol.localities and harm: hand-made cases and real Dacorum data.

Properties are checked independently of the implementation: distances with scipy, cell
membership with h3-py one point at a time, disc counts by brute force.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pypdf
import pytest
import shapely
from pyproj import Transformer
from scipy.spatial.distance import cdist, pdist

from hotspots.analysis.stats import hotspots_gistar
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.data.ingest import LoadResult, resolve_study_area
from hotspots.data.schema import BNG, WGS84, incidents_from_xy, load_taxonomy
from hotspots.products.patrol import (
    HotAreas,
    build_localities,
    harm_of,
    hot_areas_from_cells,
    hot_areas_from_clusters,
    load_harm_weights,
    patrol_plan,
)
from hotspots.space.grid import grid_counts
from hotspots.views.patrol_files import write_plan_files

TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)
ORIGIN = (505_000.0, 207_000.0)  # Hemel Hempstead, EPSG:27700


def make_incidents(
    xy: np.ndarray, crime_types: list[str] | str, *, month: str = "2021-06-01"
) -> gpd.GeoDataFrame:
    """Canonical month-only incidents at BNG coordinates (metres)."""
    return incidents_from_xy(xy, crime_types, month=month, location="On or near Test Street")


def blob(centre: tuple[float, float], n: int, spread: float, seed: int) -> np.ndarray:
    """``n`` points snapped to a 5 m lattice around ``centre`` (repeated locations, like
    police.uk map points)."""
    rng = np.random.default_rng(seed)
    return np.round((np.asarray(centre) + rng.normal(0, spread, (n, 2))) / 5) * 5


def one_area(incidents: gpd.GeoDataFrame) -> HotAreas:
    """Every incident in one hot area (a cluster labelled 0)."""
    return hot_areas_from_clusters(incidents, np.zeros(len(incidents), dtype=int))


def outline_bng(localities: gpd.GeoDataFrame) -> np.ndarray:
    return localities.to_crs(BNG).geometry.to_numpy()


# ----------------------------------------------------------------------------- harm table


def test_bundled_harm_table_covers_the_taxonomy_and_orders_harm() -> None:
    weights = load_harm_weights()
    assert set(load_taxonomy().index) <= set(weights.index)
    assert (weights > 0).all()
    assert weights["robbery"] > weights["burglary"] > weights["shoplifting"]
    assert weights["anti-social behaviour"] < weights["criminal damage and arson"]
    assert "approximate" in weights.attrs["source"]


def test_harm_of_is_case_insensitive_and_names_unknown_types() -> None:
    weights = load_harm_weights()
    assert harm_of(pd.Series([" ROBBERY", "Shoplifting"]), weights).tolist() == [
        weights["robbery"],
        weights["shoplifting"],
    ]
    with pytest.raises(ValueError, match="Jaywalking"):
        harm_of(pd.Series(["Robbery", "Jaywalking"]), weights)


def test_harm_table_rejects_bad_weights(tmp_path) -> None:
    path = tmp_path / "weights.csv"
    path.write_text("crime_type,weight\nBurglary,300\nShoplifting,-1\n")
    with pytest.raises(ValueError, match="Shoplifting"):
        load_harm_weights(path)
    path.write_text("type,score\nBurglary,300\n")
    with pytest.raises(ValueError, match="crime_type, weight"):
        load_harm_weights(path)


# ----------------------------------------------------------------------------- hand-made cases


def test_ranking_by_count_and_by_harm() -> None:
    shops = blob((ORIGIN[0], ORIGIN[1]), 30, 15, seed=1)
    robberies = blob((ORIGIN[0] + 2000, ORIGIN[1]), 10, 15, seed=2)
    incidents = make_incidents(
        np.vstack([shops, robberies]), ["Shoplifting"] * 30 + ["Robbery"] * 10
    )
    labels = np.r_[np.zeros(30, int), np.ones(10, int)]
    areas = hot_areas_from_clusters(incidents, labels)
    by_count = build_localities(incidents, areas).localities
    harm = harm_of(incidents["crime_type"], load_harm_weights())
    by_harm = build_localities(incidents, areas, harm=harm).localities
    assert by_count["incidents"].tolist() == [30, 10]
    assert by_count["centre_x"].iloc[0] < ORIGIN[0] + 1000  # the shoplifting blob first
    assert by_harm["incidents"].tolist() == [10, 30]  # the robberies first
    assert by_harm["harm"].tolist() == [10 * 800.0, 30 * 10.0]


def test_large_area_is_cut_into_units_no_wider_than_max_across() -> None:
    rng = np.random.default_rng(3)
    xy = np.round(np.asarray(ORIGIN) + rng.uniform(0, 900, (600, 2)))
    incidents = make_incidents(xy, "Anti-social behaviour")
    result = build_localities(incidents, one_area(incidents), max_across_m=180, min_spacing_m=90)
    assert len(result.localities) > 10
    for outline in outline_bng(result.localities):
        vertices = shapely.get_coordinates(outline)
        assert pdist(vertices).max() <= 180 + 1e-6
    assert (result.localities["across_m"] <= 180 + 1e-6).all()
    # every incident of a locality lies within the radius of its centre and inside its outline
    members = result.membership > 0
    centres = result.localities.set_index("locality")[["centre_x", "centre_y"]]
    own = centres.loc[result.membership[members]].to_numpy()
    assert np.hypot(*(xy[members] - own).T).max() <= 90 + 1e-9
    outlines = outline_bng(result.localities)[result.membership[members] - 1]
    gaps = shapely.distance(outlines, shapely.points(xy[members]))
    assert gaps.max() < 0.5


def test_spacing_drops_close_units_and_reports_them() -> None:
    rng = np.random.default_rng(4)
    xy = np.round(np.asarray(ORIGIN) + rng.uniform(0, 800, (500, 2)))
    incidents = make_incidents(xy, "Burglary")
    result = build_localities(incidents, one_area(incidents), max_across_m=200, min_spacing_m=300)
    centres = result.localities[["centre_x", "centre_y"]].to_numpy()
    assert pdist(centres).min() >= 300
    dropped = result.dropped
    assert len(dropped) > 0
    blocker = result.localities.set_index("locality").loc[dropped["too_close_to"]]
    gaps = np.hypot(
        dropped["centre_x"].to_numpy() - blocker["centre_x"].to_numpy(),
        dropped["centre_y"].to_numpy() - blocker["centre_y"].to_numpy(),
    )
    np.testing.assert_allclose(gaps, dropped["distance_m"])
    assert (gaps < 300).all()
    # a dropped unit is never better than the locality that blocks it
    assert (dropped["incidents"].to_numpy() <= blocker["incidents"].to_numpy()).all()
    # every incident of the hot area is in exactly one unit: kept or dropped
    kept = result.localities["incidents"].sum()
    assert kept + dropped["incidents"].sum() == len(incidents)
    assert kept == (result.membership > 0).sum()
    assert np.bincount(result.membership[result.membership > 0])[1:].tolist() == (
        result.localities["incidents"].tolist()
    )


def test_first_locality_is_the_busiest_disc() -> None:
    """Brute force: no disc of the radius centred on any incident location holds more."""
    xy = np.vstack(
        [
            blob(ORIGIN, 40, 60, seed=5),
            blob((ORIGIN[0] + 150, ORIGIN[1] + 50), 25, 10, seed=6),
        ]
    )
    incidents = make_incidents(xy, "Public order")
    result = build_localities(incidents, one_area(incidents), max_across_m=200)
    radius = 100 * np.cos(np.pi / 64)  # inscribed radius of the drawn 64-gon
    counts = (cdist(xy, xy) <= radius).sum(axis=1)
    assert result.localities["incidents"].iloc[0] == counts.max()
    # ranks are in non-increasing order of incidents
    assert result.localities["incidents"].is_monotonic_decreasing


def test_hot_areas_from_cells_merges_adjacent_cells_only() -> None:
    first = h3.latlng_to_cell(51.75, -0.47, 9)
    neighbour = sorted(h3.grid_ring(first, 1))[0]
    far = h3.grid_ring(first, 4)[0]
    cells = pd.DataFrame({"cell": [first, neighbour, far], "gi_bin": [3, 2, 2]})
    points = np.array([h3.cell_to_latlng(c)[::-1] for c in cells["cell"]])  # lon, lat
    to_bng = Transformer.from_crs(WGS84, BNG, always_xy=True)
    xy = np.column_stack(to_bng.transform(points[:, 0], points[:, 1]))
    incidents = make_incidents(np.vstack([xy, xy[:1] + 5000]), "Drugs")
    areas = hot_areas_from_cells(incidents, cells, min_bin=2)
    labels = areas.labels
    assert labels[0] == labels[1] != labels[2]
    assert labels[3] == -1  # far away from every hot cell
    assert len(areas.outlines) == 2
    # the merged outline is the two hexagons: its area is their area (h3-py, metres²)
    merged = areas.outlines.iloc[labels[0]].area
    expected = h3.cell_area(first, "m^2") + h3.cell_area(neighbour, "m^2")
    assert merged == pytest.approx(expected, rel=0.01)
    # only bin 3 hot: one area
    assert hot_areas_from_cells(incidents, cells, min_bin=3).params["n_hot_areas"] == 1


def test_bad_options_are_explained() -> None:
    incidents = make_incidents(blob(ORIGIN, 10, 20, seed=7), "Drugs")
    areas = one_area(incidents)
    with pytest.raises(ValueError, match="overlap"):
        build_localities(incidents, areas, max_across_m=200, min_spacing_m=50)
    with pytest.raises(ValueError, match="max_across_m"):
        build_localities(incidents, areas, max_across_m=0)
    with pytest.raises(ValueError, match="one weight per incident"):
        build_localities(incidents, areas, harm=np.ones(3))
    with pytest.raises(ValueError, match="gi_bin"):
        hot_areas_from_cells(incidents, pd.DataFrame({"cell": []}))
    with pytest.raises(ValueError, match="same incidents"):
        build_localities(incidents.iloc[:5], areas)


def test_no_hot_area_gives_no_locality() -> None:
    incidents = make_incidents(blob(ORIGIN, 10, 20, seed=8), "Drugs")
    areas = hot_areas_from_clusters(incidents, np.full(10, -1))
    result = build_localities(incidents, areas)
    assert len(result.localities) == 0
    assert (result.membership == -1).all()


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def dacorum_q4(dacorum_load: LoadResult) -> gpd.GeoDataFrame:
    incidents = dacorum_load.incidents
    month = incidents["month"]
    keep = (month >= "2021-10-01") & (month <= "2021-12-01") & ~incidents["sensitive"]
    return incidents[keep.to_numpy()].reset_index(drop=True)


def test_dacorum_localities_lie_in_significant_hot_cells(dacorum_q4: gpd.GeoDataFrame) -> None:
    area = resolve_study_area("E07000096")
    cells = hotspots_gistar(grid_counts(dacorum_q4, 9, study_area=area), k=1)
    result = build_localities(dacorum_q4, hot_areas_from_cells(dacorum_q4, cells))
    assert len(result.localities) >= 10
    hot = set(cells.loc[cells["gi_bin"] >= HOT_MIN_BIN, "cell"])  # the default hot threshold
    members = np.flatnonzero(result.membership > 0)
    geometry = dacorum_q4.geometry.to_numpy()[members]
    member_cells = {
        h3.latlng_to_cell(p.y, p.x, 9) for p in geometry
    }  # h3-py, point by point: independent of the vectorised assignment
    assert member_cells <= hot
    assert pdist(result.localities[["centre_x", "centre_y"]].to_numpy()).min() >= 200
    assert (result.localities["across_m"] <= 200 + 1e-6).all()
    counts = np.bincount(result.membership[members])[1:]
    assert counts.tolist() == result.localities["incidents"].tolist()
    assert (
        result.params["incidents_in_localities"] + result.params["incidents_in_dropped_units"]
        == result.params["incidents_in_hot_areas"]
    )


def test_plan_never_builds_a_place_from_sensitive_incidents() -> None:
    """A pile of domestic abuse records must not become a locality, a centre or a map cell."""
    rng = np.random.default_rng(9)
    background = np.round(np.asarray(ORIGIN) + rng.uniform(0, 3000, (400, 2)))
    victim = np.full((40, 2), [ORIGIN[0] + 1500.0, ORIGIN[1] + 1500.0])
    shops = blob((ORIGIN[0] + 600, ORIGIN[1] + 2400), 40, 10, seed=10)
    types = ["Anti-social behaviour"] * 400 + ["Domestic abuse"] * 40 + ["Shoplifting"] * 40
    incidents = make_incidents(np.vstack([background, victim, shops]), types)
    corners = np.asarray(ORIGIN) + np.array([[-100.0, -100.0], [3100.0, 3100.0]])
    lon, lat = TO_WGS84.transform(corners[:, 0], corners[:, 1])
    drawn = shapely.box(lon[0], lat[0], lon[1], lat[1])  # a polygon drawn on the map, lon/lat
    plan = patrol_plan(
        incidents, study_area=drawn, period=("2021-06", "2021-06"), run_backtest=False
    )
    assert "sensitive_left_out" not in plan.metadata["summary"]  # no count of a drawn area's
    assert plan.metadata["summary"]["incidents"] == 440
    sensitive_ids = set(incidents.loc[incidents["sensitive"], "incident_id"])
    assert not sensitive_ids & set(plan.assignment["incident_id"])
    centres = np.column_stack(
        Transformer.from_crs(WGS84, BNG, always_xy=True).transform(
            plan.localities["centre_lon"], plan.localities["centre_lat"]
        )
    )
    assert np.hypot(*(centres - victim[0]).T).min() > 100  # no locality at the victim's address
    assert np.hypot(*(centres - shops.mean(axis=0)).T).min() < 50  # the shop blob is found
    # the map aggregates: the victim's 25 m cell holds only the non-sensitive incidents there
    victim_lon, victim_lat = TO_WGS84.transform(victim[0, 0], victim[0, 1])
    cell = h3.latlng_to_cell(victim_lat, victim_lon, 11)
    lons, lats = TO_WGS84.transform(background[:, 0], background[:, 1])
    expected = sum(h3.latlng_to_cell(b, a, 11) == cell for a, b in zip(lons, lats, strict=True))
    drawn_counts = plan.context.loc[plan.context["cell"] == cell, "count"]
    assert int(drawn_counts.sum()) == expected


def test_a_plan_without_hot_spots_says_so_and_still_exports(tmp_path) -> None:
    rng = np.random.default_rng(11)
    xy = np.round(np.asarray(ORIGIN) + rng.uniform(0, 3000, (30, 2)))  # no hot spot in 30
    incidents = make_incidents(xy, "Burglary")
    corners = np.asarray(ORIGIN) + np.array([[-100.0, -100.0], [3100.0, 3100.0]])
    lon, lat = TO_WGS84.transform(corners[:, 0], corners[:, 1])
    plan = patrol_plan(
        incidents,
        study_area=shapely.box(lon[0], lat[0], lon[1], lat[1]),
        period=None,
        method="gistar",  # the forecast always marks its share of the area
    )
    assert len(plan.localities) == 0
    assert plan.metadata["period"] == "2021-06 to 2021-06"  # the default: the data's last months
    assert any(text.startswith("No locality") for text in plan.limits)
    assert any(text.startswith("Backtest not possible") for text in plan.limits)
    written = write_plan_files(plan, tmp_path)
    assert len(gpd.read_file(written["geojson"])) == 0
    kml = ET.parse(written["kml"]).getroot()
    assert not list(kml.iter("{http://www.opengis.net/kml/2.2}Placemark"))
    assert len(pypdf.PdfReader(written["pdf"]).pages) == 1


def _greedy_reference(near, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The greedy disc cover as first written: a sparse product per unit (slow, plain)."""
    unit = np.full(weight.size, -1, dtype=np.intp)
    centres: list[int] = []
    score = near @ weight if weight.size else np.full(1, -np.inf)
    while np.isfinite(score[best := int(np.argmax(score))]):
        disc = near.indices[near.indptr[best] : near.indptr[best + 1]]
        taken = disc[unit[disc] < 0]
        unit[taken] = len(centres)
        score -= near[taken].T @ weight[taken]
        score[disc] = -np.inf
        centres.append(best)
    return unit, np.asarray(centres, dtype=np.intp)


@pytest.mark.parametrize("seed", range(6))
def test_greedy_units_equal_the_sparse_product_form(seed: int) -> None:
    from hotspots.products.patrol.localities import _greedy_units, _neighbour_matrix

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 2500))
    xy = rng.uniform(0, 2500, (n, 2))
    area = rng.integers(0, 3, n)
    # harm-weighted (fractional) and count weights: ties and float sums broken identically
    weight = rng.gamma(1.0, 1.3, n) if seed % 2 else rng.integers(1, 4, n).astype(float)
    near = _neighbour_matrix(xy, area, 120.0)
    unit, centres = _greedy_units(near, weight)
    want_unit, want_centres = _greedy_reference(near, weight)
    np.testing.assert_array_equal(unit, want_unit)
    np.testing.assert_array_equal(centres, want_centres)


def test_the_best_localities_drawn_alone_equal_those_of_all() -> None:
    """``top``: the best localities' outlines (clipped by earlier discs, kept or dropped) and
    figures are those of the full build; every incident keeps its rank."""
    xy = np.vstack(
        [
            blob((ORIGIN[0] + 90 * i, ORIGIN[1] + 40 * (i % 3)), 60, 30 + 7 * i, seed=i)
            for i in range(9)
        ]
    )
    incidents = make_incidents(xy, "Public order")
    full = build_localities(incidents, one_area(incidents), max_across_m=150, min_spacing_m=100)
    assert full.params["n_localities"] > 4 and full.params["n_dropped"] > 0
    best = build_localities(
        incidents, one_area(incidents), max_across_m=150, min_spacing_m=100, top=4
    )
    want = full.localities[full.localities["locality"] <= 4]
    pd.testing.assert_frame_equal(best.localities, want)
    np.testing.assert_array_equal(best.membership, full.membership)
    assert best.params == full.params


def test_kept_hexagons_equal_those_made_at_once() -> None:
    """hexagons_in: each hexagon reprojected once and kept is the one a single
    ``to_crs(cell_polygons(...))`` of all of them gives, whatever was asked before."""
    from hotspots.core.crs import to_crs
    from hotspots.products.patrol.localities import _hexagons, hexagons_in
    from hotspots.space.grid import cell_polygons

    cells = np.array(sorted(h3.grid_disk(h3.latlng_to_cell(51.75, -0.47, 9), 12)), dtype=object)
    want = to_crs(cell_polygons(cells), BNG).geometry.to_numpy()
    _hexagons.pop(BNG, None)
    first = hexagons_in(cells[::3], BNG)  # some kept first, then all asked in another order
    order = np.random.default_rng(0).permutation(len(cells))
    got = hexagons_in(cells[order], BNG)
    assert shapely.to_wkb(first).tolist() == shapely.to_wkb(want[::3]).tolist()
    assert shapely.to_wkb(got).tolist() == shapely.to_wkb(want[order]).tolist()


def test_a_study_areas_hexagons_kept_ahead_up_to_the_limit() -> None:
    """keep_hexagons: a district's cells are made and kept; a nation's are not made ahead."""
    from hotspots.products.patrol.localities import (
        HEXAGONS_AHEAD_MAX,
        _hexagons,
        keep_hexagons,
    )
    from hotspots.space.grid import estimated_cells, study_area_cells

    district = shapely.box(-0.50, 51.74, -0.46, 51.76)
    nation = shapely.box(-5.7, 50.0, 1.8, 55.8)
    assert estimated_cells(nation, 9) > HEXAGONS_AHEAD_MAX
    _hexagons.pop(BNG, None)
    assert not keep_hexagons(nation, BNG, 9)
    assert BNG not in _hexagons or not _hexagons[BNG]
    assert keep_hexagons(district, BNG, 9)
    assert set(_hexagons[BNG]) == set(study_area_cells(district, 9))


def test_outlines_of_some_hot_areas_are_those_of_all() -> None:
    """HotAreas.outlines_of: the outlines of the areas asked (repeated, in any order) are
    those of ``outlines``, bit for bit (the same hexagons united in the same order), made for
    those areas only."""
    centre = h3.latlng_to_cell(51.75, -0.47, 9)
    rng = np.random.default_rng(3)
    disk = sorted(h3.grid_disk(centre, 9))
    hot = sorted(rng.choice(disk, size=120, replace=False))  # several areas, some one cell
    cells = pd.DataFrame({"cell": hot, "gi_bin": 3})
    lonlat = np.array([h3.cell_to_latlng(c)[::-1] for c in hot])
    xy = np.column_stack(Transformer.from_crs(WGS84, BNG, always_xy=True).transform(*lonlat.T))
    areas = hot_areas_from_cells(make_incidents(xy, "Drugs"), cells, min_bin=2)
    n = areas.params["n_hot_areas"]
    assert n > 5 and len(areas.outlines) == n
    asked = rng.integers(0, n, 12)
    got = areas.outlines_of(asked)
    want = areas.outlines.to_numpy()[asked]
    assert [shapely.to_wkb(g) for g in got] == [shapely.to_wkb(g) for g in want]
    assert len(areas.outlines_of(np.array([], dtype=int))) == 0

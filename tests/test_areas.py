"""Areas on real Dacorum data: boundaries, joins checked against geopandas.sjoin, population."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.data import datasets
from hotspots.space.areas import (
    _locate,
    area_counts,
    area_rates,
    assign_areas,
    load_population,
    read_boundaries,
    ward_population,
)

DACORUM_RESIDENTS_2011 = 144_847  # ONS 2011 Census, usual residents of Dacorum


@pytest.fixture(scope="module")
def herts(herts_load) -> gpd.GeoDataFrame:
    """All located police.uk incidents of Hertfordshire (canonical schema)."""
    return herts_load.incidents


@pytest.fixture(scope="module")
def dacorum(herts, lsoas) -> gpd.GeoDataFrame:
    """Dacorum as police.uk defines it: incidents with a Dacorum LSOA code (not clipped)."""
    out = herts[herts["lsoa_code"].isin(lsoas["area_code"])].reset_index(drop=True)
    assert len(out) == 13_187
    return out


@pytest.fixture(scope="module")
def wards() -> gpd.GeoDataFrame:
    return read_boundaries(datasets.wards_path())


@pytest.fixture(scope="module")
def lsoas() -> gpd.GeoDataFrame:
    return read_boundaries(datasets.lsoas_path())


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return load_population()


def test_read_boundaries_guesses_ons_columns(wards, lsoas):
    raw = gpd.read_file(datasets.wards_path())
    assert list(wards.columns) == ["area_code", "area_name", "geometry"]
    assert wards["area_code"].tolist() == raw["WD13CD"].tolist()
    assert wards["area_name"].tolist() == raw["WD13NM"].tolist()
    assert wards.crs.to_epsg() == 4326 and len(wards) == 25
    assert wards.attrs["report"]["code_col"] == "WD13CD"
    assert lsoas.attrs["report"]["code_col"] == "LSOA11CD" and len(lsoas) == 94
    lad = read_boundaries(datasets.districts_path())
    assert lad.attrs["report"]["name_col"] == "lad17nm"
    assert "Dacorum" in lad["area_name"].tolist() and len(lad) == 10


def test_read_boundaries_prefers_the_finest_unique_code(tmp_path):
    raw = gpd.read_file(datasets.wards_path()).assign(LAD13CD="E07000096", LAD13NM="Dacorum")
    got = read_boundaries(raw)
    assert got.attrs["report"]["code_col"] == "WD13CD"
    with pytest.raises(ValueError, match=r"cannot tell which column.*'WD13NM'"):
        read_boundaries(raw.drop(columns=["WD13CD"]).drop(columns=["LAD13CD"]))
    with pytest.raises(ValueError, match="no name column 'WD13NM'"):
        read_boundaries(raw.drop(columns=["WD13NM"]))
    named = read_boundaries(raw.drop(columns=["WD13NM"]), name_col="WD13CD")
    assert (named["area_name"] == named["area_code"]).all()


def test_bng_geojson_without_crs_is_detected(tmp_path, wards):
    bng = wards.to_crs(27700)
    collection = json.loads(bng.to_json())
    del collection["crs"]  # what many tools write: BNG coordinates, no crs member
    path = tmp_path / "wards_bng.geojson"
    path.write_text(json.dumps(collection))
    got = read_boundaries(path)
    assert "detected" in got.attrs["report"]["crs"] and "27700" in got.attrs["report"]["crs"]
    assert got.crs.to_epsg() == 4326
    distance = shapely.hausdorff_distance(got.geometry.to_numpy(), wards.geometry.to_numpy())
    assert distance.max() < 1e-6  # degrees, i.e. < 0.1 m
    assert shapely.contains_xy(got.union_all(), -0.4743, 51.7526)  # Hemel Hempstead


def test_unknown_crs_and_given_crs(tmp_path, wards):
    lonlat = json.loads(wards.to_json())
    for feature in lonlat["features"]:
        feature["geometry"] = shapely.geometry.mapping(
            shapely.affinity.scale(shapely.geometry.shape(feature["geometry"]), 1e6, 1e6, 1)
        )
    path = tmp_path / "odd.geojson"
    path.write_text(json.dumps(lonlat))
    with pytest.raises(ValueError, match="pass crs="):
        read_boundaries(path)
    bng = wards.to_crs(27700)
    got = read_boundaries(bng.set_crs(None, allow_override=True), crs="EPSG:27700")
    assert got.attrs["report"]["crs"] == "EPSG:27700 (given)"
    assert shapely.equals_exact(
        got.geometry.to_numpy(), wards.geometry.to_numpy(), tolerance=1e-6
    ).all()


def test_formats_round_trip(tmp_path, wards):
    raw = gpd.read_file(datasets.wards_path())
    raw.to_file(tmp_path / "w.gpkg")
    raw.to_parquet(tmp_path / "w.parquet")
    raw.to_crs(27700).to_file(tmp_path / "w.shp")
    for name in ("w.gpkg", "w.parquet", "w.shp"):
        got = read_boundaries(tmp_path / name)
        assert got["area_code"].tolist() == wards["area_code"].tolist(), name
        assert got.crs.to_epsg() == 4326
        assert np.allclose(got.total_bounds, wards.total_bounds, atol=1e-6), name
    with pytest.raises(FileNotFoundError):
        read_boundaries(tmp_path / "missing.geojson")


def test_invalid_geometry_is_repaired_and_reported():
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    square = shapely.box(2, 0, 3, 1)
    gdf = gpd.GeoDataFrame(
        {"WD22CD": ["E1", "E2"], "WD22NM": ["Bow", "Box"]}, geometry=[bowtie, square], crs=4326
    )
    got = read_boundaries(gdf)
    assert got.attrs["report"]["invalid_fixed"] == 1
    assert got.is_valid.all()
    assert got.geometry.iloc[0].area == pytest.approx(0.5)
    dup = pd.concat([gdf.iloc[[1]], gdf.iloc[[1]].assign(geometry=[shapely.box(3, 0, 4, 1)])])
    merged = read_boundaries(dup)
    assert len(merged) == 1 and merged.attrs["report"]["rows_merged"] == 1
    assert merged.geometry.iloc[0].area == pytest.approx(2.0)
    with pytest.raises(ValueError, match="have no geometry"):
        read_boundaries(gdf.assign(geometry=[None, square]))


def test_assign_areas_equals_sjoin(herts, wards):
    got = assign_areas(herts, wards)
    ref = gpd.sjoin(herts, wards, how="left", predicate="intersects")
    ref = ref[~ref.index.duplicated(keep="first")]
    assert got["ward_code"].dtype == "string"
    pd.testing.assert_series_equal(
        got["ward_code"], ref["area_code"].astype("string"), check_names=False
    )
    assert got.attrs["area_join"]["outside"] == ref["area_code"].isna().sum() > 80_000
    assert len(got) == len(herts)
    bng = assign_areas(herts.to_crs(27700), wards)
    pd.testing.assert_series_equal(bng["ward_code"], got["ward_code"])


def test_both_point_in_polygon_paths_agree(herts, lsoas):
    points = herts.geometry.to_numpy()
    polygons = lsoas.geometry.to_numpy()
    loop = _locate(points, polygons)
    tree = _locate(points, polygons, loop_max=0)
    np.testing.assert_array_equal(loop[0], tree[0])
    assert loop[1] == tree[1]
    on_edge = shapely.points(np.array(polygons[0].exterior.coords[:1]))
    match, n_multi = _locate(on_edge, polygons)
    assert match[0] == 0 and n_multi == int(shapely.intersects(polygons, on_edge[0]).sum() > 1)


def test_locating_each_distinct_point_once_equals_locating_every_point(herts, lsoas, monkeypatch):
    """A point's area depends on its coordinates only: the distinct points' answers given to
    their copies equal every point located (areas and points touching several), on the county's
    police.uk points with copies of vertices shared by neighbouring LSOAs."""
    from hotspots.space import areas

    polygons = lsoas.geometry.to_numpy()
    edges = shapely.points(shapely.get_coordinates(shapely.boundary(polygons[:200]))[::50])
    points = np.concatenate([herts.geometry.to_numpy(), np.repeat(edges, 3)])
    xy = shapely.get_x(points) + 1j * shapely.get_y(points)
    assert len(pd.unique(xy)) < len(points) // 2  # the distinct points' path is taken
    for loop_max in (areas._LOOP_MAX_AREAS, 0):
        once = _locate(points, polygons, loop_max=loop_max)
        monkeypatch.setattr(areas, "_DISTINCT_MIN", len(points) + 1)
        every = _locate(points, polygons, loop_max=loop_max)
        monkeypatch.undo()
        np.testing.assert_array_equal(once[0], every[0])
        assert once[1] == every[1] > 0


def test_clipped_dacorum_needs_no_snapping(dacorum_load, wards):
    joined = assign_areas(dacorum_load.incidents, wards)
    assert joined["ward_code"].notna().all()
    assert joined.attrs["area_join"]["outside"] == 0
    assert joined.attrs["working_crs"] == "EPSG:27700"  # the incidents' attrs are kept


def test_every_dacorum_point_lands_in_a_ward(dacorum, wards, lsoas):
    strict = assign_areas(dacorum, wards)
    # one police.uk map point (3 crimes) lies 6.6 m outside the generalised boundaries
    assert strict.attrs["area_join"]["outside"] == 3
    snapped = assign_areas(dacorum, wards, max_snap_m=10)
    assert snapped["ward_code"].notna().all()
    assert snapped.attrs["area_join"]["snapped"] == 3
    assert set(snapped["ward_code"]) <= set(wards["area_code"])
    assert (snapped["ward_code"] == strict["ward_code"]).sum() == len(dacorum) - 3
    by_lsoa = assign_areas(dacorum, lsoas, column="lsoa_join", max_snap_m=10)
    agree = (by_lsoa["lsoa_join"] == dacorum["lsoa_code"]).mean()
    assert agree > 0.95  # police.uk's own LSOA codes, from the full-resolution boundaries


def test_area_counts_zeros_and_by_month(dacorum, wards):
    counts = area_counts(dacorum, wards)
    assert counts.attrs["codes_from"] == "spatial join (max_snap_m=0)"
    assert counts.attrs["not_counted"] == 3
    assert counts["area_code"].tolist() == wards["area_code"].tolist()
    assert counts["count"].sum() + counts.attrs["not_counted"] == len(dacorum)
    ref = gpd.sjoin(dacorum, wards, predicate="intersects")["area_code"].value_counts()
    assert (
        counts.set_index("area_code")["count"].to_dict()
        == ref.reindex(wards["area_code"], fill_value=0).to_dict()
    )

    monthly = area_counts(dacorum, wards, by="month")
    assert len(monthly) == 25 * 13
    assert list(monthly.columns) == ["area_code", "area_name", "month", "count"]
    total = monthly.groupby("area_code")["count"].sum()
    assert total.to_dict() == counts.set_index("area_code")["count"].to_dict()
    snapped = area_counts(dacorum, wards, max_snap_m=10)
    assert snapped.attrs["not_counted"] == 0 and snapped["count"].sum() == len(dacorum)
    one = wards["area_code"].iloc[0]
    ref_month = gpd.sjoin(dacorum, wards.iloc[[0]], predicate="intersects").groupby("month").size()
    got_month = monthly[monthly["area_code"] == one].set_index("month")["count"]
    assert got_month.to_dict() == ref_month.reindex(got_month.index, fill_value=0).to_dict()


def test_area_counts_uses_existing_codes_and_reports_unlisted(herts, lsoas):
    counts = area_counts(herts, lsoas, column="lsoa_code")
    assert counts.attrs["codes_from"] == "existing column"
    ref = herts["lsoa_code"].value_counts()
    assert (
        counts.set_index("area_code")["count"].to_dict()
        == ref.reindex(lsoas["area_code"], fill_value=0).to_dict()
    )
    assert counts.attrs["not_counted"] == len(herts) - counts["count"].sum()
    with pytest.raises(ValueError, match="not a column"):
        area_counts(herts, lsoas, column="lsoa_code", by="nope")


def test_load_population_matches_census_totals(population):
    assert len(population) == 34_753 and population["lsoa_code"].is_unique
    assert population["residents"].sum() == 56_075_912  # England and Wales, 2011
    parts = population["household_residents"] + population["communal_residents"]
    assert (parts == population["residents"]).all()
    first = population.set_index("lsoa_code").loc["E01020634"]
    assert (first["residents"], first["communal_residents"], first["households"]) == (1563, 46, 666)


def test_load_population_rejects_other_tables(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("LSOA Code,Residents\nE01000001,1000\n")
    with pytest.raises(ValueError, match="three 'Persons' columns"):
        load_population(path)


def test_ward_population_sums_to_district(wards, lsoas, population):
    lsoa_total = population.set_index("lsoa_code").loc[lsoas["area_code"], "residents"].sum()
    assert lsoa_total == DACORUM_RESIDENTS_2011
    weighted = ward_population(wards, lsoas, population)
    assert weighted["residents"].sum() == pytest.approx(lsoa_total, rel=0.01)
    assert (weighted["method"] == "area_weighted").all()
    assert weighted.attrs["method"] == "area_weighted"
    centroid = ward_population(wards, lsoas, population, method="centroid")
    assert centroid["residents"].sum() == lsoa_total
    assert (
        centroid["households"].sum()
        == population.set_index("lsoa_code").loc[lsoas["area_code"], "households"].sum()
    )
    assert centroid.attrs["method"] == "centroid"
    assert np.corrcoef(weighted["residents"], centroid["residents"])[0, 1] > 0.9
    short = population[population["lsoa_code"] != lsoas["area_code"].iloc[0]]
    with pytest.raises(ValueError, match=r"1 LSOA\(s\) have no population figures"):
        ward_population(wards, lsoas, short)


def test_ward_population_centroid_hand_check(wards, lsoas, population):
    centroid = ward_population(wards, lsoas, population, method="centroid")
    ward = wards.iloc[0]
    centres = lsoas.to_crs(27700).centroid.to_crs(4326)
    inside = lsoas.loc[centres.within(ward.geometry).to_numpy(), "area_code"]
    expected = population.set_index("lsoa_code").loc[inside, "residents"].sum()
    assert centroid.loc[0, "residents"] == expected > 0


def test_area_rates_equal_hand_computation(dacorum, wards, lsoas, population):
    counts = area_counts(dacorum, wards)
    pop = ward_population(wards, lsoas, population, method="centroid")
    rates = area_rates(counts, pop)
    row = rates.set_index("area_code").loc["E05004691"]  # Adeyfield East
    n = int((assign_areas(dacorum, wards)["ward_code"] == "E05004691").sum())
    residents = pop.set_index("area_code").loc["E05004691", "residents"]
    assert row["count"] == n
    assert row["rate"] == pytest.approx(n / residents * 1000)
    assert pd.isna(row["rate_note"])
    assert (rates.attrs["per"], rates.attrs["population_method"]) == (1000, "centroid")
    per_100 = area_rates(counts, pop, per=100)
    np.testing.assert_allclose(per_100["rate"], rates["rate"] / 10)


def test_area_rates_zero_and_missing_population_are_nan_with_reason():
    counts = pd.DataFrame({"area_code": ["A", "B", "C"], "count": [5, 3, 0]})
    pop = pd.DataFrame({"area_code": ["A", "B"], "residents": [2500, 0]})
    rates = area_rates(counts, pop)
    assert rates["rate"].iloc[0] == 2.0
    assert np.isnan(rates["rate"].iloc[1]) and np.isnan(rates["rate"].iloc[2])
    assert not np.isinf(rates["rate"]).any()
    assert rates["rate_note"].tolist()[1:] == [
        "no residents (population 0)",
        "no population figure for this area",
    ]
    with pytest.raises(ValueError, match="positive"):
        area_rates(counts, pop, per=0)
    with pytest.raises(ValueError, match="lacks column"):
        area_rates(counts.rename(columns={"count": "n"}), pop)


def test_points_outside_are_snapped_once_each_missing_ones_stay_outside(dacorum, wards):
    """The snap to the nearest area works out each distinct outside point once: copies of a
    point get its area, and a point without coordinates stays outside (the same answers as
    snapping every point alone)."""
    strict = assign_areas(dacorum, wards)
    out = dacorum.loc[strict["ward_code"].isna().to_numpy()]
    far = out.iloc[[0, 0, 0]].copy()
    lost = out.iloc[[0]].copy()
    lost["geometry"] = shapely.points([np.nan], [np.nan])
    rows = pd.concat([far, lost, out.iloc[[0]]], ignore_index=True)
    rows.attrs.update(dacorum.attrs)
    snapped = assign_areas(rows, wards, max_snap_m=10)
    alone = assign_areas(out.iloc[[0]], wards, max_snap_m=10)["ward_code"].iloc[0]
    codes = snapped["ward_code"]
    assert codes.isna().tolist() == [False, False, False, True, False]
    assert codes.dropna().tolist() == [alone] * 4
    assert snapped.attrs["area_join"]["snapped"] == 4
    assert snapped.attrs["area_join"]["outside"] == 1

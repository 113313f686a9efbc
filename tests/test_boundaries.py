"""The national boundary pack: every district of England and Wales, by code or name."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.analyse import analyse
from hotspots.data import boundaries, datasets
from hotspots.data.schema import BNG, incidents_from_xy
from hotspots.space.areas import district_wards, load_population
from hotspots.views.cli import main

LEEDS = "E08000035"


@pytest.fixture(scope="module")
def pack() -> dict[str, gpd.GeoDataFrame]:
    """The whole pack, read once."""
    folder = boundaries.pack_dir()
    return {name: gpd.read_parquet(folder / f"{name}.parquet") for name in ("wards", "lsoas")} | {
        "districts": gpd.read_parquet(folder / "districts.parquet")
    }


def test_every_district_has_wards_lsoas_residents_and_an_outline(pack):
    districts, wards, lsoas = pack["districts"], pack["wards"], pack["lsoas"]
    codes = districts["lad_code"]
    assert len(codes) == codes.nunique() == 348
    assert codes.str[0].value_counts().to_dict() == {"E": 326, "W": 22}
    n_wards = wards.groupby("lad_code").size().reindex(codes)
    n_lsoas = lsoas.groupby("lad_code").size().reindex(codes)
    residents = lsoas.groupby("lad_code")["residents"].sum().reindex(codes)
    assert (n_wards > 0).all() and (n_lsoas > 0).all() and (residents > 0).all()
    assert (n_wards.to_numpy() == districts["n_wards"].to_numpy()).all()
    assert (residents.to_numpy() == districts["residents"].to_numpy()).all()
    outlines = districts.geometry.to_numpy()
    assert shapely.is_valid(outlines).all() and not shapely.is_empty(outlines).any()
    # the outline is the union of the district's wards: the same area (m², EPSG:27700)
    ward_area = wards.assign(a=wards.area).groupby("lad_code")["a"].sum().reindex(codes)
    assert np.allclose(shapely.area(outlines), ward_area.to_numpy(), rtol=1e-3)
    assert wards["ward_code"].is_unique and lsoas["lsoa_code"].is_unique


def test_the_pack_holds_every_2011_lsoa_with_its_census_residents(pack):
    census = load_population()  # the bundled ONS table, read independently of the pack
    lsoas = pack["lsoas"].set_index("lsoa_code")
    assert set(lsoas.index) == set(census["lsoa_code"])
    merged = census.set_index("lsoa_code").join(lsoas.add_suffix("_pack"))
    assert (merged["residents"] == merged["residents_pack"]).all()
    assert (merged["households"] == merged["households_pack"]).all()
    assert int(lsoas["residents"].sum()) == 56_075_912  # England and Wales, 2011


def test_every_code_and_every_name_resolves_to_that_district(pack):
    for code, name in zip(
        pack["districts"]["lad_code"], pack["districts"]["lad_name"], strict=True
    ):
        assert boundaries.find_district(code) == (code, name)
        assert boundaries.find_district(name.upper()) == (code, name)


def test_leeds_by_name_or_code_with_its_wards_lsoas_and_residents():
    leeds = boundaries.district("Leeds")
    assert leeds.code == LEEDS and boundaries.district(LEEDS.lower()) is leeds
    assert len(leeds.wards) == 33 and len(leeds.lsoas) == 482
    assert leeds.wards.crs.to_epsg() == 4326 and leeds.outline.is_valid
    assert int(leeds.population["residents"].sum()) == 751_485  # 2011 Census, Leeds
    _, population = district_wards("Leeds")
    # residents shared by area: all but a sliver of the LSOA total lands in the wards
    assert population["residents"].sum() == pytest.approx(751_485, rel=1e-3)
    assert (population["residents"] > 5_000).all()
    assert population.attrs["vintage"] == boundaries.VINTAGE


def test_unknown_and_ambiguous_names_list_the_candidates():
    with pytest.raises(LookupError, match=r"did you mean Sheffield \(E08000019\)"):
        boundaries.find_district("Sheffeld")
    with pytest.raises(LookupError, match=r"several districts: .*Kingston upon Hull.*Solihull"):
        boundaries.find_district("hull")
    assert boundaries.find_district("Bristol, City of") == ("E06000023", "Bristol")
    assert boundaries.find_district("st. albans") == ("E07000240", "St Albans")


def test_a_council_formed_after_the_pack_names_its_former_districts():
    # a comma is part of a name but in ONS's "Bristol, City of": never its first part alone
    for name in ("Bournemouth, Christchurch and Poole", "E06000058"):
        with pytest.raises(LookupError, match=r"2019.*Bournemouth \(E06000028\).*Poole"):
            boundaries.find_district(name)
    with pytest.raises(LookupError, match=r"Aylesbury Vale \(E07000004\).*Wycombe"):
        boundaries.find_district("buckinghamshire")
    with pytest.raises(LookupError, match="did you mean"):
        boundaries.find_district("Leeds, Bradford")
    assert boundaries.find_district("Kingston upon Hull, City of")[0] == "E06000010"
    assert boundaries.find_district("Folkestone and Hythe") == ("E07000112", "Shepway")
    # a workspace of a renamed council takes the name it has now (its packs' titles say it)
    for given in ("Folkestone and Hythe", "Shepway", "E07000112"):
        assert boundaries.find_area(given) == ("E07000112", "Folkestone and Hythe", ["E07000112"])
    codes = set(boundaries.districts()["lad_code"])
    for successor in boundaries.SUCCESSORS:  # every former district is in the pack
        assert set(successor.parts) <= codes, successor.name
        assert successor.code not in codes or successor.parts == (successor.code,)


def _points_in_wards(wards: gpd.GeoDataFrame, per_ward: np.ndarray, seed: int = 1) -> np.ndarray:
    """``per_ward[i]`` random points (BNG metres) at least 30 m inside ward ``i``."""
    rng = np.random.default_rng(seed)
    out = []
    for geom, n in zip(wards.to_crs(BNG).geometry.buffer(-30), per_ward, strict=True):
        x0, y0, x1, y1 = geom.bounds
        got = np.empty((0, 2))
        while len(got) < n:
            xy = rng.uniform([x0, y0], [x1, y1], size=(4 * n + 50, 2))
            got = np.vstack([got, xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])]])
        out.append(got[:n])
    return np.vstack(out)


def test_analyse_leeds_from_the_command_line_gives_a_rate_for_every_ward(tmp_path, capsys):
    leeds = boundaries.district(LEEDS)
    per_ward = np.arange(len(leeds.wards)) % 7 + 3
    incidents = incidents_from_xy(_points_in_wards(leeds.wards, per_ward), "Burglary")
    path = tmp_path / "leeds.parquet"
    incidents.to_parquet(path)
    out = tmp_path / "out"
    assert main(["analyse", str(path), "--study-area", "Leeds", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ward rates per 1,000 residents: 33 of 33 wards" in printed
    assert "2013 electoral wards" in printed
    rates = pd.read_csv(out / "ward_rates.csv", dtype={"area_code": str})
    assert rates["area_code"].tolist() == leeds.wards["area_code"].tolist()
    assert rates["count"].tolist() == per_ward.tolist()
    # independent reference: census residents of each LSOA shared by overlap area, computed
    # with geopandas' overlay from the census table
    census = load_population().set_index("lsoa_code")["residents"]
    lsoas = leeds.lsoas.to_crs(BNG).rename(columns={"area_code": "lsoa_code"})
    lsoas["lsoa_area"] = lsoas.area
    pieces = gpd.overlay(
        lsoas[["lsoa_code", "lsoa_area", "geometry"]], leeds.wards.to_crs(BNG), keep_geom_type=True
    )
    pieces["residents"] = (
        census.reindex(pieces["lsoa_code"]).to_numpy() * pieces.area / pieces["lsoa_area"]
    )
    reference = pieces.groupby("area_code")["residents"].sum()
    expected = per_ward / reference.reindex(rates["area_code"]).to_numpy() * 1000
    assert np.isfinite(rates["rate"]).all()
    # ward_rates.csv rounds rates to 3 decimals (core.io.export_ready)
    assert rates["rate"].to_numpy() == pytest.approx(expected, abs=5e-4 + 1e-9)
    assert (rates["boundaries"] == boundaries.VINTAGE).all()
    params = json.loads((out / "params.json").read_text())
    assert params["ward_rates"]["vintage"] == boundaries.VINTAGE
    assert params["ward_rates"]["source"] == "national boundary pack: Leeds (E08000035)"


def test_own_wards_and_population_override_the_pack(tmp_path):
    cardiff = boundaries.district("W06000015")
    wards = cardiff.wards.assign(area_code=[f"X{i:03d}" for i in range(len(cardiff.wards))])
    per_ward = np.full(len(wards), 4)
    incidents = incidents_from_xy(_points_in_wards(wards, per_ward), "Robbery")
    own = pd.DataFrame({"area_code": wards["area_code"], "residents": 2_000})
    result = analyse(incidents, study_area="Cardiff", wards=wards, population=own)
    assert (result.ward_rates["rate"] == 2.0).all()
    shared = analyse(incidents, study_area="Cardiff", wards=wards).ward_rates
    assert shared.attrs["vintage"].startswith("wards: your own; residents: 2011 Census")
    assert shared["residents"].sum() == pytest.approx(346_090, rel=1e-3)  # Cardiff, 2011


def test_hertfordshire_keeps_its_full_detail_wards():
    from hotspots.data.ingest import resolve_study_area

    detailed = gpd.read_file(datasets.wards_path()).union_all()
    assert shapely.equals_exact(resolve_study_area("Dacorum"), shapely.make_valid(detailed), 1e-9)


def test_backtest_and_patrol_plan_take_a_district_name_or_code(tmp_path, capsys):
    rng = np.random.default_rng(0)
    outline = gpd.GeoSeries([boundaries.district("Leeds").outline], crs=4326).to_crs(BNG)
    centre = np.array(outline.iloc[0].representative_point().coords[0])
    months = []
    for month in ("2021-04-01", "2021-05-01", "2021-06-01"):
        xy = np.vstack(
            [
                rng.normal(centre, 300, (300, 2)),
                rng.normal(centre + np.array([3000, 0]), 200, (200, 2)),
            ]
        )
        months.append(incidents_from_xy(xy, "Burglary", month=month))
    incidents = pd.concat(months, ignore_index=True)
    incidents["incident_id"] = np.arange(len(incidents)).astype(str)
    path = tmp_path / "leeds.parquet"
    gpd.GeoDataFrame(incidents, crs=4326).to_parquet(path)
    backtest = ["backtest", str(path), "--study-area", "leeds", "--train-months", "1"]
    assert main([*backtest, "--methods", "last_month"]) == 0
    assert "last_month" in capsys.readouterr().out
    plan = ["patrol-plan", str(path), "--study-area", LEEDS, "--from", "2021-06", "--to", "2021-06"]
    assert main([*plan, "--top", "3", "--no-pdf", "--out", str(tmp_path / "plan")]) == 0
    assert "3 localities, 2021-06 to 2021-06" in capsys.readouterr().out


def test_the_ward_table_states_the_boundary_vintage():
    from hotspots.products.measures import ward_table
    from hotspots.space.areas import assign_areas

    wards, population = district_wards("Cardiff")
    per_ward = np.full(len(wards), 2)
    xy = _points_in_wards(wards, per_ward)
    months = [incidents_from_xy(xy, "Robbery", month=m) for m in ("2021-05-01", "2021-06-01")]
    incidents = pd.concat(months, ignore_index=True)
    incidents["incident_id"] = np.arange(len(incidents)).astype(str)
    incidents = assign_areas(gpd.GeoDataFrame(incidents, crs=4326), wards)
    table = ward_table(incidents, wards, population, current=("2021-06", "2021-06"))
    assert table.attrs["vintage"] == boundaries.VINTAGE
    assert (table["count"] == 2).all() and table["rate_per_1000"].notna().all()


SEVERAL = ["E07000241", "Leeds", "E07000096", "Cardiff", "E07000098"]
"""Welwyn Hatfield, Leeds, Dacorum, Cardiff, Hertsmere: Hertfordshire and beyond."""


def _alone(codes: list[str]) -> list[boundaries.District]:
    """Each district read by itself (the one-district-per-read path), cache emptied first."""
    boundaries._LOADED.clear()
    out = []
    for code in codes:
        out.append(boundaries.district(code))
        boundaries._LOADED.clear()
    return out


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs == b.attrs
    if isinstance(a, gpd.GeoDataFrame):
        assert a.crs == b.crs
        assert (
            shapely.to_wkb(a.geometry.to_numpy()).tolist()
            == shapely.to_wkb(b.geometry.to_numpy()).tolist()
        )


def test_districts_read_together_equal_each_read_alone():
    alone = _alone(SEVERAL)
    boundaries._LOADED.clear()
    together = boundaries.districts_data(SEVERAL)
    assert [d.code for d in together] == [d.code for d in alone]
    assert together[1].name == "Leeds" and together[3].name == "Cardiff"
    for a, t in zip(alone, together, strict=True):
        assert (a.code, a.name, a.vintage) == (t.code, t.name, t.vintage)
        for frame in ("wards", "lsoas", "population"):
            _same_frame(getattr(a, frame), getattr(t, frame))
        assert shapely.to_wkb(a.outline) == shapely.to_wkb(t.outline)
    # cached: a second call reads nothing and gives the same objects, repeats and all
    again = boundaries.districts_data([SEVERAL[1], SEVERAL[1], SEVERAL[0]])
    assert again[0] is together[1] and again[1] is together[1] and again[2] is together[0]


def test_the_cache_keeps_the_latest_districts_only():
    boundaries._LOADED.clear()
    codes = boundaries.districts()["lad_code"].tolist()[: boundaries._LOADED_MAX + 3]
    boundaries.districts_data(codes)
    assert list(boundaries._LOADED) == codes[3:]


def test_wards_of_several_districts_equal_each_districts_wards_stacked():
    from hotspots.space.areas import districts_wards

    boundaries._LOADED.clear()
    one_by_one = [district_wards(code) for code in SEVERAL]
    boundaries._LOADED.clear()
    wards, population = districts_wards(SEVERAL)
    _same_frame(
        wards,
        gpd.GeoDataFrame(pd.concat([w for w, _ in one_by_one], ignore_index=True), crs=4326),
    )
    stacked = pd.concat([p for _, p in one_by_one], ignore_index=True)
    stacked.attrs = dict(one_by_one[0][1].attrs)
    _same_frame(population, stacked)
    assert population.attrs["district"] == "Welwyn Hatfield (E07000241)"
    with pytest.raises(LookupError, match="Nowhere"):
        districts_wards(["Leeds", "Nowhere"])


def test_the_stored_ward_residents_equal_the_area_weighted_computation(pack):
    from hotspots.space.areas import _district_wards

    table = pd.read_parquet(boundaries.pack_dir() / "ward_residents.parquet")
    # every ward of the pack, in the pack's order (rebuild it with the pack:
    # scripts/build_ward_residents.py)
    assert table["lad_code"].tolist() == pack["wards"]["lad_code"].tolist()
    assert table["ward_code"].tolist() == pack["wards"]["ward_code"].tolist()
    every = boundaries.districts()["lad_code"].tolist()
    named = [*SEVERAL, "E09000001", "E06000053"]  # and the City of London, the Isles of Scilly
    sample = [boundaries.find_district(n)[0] for n in named] + every[::40]
    stored = boundaries.ward_residents(sample)
    assert set(stored) == set(sample)
    for found in boundaries.districts_data(sample):
        _, computed = _district_wards(found, method="area_weighted", stored=None)
        _, read = _district_wards(found, method="area_weighted", stored=stored)
        pd.testing.assert_frame_equal(read, computed, check_exact=True)
        assert read.attrs == computed.attrs
    # centroid residents are never stored: computed, whole residents per ward
    _, centroid = district_wards("Leeds", method="centroid")
    assert centroid["residents"].dtype == np.int64
    assert int(centroid["residents"].sum()) == 751_485


@pytest.mark.parametrize("name", ["wards", "lsoas", "districts", "ward_residents"])
def test_rows_of_districts_are_what_a_filtered_read_gives(name):
    """The pack's rows of some districts, read by row-group statistics, are the very table
    pyarrow's filtered read gives (rows, order, types, metadata), repeats and unknown codes
    included."""
    import pyarrow.parquet as pq

    path = boundaries.pack_dir() / f"{name}.parquet"
    every = pq.read_table(boundaries.pack_dir() / "districts.parquet", columns=["lad_code"])
    codes = every["lad_code"].to_pylist()
    rng = np.random.default_rng(14)
    for chosen in (
        ["E07000096"],
        ["E09000007", "E07000096", "E09000007", "not-a-code"],
        list(rng.choice(codes, 25, replace=False)),
        ["not-a-code"],
    ):
        want = pq.read_table(path, filters=[("lad_code", "in", chosen)])
        got = boundaries._rows_of_districts(path, chosen)
        assert got.equals(want, check_metadata=True)
        assert got.num_rows == 0 or set(got["lad_code"].to_pylist()) <= set(chosen)


def test_the_area_choices_hold_councils_formed_since_the_pack():
    choices = boundaries.area_choices()  # what the Data page's picker offers
    assert choices["Leeds (E08000035)"] == ["E08000035"]
    bucks = next(c for c in choices if c.startswith("Buckinghamshire (2020: Aylesbury Vale"))
    assert choices[bucks] == ["E07000004", "E07000005", "E07000006", "E07000007"]
    assert list(choices) == sorted(choices, key=str.casefold)


def test_welsh_councils_are_found_by_their_welsh_names():
    from hotspots.data.boundaries import WELSH_NAMES

    assert boundaries.find_district("Abertawe") == ("W06000011", "Swansea")
    assert boundaries.find_district("caerdydd") == boundaries.find_district("Cardiff")
    assert boundaries.find_district("Ynys Mon")[0] == "W06000001"
    for name, code in WELSH_NAMES.items():  # every one a district of the pack
        assert boundaries.find_district(name)[0] == code

"""The analysis pipeline on real Dacorum data: products consistent, parameters reported."""

import dataclasses
import json
import pickle

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspots.analysis.analyse import GISTAR_LABEL, analyse
from hotspots.analysis.temporal import hour_weekday, monthly_series, peak_windows
from hotspots.core.disclosure import mappable
from hotspots.data import datasets


@pytest.fixture(scope="module")
def dacorum_analysis(dacorum_load):
    return analyse(dacorum_load.incidents, study_area="E07000096", res=9)


def test_cells_cover_study_area_with_zeros_and_count_every_mapped_incident(
    dacorum_load, dacorum_analysis
):
    cells = dacorum_analysis.cells
    assert (cells["count"] == 0).sum() > len(cells) / 2  # zero cells present for Gi*
    assert cells["count"].sum() == len(mappable(dacorum_load.incidents))
    assert cells["cell"].is_unique
    assert {"gi_z", "gi_p_fdr", "gi_bin", "gi_class"} <= set(cells.columns)
    assert (cells["gi_bin"] == 3).any()  # Hemel Hempstead town centre is hot at 99 %


def test_clusters_and_profiles_agree(dacorum_analysis):
    labels = dacorum_analysis.clusters.labels
    profiles = dacorum_analysis.profiles
    clustered = int((labels >= 0).sum())
    assert len(profiles) == len(np.unique(labels[labels >= 0]))
    assert profiles["n_incidents"].sum() == clustered


def test_every_chosen_parameter_is_reported_and_serialisable(dacorum_load, dacorum_analysis):
    params = json.loads(json.dumps(dacorum_analysis.params))
    n = len(dacorum_load.incidents)
    assert params["clusters"]["min_samples"] == max(10, round(n * 0.003))
    assert params["clusters"]["min_samples_source"].startswith("auto")
    clusters = params["clusters"]
    assert clusters["eps_source"].startswith("k-distance knee")
    assert clusters["eps_m"] == pytest.approx(min(clusters["eps_knee_m"], 100.0))
    assert 0 < clusters["largest_cluster_share"] < 0.1
    assert params["gistar"]["k"] == 1 and params["grid"]["res"] == 9
    assert params["study_area"] == "given: E07000096"


def test_default_clusters_are_places_not_the_district(dacorum_analysis):
    # issue 12: with the former defaults 92 % of Dacorum's incidents fell in clusters
    labels = dacorum_analysis.clusters.labels
    assert (labels >= 0).mean() < 0.5
    assert np.bincount(labels[labels >= 0]).max() / len(labels) < 0.1
    outlines = dacorum_analysis.profiles.dropna(subset="geometry").to_crs(27700)
    district = gpd.read_file(datasets.wards_path()).to_crs(27700).union_all().area
    assert outlines.area.max() / district < 0.03


def test_the_hot_spots_are_the_forecast_and_gistar_is_labelled(dacorum_analysis):
    cells, fc = dacorum_analysis.cells, dacorum_analysis.forecast
    assert fc is not None and dacorum_analysis.params["forecast"]["pei"] > 0
    assert (
        cells["hot_spot"].sum()
        == fc.cells["selected"].sum() - (~fc.selected["cell"].isin(cells["cell"])).sum()
    )
    assert dacorum_analysis.params["gistar"]["layer"] == GISTAR_LABEL
    first = cells.sort_values("forecast_rank").iloc[0]
    assert first["hot_spot"] and first["count"] > 0


def test_the_automatic_eps_is_capped_and_the_cap_reported(dacorum_load):
    capped = analyse(dacorum_load.incidents, study_area="E07000096", max_eps_m=60.0)
    clusters = capped.params["clusters"]
    assert clusters["eps_knee_m"] > 60.0
    assert clusters["eps_m"] == 60.0
    assert "capped at 60 m" in clusters["eps_source"]
    labels = capped.clusters.labels
    assert clusters["largest_cluster_share"] == pytest.approx(
        np.bincount(labels[labels >= 0]).max() / len(labels)
    )


def test_month_only_data_says_why_there_is_no_hour_profile(dacorum_analysis):
    hw = dacorum_analysis.hour_weekday
    assert not hw.available
    assert "month" in hw.reason


def test_the_temporal_tables_are_made_when_read_and_pickled_made(dacorum_load):
    # a page that never reads them (the dashboard's Map) does not pay for them
    incidents = dacorum_load.incidents
    result = analyse(incidents, study_area="E07000096", forecast_coverage=None)
    assert {"hour_weekday", "monthly", "peaks"}.isdisjoint(vars(result))
    pd.testing.assert_frame_equal(result.peaks, peak_windows(incidents, by="category"))
    pd.testing.assert_frame_equal(result.monthly, monthly_series(incidents, by="category"))
    profile = hour_weekday(incidents)
    assert (result.hour_weekday.available, result.hour_weekday.reason) == (
        profile.available,
        profile.reason,
    )
    # a pickle (the dashboard's disk cache) holds the tables, not the incidents
    fresh = analyse(incidents, study_area="E07000096", forecast_coverage=None)
    back = pickle.loads(pickle.dumps(fresh))
    assert back.incidents is None
    pd.testing.assert_frame_equal(back.peaks, result.peaks)
    pd.testing.assert_frame_equal(back.monthly, result.monthly)
    # the tables count the incidents as they were analysed, whatever the caller does after
    mine = incidents.copy()
    later = analyse(mine, study_area="E07000096", forecast_coverage=None)
    mine["category"] = "Other"
    mine.loc[mine.index[:100], "month"] = pd.Timestamp("2030-01-01")
    pd.testing.assert_frame_equal(later.monthly, result.monthly)
    pd.testing.assert_frame_equal(later.peaks, result.peaks)
    with pytest.raises(ValueError, match="no incidents"):
        _ = dataclasses.replace(back, incidents=None).peaks  # made again: nothing to count


def test_the_maps_part_pickles_without_the_tables_and_draws_the_same_map(dacorum_load):
    import re

    from hotspots.views.outputs import map_page

    fresh = analyse(dacorum_load.incidents, study_area="E07000096")
    part = pickle.loads(pickle.dumps(fresh.for_map()))  # sent before the tables are made
    assert part.incidents is None and "peaks" not in vars(part) and "peaks" not in vars(fresh)

    def ids(page: str) -> str:  # folium's random element ids
        return re.sub(r"[0-9a-f]{32}", "ID", page)

    assert ids(map_page(part)) == ids(map_page(fresh))


def test_sensitive_incidents_never_shape_cells_or_clusters(dacorum_load):
    inc = dacorum_load.incidents.copy()
    # A burst of sensitive incidents at one address: it must not show up anywhere on the map.
    victim = inc.index[:60]
    inc.loc[victim, "sensitive"] = True
    inc.loc[victim, ["x", "y"]] = [470000.0, 210000.0]
    result = analyse(inc, study_area="E07000096", min_samples=30, eps_m=100)
    # 60 left out, in groups (type, ward, month) under 5: the number is withheld by the gate
    assert result.params["sensitive_left_out_of_map_layers"] == "withheld"
    assert result.cells["count"].sum() == len(inc) - 60
    assert len(result.clusters.labels) == len(inc) - 60


def test_empty_selection_gets_a_clear_error(dacorum_load):
    with pytest.raises(ValueError, match="widen the selection"):
        analyse(dacorum_load.incidents.iloc[:0], study_area="E07000096")


def test_headline_figures_of_the_map_page(dacorum_analysis):
    """Hot cells and clustered share, against the cells' class labels and the raw labels."""
    cells = dacorum_analysis.cells
    hot_labels = cells["gi_class"].astype(str).str.startswith("Hot")
    assert dacorum_analysis.n_hot_cells == int(hot_labels.sum()) > 0
    labels = np.asarray(dacorum_analysis.clusters.labels)
    assert dacorum_analysis.clustered_share == pytest.approx(float(np.mean(labels >= 0)))
    assert 0 < dacorum_analysis.clustered_share < 1


def test_the_clusters_are_found_while_the_study_areas_hexagons_are_made(dacorum_load, monkeypatch):
    """begin() starts the area's hexagons on a thread; finish() clusters first (DBSCAN does not
    need the grid), so the grid finds them made rather than waiting for them."""
    from hotspots.analysis import analyse as module

    calls: list[str] = []
    for name in ("grid_counts", "dbscan_settings", "prepare_area"):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _n=name, _f=real, **k: calls.append(_n)
                            or _f(*a, **k))  # fmt: skip
    analyse(dacorum_load.incidents, study_area="E07000096")
    assert calls == ["prepare_area", "dbscan_settings", "grid_counts"]


def test_a_study_area_given_as_wards_or_an_outline_is_said_in_words(dacorum_wards) -> None:
    """The load report, the quarantine and params say "21 wards" or "an outline", never a
    Python type ("GeoDataFrame", "Polygon")."""
    from hotspots.data import datasets
    from hotspots.data.ingest import read_policeuk
    from hotspots.data.ingest.studyarea import describe_study_area

    some = dacorum_wards.iloc[:3].rename(columns={"WD13CD": "area_code", "WD13NM": "area_name"})
    loaded = read_policeuk(datasets.demo_path("policeuk"), study_area=some)
    outside = loaded.quarantine[loaded.quarantine["reason"] == "outside_study_area"]
    assert len(outside) and (outside["detail"] == "outside the study area (3 wards)").all()
    assert loaded.report.study_area == "3 wards"
    outline = describe_study_area(some.union_all())
    assert outline == "an outline"
    result = analyse(loaded.incidents, study_area=some, res=8, forecast_coverage=None)
    assert result.params["study_area"] == "given: 3 wards"

"""Words for a JAG (issue 13): one numbering of clusters, significance in words, reason labels,
feedback visible over hot cells, readable tables, tasking sheets that name places."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from hotspots import store
from hotspots.analysis.analyse import analyse
from hotspots.analysis.clusters import cluster_ranks
from hotspots.data import datasets
from hotspots.products import measures
from hotspots.products.measures.periods import fewest_testable
from hotspots.space.areas import assign_areas, read_boundaries
from hotspots.views import maps, tables
from hotspots.views.analysis_map import analysis_layers
from hotspots.views.documents.meeting_pack import top_hotspots


@pytest.fixture(scope="module")
def analysis(dacorum_load):
    return analyse(dacorum_load.incidents, study_area=datasets.DACORUM)


def _html(layer) -> str:
    """The page a layer renders to, on an empty map."""
    m = folium.Map(tiles=None)
    layer.add_to(m)
    return m.get_root().render()


# --------------------------------------------------------------------------- 1. one numbering


def test_cluster_ranks_number_by_size_ties_by_label() -> None:
    labels = pd.Series([4, 0, 7, 2])
    sizes = pd.Series([10, 30, 10, 5])
    assert cluster_ranks(labels, sizes).tolist() == [2, 1, 3, 4]


def test_clusters_carry_one_number_in_the_table_tooltips_and_exports(analysis) -> None:
    profiles = analysis.profiles
    assert len(profiles) >= 3
    by_size = sorted(
        zip(profiles["n_incidents"], profiles["cluster"], strict=True), key=lambda t: (-t[0], t[1])
    )
    expected = {cluster: i + 1 for i, (_, cluster) in enumerate(by_size)}
    assert dict(zip(profiles["cluster"], profiles["rank"], strict=True)) == expected
    # the meeting pack and briefings (top_hotspots) use the same number
    top = top_hotspots(analysis, top_n=len(profiles))
    assert dict(zip(top["cluster"], top["rank"], strict=True)) == expected
    # the map's tooltips: "Cluster <rank>", never the internal label 0
    [layer] = [g for g in analysis_layers(analysis) if g.layer_name == "Clusters"]
    page = _html(layer)
    tips = sorted(int(n) for n in re.findall(r'"t": ?"[^"]*Cluster (\d+)"', page))
    assert tips == sorted(expected.values())
    assert 0 not in tips
    # the Map page's table: No. 1 first, the most incidents
    from hotspots.views.dashboard.page_map import cluster_table

    shown = cluster_table(profiles)
    assert shown["No."].tolist() == list(range(1, len(profiles) + 1))
    assert shown["Incidents"].tolist() == sorted(profiles["n_incidents"], reverse=True)
    assert not [c for c in shown.columns if "_" in c]


# --------------------------------------------------------------------------- 2. significance


def test_fewest_testable_agrees_with_the_exact_binomial_test() -> None:
    for alpha in (0.05, 0.01, 0.1):
        n = fewest_testable(alpha)
        assert binomtest(n, n, 0.5).pvalue < alpha  # n all in one period can be significant
        assert binomtest(n - 1, n - 1, 0.5).pvalue >= alpha  # n - 1 never can


def test_ward_significance_is_words_never_blank(dacorum_load) -> None:
    wards = read_boundaries(datasets.wards_path())
    incidents = assign_areas(dacorum_load.incidents, wards)
    periods = measures.default_periods(incidents)
    table = measures.ward_table(incidents, wards, None, current=periods.current)
    words = set(measures.SIGNIFICANCE_WORDS.values())
    for suffix in ("vs_previous", "vs_last_year"):
        said = table[f"significance_{suffix}"]
        assert said.isin(words).all() and (said != "").all()
        rise = table[suffix] == measures.RISE
        assert (said[rise] == measures.SIGNIFICANCE_WORDS["rise"]).all()
        unmarked = table[suffix] == ""
        assert not said[unmarked].str.contains("Significantly").any()
        few = (table["count"] + table[suffix.removeprefix("vs_")]) < fewest_testable(0.05)
        assert (said[few & unmarked & table["count"].notna()] != "○ No significant change").all()


# --------------------------------------------------------------------------- 3. reason labels


def test_every_reason_code_has_one_label() -> None:
    from hotspots.views.dashboard import page_vawg

    assert set(store.REASON_LABELS) == set(store.REASONS)
    assert page_vawg.REASON_LABELS is store.REASON_LABELS
    assert store.reason_label("poor_lighting") == "Poor lighting"
    shown = tables.readable(pd.DataFrame({"reason": ["no_cctv"], "status": ["in_progress"]}))
    assert shown.to_dict("records") == [{"Reason": "No CCTV", "Status": "In progress"}]


# --------------------------------------------------------------------------- 4. feedback markers


def test_feedback_markers_are_navy_rings_drawn_above_the_cells() -> None:
    from hotspots.views.dashboard.overlays import FEEDBACK_COLOUR, feedback_layer

    feedback = pd.read_csv(datasets.demo_path("feedback"))
    points = gpd.GeoDataFrame(
        feedback, geometry=gpd.points_from_xy(feedback["lon"], feedback["lat"]), crs="EPSG:4326"
    )
    page = _html(feedback_layer(points))
    pane, z = maps.POINTS_PANE
    assert f'"{pane}"' in page and f"style.zIndex = {z}" in page and z > 400  # above cells
    assert FEEDBACK_COLOUR.lower() in page.lower()
    assert "#e7298a" not in page  # the old pink
    assert '"t": "No CCTV"' in page or '"t":"No CCTV"' in page  # tooltip: label, not code
    assert "no_cctv" not in page


# --------------------------------------------------------------------------- 8. readable tables


def test_readable_tables_round_with_units_and_drop_midnight() -> None:
    table = pd.DataFrame(
        {
            "area_m2": [3362275.8857],
            "share": [0.2637],
            "lift": [4.6946],
            "n_incidents": [12.0],
            "due_date": pd.to_datetime(["2022-01-31"]),
            "created_at": pd.to_datetime(["2022-01-31 14:05:09"]),
            "overdue": [True],
            "weird_new_column": ["x"],
        }
    )
    shown = tables.readable(table)
    assert list(shown.columns) == [
        "Area (ha)", "Share (%)", "Lift (× an even spread)", "Incidents", "Due", "Added",
        "Overdue", "Weird new column",
    ]  # fmt: skip
    row = shown.iloc[0]
    assert (
        row["Area (ha)"] == 336.2
        and row["Share (%)"] == 26.4
        and row["Lift (× an even spread)"] == 4.7
    )
    assert row["Incidents"] == 12 and str(row["Due"]) == "2022-01-31"
    assert row["Added"] == "2022-01-31 14:05" and row["Overdue"] == "Yes"
    assert "00:00:00" not in shown.astype(str).to_string()


# --------------------------------------------------------------------------- 9. plain words


def _fc(method: str = "recency_density", hit: float = 0.68, base: float = 0.64, held: int = 9):
    """A forecast of 100 cells, 10 of them marked, ``held`` of those with past incidents."""
    from hotspots.analysis.forecast import Forecast

    selected = np.arange(100) < 10
    cells = pd.DataFrame({"selected": selected, "history": np.where(np.arange(100) < held, 3, 0)})

    backtest = pd.DataFrame(
        {"method": ["all_history", method], "coverage": [0.05, 0.05], "folds": [12, 12],
         "hit_rate": [base, 0.7], "pai": [12.8, 14.0], "pei": [0.8, 0.85]}
    )  # fmt: skip
    return Forecast(
        cells=cells,
        month=pd.Period("2022-02", "M"),
        method=method,
        coverage=0.05,
        backtest=backtest,
        figures={"res": 9, "n_cells": 2246, "folds": 12, "hit_rate": hit, "pai": 13.6,
                 "pei": 0.83, "first_test_month": "2021-02", "last_test_month": "2022-01"},
    )  # fmt: skip


def test_the_forecast_says_what_it_was_compared_with_in_words() -> None:
    from hotspots.products.captions import (
        HOT_SPOT_METRIC,
        forecast_summary,
        hot_spot_caption,
        hot_spot_metric,
    )

    fc = _fc()
    plain, technical = hot_spot_caption(fc)
    assert "forecast for Feb 2022" in plain
    assert "better than simply counting past crime: 68 % vs 64 %" in plain
    assert "worse than" in hot_spot_caption(_fc(hit=0.60))[0]
    said = forecast_summary(fc)
    assert "Feb 2022" in said and "2022-02" not in said
    for code in ("recency_density", "method recency", "H3", "PAI"):
        assert code not in plain and code not in said
    assert "recency_density" not in technical  # the method in words, even one click away
    assert "next month" in HOT_SPOT_METRIC.lower() and "area" in HOT_SPOT_METRIC
    value, help_text = hot_spot_metric(fc)
    assert value == "68 %" and help_text is not None and "64 %" in help_text
    assert "Only" not in said  # most marked cells have had incidents
    thin = forecast_summary(_fc(held=3))  # a grid too fine for the data: said
    assert "Only 3 of the 10 marked cells have had any incident" in thin


def test_months_have_one_home_in_words() -> None:
    from hotspots.products.captions import month_text

    assert month_text("2022-02") == "Feb 2022"
    assert month_text(pd.Timestamp("2021-12-01")) == "Dec 2021"
    assert month_text(pd.Period("2021-01", "M")) == "Jan 2021"


def test_peak_counts_read_as_whole_incidents() -> None:
    """A window with from–to incidents holds a fraction (11.73): a meeting reads 12."""
    peaks = pd.DataFrame({"rank": [1], "label": ["Fri 18–21"], "incidents": [11.73],
                          "share": [0.2637], "lift": [2.31]})  # fmt: skip
    shown = tables.readable(peaks)
    assert shown["Incidents"].tolist() == [12]
    assert "11.7" not in shown.astype(str).to_string()


def test_exports_round_and_write_months_as_months() -> None:
    from hotspots.core.io import export_ready, write_csv

    table = pd.DataFrame(
        {
            "first_month": pd.to_datetime(["2021-01-01", "2021-03-01"]),
            "due_date": pd.to_datetime(["2021-01-05", "2021-03-01"]),
            "share": [0.263714, 0.1],
            "area_m2": [3362275.8857, 12.4],
            "centre_lon": [-0.4712345678, -0.5],
            "lift": [4.694612, 1.0],
            "n": [12.0, 3.0],
        }
    )
    text = write_csv(export_ready(table)).decode()
    assert "2021-01-01" not in text and "2021-01,2021-01-05" in text
    assert "0.2637," in text and ",3362276," in text and "-0.471235" in text and "4.695" in text
    assert ",12\r\n" in text and "12.0" not in text


def test_exports_write_residents_as_whole_numbers() -> None:
    # ward_rates.csv showed apportioned residents as 19278.293: people are whole numbers
    from hotspots.core.io import export_ready, write_csv

    table = pd.DataFrame({"residents": [19278.293, 8000.4], "rate": [12.3456, 1.5]})
    text = write_csv(export_ready(table)).decode()
    assert text.splitlines()[1:] == ["19278,12.346", "8000,1.5"]


def test_clusters_csv_carries_one_number_as_on_the_map(analysis, tmp_path) -> None:
    from hotspots.views.outputs import write_analysis

    written = write_analysis(analysis, tmp_path)
    table = pd.read_csv(written["clusters.csv"], dtype=str)
    assert "rank" not in table.columns and table.columns[0] == "cluster"
    ranks = analysis.profiles.sort_values("rank")
    assert table["cluster"].astype(int).tolist() == ranks["rank"].tolist()
    assert table["n_incidents"].astype(int).tolist() == ranks["n_incidents"].tolist()
    assert table["first_month"].str.fullmatch(r"\d{4}-\d{2}").all()
    for column in table.columns:  # no long decimals
        decimals = table[column].dropna().str.extract(r"\.(\d+)$")[0].dropna().str.len()
        assert (decimals <= 6).all(), column
    hot = pd.read_csv(written["hot_spots.csv"])
    assert hot["place"].notna().all() and not hot["place"].str.contains("unnamed").any()
    assert hot["place"].str.contains(", ").mean() > 0.9  # "Street, Ward" (wards of Dacorum)


def test_load_report_reads_reason_labels_not_codes() -> None:
    from hotspots.data.ingest.report import QUARANTINE_REASONS

    assert set(tables.QUARANTINE_LABELS) == set(QUARANTINE_REASONS)
    text = "  rows quarantined    12\n    outside_study_area  12  (the point lies outside)\n"
    shown = tables.report_text(text)
    assert "outside_study_area" not in shown and "Outside the study area  12" in shown
    by_reason = pd.DataFrame({"reason": ["outside_study_area", "no_cctv"], "rows": [3, 1]})
    assert tables.readable(by_reason)["Reason"].tolist() == ["Outside the study area", "No CCTV"]


# --------------------------------------------------------------------------- 10. landmarks


def test_a_place_named_only_by_a_landmark_borrows_the_nearest_street() -> None:
    from hotspots.space.places import place_names

    incidents = pd.DataFrame(
        {
            "location": ["On or near Shopping Area"] * 3 + ["On or near High Street"]
            + ["On or near Parking Area"] + ["On or near Far Road"],
            "x": [0.0, 5.0, 10.0, 60.0, 5000.0, 5900.0],
            "y": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )  # fmt: skip
    groups = np.array([1, 1, 1, -1, 2, -1])
    centres = pd.DataFrame({"x": [5.0, 5000.0], "y": [0.0, 0.0]}, index=[1, 2])
    names = place_names(incidents, groups, centres, None, crs="EPSG:27700")
    # the street 55 m away names it; with no ward to name it, one 900 m away is said so
    assert names.tolist() == [
        "Shopping Area near High Street",
        "Parking Area about 900 m from Far Road",
    ]
    # whole-number labels (-1: no place) name as the same labels held as objects or text do
    for same in (groups.astype(object), groups.astype(str), [1, 1, 1, None, 2, "-1"]):
        ids = centres.index.astype(str) if isinstance(same[0], str) else centres.index
        again = place_names(incidents, same, centres.set_axis(ids), None, crs="EPSG:27700")
        assert again.tolist() == names.tolist(), same

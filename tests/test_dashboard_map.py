"""The Map page (AppTest): its numbers are the analysis of the selection; overlays draw."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from hotspots.analysis.analyse import analyse
from hotspots.data.select import Selection, select
from hotspots.products.captions import HOT_SPOT_METRIC, method_words
from hotspots.views.analysis_map import CLUSTERS, COUNTS, DEFAULT_LAYERS, GISTAR, HOT_SPOTS
from hotspots.views.dashboard.state import demo_dataset


def _map_page() -> None:
    from hotspots.views.dashboard.page_map import render

    render()


@pytest.fixture(scope="module")
def map_page(tmp_path_factory):
    import os

    os.environ["HOTSPOTS_DB"] = str(tmp_path_factory.mktemp("store") / "map.sqlite")
    return AppTest.from_function(_map_page, default_timeout=300).run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_metrics_are_the_analysis_of_the_selection(map_page):
    assert not map_page.exception
    ds = demo_dataset()
    result = analyse(ds.incidents, study_area=ds.wards)
    assert _metrics(map_page) == {
        "Incidents": f"{len(ds.incidents):,}",  # as the When page counts them
        HOT_SPOT_METRIC: f"{100 * result.forecast.figures['hit_rate']:.0f} %",
        "High-count cells": str(int((result.cells["gi_bin"] > 0).sum())),
        "Clusters": str(result.params["clusters"]["n_clusters"]),
        "Clustered share": f"{1 - result.params['clusters']['noise_share']:.0%}",
    }


def _map_script(at: AppTest) -> str:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)["feature_group"]


def test_the_hot_spots_are_the_forecast_with_its_backtest_and_gistar_is_named_clusters(map_page):
    """The caption states the backtest of this selection's forecast (not a fixed figure); the
    hot spot layer is on and draws the forecast's cells; Gi* is an optional layer of its own,
    named as significant clusters of high counts, never as the hot spots."""
    ds = demo_dataset()
    fc = analyse(ds.incidents, study_area=ds.wards).forecast
    f = fc.figures
    first = map_page.caption[0].value
    assert first.startswith(
        "Hot spots: the 5 % of the area where next month's crime is most likely"
    )
    assert (
        f"Tested on the last {f['folds']} months: the 5 % of the area marked here held "
        f"{100 * f['hit_rate']:.0f} % of the next month's crime." in first
    )
    (how,) = [e for e in map_page.expander if e.label == "How this map was made"]
    technical = how.caption[0].value
    assert f"PAI {f['pai']:.1f}" in technical and f"PEI {f['pei']:.2f}" in technical
    assert method_words(fc.method) in technical  # the method in words, never its code name
    assert fc.method not in technical
    layers = map_page.multiselect(key="m_layers")
    assert layers.value == list(DEFAULT_LAYERS) and HOT_SPOTS in layers.value
    assert GISTAR == "Statistically significant clusters of high counts (Gi*)"
    assert GISTAR in layers.options and GISTAR not in layers.value
    assert not any("hot spot" in name.lower() for name in (GISTAR, CLUSTERS, COUNTS))
    script = _map_script(map_page)
    for cell in fc.selected["cell"]:  # every hot spot cell is drawn
        assert f'"id":"{cell}"' in script
    # Gi* on: its legend names clusters of high counts
    layers.set_value([*DEFAULT_LAYERS, GISTAR]).run()
    assert "Statistically significant clusters of high counts" in _map_script(map_page)


def test_a_wider_share_of_the_area_is_a_new_forecast_and_its_own_figures(map_page):
    ds = demo_dataset()
    map_page.selectbox(key="m_cover").set_value(10).run()
    assert not map_page.exception
    fc = analyse(ds.incidents, study_area=ds.wards, forecast_coverage=0.10).forecast
    first = map_page.caption[0].value
    assert first.startswith("Hot spots: the 10 % of the area")
    assert f"held {100 * fc.figures['hit_rate']:.0f} % of the next month's crime" in first
    assert _metrics(map_page)[HOT_SPOT_METRIC] == f"{100 * fc.figures['hit_rate']:.0f} %"
    map_page.selectbox(key="m_cover").set_value(5).run()


def test_a_filter_changes_the_numbers_to_those_of_the_new_selection(map_page):
    map_page.sidebar.multiselect(key="f_groups").set_value(["Anti-social behaviour"]).run()
    assert not map_page.exception
    ds = demo_dataset()
    asb = select(ds.incidents, Selection(categories=("Anti-social behaviour",)))
    result = analyse(asb, study_area=ds.wards)
    metrics = _metrics(map_page)
    assert metrics["Incidents"] == f"{len(asb):,}"
    assert metrics["Clusters"] == str(result.params["clusters"]["n_clusters"])


def test_feedback_camera_and_patrol_slots_draw_without_error(map_page):
    for key in ("m_feedback", "m_cameras", "m_patrol"):
        map_page.checkbox(key=key).check()
    map_page.run()
    assert not map_page.exception
    assert not [c.value for c in map_page.caption if c.value.startswith("Patrol localities:")]


def test_cluster_table_and_street_names_follow_the_selection_back_and_forth(map_page):
    """The cluster table and the streets of the largest clusters (kept per selection) are
    those of the selection shown, also back to one seen before."""
    import pandas as pd

    from hotspots.views.analysis_map import hot_spot_labels
    from hotspots.views.dashboard.offline import fresh_copy
    from hotspots.views.dashboard.page_map import cluster_table

    ds = demo_dataset()
    for groups in (["Anti-social behaviour"], ["Acquisitive"], ["Anti-social behaviour"]):
        map_page.sidebar.multiselect(key="f_groups").set_value(groups).run()
        assert not map_page.exception
        result = analyse(
            select(ds.incidents, Selection(categories=tuple(groups))), study_area=ds.wards
        )
        shown = map_page.dataframe[0].value
        pd.testing.assert_frame_equal(
            shown.reset_index(drop=True), cluster_table(result.profiles).reset_index(drop=True)
        )
        labels = fresh_copy(hot_spot_labels(result, name="x"))
        rows = [c.rows_js for c in labels._children.values() if hasattr(c, "rows_js")]
        assert rows and all(r in _map_script(map_page) for r in rows)  # this selection's
    map_page.sidebar.multiselect(key="f_groups").set_value([]).run()


def _map_page_with_rapes(n: int) -> None:
    from demo_with_rapes import use_demo_with_rapes

    from hotspots.views.dashboard.page_map import render

    use_demo_with_rapes(n)
    render()


def test_the_sensitive_incidents_not_mapped_are_said_in_a_sentence(db):
    # the gate's "withheld" began a sentence in lower case: "... mapped. withheld sensitive"
    at = AppTest.from_function(_map_page_with_rapes, args=(6,), default_timeout=300).run()
    assert not at.exception
    said = next(c.value for c in at.caption if "sensitive incidents (domestic" in c.value)
    sentence = said.split("sensitive incidents (domestic")[0].rsplit(". ", 1)[-1]
    assert sentence == "6 "  # a group of 6 may be counted; a group under 5 is in no sentence
    few = AppTest.from_function(_map_page_with_rapes, args=(3,), default_timeout=300).run()
    assert not any("sensitive incidents (domestic" in c.value for c in few.caption)

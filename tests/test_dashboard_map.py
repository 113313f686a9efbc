"""The Map page (AppTest): its numbers are the analysis of the selection; overlays draw."""

import pytest
from streamlit.testing.v1 import AppTest

from hotspots.analysis.analyse import analyse
from hotspots.data.select import Selection, select
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
        "Incidents": f"{len(ds.incidents):,}",
        "Hot cells (Gi*, 90 %+)": str(int((result.cells["gi_bin"] > 0).sum())),
        "Clusters": str(result.params["clusters"]["n_clusters"]),
        "Clustered share": f"{1 - result.params['clusters']['noise_share']:.0%}",
    }


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

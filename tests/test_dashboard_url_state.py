"""Choices follow the user (AppTest): from a shared link's query parameters into the widgets,
from page to page, and back into the URL."""

import pytest
from streamlit.testing.v1 import AppTest

from hotspots.core.disclosure import TIME_FILTER_NOTE

GROUP = "Anti-social behaviour"


def _areas_then_when() -> None:
    import streamlit as st

    from hotspots.views.dashboard import page_areas, page_when

    (page_when if st.session_state.get("page") == "when" else page_areas).render()


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    import os

    os.environ["HOTSPOTS_DB"] = str(tmp_path_factory.mktemp("store") / "url.sqlite")
    at = AppTest.from_function(_areas_then_when, default_timeout=300)
    at.query_params.update({"groups": GROUP, "days": ["fri", "sat"], "use_hours": "1"})
    at.query_params.update({"from": "22", "to": "3", "meeting": "1", "wards": "E99999999"})
    return at.run()


def test_a_shared_link_sets_the_filters(linked):
    assert not linked.exception
    side = linked.sidebar
    assert side.multiselect(key="f_groups").value == [GROUP]
    assert side.multiselect(key="f_days").value == [4, 5]
    assert side.selectbox(key="f_hour_from").value == 22
    assert side.selectbox(key="f_hour_to").value == 3
    assert side.toggle(key="meeting_mode").value is True
    assert side.multiselect(key="f_wards").value == []  # a ward the data do not hold: dropped
    caption = " ".join(c.value for c in side.caption)
    assert "22:00–03:59, overnight" in caption and "Friday and Saturday nights" in caption
    # the time filter leaves sensitive offences out, and the sidebar says so in plain words
    assert [w.value for w in side.warning] == [TIME_FILTER_NOTE]
    assert "not shown when hours or days are filtered" in TIME_FILTER_NOTE


def test_the_filters_follow_to_another_page_and_into_the_url(linked):
    linked.session_state["page"] = "when"
    linked.run()
    assert not linked.exception
    assert linked.sidebar.multiselect(key="f_groups").value == [GROUP]
    assert linked.sidebar.multiselect(key="f_days").value == [4, 5]
    linked.sidebar.multiselect(key="f_groups").set_value([GROUP, "Drugs"]).run()
    assert linked.query_params["groups"] == [GROUP, "Drugs"]
    assert linked.query_params["days"] == ["fri", "sat"]
    assert linked.query_params["meeting"] in ("1", ["1"])
    assert "wards" not in linked.query_params  # defaults stay out of the link
    linked.sidebar.toggle(key="meeting_mode").set_value(False).run()
    assert "meeting" not in linked.query_params


def _ward_link(wards: str):
    at = AppTest.from_function(_areas_then_when, default_timeout=300)
    at.query_params.update({"groups": GROUP, "wards": wards})
    return at.run()


def test_a_shared_link_names_its_wards_not_their_codes(tmp_path, monkeypatch):
    from hotspots.views.dashboard.state import demo_dataset

    monkeypatch.setenv("HOTSPOTS_DB", str(tmp_path / "wards.sqlite"))
    names = dict(demo_dataset().wards[["area_code", "area_name"]].itertuples(index=False))
    (first, first_name), (second, second_name) = list(names.items())[:2]
    at = _ward_link(first_name)  # a link that names its ward opens on it
    assert not at.exception
    assert at.sidebar.multiselect(key="f_wards").value == [first]
    at.sidebar.multiselect(key="f_wards").set_value([first, second]).run()
    assert at.query_params["wards"] == [first_name, second_name]  # written as names
    old = _ward_link(first)  # a link of before, with the code, still opens on the ward
    assert old.sidebar.multiselect(key="f_wards").value == [first]

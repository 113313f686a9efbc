"""hotspots.products.area_view (what the Areas & measures page shows) on the demo data.

Each result is checked against the measures called directly on a pandas selection, against
geopandas (outlines) or against hand-made answers (classes of a change map).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import concat_results
from hotspots.data.schema import BNG
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products import area_view, measures
from hotspots.space.areas import assign_areas, load_population, read_boundaries, ward_population


@pytest.fixture(scope="module")
def wards():
    return read_boundaries(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="module")
def population(wards):
    lsoas = read_boundaries(datasets.lsoas_path(datasets.DACORUM))
    return ward_population(wards, lsoas, load_population())


@pytest.fixture(scope="module")
def demo(wards):
    return assign_areas(concat_results([load_demo_policeuk(), load_demo_log()]).incidents, wards)


def test_area_measures_are_the_measures_of_the_chosen_wards(demo, wards, population):
    periods = measures.default_periods(demo)
    chosen = tuple(wards["area_code"].iloc[:3])
    result = area_view.area_measures(
        demo, wards, periods=periods, population=population, chosen_wards=chosen
    )
    assert set(result.wards["area_code"]) == set(chosen)  # the other wards left out
    in_month = demo[demo["month"] == periods.current[0].to_timestamp()]
    expected = in_month[in_month["ward_code"].isin(chosen)].groupby("ward_code").size()
    got = result.wards.set_index("area_code")["count"]
    assert got.reindex(expected.index).tolist() == expected.tolist()
    pd.testing.assert_frame_equal(
        result.headline,
        measures.headline_measures(demo, current=periods.current, previous=periods.previous),
    )
    pd.testing.assert_frame_equal(
        result.changes, measures.what_changed(demo, periods=periods, wards=wards)
    )
    every = area_view.area_measures(demo, wards, periods=periods, population=population)
    assert len(every.wards) == len(wards) == 25


def test_changes_by_comparison_keep_the_order_and_the_rows(demo, wards):
    changes = measures.what_changed(demo, wards=wards, top=5)
    parts = area_view.changes_by_comparison(changes)
    assert [c for c, _, _ in parts] == ["previous period", "same period last year"]
    for compared_with, period, rows in parts:
        expected = changes[changes["compared_with"] == compared_with]
        pd.testing.assert_frame_equal(rows, expected)
        assert {period} == set(expected["period"])
    assert sum(len(rows) for _, _, rows in parts) == len(changes)


def test_simplified_wards_stay_within_the_tolerance(wards):
    outlines = area_view.simplified_wards(wards, working_crs=BNG)
    assert outlines.crs.to_epsg() == 4326
    assert outlines["area_code"].tolist() == wards["area_code"].tolist()
    original = wards.to_crs(BNG).geometry.to_numpy()
    simple = outlines.to_crs(BNG).geometry.to_numpy()
    gap = shapely.hausdorff_distance(original, simple)
    assert (gap <= area_view.SIMPLIFY_M + 0.5).all()  # 0.5 m: the round trip through degrees
    assert shapely.get_num_coordinates(simple).sum() < shapely.get_num_coordinates(original).sum()
    assert (area_view.simplified_wards(wards).geometry == outlines.geometry).all()  # BNG default


def test_month_choices_newest_first(demo):
    months = area_view.month_choices(demo)
    assert months[0] == pd.Period("2022-01", "M") and months[-1] == pd.Period("2021-01", "M")
    assert len(months) == demo["month"].nunique() == 13


@pytest.mark.parametrize(
    ("changes", "bounds"),
    [
        ([-3.0, 0.0, 5.0], [-3.0, -1.0, 0.0, 3.0, 5.0]),  # m = 5, h = 3
        ([1.0], [-1.0, 0.0, 1.0, 2.0]),  # m = 2 (the least), h = 1: -h = -1 and h = 1 merge
        ([-10.0, 4.0], [-5.0, -1.0, 0.0, 5.0, 10.0]),
    ],
)
def test_change_classes_are_centred_on_zero(changes, bounds):
    got, colours = area_view.change_classes(pd.Series(changes))
    assert got == bounds and len(colours) == len(bounds)
    assert colours[0] == area_view.DIVERGING[0] and colours[-1] == area_view.DIVERGING[-1]
    assert got == sorted(got) and max(abs(c) for c in changes) <= got[-1]


def test_ward_choropleth_joins_the_table_to_the_outlines(demo, wards, population):
    periods = measures.default_periods(demo)
    table = measures.ward_table(demo, wards, population, current=periods.current)
    outlines = area_view.simplified_wards(wards)
    counts = area_view.ward_choropleth(outlines, table, "count")
    assert counts.has_values and counts.options == {
        "colormap": "YlOrRd", "no_data_label": area_view.WITHHELD_OR_NONE_LABEL
    }  # fmt: skip
    joined = counts.table.set_index("area_code")["count"]
    expected = table.set_index("area_code")["count"]
    assert table["suppressed"].any()  # withheld wards (small sensitive groups) stay blank
    assert joined.isna().to_dict() == expected.isna().to_dict()
    assert joined.dropna().to_dict() == expected.dropna().to_dict()
    change = area_view.ward_choropleth(outlines, table, "change_vs_previous")
    # Only significant changes are coloured; every other ward is grey, and the legend says so.
    marked = table["vs_previous"].isin([measures.RISE, measures.FALL])
    coloured = change.table.set_index("area_code")[change.value].dropna()
    assert change.value == "significant_change_vs_previous"
    assert sorted(coloured.index) == sorted(table.loc[marked, "area_code"])
    assert change.options["no_data_label"] == area_view.NOT_SIGNIFICANT_LABEL
    if marked.any():
        values = table.loc[marked, "change_vs_previous"]
        assert change.options["breaks"] == area_view.change_classes(values)[0]
    else:
        assert "breaks" not in change.options  # all grey
    raw = table.assign(vs_previous="")  # nothing significant: nothing coloured, map still drawn
    grey = area_view.ward_choropleth(outlines, raw, "change_vs_previous")
    assert grey.has_values and grey.table[grey.value].isna().all()
    empty = area_view.ward_choropleth(outlines, table.assign(rate_per_1000=np.nan), "rate_per_1000")
    assert not empty.has_values


def test_ward_notes_say_what_the_table_hides(demo, wards, population):
    periods = measures.default_periods(demo)
    table = measures.ward_table(demo, wards, population, current=periods.current)
    notes = area_view.ward_notes(table)
    assert notes[0].startswith("Rate per 1,000 residents:")
    # the demo's wards hold small groups of sensitive incidents: their counts are withheld,
    # whatever else the ward holds, and the notes say why the cells read "withheld"
    assert table["suppressed"].any()
    assert any("'withheld'" in n for n in notes)
    sensitive = demo["sensitive"].to_numpy(bool)
    hidden = measures.ward_table(demo[sensitive], wards, population, current=periods.current)
    assert hidden["suppressed"].any()
    assert any("'withheld'" in n for n in area_view.ward_notes(hidden))
    plain = measures.ward_table(demo[~sensitive], wards, population, current=periods.current)
    assert not plain["suppressed"].any()
    assert not any("left blank" in n for n in area_view.ward_notes(plain))


def test_read_survey_reads_a_csv_file():
    text = (
        "area,period,% feeling safe,respondents\nBoxmoor,2021-Q3,74,212\nBoxmoor,2021-Q4,79,198\n"
    )
    survey = area_view.read_survey(io.StringIO(text))
    pd.testing.assert_frame_equal(
        survey, measures.perception_of_safety(pd.read_csv(io.StringIO(text)))
    )
    with pytest.raises(ValueError, match="respondents"):
        area_view.read_survey(io.StringIO("area,period,% feeling safe\nBoxmoor,2021-Q3,74\n"))


def test_months_that_keep_every_incident_select_like_no_months() -> None:
    from hotspots.data.select import Selection, keeps_every_month, months_held, select

    frame = pd.DataFrame(
        {"month": pd.to_datetime(["2021-01-01", "2021-06-01", "2022-01-01"]), "n": [1, 2, 3]}
    )
    held = months_held(frame)
    for start, end in [("2021-01-15", "2022-01-31"), (None, "2022-01-01"), ("2021-02", None)]:
        kept = len(select(frame, Selection(start=start, end=end))) == len(frame)
        assert keeps_every_month(held, start, end) == kept
    undated = months_held(frame.assign(month=frame["month"].where(frame["n"] < 3)))
    assert not keeps_every_month(undated, None, None)  # select's months leave it out


def test_a_withheld_count_reads_withheld_never_none() -> None:
    table = pd.DataFrame(
        {"count": [np.nan, 7.0], "previous": [3.0, np.nan], "last_year": [np.nan, np.nan],
         "suppressed": [True, False]}
    )  # fmt: skip
    shown = area_view.ward_counts_shown(table)
    assert shown["count"].tolist() == ["withheld", 7]
    assert shown["previous"].tolist() == [3, None]  # not compared: no figure, not withheld
    assert shown["last_year"].tolist() == ["withheld", None]


def test_a_ward_table_with_withheld_cells_converts_for_the_browser() -> None:
    """Counts and "withheld" in one column: Streamlit's Arrow conversion failed on it (logging
    a traceback at every rerun and guessing a fix); the column is text, its numbers as they
    read."""
    import pyarrow as pa

    table = pd.DataFrame(
        {"count": [np.nan, 7.0], "previous": [3.0, np.nan], "last_year": [np.nan, np.nan],
         "suppressed": [True, False]}
    )  # fmt: skip
    counts = area_view.ward_counts_shown(table)
    shown = pd.DataFrame(
        {"Ward": ["A", "B"], "Incidents": counts["count"], "Rate": [np.nan, 1.5],
         "Previous": counts["previous"]}
    )  # fmt: skip
    marked = area_view.mark_withheld(shown, table)
    pa.Table.from_pandas(marked)  # raised ArrowInvalid: could not convert 'withheld'
    assert marked["Incidents"].tolist() == ["withheld", "7"]
    assert marked["Rate"].tolist() == ["withheld", "1.5"]
    assert marked["Previous"].tolist() == [3, None]  # no "withheld": as it was

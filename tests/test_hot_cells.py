"""The CCTV page's cells (hotspots.analysis.hot_cells) equal the full analysis's, selection by
selection: groups, wards, months, hours wrapping midnight and days of the week."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.analysis.analyse import analyse
from hotspots.analysis.hot_cells import gistar_cells
from hotspots.data.ingest import resolve_study_area
from hotspots.data.select import Selection, select
from hotspots.views.dashboard.state import demo_dataset

FORECAST_COLUMNS = ["hot_spot", "forecast_rank", "forecast_score"]

SELECTIONS = {
    "everything": Selection(),
    "one group": Selection(categories=("Anti-social behaviour",)),
    "two groups": Selection(categories=("Criminal damage and arson", "Drugs")),
    "two wards": Selection(wards=("E05004691", "E05004692")),
    "months": Selection(start=pd.Timestamp("2021-06-01"), end=pd.Timestamp("2021-09-01")),
    "Friday and Saturday nights": Selection(days=(4, 5), hours=(22, 3)),
    "weekdays": Selection(days=(0, 1, 2, 3)),
}


@pytest.fixture(scope="module")
def demo():
    ds = demo_dataset()
    return ds, resolve_study_area(ds.wards)


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_the_cells_equal_the_full_analysis(demo, name) -> None:
    ds, outline = demo
    incidents = select(ds.incidents, SELECTIONS[name])
    assert len(incidents) > 50, name  # a selection the dashboard would analyse
    full = analyse(
        incidents, study_area=outline, wards=ds.wards, population=ds.ward_population
    ).cells
    cells = gistar_cells(incidents, study_area=outline, wards=ds.wards)
    assert set(FORECAST_COLUMNS) <= set(full.columns)
    expected = full.drop(columns=FORECAST_COLUMNS)
    pd.testing.assert_frame_equal(cells, expected)
    assert cells.attrs == expected.attrs
    assert (cells["gi_bin"] >= 1).any() or name == "weekdays"  # hot cells to compare


def test_no_mappable_incident_is_refused_as_the_analysis_does(demo) -> None:
    ds, outline = demo
    empty = ds.incidents.iloc[:0]
    with pytest.raises(ValueError, match="no incidents to analyse"):
        gistar_cells(empty, study_area=outline, wards=ds.wards)


def test_cells_without_incidents_are_named_by_the_wards_given_each_time(demo) -> None:
    """The names of empty cells are kept per grid and wards: other wards (renamed, or none)
    give their own names, equal to naming every cell afresh."""
    from hotspots.analysis.cell_names import name_cells
    from hotspots.core.disclosure import mappable
    from hotspots.space.grid import grid_counts
    from hotspots.space.places import cell_place_names

    ds, outline = demo
    spatial = mappable(select(ds.incidents, SELECTIONS["one group"]))
    cells = grid_counts(spatial, 9, study_area=outline)
    renamed = ds.wards.assign(area_name="Ward " + ds.wards["area_name"])
    assert (cells["count"] == 0).sum() > len(cells) // 2  # most cells are empty
    for wards in (ds.wards, renamed, None, ds.wards):
        fresh = cell_place_names(spatial, cells["cell"].to_numpy(), 9, wards)
        assert (name_cells(spatial, cells, res=9, wards=wards) == fresh).all()
    empty = name_cells(spatial, cells, res=9, wards=renamed)[(cells["count"] == 0).to_numpy()]
    assert all(name.startswith("Ward ") or name == "unnamed place" for name in empty)


def test_the_analysis_names_every_cell_as_naming_each_afresh(demo) -> None:
    from hotspots.core.disclosure import mappable
    from hotspots.space.places import cell_place_names

    ds, outline = demo
    incidents = select(ds.incidents, SELECTIONS["two groups"])
    cells = analyse(incidents, study_area=outline, wards=ds.wards).cells
    fresh = cell_place_names(mappable(incidents), cells["cell"].to_numpy(), 9, ds.wards)
    assert (cells["place"].to_numpy() == fresh).all()

"""One forecast per history: the forecast kept and shared equals a fresh one, and the Patrol
page's plan takes the one the Map page's analysis made of the same incidents."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from hotspots.analysis import shared_forecast
from hotspots.analysis.analyse import analyse
from hotspots.analysis.forecast import forecast
from hotspots.core.disclosure import mappable
from hotspots.data.ingest import resolve_study_area
from hotspots.data.select import Selection, months_present, select
from hotspots.products.patrol.request import Choices, make_request, plan_for, pool_selection
from hotspots.views.dashboard.state import demo_dataset


@pytest.fixture(scope="module")
def demo():
    ds = demo_dataset()
    return ds, resolve_study_area(ds.wards)


def _selection(ds, groups: tuple[str, ...]) -> Selection:
    months = months_present(ds.incidents)
    return Selection(start=months[0], end=months[-1], categories=groups)


@pytest.mark.parametrize("groups", [("Anti-social behaviour",), ("Drugs", "Public order")])
def test_the_plan_takes_the_analysis_forecast_and_both_equal_fresh_ones(demo, groups) -> None:
    ds, outline = demo
    sel = _selection(ds, groups)
    incidents = select(ds.incidents, sel)
    shared_forecast._kept.clear()
    result = analyse(incidents, study_area=outline, wards=ds.wards)
    assert result.forecast is not None
    assert len(shared_forecast._kept) == 1
    pool = select(ds.incidents, pool_selection(sel))
    request = make_request(sel, pool, Choices())
    assert request.period[1] == f"{months_present(ds.incidents)[-1]:%Y-%m}"  # ends with the data
    plan = plan_for(request, pool, wards=ds.wards)
    assert len(shared_forecast._kept) == 1  # the same forecast: taken, not made again

    fresh = forecast(mappable(incidents), study_area=outline, res=9, coverage=0.05)
    # the analysis names its copy of the cells ("Street, Ward"); the kept forecast stays as made
    pd.testing.assert_frame_equal(result.forecast.cells.drop(columns="place"), fresh.cells)
    assert "place" not in shared_forecast._kept[next(iter(shared_forecast._kept))].cells
    assert result.forecast.figures == fresh.figures
    assert result.forecast.method == fresh.method
    shared_forecast._kept.clear()
    alone = plan_for(request, pool, wards=ds.wards)  # the plan's own forecast, made afresh
    pd.testing.assert_frame_equal(plan.localities, alone.localities)
    assert plan.metadata == alone.metadata


def test_another_history_or_option_is_another_forecast(demo) -> None:
    ds, outline = demo
    incidents = mappable(select(ds.incidents, _selection(ds, ("Anti-social behaviour",))))
    shared_forecast._kept.clear()
    first = shared_forecast.shared_forecast(incidents, study_area=outline, res=9, coverage=0.05)
    again = shared_forecast.shared_forecast(incidents, study_area=outline, res=9, coverage=0.05)
    assert again is first
    wider = shared_forecast.shared_forecast(incidents, study_area=outline, res=9, coverage=0.10)
    fewer = shared_forecast.shared_forecast(
        incidents.iloc[1:], study_area=outline, res=9, coverage=0.05
    )
    earlier = shared_forecast.shared_forecast(
        incidents, study_area=outline, res=9, coverage=0.05, through=first.month - 2
    )
    assert len({id(f) for f in (first, wider, fewer, earlier)}) == 4
    assert wider.coverage == 0.10 and earlier.month == first.month - 1


def test_the_key_changes_with_any_value_read(demo) -> None:
    """:func:`shared_forecast._key`: an equal copy keys alike; one value changed in any column
    the forecast reads (numbers, times, text, flags), or a point moved, keys apart."""
    ds, outline = demo
    incidents = mappable(select(ds.incidents, _selection(ds, ("Anti-social behaviour",))))

    def key(frame: pd.DataFrame) -> str:
        points = frame.geometry.to_numpy()
        lon, lat = shapely.get_x(points), shapely.get_y(points)
        return shared_forecast._key(frame, lon, lat, outline, {"res": 9})

    first = key(incidents)
    assert key(incidents.copy()) == first
    changed = {
        "x": incidents["x"].iloc[0] + 1.0,
        "y": incidents["y"].iloc[0] - 1.0,
        "month": incidents["month"].iloc[0] - pd.DateOffset(months=1),
        "occurred_from": pd.Timestamp("2021-03-04 05:06"),
        "time_precision": "day" if incidents["time_precision"].iloc[0] != "day" else "month",
        "sensitive": not incidents["sensitive"].iloc[0],
    }
    for column, value in changed.items():
        other = incidents.copy()
        other.loc[other.index[0], column] = value
        assert key(other) != first, column
    moved = incidents.copy()
    moved.geometry = moved.geometry.translate(xoff=1e-5)
    assert key(moved) != first

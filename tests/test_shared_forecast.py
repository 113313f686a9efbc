"""One forecast per history: the forecast kept and shared equals a fresh one, and the Patrol
page's plan takes the one the Map page's analysis made of the same incidents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pytest
import shapely

from hotspots.analysis import shared_forecast
from hotspots.analysis.analyse import FORECAST_WORKER_MODULES, analyse, forecasts_beside
from hotspots.analysis.forecast import forecast
from hotspots.core import forked
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


@pytest.mark.parametrize("guess", ["right", "wrong"])
def test_a_plan_whose_forecast_the_worker_makes_is_the_plan_made_here(
    demo, guess, monkeypatch
) -> None:
    """Within a page's worker block the plan's forecast is worked out in the worker process
    while the plan draws the localities of the default method's hot spots here; they are kept
    only when the forecast's cells prove the same (a wrong guess: drawn again from the
    forecast), so the plan is the one made in one process, bit for bit."""
    from hotspots.analysis import forecast as forecast_module
    from hotspots.products.patrol import plan as plan_module

    ds, outline = demo
    sel = _selection(ds, ("Anti-social behaviour",))
    pool = select(ds.incidents, pool_selection(sel))
    request = make_request(sel, pool, Choices())
    shared_forecast._kept.clear()
    here = plan_for(request, pool, wards=ds.wards, outline=outline)

    likely, placed = [], []
    default_forecast, place = forecast_module.default_forecast, plan_module._placed

    def guessed(*args, **kwargs):
        made = default_forecast(*args, **kwargs)
        if guess == "wrong":  # the least likely cells selected instead
            made.cells["selected"] = made.cells["selected"].to_numpy()[::-1]
        likely.append(made)
        return made

    def placing(areas, **kwargs):
        placed.append(areas)
        return place(areas, **kwargs)

    monkeypatch.setattr(forecast_module, "default_forecast", guessed)
    monkeypatch.setattr(plan_module, "_placed", placing)
    shared_forecast._kept.clear()
    with _serving(ds, outline):
        there = plan_for(request, pool, wards=ds.wards, outline=outline)
    assert len(likely) == 1  # the forecast went to the worker: the likely one drawn meanwhile
    assert len(placed) == (1 if guess == "right" else 2)
    pd.testing.assert_frame_equal(there.localities, here.localities, check_exact=True)
    pd.testing.assert_frame_equal(there.assignment, here.assignment, check_exact=True)
    assert there.metadata == here.metadata and there.limits == here.limits
    assert len(shared_forecast._kept) == 1  # the worker's forecast kept for the Map page


def test_a_forecast_none_kept_could_be_goes_to_the_worker_before_its_key_is_made(
    demo, monkeypatch
) -> None:
    """A forecast of as many rows and options as none kept is given to the worker at once, its
    key made meanwhile; should the key fail, the worker's answer is dropped: it serves on."""
    ds, outline = demo
    incidents = mappable(select(ds.incidents, _selection(ds, ("Anti-social behaviour",))))
    busy = []

    def failing(*args, **kwargs):
        busy.append(worker.busy)
        raise RuntimeError("no key")

    shared_forecast._kept.clear()
    with _serving(ds, outline) as worker:
        monkeypatch.setattr(shared_forecast, "lookup", failing)
        with pytest.raises(RuntimeError, match="no key"):
            shared_forecast.begin(incidents, study_area=outline, res=9, coverage=0.05)
    assert busy == [True]  # sent before the key was made
    deadline = time.monotonic() + 30
    while worker.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert worker.alive and not worker.busy


@contextmanager
def _serving(ds, outline) -> Iterator[forked._Child]:
    """Within a page's worker block (:func:`hotspots.analysis.analyse.forecasts_beside`), the
    worker process ready and the data load's basis kept there."""
    worker = forked._server_worker(FORECAST_WORKER_MODULES)
    assert worker is not None
    with forecasts_beside(ds.incidents, key=ds.key, study_area=outline, res=9):
        deadline = time.monotonic() + 60
        while ("forecast basis", ds.key, 9) not in worker.setups and time.monotonic() < deadline:
            time.sleep(0.05)  # the worker starts, then keeps the data load's basis
        assert ("forecast basis", ds.key, 9) in worker.setups
        yield worker

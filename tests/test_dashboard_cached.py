"""Caches of the dashboard made once per data load or per selection
(hotspots.views.dashboard.cached): cached equals fresh, and a second dataset or selection
never gets the first's result."""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hotspots.data.schema import CATEGORIES
from hotspots.data.select import (
    Selection,
    crime_types,
    has_time_of_day,
    months_present,
    values_present,
    ward_choices,
)
from hotspots.views.dashboard import cached
from hotspots.views.dashboard.state import Dataset, demo_dataset


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return demo_dataset()


def test_crime_types_per_group_equal_a_scan_of_the_incidents(demo: Dataset) -> None:
    groups = values_present(demo.incidents, "category", order=CATEGORIES)
    assert len(groups) >= 3
    for n in (0, 1, 2):
        for chosen in itertools.combinations(groups, n):
            want = crime_types(demo.incidents, categories=list(chosen))
            assert cached.crime_types(demo, chosen) == want, chosen
    assert cached.crime_types(demo, ["Not a group"]) == []


def test_crime_types_follow_the_dataset_not_the_first_one_asked(demo: Dataset) -> None:
    asb = demo.incidents["category"] == "Anti-social behaviour"
    no_asb = dataclasses.replace(demo, key=demo.key + ":no-asb", incidents=demo.incidents[~asb])
    assert cached.crime_types(demo, ["Anti-social behaviour"])
    assert cached.crime_types(no_asb, ["Anti-social behaviour"]) == []
    assert cached.crime_types(no_asb, []) == crime_types(no_asb.incidents)


def test_filter_choices_equal_a_scan_of_the_incidents(demo: Dataset) -> None:
    inc = demo.incidents
    choices = cached.filter_choices(demo)
    assert list(choices.months) == months_present(inc)
    assert list(choices.sources) == values_present(inc, "source")
    assert list(choices.groups) == values_present(inc, "category", order=CATEGORIES)
    assert dict(choices.wards) == ward_choices(demo.wards)
    sources = values_present(inc, "source")
    for chosen in [[], *([s] for s in sources), sources, ["Not a source"]]:
        for dates in (False, True):
            want = has_time_of_day(inc, sources=chosen, dates=dates)
            assert cached.has_time_of_day(demo, chosen, dates=dates) == want, (chosen, dates)
    # a dataset without timed records: its own answer, not the demo's
    untimed = dataclasses.replace(
        demo, key=demo.key + ":untimed", incidents=inc[inc["time_precision"] == "month"]
    )
    assert cached.has_time_of_day(demo, sources) and not cached.has_time_of_day(untimed, sources)


def test_patrol_plan_on_the_wards_united_once_equals_the_plan_uniting_them(demo: Dataset) -> None:
    from hotspots.data.select import Selection
    from hotspots.products.patrol.request import Choices, make_request, plan_for, pool_selection

    sel = dataclasses.replace(cached.first_view(demo), categories=("Anti-social behaviour",))
    pool = cached.selected(demo, pool_selection(sel))
    request = make_request(sel, pool, Choices())
    fresh = plan_for(request, pool, wards=demo.wards)
    given = plan_for(request, pool, wards=demo.wards, outline=cached.study_area(demo))
    assert isinstance(sel, Selection) and len(fresh.localities) > 0
    assert fresh.localities.drop(columns="geometry").equals(
        given.localities.drop(columns="geometry")
    )
    assert fresh.localities.geometry.geom_equals_exact(given.localities.geometry, 0).all()


def test_work_ahead_waits_while_a_page_script_runs() -> None:
    import threading
    import time

    assert cached.wait_for_quiet(timeout_s=2) < 0.2  # no page running: at once
    done = threading.Event()
    page = threading.Thread(target=done.wait, args=(0.4,), name="ScriptRunner.scriptThread")
    page.start()
    try:
        waited = cached.wait_for_quiet(timeout_s=5)
    finally:
        done.set()
        page.join()
    assert 0.3 <= waited < 2
    page = threading.Thread(target=done.wait, name="ScriptRunner.scriptThread")
    done.clear()
    page.start()
    try:
        start = time.monotonic()
        assert cached.wait_for_quiet(timeout_s=0.3) >= 0.3  # never longer than told
        assert time.monotonic() - start < 1.5
    finally:
        done.set()
        page.join()


def _calls(n: int) -> int:
    """``n`` Python calls (work for the thread working ahead)."""
    return sum(abs(i) for i in range(n) if callable(_calls))


def _busy_page(seconds: float, done: list[float]) -> None:
    """A page script using the CPU for ``seconds`` (pure Python)."""
    import time

    end = time.thread_time() + seconds
    while time.thread_time() < end:
        _calls(50)
    done.append(time.monotonic())


def _page_working(seconds: float) -> tuple[float, float]:
    """Run a page script thread (Streamlit's thread name) using the CPU for ``seconds``;
    return when it started and when it ended (``time.monotonic``)."""
    import threading
    import time

    done: list[float] = []
    page = threading.Thread(
        target=_busy_page, args=(seconds, done), name="ScriptRunner.scriptThread"
    )
    start = time.monotonic()
    page.start()
    page.join(timeout=10)
    return start, done[0]


def _pace_share(progress: list[float], start: float, end: float) -> float:
    """The thread working ahead's steps per second while the page worked (after its first
    50 ms), as a share of its steps per second in the 0.2 s before the page started (``nan``
    when it made none then: starved of the CPU, the measure says nothing).

    A share, not "no step at all": on a loaded machine (CI runs two test processes on two
    cores) the page thread can wait for a core or the interpreter long enough to look
    blocked, and the thread ahead then rightly goes on for a few milliseconds."""
    before = sum(start - 0.2 < t < start for t in progress) / 0.2
    during = sum(start + 0.05 < t < end for t in progress) / max(end - start - 0.05, 1e-3)
    return during / before if before else float("nan")


def _in_one_of_three(measure: Callable[[], float], holds: Callable[[float], bool]) -> None:
    """``holds(measure())`` in one of three tries: a machine loaded by other work (CI's) can
    starve either thread of a core for a moment and spoil one measure, while a broken pause
    (or a broken exemption from it) fails all three."""
    shares = []
    for _ in range(3):
        shares.append(measure())
        if holds(shares[-1]):
            return
    raise AssertionError(f"not in any of three tries: shares {shares}")


def test_work_ahead_pauses_within_its_step_while_a_page_script_works() -> None:
    """The thread working ahead makes no progress while a page script uses the CPU (it does
    not share the interpreter with it), and goes on when the page ends."""
    import threading
    import time

    def measure() -> float:
        progress: list[float] = []
        stop = threading.Event()

        def ahead() -> None:
            with cached.yield_to_pages():
                while not stop.is_set():
                    _calls(20)
                    progress.append(time.monotonic())

        worker = threading.Thread(target=ahead, name="hotspots-test-ahead")
        worker.start()
        try:
            time.sleep(0.25)
            start, end = _page_working(0.4)
            time.sleep(0.3)
        finally:
            stop.set()
            worker.join()
        on_again = any(t > end for t in progress)  # on again once the page ended
        return _pace_share(progress, start, end) if on_again else float("nan")

    _in_one_of_three(measure, lambda share: share < 0.05)  # paused while the page worked


def test_work_ahead_goes_on_when_a_page_waits_for_it() -> None:
    """A page waiting for a value the thread working ahead is computing (holding its lock)
    is not kept waiting for the pause's time-out: the thread sees the page use no CPU and
    finishes."""
    import threading
    import time

    lock = threading.Lock()
    holding = threading.Event()

    def ahead() -> None:
        with cached.yield_to_pages(), lock:
            holding.set()
            for _ in range(300):
                _calls(200)

    worker = threading.Thread(target=ahead, name="hotspots-test-ahead")
    worker.start()
    holding.wait(5)

    def page() -> None:
        _calls(20_000)  # works first: the worker pauses
        with lock:  # then waits for the worker's value
            pass

    start = time.monotonic()
    waiting = threading.Thread(target=page, name="ScriptRunner.scriptThread")
    waiting.start()
    waiting.join(timeout=30)
    worker.join(timeout=30)
    assert time.monotonic() - start < 8  # not after the pause's 10 s time-out


@pytest.mark.parametrize(
    "settings", [{"res": 9, "k": 1}, {"res": 10, "k": 1}], ids=["same", "other"]
)
def test_work_ahead_does_not_pause_for_a_page_asking_for_the_analysis_it_makes(
    settings: dict[str, object],
) -> None:
    """A page script asking for the analysis the thread working ahead is making (it waits for
    it) does not pause that thread, though it works meanwhile; a page asking for the same
    selection with other settings (another result) does."""
    import threading
    import time

    sel = Selection(categories=("Drugs",))

    def measure() -> float:
        progress: list[float] = []
        stop = threading.Event()
        watching = threading.Event()

        def ahead() -> None:
            with cached.yield_to_pages() as watch:
                watch.step = cached._wanted_key("dataset", sel, {"k": 1, "res": 9})
                watching.set()
                while not stop.is_set():
                    _calls(20)
                    progress.append(time.monotonic())

        worker = threading.Thread(target=ahead, name="hotspots-test-ahead")
        worker.start()
        watching.wait(5)
        asked = cached._wanted_key("dataset", sel, settings)  # what cached.analysis marks
        cached._wanted[asked] = 1
        try:
            time.sleep(0.25)  # its pace before the page
            start, end = _page_working(0.4)
        finally:
            del cached._wanted[asked]
            stop.set()
            worker.join()
        return _pace_share(progress, start, end)

    if settings["res"] == 9:  # went on meanwhile (sharing the interpreter with the page)
        _in_one_of_three(measure, lambda share: share > 0.2)
    else:  # paused
        _in_one_of_three(measure, lambda share: share < 0.05)


def test_work_ahead_takes_the_largest_groups_first(demo: Dataset) -> None:
    groups = cached.likely_first(demo.incidents)
    counts = demo.incidents["category"].value_counts()
    assert sorted(groups) == sorted(values_present(demo.incidents, "category", order=CATEGORIES))
    assert [int(counts[g]) for g in groups] == sorted(counts[groups].astype(int), reverse=True)
    assert groups[0] == "Anti-social behaviour"


def test_two_uploads_with_the_same_names_and_ids_but_other_contents_never_share_a_key(
    demo: Dataset,
) -> None:
    """The review's case: the same file name and incident ids, every incident moved 3 km or
    given another type, must not be served the first upload's cached results."""
    from hotspots.data.ingest.report import LoadResult
    from hotspots.views.dashboard.state import build_dataset

    def built(incidents: object) -> Dataset:
        result = LoadResult(incidents, demo.quarantine, demo.report)  # type: ignore[arg-type]
        return build_dataset(
            result, label="crimes.csv", wards=demo.wards, ward_pop=None, joined=True
        )

    first = built(demo.incidents)
    assert built(demo.incidents.copy()).key == first.key  # the same contents: the same key
    moved = demo.incidents.copy()
    moved["x"] = moved["x"] + 3000.0
    retyped = demo.incidents.copy()
    retyped["crime_type"] = "Noise"
    other_wards = dataclasses.replace(demo, wards=demo.wards.iloc[1:])
    keys = {
        first.key,
        built(moved).key,
        built(retyped).key,
        build_dataset(
            LoadResult(demo.incidents, demo.quarantine, demo.report),
            label="crimes.csv",
            wards=other_wards.wards,
            ward_pop=None,
            joined=True,
        ).key,
    }
    assert len(keys) == 4
    assert cached.crime_types(built(retyped), []) == ["Noise"]


def test_objects_loaded_are_frozen_and_later_garbage_is_still_collected() -> None:
    """After the first page's filters, what the server holds so far is left out of the
    collector's walks (gc.freeze); cycles made later are still freed."""
    import gc
    import weakref

    cached.freeze_loaded()
    assert gc.get_freeze_count() > 1000

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: freed only by the collector
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


def test_an_ended_threads_cpu_time_is_none_not_a_crash() -> None:
    """A page script may end while the work ahead reads its CPU time: the read says ``None``
    (pthread_getcpuclockid of an ended thread's handle read glibc's freed descriptor: a
    segmentation fault of the server once the stack cache had dropped it, /tmp repro)."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import threading
        from hotspots.views.dashboard.cached import _thread_cpu_s

        def burn():
            sum(range(200_000))

        ended = []
        for _ in range(10):
            t = threading.Thread(target=burn)
            t.start()
            t.join()
            ended.append(t)
        threading.stack_size(64 * 1024 * 1024)  # overflow glibc's stack cache: stacks unmapped
        for _ in range(20):
            t = threading.Thread(target=burn)
            t.start()
            t.join()
        print([_thread_cpu_s(t) for t in ended].count(None))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "10"
    running = threading.Thread(target=time.sleep, args=(0.3,))
    running.start()
    assert cached._thread_cpu_s(running) is not None
    running.join()
    assert cached._thread_cpu_s(threading.current_thread()) > 0


def test_the_hot_spots_of_one_month_are_next_months_forecast_from_the_whole_history(
    demo: Dataset,
) -> None:
    # the meeting's month chosen in the sidebar: the Map said "the forecast needs at least two
    # months"; the pack and the patrol plan forecast from every month up to it
    import pandas as pd

    from hotspots.analysis.analyse import analyse
    from hotspots.data.select import Selection

    december = Selection(start=pd.Timestamp("2021-12-01"), end=pd.Timestamp("2021-12-01"),
                         sources=("police.uk",))  # fmt: skip
    result = cached.analysis(demo, december, **cached.DEFAULT_ANALYSIS)
    assert result.forecast is not None and str(result.forecast.month) == "2022-01"
    assert (result.incidents["month"] == pd.Timestamp("2021-12-01")).all()  # the rest: Dec
    history = cached.selected(demo, dataclasses.replace(december, start=None))
    alone = analyse(history, study_area=cached.study_area(demo), wards=demo.wards)
    assert set(result.forecast.selected["cell"]) == set(alone.forecast.selected["cell"])


def test_a_page_takes_its_forecast_from_the_worker_process_the_same_bit_for_bit(
    demo: Dataset,
) -> None:
    """A page script's analysis has its forecast worked out in the server's worker process
    once the data load's basis is set up there, and it is the forecast made here, bit for bit;
    it is kept here too, for the Patrol page's plan of the same history. Other threads (the
    work ahead) keep to this process."""
    import pandas as pd

    from hotspots.analysis import shared_forecast
    from hotspots.analysis.analyse import FORECAST_WORKER_MODULES, begin
    from hotspots.core import forked

    worker = forked._server_worker(FORECAST_WORKER_MODULES)
    assert worker is not None
    res = cached.DEFAULT_ANALYSIS["res"]
    sel = Selection(categories=("Criminal damage and arson", "Drugs"))
    area = cached.study_area(demo)
    went: list[bool] = []
    made: list[object] = []

    def page() -> None:
        with cached.forecasts_beside(demo, res=res):  # as a page's analysis runs
            assert forked.serving()
            deadline = time.monotonic() + 60
            basis = ("forecast basis", demo.key, res)
            while basis not in worker.setups and time.monotonic() < deadline:
                time.sleep(0.05)  # the worker starts, then keeps the data load's basis
            begun = begin(cached.selected(demo, sel), study_area=area, res=res)
            went.append(begun.forecast.forked)
            made.append(begun.forecast.result()[0])
        made.append(cached.analysis(demo, sel, **cached.DEFAULT_ANALYSIS).forecast)

    _forget_analyses()
    thread = threading.Thread(target=page, name="ScriptRunner.scriptThread")
    thread.start()
    thread.join(120)
    assert went == [True]  # given to the worker
    there, analysed = made
    scored = ["cell", "score", "rank", "selected", "history"]
    assert any(k.cells[scored].equals(there.cells[scored]) for k in shared_forecast._kept.values())
    with cached.forecasts_beside(demo, res=res):
        assert not forked.serving()  # not a page

    _forget_analyses()
    here = begin(cached.selected(demo, sel), study_area=area, res=res).forecast.result()[0]
    pd.testing.assert_frame_equal(there.cells, here.cells, check_exact=True)
    assert there.figures == here.figures and there.method == here.method
    pd.testing.assert_frame_equal(analysed.cells[scored], here.cells[scored], check_exact=True)


def _forget_analyses() -> None:
    """Forget every analysis and forecast made in this process."""
    import streamlit as st

    from hotspots.analysis import shared_forecast

    st.cache_resource.clear()
    cached._analysed.clear()
    shared_forecast._kept.clear()

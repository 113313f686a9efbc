"""Steps in a forked child (hotspots.core.forked): the same answers as in one process, and
the plain path whenever a child fails, dies, stalls or cannot answer."""

from __future__ import annotations

import os
import pickle
import re
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest
import shapely

from hotspots.analysis import shared_forecast
from hotspots.analysis.analyse import _forecast as _FORECAST
from hotspots.analysis.analyse import analyse, begin, finish
from hotspots.analysis.shared_forecast import ForecastRows
from hotspots.core import forked
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.views.cli import _default_wards, main, read_input
from hotspots.views.outputs import write_analysis

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")


def _pid(*_: object) -> int:
    return os.getpid()


def _in_parent_only(parent: int) -> str:
    """Fails (in its own way) anywhere but in ``parent``."""
    if os.getpid() != parent:
        raise RuntimeError("the child fails")
    return "parent"


def _killed_in_child(parent: int) -> str:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "parent"


def _stalls_in_child(parent: int) -> str:
    if os.getpid() != parent:
        time.sleep(60)  # no CPU used: a deadlocked child looks like this
    return "parent"


def _unpicklable_in_child(parent: int) -> object:
    return (lambda: None) if os.getpid() != parent else "parent"


def _imported(name: str) -> tuple[int, bool]:
    return os.getpid(), name in sys.modules


def _arrow_work(text: bytes) -> tuple[int, int, list[str]]:
    """pyarrow's threaded CSV reader and compute, as the ingest uses them, in the child."""
    table = pcsv.read_csv(pa.BufferReader(text), read_options=pcsv.ReadOptions(use_threads=True))
    upper = pc.utf8_upper(table["name"]).to_pylist()
    return os.getpid(), int(pc.sum(table["n"]).as_py()), upper[:2]


def test_without_allowed_the_step_runs_here_when_its_result_is_asked():
    pending = forked.start(_pid)
    assert not pending.forked
    assert pending.result() == os.getpid()
    with forked.allowed(enabled=False):
        assert forked.start(_pid).result() == os.getpid()


def test_steps_applied_after_a_step_apply_in_turn_wherever_it_runs():
    for enabled in (False, True):
        with forked.allowed(enabled=enabled):
            pending = forked.start(_pid).then(lambda pid: (pid, "kept")).then(lambda v: [*v, 3])
            assert pending.forked == enabled
            pid, *after = pending.result()
            assert (pid != os.getpid()) == enabled and after == ["kept", 3]
    assert forked.given(2).then(lambda v: v + 1).then(lambda v: v * 10).result() == 30


def test_allowed_gives_the_steps_to_one_child_that_imported_prepare_first():
    with forked.allowed(prepare=("colorsys",)):
        first = forked.start(_pid)
        assert first.forked
        child = first.result()
        assert child != os.getpid()
        pid, imported = forked.start(_imported, "colorsys").result()
    assert pid == child  # the same child took the second step, having imported "prepare"
    assert imported
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped when the block ended


def test_a_step_given_while_the_child_is_busy_or_that_does_not_pickle_runs_here():
    with forked.allowed():
        busy = forked.start(_pid)
        here = forked.start(_pid)
        assert busy.forked and not here.forked
        assert here.result() == os.getpid()
        assert busy.result() != os.getpid()
        assert not forked.start(_pid, lambda: None).forked  # a lambda does not pickle
        assert forked.start(_pid).result() != os.getpid()  # the child still serves


@pytest.mark.parametrize("step", [_in_parent_only, _killed_in_child, _unpicklable_in_child])
def test_a_child_that_fails_dies_or_cannot_answer_leaves_the_step_to_the_parent(step):
    with forked.allowed():
        pending = forked.start(step, os.getpid())
        assert pending.forked
        assert pending.result() == "parent"
        later = forked.start(_pid)  # the child is gone: every later step runs here
        assert not later.forked
        assert later.result() == os.getpid()


def test_a_stalled_child_is_killed_and_the_step_run_here(monkeypatch):
    monkeypatch.setattr(forked, "STALL_S", 1.0)
    start = time.monotonic()
    with forked.allowed():
        assert forked.start(_stalls_in_child, os.getpid()).result() == "parent"
    assert time.monotonic() - start < 20


def test_a_parent_that_fails_first_stops_its_child():
    child = None
    with (
        forked.allowed(),
        pytest.raises(KeyError),
        forked.start(_stalls_in_child, os.getpid()) as pending,
    ):
        child = pending._child
        raise KeyError("the parent fails")
    assert child is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)


def test_children_forked_after_arrow_thread_pools_ran_answer_every_time():
    """No deadlock: pyarrow's thread pools busy in the parent just before each fork, the same
    pools used in each child."""
    text = b"name,n\n" + b"".join(b"street %d,%d\n" % (i, i) for i in range(200_000))
    expected = _arrow_work(text)[1:]
    for _ in range(40):
        _arrow_work(text)
        with forked.allowed():
            _arrow_work(text)  # the pools run in the parent while the child is alive
            pid, *answer = forked.start(_arrow_work, text).result()
        assert pid != os.getpid()  # answered by the child, not by the fallback
        assert tuple(answer) == expected


def _files(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; map.html without folium's random element ids."""
    out = {p.name: p.read_bytes() for p in folder.iterdir()}
    out["map.html"] = re.sub(rb"[0-9a-f]{32}", b"ID", out["map.html"])
    return out


def test_analyse_forked_writes_the_same_files_as_in_one_process(tmp_path, monkeypatch):
    data = read_input([str(datasets.demo_path("policeuk"))], study_area="E07000096")
    started = []

    def start(fn, /, *args, **kwargs):
        pending = real_start(fn, *args, **kwargs)
        started.append((fn.__name__, pending.forked))
        return pending

    real_start = forked.start
    monkeypatch.setattr(forked, "start", start)
    folders = {}
    for enabled in (True, False):  # forked first: no forecast kept from the other run
        shared_forecast._kept.clear()
        if not enabled:  # the forked run's steps were the child's (not the fallback's)
            assert started == [("_forecast", True), ("_drawn", True)]
        with forked.allowed(prepare=("hotspots.views.analysis_map",), enabled=enabled):
            result = analyse(data.incidents, study_area="E07000096")  # as the command calls it
            folders[enabled] = tmp_path / str(enabled)
            write_analysis(result, folders[enabled], coverage=data.coverage)
    assert result.forecast is not None
    assert _files(folders[True]) == _files(folders[False])
    assert main(["analyse", str(datasets.demo_path("policeuk")), "--study-area", "E07000096",
                 "--out", str(tmp_path / "cli")]) == 0  # fmt: skip
    assert _files(tmp_path / "cli") == _files(folders[False])


def test_the_forecasts_rows_come_back_with_every_value_the_forecast_reads():
    spatial = mappable(read_input([str(datasets.demo_path("policeuk"))], study_area=None).incidents)
    back = pickle.loads(pickle.dumps(ForecastRows(spatial))).frame
    read = [c for c in shared_forecast.FORECAST_COLUMNS if c in spatial.columns]
    assert len(read) == len(shared_forecast.FORECAST_COLUMNS)
    assert pd.DataFrame(back[read]).equals(pd.DataFrame(spatial[read]))
    assert back.attrs == spatial.attrs
    assert back.crs == spatial.crs
    assert shapely.equals_exact(back.geometry.to_numpy(), spatial.geometry.to_numpy(), 0).all()
    assert back.index.equals(spatial.index)


def _rows(lon: list[float], lat: list[float], x: list[float]) -> gpd.GeoDataFrame:
    n = len(lon)
    return gpd.GeoDataFrame(
        {
            "x": x,
            "y": [float(i % 2) for i in range(n)],
            "month": pd.to_datetime(["2021-01-01"] * n),
            "sensitive": [False] * n,
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
        index=pd.Index(range(10, 10 + n)),
    )


@pytest.mark.parametrize(
    ("lon", "x"),
    [
        ([1.0, 2.0, 1.0, 2.0, 1.0, 2.0], [5.0, 6.0, 5.0, 6.0, 5.0, 6.0]),  # sent by place
        ([1.0, 2.0, 1.0, 2.0, 1.0, 2.0], [5.0, 6.0, 5.0, 6.5, 5.0, 6.0]),  # x not one per place
        ([0.0, 2.0, -0.0, 2.0, 0.0, 2.0], [5.0, 6.0, 5.0, 6.0, 5.0, 6.0]),  # a signed zero
        ([1.0, np.nan, 1.0, 2.0, 1.0, 2.0], [5.0, 6.0, 5.0, 6.0, 5.0, 6.0]),  # a missing one
    ],
)
def test_the_forecasts_rows_come_back_bit_for_bit(lon: list[float], x: list[float]) -> None:
    rows = _rows(lon, [3.0, 4.0] * 3, x)
    back = pickle.loads(pickle.dumps(ForecastRows(rows))).frame
    assert list(back.columns) == list(rows.columns)
    assert back.index.equals(rows.index)
    for column in ("x", "y", "month", "sensitive"):
        assert back[column].dtype == rows[column].dtype
        assert np.array_equal(
            back[column].to_numpy().view(np.uint8), rows[column].to_numpy().view(np.uint8)
        )
    for get in (shapely.get_x, shapely.get_y):
        assert np.array_equal(
            get(back.geometry.to_numpy()).view(np.int64),
            get(rows.geometry.to_numpy()).view(np.int64),
        )


def _spin(seconds: float) -> str:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "done"


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not: it only waits to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _ends_with_its_killed_parent(tmp_path: Path, body: str) -> bool:
    """Run a parent process (``body``: it prints the pid of a process it started, then
    sleeps), kill it (SIGKILL: no ``finally`` runs) and say whether that process ended too
    within 5 s (killed here if not)."""
    import subprocess

    tests = str(Path(__file__).parent)
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        f"sys.path.insert(0, {tests!r})\n"
        "from hotspots.core import forked\n"
        "from test_forked import _ready_worker, _spin\n" + body + "    time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    assert parent.stdout is not None
    started = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(started):
        time.sleep(0.05)
    alive = _alive(started)
    if alive:
        os.kill(started, signal.SIGKILL)
    return not alive


def test_a_child_whose_parent_is_killed_ends_too(tmp_path):
    """SIGTERM / SIGKILL / the OOM killer end the parent without its ``finally``: the child
    must not go on as an orphan (working, writing files, holding the parent's stdout open)."""
    assert _ends_with_its_killed_parent(
        tmp_path,
        "with forked.allowed():\n"
        "    pending = forked.start(_spin, 30.0)\n"
        "    print(pending._child.pid, flush=True)\n",
    ), "the child outlived its killed parent"


def test_a_heap_the_program_froze_stays_frozen():
    import gc

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with forked.allowed():
            assert forked.start(_pid).result() != os.getpid()
        assert gc.get_freeze_count() > frozen // 2  # (a frozen object freed leaves it)
    finally:
        gc.unfreeze()


def test_without_a_way_to_tell_a_stalled_child_no_child_is_forked(monkeypatch):
    """No /proc (macOS, the BSDs): a deadlocked child could not be told from a busy one."""
    monkeypatch.setattr(forked, "_cpu_ticks", lambda pid: None)
    with forked.allowed():
        pending = forked.start(_pid)
        assert not pending.forked
        assert pending.result() == os.getpid()


def _kept_after_forecast(rows: ForecastRows, area: shapely.Geometry) -> tuple[bool, int]:
    """Whether this process serves steps, and how many forecasts it keeps after one."""
    shared_forecast.shared_forecast(rows.frame, study_area=area, res=9, coverage=0.05)
    return forked.in_child(), len(shared_forecast._kept)


def test_only_a_child_serves_and_it_keeps_no_forecast_for_later():
    spatial = mappable(read_input([str(datasets.demo_path("policeuk"))], study_area=None).incidents)
    area = shapely.convex_hull(shapely.multipoints(spatial.geometry.to_numpy()))
    rows = ForecastRows(spatial)
    shared_forecast._kept.clear()
    with forked.allowed():
        step = forked.start(_kept_after_forecast, rows, area)
        assert step.forked
        assert step.result() == (True, 0)  # a child: no key worked out, nothing kept
    assert _kept_after_forecast(rows, area) == (False, 1)


def _slow_forecast(*args: Any) -> Any:
    """The analysis's forecast, two seconds late (a child still working when the parent is
    done with the rest)."""
    time.sleep(2.0)
    return _FORECAST(*args)


def test_a_forked_analysis_makes_its_temporal_tables_while_the_child_works(monkeypatch):
    from hotspots.analysis import analyse as analyse_module

    data = read_input([str(datasets.demo_path("policeuk"))], study_area="E07000096")
    monkeypatch.setattr(analyse_module, "_forecast", _slow_forecast)
    with forked.allowed():
        beside = analyse(data.incidents, study_area="E07000096")
    monkeypatch.undo()
    with forked.allowed():  # the child answered first: nothing to wait for, tables when read
        answered = begin(data.incidents, study_area="E07000096")
        while answered.forecast.waiting():
            time.sleep(0.05)
        done = finish(answered)
    alone = analyse(data.incidents, study_area="E07000096")
    tables = {"hour_weekday", "monthly", "peaks"}
    assert tables <= vars(beside).keys()  # made, not waiting to be read
    assert not tables & vars(alone).keys()  # made when first read
    assert not tables & vars(done).keys()
    pd.testing.assert_frame_equal(beside.monthly, alone.monthly)
    pd.testing.assert_frame_equal(beside.peaks, alone.peaks)
    assert beside.hour_weekday == alone.hour_weekday
    assert beside.params == alone.params


def test_a_forked_analysis_does_the_callers_cluster_work_while_the_child_works(monkeypatch):
    """``meanwhile`` runs while the child works out the forecast, on the clusters as the
    analysis returns them (named); not when nothing is forked, and nothing else changes."""
    from hotspots.analysis import analyse as analyse_module

    data = read_input([str(datasets.demo_path("policeuk"))], study_area="E07000096")
    seen: list[pd.DataFrame] = []

    def meanwhile(analysis: Any) -> None:
        assert analysis.forecast is None  # the child's answer not taken yet
        seen.append(analysis.profiles.copy())

    monkeypatch.setattr(analyse_module, "_forecast", _slow_forecast)
    with forked.allowed():
        beside = analyse(data.incidents, study_area="E07000096", meanwhile=meanwhile)
    monkeypatch.undo()
    alone = analyse(data.incidents, study_area="E07000096", meanwhile=meanwhile)
    assert len(seen) == 1 and "place" in seen[0].columns
    pd.testing.assert_frame_equal(seen[0], beside.profiles)
    pd.testing.assert_frame_equal(beside.profiles, alone.profiles)
    pd.testing.assert_frame_equal(beside.cells, alone.cells)
    assert beside.params == alone.params


def test_rows_sent_to_a_worker_take_the_points_of_its_data_load():
    """A worker keeps its data load's points (``keep_points``): a selection's rows come back
    with those objects, the same values, points and index as sent."""
    spatial = mappable(read_input([str(datasets.demo_path("policeuk"))], study_area=None).incidents)
    loaded = pickle.loads(pickle.dumps(ForecastRows(spatial))).frame
    try:
        ForecastRows(loaded).keep_points()
        some = spatial.iloc[::3]
        back = pickle.loads(pickle.dumps(ForecastRows(some))).frame
    finally:
        shared_forecast._pool = None
    read = list(shared_forecast.FORECAST_COLUMNS)
    assert pd.DataFrame(back[read]).equals(pd.DataFrame(some[read]))
    assert list(back.dtypes[read]) == list(some.dtypes[read])
    assert shapely.equals_exact(back.geometry.to_numpy(), some.geometry.to_numpy(), 0).all()
    assert back.index.equals(some.index)
    pooled = {id(p) for p in loaded.geometry.to_numpy()}
    assert all(id(p) in pooled for p in back.geometry.to_numpy())


def test_without_a_study_area_the_child_forecasts_while_the_districts_wards_are_read(
    tmp_path, monkeypatch
):
    """The forecast needs only the default area, not its districts' wards: the command gives it
    to the child before it reads them, and writes what one process writes."""
    from hotspots.space import areas

    events: list[tuple[str, bool | None]] = []
    real_start, real_wards = forked.start, areas.districts_wards

    def start(fn, /, *args, **kwargs):
        pending = real_start(fn, *args, **kwargs)
        events.append((fn.__name__, pending.forked))
        return pending

    def districts_wards(*args, **kwargs):
        events.append(("districts_wards", None))
        return real_wards(*args, **kwargs)

    monkeypatch.setattr(forked, "start", start)
    monkeypatch.setattr(areas, "districts_wards", districts_wards)
    source = str(datasets.demo_path("policeuk"))
    shared_forecast._kept.clear()
    assert main(["analyse", source, "--out", str(tmp_path / "cli")]) == 0
    assert events == [("_forecast", True), ("districts_wards", None), ("_drawn", True)]

    data = _default_wards(read_input([source], study_area=None), res=9)
    assert data.wards is not None and data.default_area is not None
    shared_forecast._kept.clear()
    alone = analyse(data.incidents, default_area=data.default_area, wards=data.wards,
                    population=data.population)  # fmt: skip
    write_analysis(alone, tmp_path / "alone", wards=data.wards, coverage=data.coverage)
    assert _files(tmp_path / "cli") == _files(tmp_path / "alone")


def test_an_analysis_begun_and_never_finished_leaves_no_child():
    data = read_input([str(datasets.demo_path("policeuk"))], study_area="E07000096")
    child = None
    with pytest.raises(KeyError), forked.allowed():
        child = begin(data.incidents, study_area="E07000096").forecast._child
        raise KeyError("the caller fails between begin and finish")
    assert child is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid, os.WNOHANG)


def _ready_worker(prepare: tuple[str, ...] = ()) -> forked._Child:
    """The process's long-lived worker, once it says it is ready (its imports done)."""
    worker = forked._server_worker(prepare)
    assert worker is not None and worker.persistent
    return _said_ready(worker)


def _said_ready(worker: forked._Child) -> forked._Child:
    """``worker`` once it says it is ready (failing when it ends or says nothing for 60 s)."""
    deadline = time.monotonic() + 60
    while worker.alive and not worker._is_ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.ready, "the worker process never said it was ready"
    return worker


@contextmanager
def _spawned_worker() -> Iterator[forked._Child]:
    """A worker process of its own (not the process's shared one), ready; closed after."""
    child = forked._Child.spawn(())
    assert child is not None
    try:
        yield _said_ready(child)
    finally:
        child.close()


_setups: list[int] = []


def _note_setup(value: int) -> None:
    _setups.append(value)


def _setups_seen(*_: object) -> tuple[int, list[int]]:
    return os.getpid(), list(_setups)


def _set_up(worker: forked._Child, key: str) -> None:
    deadline = time.monotonic() + 30
    while key not in worker.setups and time.monotonic() < deadline:
        time.sleep(0.02)
    assert key in worker.setups, f"setup {key!r} never ran in the worker"


def test_a_worker_process_takes_steps_when_ready_and_free_else_they_run_here():
    """The dashboard's worker (no fork: a fresh interpreter): a setup runs there once per key,
    as soon as the worker is free; a step goes there only when it is ready and free, and a
    failing step falls back here (the worker serving on)."""
    worker = _ready_worker()
    with forked.worker_process(setup=("a", _note_setup, (1,))):
        assert forked.serving()
        _set_up(worker, "a")
        first = forked.start(_setups_seen)
        second = forked.start(_pid)  # the worker is busy with the first
        assert first.forked and not second.forked
        assert second.result() == os.getpid()
        pid, seen = first.result()
        assert pid == worker.pid != os.getpid() and seen == [1]
        assert forked.start(_setups_seen).result() == (worker.pid, [1])  # not again
        failing = forked.start(_in_parent_only, os.getpid())
        assert failing.forked and failing.result() == "parent"  # run here, after the failure
    with forked.worker_process(setup=("b", _note_setup, (2,))):  # another key: set up too
        # the step carries the setup, or the setup thread took the worker first (step here)
        step = forked.start(_setups_seen)
        assert step.result() in ((worker.pid, [1, 2]), (os.getpid(), []))
        _set_up(worker, "b")
        assert forked.start(_setups_seen).result() == (worker.pid, [1, 2])  # once
    assert worker.alive and not forked.serving()
    assert forked.start(_pid).result() == os.getpid()  # outside the block: here


def test_a_worker_process_ends_with_its_server_even_in_the_middle_of_a_step(tmp_path):
    assert _ends_with_its_killed_parent(
        tmp_path,
        "worker = _ready_worker()\n"
        "with forked.worker_process():\n"
        "    pending = forked.start(_spin, 30.0)\n"
        "    assert pending.forked\n"
        "    print(worker.pid, flush=True)\n",
    ), "the worker outlived its killed server"


def test_a_page_failing_before_it_takes_its_answer_leaves_the_worker_serving():
    worker = _ready_worker()
    with (
        forked.worker_process(),
        pytest.raises(KeyError),
        forked.start(_spin, 0.2) as pending,
    ):
        assert pending.forked
        raise KeyError("the page fails")
    deadline = time.monotonic() + 10
    while worker.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert worker.alive and not worker.busy  # its answer read and dropped
    with forked.worker_process():
        assert forked.start(_pid).result() == worker.pid


def test_without_a_way_to_tell_a_stalled_worker_no_worker_is_started(monkeypatch):
    monkeypatch.setattr(forked, "_cpu_ticks", lambda pid: None)  # as on macOS: no /proc
    monkeypatch.setattr(forked, "_spawned", None)
    with forked.worker_process():
        assert not forked.serving()
        assert forked.start(_pid).result() == os.getpid()
    assert forked._spawned is None


def _answer_after(text: str, seconds: float) -> str:
    time.sleep(seconds)
    return text


def test_an_answer_dropped_from_a_stalled_worker_never_reaches_a_later_page(monkeypatch):
    """A page fails before taking its answer and the worker stalls (no CPU: stopped, swapped):
    the worker is closed, so its late answer is never read as a later page's (it was: page B
    got page A's forecast, C got B's...)."""
    monkeypatch.setattr(forked, "STALL_S", 1.0)
    worker = _ready_worker()
    with (
        forked.worker_process(),
        pytest.raises(KeyError),
        forked.start(_answer_after, "answer of A", 0.5) as pending,
    ):
        assert pending.forked
        os.kill(worker.pid, signal.SIGSTOP)
        raise KeyError("page A fails")
    deadline = time.monotonic() + 20
    while worker.busy and time.monotonic() < deadline:
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.kill(worker.pid, signal.SIGCONT)  # its late answer comes
    time.sleep(0.7)
    with forked.worker_process():
        assert forked.start(_answer_after, "answer of B", 0.0).result() == "answer of B"
    assert not worker.alive


def test_a_worker_whose_pipes_are_numbered_past_1024_serves(monkeypatch):
    """``select`` refuses file descriptors from 1024 up (a busy server's sockets): the page
    crashed. The worker's pipes are polled instead."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with _spawned_worker() as child:  # its readiness read by poll too
            assert child.answers > 1024
            monkeypatch.setattr(forked, "_spawned", child)
            with forked.worker_process():
                pending = forked.start(_answer_after, "polled", 0.3)
                assert pending.forked and pending.waiting()  # select raised ValueError here
                assert pending.result() == "polled"
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_worker_runs_no_module_of_the_servers_folder(tmp_path, monkeypatch):
    """A ``json.py`` in the folder the dashboard was started from: ``python -c`` put that
    folder first on the worker's path, so the worker ran it (code of whoever can write there,
    run as the server's user)."""
    (tmp_path / "json.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('ran').write_text('ran')\n"
    )
    monkeypatch.chdir(tmp_path)
    with _spawned_worker():
        assert not (tmp_path / "ran").exists()


def test_a_path_entry_that_is_not_text_does_not_stop_the_worker(monkeypatch):
    monkeypatch.setattr(sys, "path", [*sys.path, Path("/nonexistent/folder")])
    with _spawned_worker() as child:
        assert child.alive  # started and ready: spawn raised TypeError before


def _failing_setup() -> None:
    raise RuntimeError("no basis for this data")


def test_a_setup_that_fails_in_the_worker_is_not_tried_again_and_its_steps_run_here():
    worker = _ready_worker()
    with forked.worker_process(setup=("bad", _failing_setup, ())):
        deadline = time.monotonic() + 30
        while "bad" not in worker.failed_setups and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "bad" in worker.failed_setups and "bad" not in worker.setups
        step = forked.start(_pid)
        assert not step.forked and step.result() == os.getpid()  # no setup carried again
    with forked.worker_process():  # steps needing no setup still go to the worker
        assert forked.start(_pid).result() == worker.pid


def test_a_setup_carried_by_a_page_that_failed_first_runs_once():
    worker = _ready_worker()
    with forked.worker_process(setup=("once", _note_setup, (7,))), pytest.raises(KeyError):
        pending = forked.start(_spin, 0.1)  # carries the setup, unless its thread took it
        with pending:
            raise KeyError("the page fails")
    deadline = time.monotonic() + 30
    while ("once" not in worker.setups or worker.busy) and time.monotonic() < deadline:
        time.sleep(0.02)
    with forked.worker_process(setup=("once", _note_setup, (7,))):
        _set_up(worker, "once")
        pid, seen = forked.start(_setups_seen).result()
    assert pid == worker.pid and seen.count(7) == 1


def test_a_worker_that_cannot_start_is_given_up_after_three_tries(monkeypatch):
    """A worker ending before it is ready (its imports failing) is started again at most
    twice more, then pages make their forecasts themselves (not an interpreter started at
    every page run)."""
    monkeypatch.setattr(forked, "_spawned", None)
    monkeypatch.setattr(forked, "_failed_starts", 0)
    monkeypatch.setattr(sys, "path", ["/nonexistent"])  # the worker cannot import hotspots
    started = []
    for _ in range(5):
        child = forked._server_worker(())
        if child is None:
            break
        started.append(child)
        deadline = time.monotonic() + 30
        while child.alive and time.monotonic() < deadline:
            assert not child.claim()  # never ready; found ended
            time.sleep(0.05)
    monkeypatch.undo()
    assert len(started) == forked._MAX_FAILED_STARTS == 3
    assert all(not child.alive for child in started)

"""The dashboard's disk cache: the demo and its first analysis read back equal to fresh ones,
and never a stale entry when the data, the code or the parameters change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import folium
import pandas as pd
import pytest

from hotspots.analysis.analyse import analyse
from hotspots.data import datasets
from hotspots.data.ingest import resolve_study_area
from hotspots.data.select import Selection, months_present, select, values_present
from hotspots.views.analysis_map import DEFAULT_LAYERS, analysis_layers
from hotspots.views.dashboard import cached, disk_cache, offline, state


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.ENV, str(folder))
    return folder


def test_a_value_is_built_once_then_read_and_rebuilt_when_a_part_changes(cache):
    calls = []

    def build(value):
        def run():
            calls.append(value)
            return {"value": value}

        return run

    assert disk_cache.cached_on_disk("t", ["a", 1], build("x")) == {"value": "x"}
    assert disk_cache.cached_on_disk("t", ["a", 1], build("y")) == {"value": "x"}  # read back
    assert disk_cache.cached_on_disk("t", ["a", 2], build("z")) == {"value": "z"}  # new key
    assert calls == ["x", "z"]
    assert len(list(cache.glob("t-*.pickle"))) == 2
    assert not list(cache.glob("*.tmp"))  # written atomically: no temporary file left


def test_a_damaged_entry_is_rebuilt_and_off_turns_the_cache_off(cache, monkeypatch):
    disk_cache.cached_on_disk("t", ["a"], lambda: 1.5)
    (entry,) = cache.glob("t-*.pickle")
    entry.write_bytes(entry.read_bytes()[:-1])  # truncated, as after a crash
    assert disk_cache.cached_on_disk("t", ["a"], lambda: 2) == 2
    assert disk_cache.cached_on_disk("t", ["a"], lambda: 3) == 2
    monkeypatch.setenv(disk_cache.ENV, "off")
    assert disk_cache.cached_on_disk("t", ["a"], lambda: 4) == 4


def test_a_folder_or_entry_others_can_write_is_never_read(cache, tmp_path):
    """A pickle runs code when read: the folder is made 0700, and a folder or entry that
    group or others can write is neither read nor written (the value is built)."""
    import pickle

    assert disk_cache.cached_on_disk("t", ["a"], lambda: 1) == 1
    assert cache.stat().st_mode & 0o777 == 0o700
    (entry,) = cache.glob("t-*.pickle")
    marker = tmp_path / "ran"

    class Hostile:
        def __reduce__(self):
            return (marker.write_text, ("pwned",))

    entry.write_bytes(pickle.dumps(Hostile()))
    entry.chmod(0o666)  # writable by anyone: not read
    assert disk_cache.cached_on_disk("t", ["a"], lambda: 2) == 2
    assert not marker.exists()
    entry.chmod(0o600)
    cache.chmod(0o777)  # the folder writable by anyone: not read either
    assert disk_cache.cached_on_disk("t", ["a"], lambda: 3) == 3
    assert not marker.exists()
    assert len(list(cache.glob("t-*.pickle"))) == 1  # and nothing written there


def test_old_entries_are_pruned(cache):
    for i in range(disk_cache.KEEP + 3):
        disk_cache.cached_on_disk("t", [i], lambda: 0)
    assert len(list(cache.glob("t-*.pickle"))) == disk_cache.KEEP


def test_the_code_key_changes_with_any_file_of_the_package(tmp_path):
    """The key covers every file (code and bundled tables), not compiled caches."""
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "table.csv").write_text("a,b\n1,2\n")
    first = disk_cache.code_key(package)
    (package / "sub" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert disk_cache.files_key([package]) == disk_cache.files_key([package])
    (package / "sub" / "table.csv").write_text("a,b\n1,3\n")
    disk_cache.code_key.cache_clear()
    assert disk_cache.code_key(package) != first
    assert disk_cache.code_key() == disk_cache.code_key(disk_cache.PACKAGE)


def _everything(ds: state.Dataset) -> Selection:
    """What the sidebar selects before any filter."""
    months = months_present(ds.incidents)
    return Selection(
        start=months[0], end=months[-1], sources=tuple(values_present(ds.incidents, "source"))
    )


def test_the_demo_and_its_first_analysis_read_back_equal_to_fresh_ones(cache):
    state.demo_dataset.clear()
    cached._analysis.clear()
    built = state.demo_dataset()  # built and written
    state.demo_dataset.clear()
    read = state.demo_dataset()  # read from disk
    assert read.key == built.key and read.content_key == built.content_key
    pd.testing.assert_frame_equal(read.incidents, built.incidents)
    assert read.incidents.attrs == built.incidents.attrs
    pd.testing.assert_frame_equal(read.wards, built.wards)
    pd.testing.assert_frame_equal(read.quarantine, built.quarantine)

    sel = _everything(read)
    first = cached.analysis(read, sel, **cached.DEFAULT_ANALYSIS)
    cached._analysis.clear()
    again = cached.analysis(read, sel, **cached.DEFAULT_ANALYSIS)  # from disk
    assert len(list(cache.glob("analysis-*.pickle"))) == 1
    fresh = analyse(  # as the dashboard runs it: the wards' outline as the study area
        read.incidents,
        study_area=resolve_study_area(read.wards),
        forecast_coverage=cached.DEFAULT_HOT_SPOT_PERCENT / 100,
        wards=read.wards,
        population=read.ward_population,
    )
    for result in (first, again):
        pd.testing.assert_frame_equal(result.cells, fresh.cells)
        pd.testing.assert_frame_equal(result.profiles, fresh.profiles)
        assert result.params == fresh.params
    # a filtered selection is cached in memory only
    cached.analysis(
        read, Selection(**{**sel.__dict__, "categories": ("Drugs",)}), **cached.DEFAULT_ANALYSIS
    )
    assert len(list(cache.glob("analysis-*.pickle"))) == 1


def test_changed_demo_files_are_read_again_not_served_from_the_cache(cache, tmp_path, monkeypatch):
    """A copy of the bundled data with one incident dropped from the council log: the demo
    loaded from it has one incident fewer, though an entry of the original is on disk."""
    data = tmp_path / "data"
    for part in ("demo", "boundaries", "lookups"):
        shutil.copytree(datasets.data_dir() / part, data / part)
    monkeypatch.setenv("HOTSPOTS_DATA", str(data))
    state.demo_dataset.clear()
    before = state.demo_dataset()
    log = datasets.demo_path("incident_log")
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:1] + lines[2:]))
    state.demo_dataset.clear()
    after = state.demo_dataset()
    state.demo_dataset.clear()
    assert after.content_key != before.content_key
    assert len(after.incidents) == len(before.incidents) - 1
    assert len(list(cache.glob("demo-dataset-*.pickle"))) == 2


def _html(layers: list) -> str:
    """The layers drawn on one map, element ids (random per build) numbered in order."""
    m = folium.Map(tiles=None)
    for layer in layers:
        offline.fresh_copy(layer).add_to(m)
    text = m.get_root().render()
    ids = list(dict.fromkeys(re.findall(r"[0-9a-f]{32}", text)))
    for n, found in enumerate(ids):
        text = text.replace(found, f"id{n}")
    return text


def test_the_first_maps_layers_read_back_drawing_the_same_and_never_stale(cache, monkeypatch):
    """The first view's map layers come back from disk drawing exactly what a fresh build
    draws; a filtered selection is not written; a change of the code's key is a miss."""
    ds = state.demo_dataset()
    sel = _everything(ds)
    show = sorted(DEFAULT_LAYERS)
    cached._layers.clear()
    built = cached.analysis_layers_for(ds, sel, show, **cached.DEFAULT_ANALYSIS)
    assert len(list(cache.glob("map-layers-*.pickle"))) == 1
    cached._layers.clear()
    read = cached.analysis_layers_for(ds, sel, show, **cached.DEFAULT_ANALYSIS)
    assert read is not built
    analysis = cached.analysis(ds, sel, **cached.DEFAULT_ANALYSIS)
    fresh = analysis_layers(analysis, wards=ds.wards, show=show, only=show)
    assert _html(read) == _html(built) == _html(fresh)

    one = Selection(**{**sel.__dict__, "categories": ("Drugs",)})
    cached.analysis_layers_for(ds, one, show, **cached.DEFAULT_ANALYSIS)
    assert len(list(cache.glob("map-layers-*.pickle"))) == 1  # in memory only

    monkeypatch.setattr(disk_cache, "code_key", lambda: "another version of the code")
    cached._layers.clear()
    calls = []
    monkeypatch.setattr(cached, "analysis_layers", lambda *a, **k: calls.append(1) or [])
    wards = [cached.wards_layer(ds)]  # the data load's ward outlines, not built per selection
    got = cached.analysis_layers_for(ds, sel, show, **cached.DEFAULT_ANALYSIS)
    clusters = cached.clusters_layer(
        ds, sel, dict(cached.DEFAULT_ANALYSIS), cached.analysis(ds, sel, **cached.DEFAULT_ANALYSIS)
    )  # made apart from the other layers (perhaps while the forecast was worked out)
    assert got == [*wards, clusters]
    assert calls == [1]  # built again, not read
    assert len(list(cache.glob("map-layers-*.pickle"))) == 2
    cached._layers.clear()


def test_single_groups_are_analysed_ahead_with_the_results_of_a_fresh_analysis(monkeypatch):
    """The background thread fills the cache with each group's analysis and map layers; what
    a page then reads is the analysis of that selection."""
    monkeypatch.delenv(cached.WARM_ENV)
    monkeypatch.setattr(cached, "WARM_DELAY_S", 0)  # no first map to wait for here
    ds = state.demo_dataset()
    sel = _everything(ds)
    cached._analysis.clear()
    cached._layers.clear()
    cached._warm.clear()
    cached.warm_groups(ds, sel, DEFAULT_LAYERS, **cached.DEFAULT_ANALYSIS)
    thread = cached._warm(
        ds.key,
        repr(sel),
        tuple(sorted(DEFAULT_LAYERS)),
        tuple(sorted(cached.DEFAULT_ANALYSIS.items())),
        _ds=ds,
        _sel=sel,
    )
    thread.join(timeout=600)
    one = Selection(**{**sel.__dict__, "categories": ("Anti-social behaviour",)})
    calls = []
    monkeypatch.setattr(cached, "analyse", lambda *a, **k: calls.append(1))
    ahead = cached.analysis(ds, one, **cached.DEFAULT_ANALYSIS)
    assert not calls  # read from the cache, not analysed again
    fresh = analyse(
        select(ds.incidents, one),
        study_area=resolve_study_area(ds.wards),
        forecast_coverage=cached.DEFAULT_HOT_SPOT_PERCENT / 100,
        wards=ds.wards,
        population=ds.ward_population,
    )
    pd.testing.assert_frame_equal(ahead.cells, fresh.cells)
    assert ahead.params == fresh.params

    # then each group's default patrol plan, equal to a plan made alone (its own forecast)
    from hotspots.analysis import shared_forecast
    from hotspots.products.patrol.request import Choices, make_request, plan_for, pool_selection
    from hotspots.views.dashboard import page_patrol

    pool = select(ds.incidents, pool_selection(one))
    request = make_request(one, pool, Choices())
    key = (ds.key, repr(pool_selection(one)), repr(request))
    monkeypatch.setattr(page_patrol, "plan_for", lambda *a, **k: calls.append(1))
    planned = page_patrol._plan(key, _ds=ds, _sel=one, _request=request)
    assert not calls  # planned ahead
    shared_forecast._kept.clear()
    alone = plan_for(request, pool, wards=ds.wards)
    pd.testing.assert_frame_equal(planned.localities, alone.localities)
    assert planned.metadata == alone.metadata

"""Street basemap and street names on the static maps (issue 13 items 3 and 6).

A tile server of the test's own (a real HTTP server on 127.0.0.1, serving PNG tiles of one
colour made here with Pillow) stands in for OpenStreetMap. The static maps must fetch its
tiles, show their pixels (the tile colour, faded towards white by the documented share, found
in the PNG decoded by Pillow), fill the disk cache and draw the second time without a request.
With the server stopped and the cache empty the maps still draw, with ward names, the hot
spots' street names and the "basemap off" note. Names come from real police.uk location texts
of Dacorum; a street named only by sensitive incidents must never name a place.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from tile_server import TileServer, tile_png

from hotspots.analysis.analyse import Analysis, analyse
from hotspots.data import datasets
from hotspots.products.patrol import PatrolPlan, patrol_plan
from hotspots.space.areas import district_wards
from hotspots.space.places import locality_names, place_names
from hotspots.views import maps
from hotspots.views.analysis_map import analysis_map
from hotspots.views.documents import static_map, tiles
from hotspots.views.documents.briefing import locality_map, overview_map
from hotspots.views.documents.meeting_pack import static_map_figure, static_map_png

OUTPUT = Path(__file__).resolve().parents[1] / "test-output"
TILE_RGB = (30, 144, 200)
FADED = tuple(round(c + (255 - c) * 0.25) for c in TILE_RGB)  # BASEMAP_FADE, worked by hand


@pytest.fixture
def server(monkeypatch, tmp_path) -> Iterator[TileServer]:
    served = TileServer(TILE_RGB)
    monkeypatch.setenv(maps.TILES_ENV, served.url)
    monkeypatch.setenv(maps.TILES_ATTRIBUTION_ENV, "Test tiles")
    monkeypatch.setenv(tiles.TILE_CACHE_ENV, str(tmp_path / "tile-cache"))
    yield served
    served.stop()


@pytest.fixture(scope="module")
def analysis(dacorum_load) -> Analysis:
    return analyse(dacorum_load.incidents, study_area=datasets.DACORUM)


@pytest.fixture(scope="module")
def wards():
    return district_wards(datasets.DACORUM)[0]


@pytest.fixture(scope="module")
def plan(dacorum_load) -> PatrolPlan:
    return patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=3,
        run_backtest=False,
    )


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _share_of(rgb: np.ndarray, colour: tuple[int, ...]) -> float:
    return float(np.all(np.abs(rgb.astype(int) - colour) <= 1, axis=-1).mean())


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def _save(name: str, png: bytes) -> None:
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / f"{name}.png").write_bytes(png)


# --------------------------------------------------------------------------- tiles drawn


def test_the_meeting_pack_map_draws_the_tiles_then_draws_again_from_the_cache(
    server, analysis, wards, tmp_path
) -> None:
    png = static_map_png(analysis, wards, title="Dacorum: hot spots")
    _save("static_map_basemap", png)
    asked = len(server.served)
    assert asked > 0
    assert all(re.fullmatch(r"/1[0-9]/\d+/\d+\.png", path) for path in server.served)
    # The tiles' own colour (faded) fills the map where no hexagon is drawn over it.
    share = _share_of(_pixels(png), FADED)
    assert share > 0.2, share
    cached = sorted((tmp_path / "tile-cache").rglob("*.tile"))
    assert len(cached) == len(set(server.served))
    assert not list((tmp_path / "tile-cache").rglob(".part-*"))  # written whole, then renamed
    assert all(p.read_bytes() == tile_png(TILE_RGB) for p in cached)

    again = static_map_png(analysis, wards, title="Dacorum: hot spots")
    assert len(server.served) == asked  # every tile came from the cache
    assert _share_of(_pixels(again), FADED) == pytest.approx(share, abs=1e-6)


def test_the_briefing_maps_draw_the_tiles_with_their_attribution(server, plan) -> None:
    fig = locality_map(plan, 1)
    texts = _texts(fig)
    assert "Test tiles" in texts
    assert static_map.BASEMAP_OFF_NOTE not in texts
    png = static_map.figure_png(fig)
    _save("briefing_locality_basemap", png)
    assert server.served and _share_of(_pixels(png), FADED) > 0.05
    street = str(plan.localities["street"].iloc[0])
    assert any(street in t for t in texts)  # the locality's street on its map


def test_the_zoom_follows_the_map_s_extent_and_size() -> None:
    town = (500_000.0, 200_000.0, 502_000.0, 201_500.0)
    district = (490_000.0, 195_000.0, 520_000.0, 218_000.0)
    # Web Mercator at 51.7° N: 156543 m/px × cos(lat) / 2^z ≈ the map's own metres per pixel.
    assert tiles.zoom_for(town, "EPSG:27700", 1000) == 16  # 2 m/px
    assert tiles.zoom_for(town, "EPSG:27700", 500) == 15
    assert tiles.zoom_for(district, "EPSG:27700", 1000) == 12  # 30 m/px


# --------------------------------------------------------------------------- tiles off


def test_without_tiles_the_maps_still_draw_with_names_and_say_the_basemap_is_off(
    server, analysis, wards, plan
) -> None:
    server.stop()
    report = _basemap_report(wards)
    # a refused connection stops the fetching: at most one request per worker, not per tile
    assert report.drawn == 0 and report.requests <= 4 < report.needed, report
    assert "Connection refused" in str(report.error)
    png = static_map_png(analysis, wards, title="Dacorum: hot spots")
    _save("static_map_no_tiles", png)
    assert _share_of(_pixels(png), FADED) == 0.0
    assert not list(Path(tiles.cache_folder()).rglob("*.tile"))

    fig = overview_map(plan)
    texts = _texts(fig)
    _save("briefing_overview_no_tiles", static_map.figure_png(fig))
    assert static_map.BASEMAP_OFF_NOTE in texts
    assert set(wards["area_name"]) & set(texts)  # ward names orient the reader
    streets = [str(s).rsplit(", ", 1)[0] for s in plan.localities["name"]]
    assert set(streets) & set(texts)  # and the hot spots' streets


def test_the_meeting_pack_names_its_top_hot_spots_without_tiles(
    monkeypatch, analysis, wards, tmp_path
) -> None:
    monkeypatch.setenv(maps.TILES_ENV, "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens
    monkeypatch.setenv(tiles.TILE_CACHE_ENV, str(tmp_path / "empty-cache"))
    fig = static_map_figure(analysis, wards, title="Dacorum", label_top=5)
    texts = _texts(fig)
    assert static_map.BASEMAP_OFF_NOTE in texts
    ranked = analysis.profiles.sort_values(["n_incidents", "cluster"], ascending=[False, True])
    top = ranked["place"].head(5).tolist()
    listing = " ".join(" ".join(texts).split())
    for rank, name in enumerate(top, start=1):
        assert f"{rank}. {name}" in listing  # "Street, Ward" listed beside the map
    on_map = [t.get_text() for t in fig.axes[0].texts]
    assert any(name.rsplit(", ", 1)[0] == t for name in top for t in on_map)
    assert set(wards["area_name"]) & set(on_map)


# --------------------------------------------------------------------------- the cache


def test_the_cache_is_keyed_by_server_and_tile_and_bounded(tmp_path) -> None:
    cache = tiles.TileCache(tmp_path, max_bytes=10_000)
    a, b = "http://a/{z}/{x}/{y}.png", "http://b/{z}/{x}/{y}.png"
    cache.put(a, 12, 1, 2, b"A" * 3000)
    cache.put(b, 12, 1, 2, b"B" * 3000)
    assert cache.get(a, 12, 1, 2) == b"A" * 3000 and cache.get(b, 12, 1, 2) == b"B" * 3000
    assert cache.get(a, 12, 1, 3) is None
    old = time.time() - 100
    for i in range(3):
        cache.put(a, 13, i, 0, bytes(3000))
    os.utime(cache.path(b, 12, 1, 2), (old, old))  # the least recently used
    assert cache.prune() >= 1
    assert cache.size_bytes() <= 9_000
    assert cache.get(b, 12, 1, 2) is None and cache.get(a, 13, 2, 0) is not None


# --------------------------------------------------------------------------- names


def test_cells_and_clusters_are_named_street_and_ward(analysis) -> None:
    cells = analysis.cells
    hot = cells.sort_values("count", ascending=False).head(20)
    assert hot["place"].str.contains(", ").all()
    assert hot["place"].str.endswith("Hemel Hempstead Town").any()
    assert analysis.profiles["place"].notna().all()
    # The busiest cell is named by the most frequent street of its own incidents, checked
    # here by hand from the incidents' texts.
    assert "Street" in hot["place"].iloc[0] or "(" in hot["place"].iloc[0]


def test_a_street_named_only_by_sensitive_incidents_never_names_a_place(dacorum_load) -> None:
    incidents = dacorum_load.incidents.copy()
    # police.uk's "Violence and sexual offences" taken as sensitive, all on one street
    sensitive = incidents["crime_type"].str.contains("sexual", case=False).to_numpy(bool)
    assert sensitive.sum() > 1000
    incidents.loc[sensitive, "sensitive"] = True
    incidents.loc[sensitive, "location"] = "On or near Secret Close"
    result = analyse(incidents, study_area=datasets.DACORUM, forecast_coverage=None)
    names = pd.concat([result.cells["place"], result.profiles["place"]]).astype(str)
    assert not names.str.contains("Secret Close").any()
    # The one naming function drops them itself, whoever calls it.
    only = pd.DataFrame({"location": ["On or near Secret Close"] * 6, "sensitive": [True] * 6})
    centres = pd.DataFrame({"x": [0.0], "y": [0.0]}, index=[1])
    named = place_names(only, np.ones(6, int), centres, None, crs="EPSG:27700")
    assert named.tolist() == ["unnamed place"]


def test_a_house_address_from_an_exact_coordinate_log_never_names_a_place() -> None:
    # a council log: one harassment report at a home address, and a street seen at 3 points
    inc = pd.DataFrame(
        {
            "location": ["14 Acacia Avenue (flat 2)"] * 4 + ["High Street"] * 3,
            "source": "council",
            "x": [10.0, 10.0, 10.2, 10.0, 0.0, 50.0, 100.0],
            "y": [5.0, 5.0, 5.1, 5.0, 0.0, 0.0, 0.0],
            "sensitive": False,
        }
    )
    centres = pd.DataFrame({"x": [0.0, 0.0], "y": [0.0, 0.0]}, index=[1, 2])
    groups = np.array([1, 1, 1, 1, 2, 2, 2])
    named = place_names(inc, groups, centres, None, crs="EPSG:27700")
    assert named.tolist() == ["unnamed place", "High Street"]
    # the same text from police.uk (public, snapped map points) names its place
    public = inc.assign(source="police.uk")
    named = place_names(public, groups, centres, None, crs="EPSG:27700")
    assert named.tolist() == ["14 Acacia Avenue (flat 2)", "High Street"]


def test_a_named_house_from_an_exact_coordinate_log_never_names_a_place() -> None:
    """A house known by its name ("Rose Cottage, Bollin Way"), its reports clicked 30 m
    apart, is not a street: its text names no place (a street ending so does)."""
    houses = ["Rose Cottage, Bollin Way", "Manor Farm", "The Old Vicarage"]
    inc = pd.DataFrame(
        {
            "location": [h for h in houses for _ in range(4)] + ["Lodge Lane"] * 3,
            "source": "council",
            "x": [0.0, 30.0, 60.0, 30.0] * 3 + [0.0, 50.0, 100.0],
            "y": [0.0, 0.0, 0.0, 30.0] * 3 + [0.0, 0.0, 0.0],
            "sensitive": False,
        }
    )
    centres = pd.DataFrame({"x": [0.0] * 4, "y": [0.0] * 4}, index=[1, 2, 3, 4])
    groups = np.repeat([1, 2, 3, 4], [4, 4, 4, 3])
    named = place_names(inc, groups, centres, None, crs="EPSG:27700")
    assert named.tolist()[:3] == ["unnamed place"] * 3
    assert named.tolist()[3] == "Lodge Lane"


def test_a_place_whose_text_ends_with_its_ward_does_not_name_the_ward_twice() -> None:
    streets = pd.DataFrame({"street": ["King Street Precinct, Stretford", "High Street"],
                            "landmark": [None, None]})  # fmt: skip
    wards = np.array(["Stretford", "Stretford"], dtype=object)
    assert locality_names(streets, wards) == [
        "King Street Precinct, Stretford",
        "High Street, Stretford",
    ]


def test_the_web_map_tooltips_name_cells_and_clusters(analysis) -> None:
    m = folium.Map(tiles=None)
    cells = analysis.cells
    for layer in (
        maps.hex_layer(cells[cells["count"] > 0]),
        maps.gistar_layer(cells),
        maps.cluster_layer(analysis.profiles),
    ):
        layer.add_to(m)
    page = m.get_root().render()
    busiest = cells.sort_values("count", ascending=False)["place"].iloc[0]
    assert f"<b>{busiest}</b>" in page.replace("\\u003c", "<").replace("\\u003e", ">")
    cluster = analysis.profiles["place"].iloc[0]
    assert cluster in page


def test_a_server_that_never_answers_is_asked_once_per_worker(
    monkeypatch, analysis, wards, tmp_path
) -> None:
    silent = socket.socket()  # accepts connections (the kernel's backlog), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        port = silent.getsockname()[1]
        monkeypatch.setenv(maps.TILES_ENV, f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
        monkeypatch.setenv(tiles.TILE_CACHE_ENV, str(tmp_path / "cache"))
        report = _basemap_report(wards)
        fig = static_map_figure(analysis, wards, title="Dacorum")
    finally:
        silent.close()
    # one round of short timeouts (TIMEOUT_S, in parallel), then no more requests
    assert report.drawn == 0 and report.requests <= 4 < report.needed, report
    assert "timed out" in str(report.error)
    assert static_map.BASEMAP_OFF_NOTE in _texts(fig)


def _basemap_report(wards) -> tiles.TileReport:
    """The basemap drawn alone on a meeting-pack-sized map of ``wards`` (EPSG:27700)."""
    fig = Figure(figsize=(10, 7.5), dpi=160)
    ax = fig.add_axes((0.02, 0.07, 0.74, 0.81))
    west, south, east, north = wards.to_crs("EPSG:27700").total_bounds
    report = static_map.street_basemap(ax, (west, south, east, north), crs="EPSG:27700")
    assert report is not None
    return report


def test_the_standalone_map_writes_ward_names_and_hot_spot_streets(analysis, wards) -> None:
    page = maps.map_html(analysis_map(analysis, wards=wards))
    ranked = analysis.profiles.sort_values(["n_incidents", "cluster"], ascending=[False, True])
    street = ranked["place"].iloc[0].rsplit(", ", 1)[0]
    assert "hotspots-label-hot" in page and json.dumps(street)[1:-1] in page
    assert json.dumps(wards["area_name"].iloc[0])[1:-1] in page

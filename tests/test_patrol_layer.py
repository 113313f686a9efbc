"""Tests for hotspots.views.patrol_map on a real Dacorum plan (police.uk, Oct–Dec 2021).

The layer is rendered into a map and read back: the GeoJSON it sends to the browser is parsed,
and its popups with html.parser, so what is checked is what a user's browser would receive.
"""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.data import datasets
from hotspots.data.ingest import LoadResult
from hotspots.demo.load import load_demo_log
from hotspots.products.patrol import PatrolPlan, patrol_plan
from hotspots.views import maps
from hotspots.views.dashboard.offline import external_assets
from hotspots.views.patrol_map import map_view, patrol_layer

NASTY = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def plan(dacorum_load: LoadResult) -> PatrolPlan:
    return patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=6,
        run_backtest=False,
    )


@pytest.fixture(scope="module")
def log() -> gpd.GeoDataFrame:
    """The synthetic demo log: timed, with sensitive incidents."""
    return load_demo_log().incidents


def rendered(layer) -> str:
    m = maps.base_map((-0.75, 51.65, -0.35, 51.90))
    layer.add_to(m)
    return m.get_root().render()


def collections(page: str) -> list[dict]:
    """Every GeoJSON FeatureCollection the page draws, parsed."""
    found = re.findall(r"L\.geoJSON\((\{.*?\}), Object\.assign", page, flags=re.S)
    return [json.loads(text) for text in found]


class _Cells(HTMLParser):
    """The text of each <th>/<td> of a popup table, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("th", "td"):
            self._open = True
            self.cells.append("")

    def handle_endtag(self, tag):
        self._open = False

    def handle_data(self, data):
        if self._open:
            self.cells[-1] += data


def popup(html_text: str) -> tuple[dict[str, str], list[str]]:
    parser = _Cells()
    parser.feed(html_text)
    return dict(zip(parser.cells[::2], parser.cells[1::2], strict=True)), parser.tags


def test_one_outline_one_centre_and_one_label_per_locality(plan: PatrolPlan) -> None:
    page = rendered(patrol_layer(plan))
    outlines, centres = collections(page)
    n = len(plan.localities)
    assert len(outlines["features"]) == len(centres["features"]) == n == 6
    for feature, row in zip(outlines["features"], plan.localities.itertuples(), strict=True):
        drawn = shapely.geometry.shape(feature["geometry"])
        assert shapely.hausdorff_distance(drawn, row.geometry) < 2e-5  # 5 decimals, ~1 m
    xy = np.array([f["geometry"]["coordinates"] for f in centres["features"]])
    expected = plan.localities[["centre_lon", "centre_lat"]].to_numpy()
    np.testing.assert_allclose(xy, expected, atol=6e-6)
    icons = [json.loads(text) for text in re.findall(r'"html": ("(?:[^"\\]|\\.)*")', page)]
    labels = [
        re.fullmatch(r'<div class="hotspots-rank" style="[^"]*">(\d+)</div>', i) for i in icons
    ]
    assert [label.group(1) for label in labels] == [str(r) for r in plan.localities["rank"]]
    assert external_assets(maps.base_map((-1, 51, 0, 52)).add_child(patrol_layer(plan))) == []


def test_popups_and_tooltips_carry_the_plan(plan: PatrolPlan) -> None:
    outlines, centres = collections(rendered(patrol_layer(plan)))
    for o, c, row in zip(
        outlines["features"], centres["features"], plan.localities.itertuples(), strict=True
    ):
        assert o["properties"]["p"] == c["properties"]["p"]
        shown, _ = popup(c["properties"]["p"])
        assert shown["Locality"] == f"{row.rank}. {row.name}" == c["properties"]["t"]
        assert shown["Incidents"] == f"{row.incidents:,}"
        assert shown["Share of the area's incidents"] == f"{100 * row.share:.1f} %"
        assert shown["Peak months"] == row.windows  # police.uk: months, not hours
        assert shown["Dosage"] == row.dosage
        assert shown["Trend"] == row.trend
        assert "Peak days" not in shown  # month-only data have none


def test_names_are_escaped_in_the_map_html(plan: PatrolPlan) -> None:
    localities = plan.localities.copy()
    localities.loc[localities["rank"] == 1, "name"] = NASTY
    page = rendered(patrol_layer(dataclasses.replace(plan, localities=localities)))
    assert NASTY not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    _, centres = collections(page)
    shown, tags = popup(centres["features"][0]["properties"]["p"])
    assert shown["Locality"] == f"1. {NASTY}"  # the text survives, as text
    assert "img" not in tags
    assert centres["features"][0]["properties"]["t"] == "1. &lt;img src=x onerror=alert(1)&gt;"


def test_only_locality_centres_are_drawn_as_points(log: gpd.GeoDataFrame) -> None:
    timed = patrol_plan(log, study_area=datasets.DACORUM, top=5, run_backtest=False)
    assert log["sensitive"].any()  # the log has some
    page = rendered(patrol_layer(timed.localities))
    points = [
        f["geometry"]["coordinates"]
        for c in collections(page)
        for f in c["features"]
        if f["geometry"]["type"] == "Point"
    ]
    centres = timed.localities[["centre_lon", "centre_lat"]].round(5).to_numpy().tolist()
    assert points == centres
    shown, _ = popup(collections(page)[1]["features"][0]["properties"]["p"])
    assert shown["Peak windows"] == timed.localities["windows"].iloc[0]  # timed: hours


def test_incidents_and_bad_frames_are_refused(
    plan: PatrolPlan, log: gpd.GeoDataFrame, dacorum_load: LoadResult
) -> None:
    assert log["sensitive"].any()
    with pytest.raises(ValueError, match="never drawn as points"):
        patrol_layer(log)
    with pytest.raises(ValueError, match="not incidents"):
        patrol_layer(dacorum_load.incidents)  # police.uk: none flagged, still incidents
    with pytest.raises(ValueError, match=r"lack column\(s\) \['dosage'\]"):
        patrol_layer(plan.localities.drop(columns="dosage"))
    with pytest.raises(TypeError, match="PatrolPlan or its localities"):
        patrol_layer(plan.localities.drop(columns="geometry").to_dict())  # type: ignore[arg-type]


def test_timed_plan_shows_hours_and_an_empty_plan_draws_nothing(plan: PatrolPlan) -> None:
    timed = plan.localities.assign(
        peak_basis="hour", peak_days="Sat 30%, Fri 20%", windows="Sat 22:00–Sun 01:00"
    )
    _, centres = collections(rendered(patrol_layer(timed)))
    shown, _ = popup(centres["features"][0]["properties"]["p"])
    assert shown["Peak windows"] == "Sat 22:00–Sun 01:00"
    assert shown["Peak days"] == "Sat 30%, Fri 20%"
    empty = gpd.GeoDataFrame(plan.localities.iloc[:0])
    page = rendered(patrol_layer(empty))
    assert [len(c["features"]) for c in collections(page)] == [0, 0]
    assert "L.divIcon" not in page


@pytest.mark.parametrize("top", [1, 3, 10, 40])
def test_map_view_fits_the_localities_in_web_mercator(dacorum_load, top) -> None:
    plan = patrol_plan(
        dacorum_load.incidents,
        study_area="E07000096",
        period=("2021-10", "2021-12"),
        top=top,
        run_backtest=False,
    )
    (lat, lon), zoom = map_view(plan, width_px=800, height_px=560)
    west, south, east, north = plan.localities.to_crs("EPSG:3857").total_bounds
    centre = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(3857)[0]

    def fits(z: int) -> bool:
        metres_per_px = 2 * np.pi * 6378137 / (256 * 2**z)  # Web Mercator at zoom z
        return (east - west) / metres_per_px <= 800 and (north - south) / metres_per_px <= 560

    assert fits(zoom) and (zoom == 17 or not fits(zoom + 2))
    assert abs(centre.x - (west + east) / 2) < 1 and abs(centre.y - (south + north) / 2) < 200
    empty = dataclasses.replace(plan, localities=plan.localities.iloc[:0])
    assert map_view(empty) == (None, None)

"""One document stack (issue 9 item 2): the meeting pack, the patrol briefing and the CCTV
tasking sheet are built from the same static map, HTML page and PDF pages.

"The same code" is checked by recording which functions run (``sys.setprofile`` on the real
builds, nothing replaced); the outputs are checked independently: HTML parsed back with the
standard library, PDFs read with pypdf, PNGs decoded by Pillow. Text payloads (script tags,
Jinja2 and template syntax) must come out as the literal text everywhere.
"""

from __future__ import annotations

import dataclasses
import io
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pypdf
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from PIL import Image

from hotspots.analysis.analyse import Analysis, analyse
from hotspots.data import datasets
from hotspots.data.schema import BNG, incidents_from_xy
from hotspots.products.cctv import TaskingSheet, sheet_csv, tasking_sheet
from hotspots.products.patrol import PatrolPlan, patrol_plan, to_csv, to_geojson, to_kml
from hotspots.views.documents import html as page
from hotspots.views.documents import pdf, static_map
from hotspots.views.documents.briefing import (
    briefing_html,
    locality_map,
    overview_map,
    write_briefing_pdf,
)
from hotspots.views.documents.meeting_pack import (
    meeting_pack_html,
    meeting_pack_pdf,
    static_map_png,
)
from hotspots.views.documents.tasking_sheet import sheet_html, sheet_pdf

SCRIPT = "<script>alert(1)</script>"
TEMPLATE = "{{7*7}} {% if 1 %}x{% endif %} ${7*7}"
PAYLOADS = (SCRIPT, TEMPLATE)


@contextmanager
def calls(*functions: Callable) -> Iterator[Counter]:
    """Count the calls of ``functions`` (by their code objects) while the block runs."""
    codes = {f.__code__: f.__name__ for f in functions}
    seen: Counter = Counter()

    def profile(frame, event, arg) -> None:
        if event == "call" and frame.f_code in codes:
            seen[codes[frame.f_code]] += 1

    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(None)


class Parsed(HTMLParser):
    """Tags and text of a page (entities decoded, as a browser shows them)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.chunks: list[str] = []
        self._style = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self._style = tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def pdf_text(raw: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(raw))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def analysis(dacorum_load) -> Analysis:
    """Real Dacorum incidents, every location text replaced by the payloads."""
    incidents = dacorum_load.incidents.copy()
    incidents["location"] = np.where(np.arange(len(incidents)) % 2, SCRIPT, TEMPLATE)
    return analyse(incidents, study_area=datasets.DACORUM)


@pytest.fixture(scope="module")
def plan(dacorum_load) -> PatrolPlan:
    plan = patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=2,
        run_backtest=False,
    )
    localities = plan.localities.copy()
    localities["name"] = [SCRIPT, TEMPLATE][: len(localities)]
    localities["street"] = TEMPLATE
    return dataclasses.replace(plan, localities=localities)


@pytest.fixture(scope="module")
def sheet() -> TaskingSheet:
    origin = np.array([500_000.0, 200_000.0])
    incidents = incidents_from_xy(origin + np.array([[20.0, 0.0]] * 6), "Burglary")
    point = gpd.points_from_xy([origin[0]], [origin[1]], crs=BNG).to_crs(4326)[0]
    cameras = pd.DataFrame(
        [
            {"camera_id": "CAM-1", "name": SCRIPT, "location": TEMPLATE, "type": "fixed",
             "range_m": 100.0, "bearing_deg": 90.0, "fov_deg": 60.0, "lon": point.x,
             "lat": point.y, "status": "active"}
        ]
    )  # fmt: skip
    hotspots = gpd.GeoDataFrame(
        {"cluster": [TEMPLATE]}, geometry=[shapely.box(-1, 50, 1, 53)], crs=4326
    )
    made = tasking_sheet(incidents, cameras, hotspots)
    assert len(made.windows) == 1
    return made


# --------------------------------------------------------------------------- one stack


def _map_axes(fig: Figure):
    """The map axes of a figure: the one with an aspect ratio of 1 (metres both ways)."""
    return next(ax for ax in fig.axes if ax.get_aspect() == 1.0)


def test_every_static_map_has_the_one_north_arrow_and_scale_bar(analysis, plan, wards_4326):
    shared = (static_map.finish_map, static_map.north_arrow, static_map.scale_bar)
    with calls(*shared) as pack:
        png = static_map_png(analysis, wards_4326, title=SCRIPT, subtitle=TEMPLATE)
    with calls(*shared) as briefing:
        locality = locality_map(plan, 1)
        overview = overview_map(plan)
    assert pack == Counter(finish_map=1, north_arrow=1, scale_bar=1)
    assert briefing == Counter(finish_map=2, north_arrow=2, scale_bar=2)
    assert Image.open(io.BytesIO(png)).size == (1600, 1200)
    # A 700 m locality map: a fifth is 140 m, so the bar is 100 m; an arrow marked N.
    ax = _map_axes(locality)
    assert np.isclose(np.diff(ax.get_xlim())[0], 700.0)
    assert "100 m" in [t.get_text() for t in ax.texts]
    arrows = [c for c in ax.get_children() if isinstance(c, Annotation) and c.get_text() == "N"]
    assert len(arrows) == 1 and arrows[0].arrow_patch is not None
    width = np.diff(_map_axes(overview).get_xlim())[0]
    assert width > 10_000  # the district: a bar in km
    label = [t.get_text() for t in _map_axes(overview).texts if t.get_text().endswith(" km")]
    assert label == [f"{static_map.scale_length_m(width) / 1000:g} km"]


def test_every_document_is_a_page_of_the_one_shell_and_pdf(analysis, plan, sheet, wards_4326):
    shell = (page.page_html, page.table_html, page.esc)
    pages = (pdf.pdf_bytes, pdf.table_pages)
    png = static_map_png(analysis, wards_4326, title="JAG")
    builds = {
        "meeting pack": lambda: meeting_pack_html(
            analysis, wards_4326, title="JAG", period="Oct 2021", map_png=png
        ),
        "briefing": lambda: briefing_html(plan),
        "tasking sheet": lambda: sheet_html(sheet),
    }
    for name, build in builds.items():
        with calls(*shell) as seen:
            text = build()
        assert seen["page_html"] == 1 and seen["table_html"] >= 1 and seen["esc"] > 0, name
        assert page.BASE_CSS in text, name
    for name, build in {
        "meeting pack": lambda: meeting_pack_pdf(analysis, wards_4326, title="JAG", period="x"),
        "briefing": lambda: write_briefing_pdf(plan),
        "tasking sheet": lambda: sheet_pdf(sheet),
    }.items():
        with calls(*pages) as seen:
            raw = build()
        assert seen["pdf_bytes"] == 1 and seen["table_pages"] >= 1, name
        assert raw.startswith(b"%PDF-"), name


def test_no_document_has_its_own_map_page_or_pdf_code() -> None:
    root = Path(__file__).resolve().parents[1] / "hotspots"
    for path in root.rglob("*.py"):
        if path.parent.name == "documents":
            continue
        source = path.read_text(encoding="utf-8")
        for own in ("PdfPages", "def _scale_bar", "def _north_arrow", "<!DOCTYPE html>"):
            allowed = own == "<!DOCTYPE html>" and path.name == "maps.py"  # folium's map page
            assert allowed or own not in source, f"{path.relative_to(root)}: {own}"


# --------------------------------------------------------------------------- payloads


def test_payloads_are_text_in_every_html_page(analysis, plan, sheet, wards_4326) -> None:
    pack = meeting_pack_html(
        analysis,
        wards_4326,
        title=f"JAG {SCRIPT}",
        period=TEMPLATE,
        filters={"Wards": SCRIPT, TEMPLATE: TEMPLATE},
        map_png=static_map_png(analysis, wards_4326, title="JAG"),
    )
    pages = {
        "meeting pack": pack,
        "briefing": briefing_html(plan, title=f"Briefing {TEMPLATE}"),
        "tasking sheet": sheet_html(sheet, title=f"Week 47 {SCRIPT}"),
    }
    for name, text in pages.items():
        parsed = Parsed(text)
        assert "script" not in parsed.tags, name
        for payload in PAYLOADS:
            assert payload in parsed.text, (name, payload)
    assert (
        SCRIPT in Parsed(pack).text.split("Largest clusters of incidents", 1)[1]
    )  # places of the clusters


def test_payloads_are_text_in_every_pdf(analysis, plan, sheet, wards_4326) -> None:
    n, text = pdf_text(
        meeting_pack_pdf(analysis, wards_4326, title=f"JAG {SCRIPT}", period=TEMPLATE)
    )
    assert n >= 5 and SCRIPT in text and TEMPLATE in text
    n, text = pdf_text(write_briefing_pdf(plan))
    assert n == len(plan.localities) + 2
    assert f"1. {SCRIPT}" in text and f"2. {TEMPLATE}" in text
    n, text = pdf_text(sheet_pdf(sheet, title=f"Week 47 {TEMPLATE} {SCRIPT}"))
    assert n == 1 and f"Week 47 {TEMPLATE} {SCRIPT}" in text


# --------------------------------------------------------------------------- one convention


def test_every_writer_returns_bytes_and_writes_them_to_dest(
    analysis, plan, sheet, wards_4326, tmp_path
) -> None:
    writers = {
        "plan.csv": lambda dest: to_csv(plan, dest),
        "plan.geojson": lambda dest: to_geojson(plan, dest),
        "plan.kml": lambda dest: to_kml(plan, dest),
        "briefing.pdf": lambda dest: write_briefing_pdf(plan, dest),
        "sheet.csv": lambda dest: sheet_csv(sheet, dest),
        "sheet.pdf": lambda dest: sheet_pdf(sheet, dest),
        "map.png": lambda dest: static_map_png(analysis, wards_4326, title="x", dest=dest),
    }
    for name, write in writers.items():
        raw = write(tmp_path / name)
        assert isinstance(raw, bytes) and len(raw) > 100, name
        assert (tmp_path / name).read_bytes() == raw, name
        assert not (tmp_path / f"again-{name}").exists()
        assert isinstance(write(None), bytes), name


@pytest.fixture(scope="module")
def wards_4326(dacorum_wards) -> gpd.GeoDataFrame:
    return dacorum_wards


def test_old_names_still_give_the_moved_functions() -> None:
    from hotspots.views.documents import briefing, tasking_sheet
    from hotspots.views.patrol_files import write_plan_files

    with pytest.warns(DeprecationWarning, match="briefing_html moved"):
        from hotspots.products.patrol import briefing_html as old_briefing
    with pytest.warns(DeprecationWarning, match="write_plan_files moved"):
        from hotspots.products.patrol import write_plan_files as old_files
    with pytest.warns(DeprecationWarning, match="sheet_html moved"):
        from hotspots.products.cctv import sheet_html as old_sheet
    assert old_briefing is briefing.briefing_html and old_files is write_plan_files
    assert old_sheet is tasking_sheet.sheet_html
    with pytest.raises(ImportError):
        from hotspots.products.patrol import no_such_name  # noqa: F401

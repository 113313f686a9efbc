"""Tests for the patrol plan exports (KML, GeoJSON, CSV), the briefing (HTML, PDF) and the
``hotspots patrol-plan`` command, on a small real Dacorum plan.

KML is parsed back with xml.etree and checked against the KML 2.2 structure it must have;
GeoJSON is read back with geopandas; the HTML is parsed with html.parser.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pypdf
import pytest
import shapely
import xmlschema

from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.ingest import LoadResult
from hotspots.demo.load import load_demo_log
from hotspots.products.patrol import (
    PatrolPlan,
    kml_document,
    patrol_plan,
    to_csv,
    to_geojson,
    to_kml,
    to_notes,
)
from hotspots.products.patrol.export import KML_NS, TABLE_COLUMNS
from hotspots.products.patrol.harm import HARM_SCORE, harm_score_words
from hotspots.products.patrol.table import display_table, month_only
from hotspots.products.peak_times import Focus, peak_times
from hotspots.views.cli import main
from hotspots.views.documents.briefing import briefing_html, days_note, write_briefing_pdf

K = f"{{{KML_NS}}}"
_TUPLE = r"-?\d+(\.\d+)?,-?\d+(\.\d+)?(,-?\d+(\.\d+)?)?"

KML_SUBSET_XSD = rf"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:kml="{KML_NS}"
           targetNamespace="{KML_NS}" elementFormDefault="qualified">
  <!-- The subset of the OGC KML 2.2 schema (07-147r2) that a patrol plan uses, with the
       element order and the required parts of the official schema. -->
  <xs:simpleType name="point">
    <xs:restriction base="xs:string"><xs:pattern value="\s*{_TUPLE}\s*"/></xs:restriction>
  </xs:simpleType>
  <xs:simpleType name="ring">
    <xs:restriction base="xs:string">
      <xs:pattern value="\s*({_TUPLE}\s+){{3,}}{_TUPLE}\s*"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="LinearRing">
    <xs:sequence><xs:element name="coordinates" type="kml:ring"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="Boundary">
    <xs:sequence><xs:element name="LinearRing" type="kml:LinearRing"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="Polygon">
    <xs:sequence>
      <xs:element name="outerBoundaryIs" type="kml:Boundary"/>
      <xs:element name="innerBoundaryIs" type="kml:Boundary" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Point">
    <xs:sequence><xs:element name="coordinates" type="kml:point"/></xs:sequence>
  </xs:complexType>
  <xs:complexType name="MultiGeometry">
    <xs:sequence>
      <xs:element name="Polygon" type="kml:Polygon" minOccurs="2" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Data">
    <xs:sequence><xs:element name="value" type="xs:string"/></xs:sequence>
    <xs:attribute name="name" type="xs:string" use="required"/>
  </xs:complexType>
  <xs:complexType name="ExtendedData">
    <xs:sequence>
      <xs:element name="Data" type="kml:Data" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Placemark">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="description" type="xs:string"/>
      <xs:element name="styleUrl" type="xs:anyURI"/>
      <xs:element name="ExtendedData" type="kml:ExtendedData"/>
      <xs:choice>
        <xs:element name="Point" type="kml:Point"/>
        <xs:element name="Polygon" type="kml:Polygon"/>
        <xs:element name="MultiGeometry" type="kml:MultiGeometry"/>
      </xs:choice>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Folder">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="Placemark" type="kml:Placemark" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Style">
    <xs:sequence>
      <xs:any namespace="##targetNamespace" processContents="skip" maxOccurs="unbounded"/>
    </xs:sequence>
    <xs:attribute name="id" type="xs:ID" use="required"/>
  </xs:complexType>
  <xs:element name="kml">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="Document">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="name" type="xs:string"/>
              <xs:element name="description" type="xs:string"/>
              <xs:element name="Style" type="kml:Style" maxOccurs="unbounded"/>
              <xs:element name="Folder" type="kml:Folder" maxOccurs="unbounded"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""
NASTY = 'Fish & Chips <b>"Corner"</b>'


@pytest.fixture(scope="module")
def plan(dacorum_load: LoadResult) -> PatrolPlan:
    plan = patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=3,
        run_backtest=False,
    )
    localities = plan.localities.copy()
    localities.loc[localities["rank"] == 2, "name"] = NASTY  # text a user could have typed
    return dataclasses.replace(plan, localities=localities)


def coords(text: str) -> np.ndarray:
    return np.array([[float(v) for v in pair.split(",")] for pair in text.split()])


def test_kml_parses_back_with_the_required_structure(plan: PatrolPlan, tmp_path: Path) -> None:
    path = tmp_path / "plan.kml"
    raw = to_kml(plan, path)
    assert path.read_bytes() == raw
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = ET.parse(path).getroot()
    assert root.tag == f"{K}kml"
    documents = root.findall(f"{K}Document")
    assert len(documents) == 1
    folders = documents[0].findall(f"{K}Folder")
    assert [f.findtext(f"{K}name") for f in folders] == ["Patrol localities", "Locality centres"]
    outlines = folders[0].findall(f"{K}Placemark")
    centres = folders[1].findall(f"{K}Placemark")
    assert len(outlines) == len(centres) == len(plan.localities)
    for mark, row in zip(outlines, plan.localities.itertuples(), strict=True):
        assert mark.findtext(f"{K}name") == f"{row.rank}. {row.name}"
        # element order of a KML 2.2 Feature: name, description, styleUrl, ExtendedData, geometry
        assert [child.tag.removeprefix(K) for child in mark] == [
            "name", "description", "styleUrl", "ExtendedData", "Polygon",
        ]  # fmt: skip
        ring = mark.find(f"{K}Polygon/{K}outerBoundaryIs/{K}LinearRing/{K}coordinates")
        xy = coords(ring.text)
        assert xy.shape[1] == 2 and len(xy) >= 4
        np.testing.assert_array_equal(xy[0], xy[-1])  # closed ring
        polygon = shapely.Polygon(xy)
        assert polygon.exterior.is_ccw  # KML asks for counter-clockwise outer rings
        expected = row.geometry
        assert shapely.hausdorff_distance(polygon, expected) < 2e-6  # degrees, ~0.2 m
        data = {d.get("name"): d.findtext(f"{K}value") for d in mark.iter(f"{K}Data")}
        assert int(data["incidents"]) == row.incidents
    for mark, row in zip(centres, plan.localities.itertuples(), strict=True):
        lon, lat = coords(mark.find(f"{K}Point/{K}coordinates").text)[0]
        assert lon == pytest.approx(row.centre_lon, abs=1e-6)
        assert lat == pytest.approx(row.centre_lat, abs=1e-6)


def test_kml_validates_against_the_kml22_subset_schema(plan: PatrolPlan, tmp_path: Path) -> None:
    schema = xmlschema.XMLSchema(KML_SUBSET_XSD)
    path = tmp_path / "plan.kml"
    to_kml(plan, path)
    schema.validate(str(path))
    # the schema can fail: a ring of three points, or a Placemark without a name, is refused
    tree = ET.parse(path)
    ring = next(tree.getroot().iter(f"{K}coordinates"))
    ring.text = "0,0 1,0 0,0"
    assert not schema.is_valid(tree)
    tree = ET.parse(path)
    mark = next(tree.getroot().iter(f"{K}Placemark"))
    mark.remove(mark.find(f"{K}name"))
    assert not schema.is_valid(tree)


def test_kml_escapes_names_and_descriptions(plan: PatrolPlan, tmp_path: Path) -> None:
    path = tmp_path / "plan.kml"
    to_kml(plan, path)
    text = path.read_text(encoding="utf-8")
    assert "<b>" not in text and "&lt;b&gt;" in text and "Fish &amp; Chips" in text
    names = [m.findtext(f"{K}name") for m in ET.parse(path).getroot().iter(f"{K}Placemark")]
    assert f"2. {NASTY}" in names  # round trip: the parser gives back exactly what was typed
    description = kml_document(plan).getroot().find(f"{K}Document/{K}description").text
    assert html.unescape(description) == "\n".join(plan.limits)


HOSTILE_TYPE = "<img src=x onerror=alert(1)>"
HOSTILE_PLACE = '<script>alert("x")</script> & <a href="http://evil.example">Click</a>'


def test_kml_text_from_the_data_shows_as_text_in_a_viewer(dacorum_load: LoadResult) -> None:
    """Crime types, sources and street names from a file are HTML-escaped text in every
    description (a viewer renders it as HTML) and the balloon shows nothing else."""
    incidents = dacorum_load.incidents.copy()
    incidents["crime_type"] = incidents["crime_type"].astype(object)
    incidents["location"] = incidents["location"].astype(object)
    anti = incidents["category"].astype(str) == "Anti-social behaviour"
    incidents.loc[anti, "crime_type"] = HOSTILE_TYPE  # a type the harm weights lack
    incidents["location"] = HOSTILE_PLACE
    hostile = patrol_plan(
        incidents, study_area=datasets.DACORUM, period=("2021-10", "2021-12"), top=3,
        run_backtest=False,
    )  # fmt: skip
    root = ET.fromstring(to_kml(hostile))
    descriptions = [e.text or "" for e in root.iter(f"{K}description")]
    assert len(descriptions) == 1 + 2 * len(hostile.localities)
    limits = descriptions[0]
    assert HOSTILE_TYPE in "\n".join(hostile.limits)  # the plan names the type …
    assert html.unescape(limits) == "\n".join(hostile.limits)  # … and the viewer shows it
    marks = list(root.iter(f"{K}Placemark"))
    assert any(HOSTILE_PLACE in (m.findtext(f"{K}name") or "") for m in marks)
    for text in descriptions:  # as a viewer reads it: XML-unescaped, then rendered as HTML
        assert "<" not in text and ">" not in text and '"' not in text
        assert not re.search(r"&(?!(amp|lt|gt|quot|#x27);)", text)  # every & an entity
    assert any(HOSTILE_PLACE in html.unescape(t) for t in descriptions[1:])
    balloons = [s.findtext(f"{K}BalloonStyle/{K}text") for s in root.iter(f"{K}Style")]
    assert balloons == ["$[description]"] * 2  # neither $[name] nor the data table


def test_geojson_round_trip(plan: PatrolPlan, tmp_path: Path) -> None:
    to_geojson(plan, tmp_path / "plan.geojson")
    back = gpd.read_file(tmp_path / "plan.geojson")
    assert back.crs.to_epsg() == 4326
    assert back["rank"].tolist() == plan.localities["rank"].tolist()
    assert back["name"].tolist() == plan.localities["name"].tolist()
    assert back["incidents"].tolist() == plan.localities["incidents"].tolist()
    np.testing.assert_allclose(back["share"], plan.localities["share"])
    gaps = shapely.hausdorff_distance(back.geometry.to_numpy(), plan.localities.geometry.to_numpy())
    assert gaps.max() < 2e-6


def test_csv_round_trip(plan: PatrolPlan, tmp_path: Path) -> None:
    raw = to_csv(plan, tmp_path / "plan.csv")
    assert (tmp_path / "plan.csv").read_bytes() == raw
    back = pd.read_csv(io.BytesIO(raw))
    assert back.columns.tolist() == TABLE_COLUMNS
    assert back["incidents"].tolist() == plan.localities["incidents"].tolist()
    assert back["name"].tolist() == plan.localities["name"].tolist()
    assert "geometry" not in back.columns  # a table of places: no incident coordinates


class _Briefing(HTMLParser):
    """Collects the plan table rows, the images and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.in_plan = False
        self.rows: list[list[str]] = []
        self.images: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "table" and values.get("class") == "plan":
            self.in_plan = True
        if tag == "tr" and self.in_plan:
            self.rows.append([])
        if tag == "img":
            self.images.append(values.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_plan = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.in_plan and self.rows and self.tags[-1] == "td":
            self.rows[-1].append(data)


def test_html_briefing_has_the_table_maps_and_escaped_text(plan: PatrolPlan) -> None:
    page = briefing_html(plan)
    parser = _Briefing()
    parser.feed(page)
    body = [row for row in parser.rows if row]  # the header row holds th cells only
    assert len(body) == len(plan.localities)
    assert [row[1] for row in body] == plan.localities["name"].tolist()
    assert [int(row[2]) for row in body] == plan.localities["incidents"].tolist()
    assert len(parser.images) == len(plan.localities) + 1  # overview + one per locality
    for src in parser.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<b>" not in page and "Fish &amp; Chips &lt;b&gt;" in page
    text = " ".join(parser.text)
    for limit in plan.limits:
        assert limit in text
    assert page.count('class="locality"') == len(plan.localities)


def test_pdf_briefing_has_a_page_per_locality(plan: PatrolPlan, tmp_path: Path) -> None:
    path = tmp_path / "briefing.pdf"
    raw = write_briefing_pdf(plan, path)
    assert raw.startswith(b"%PDF-") and path.read_bytes() == raw
    reader = pypdf.PdfReader(io.BytesIO(raw))
    assert len(reader.pages) == len(plan.localities) + 2  # table and limits, overview, localities
    first = reader.pages[0].extract_text()
    assert "Patrol briefing" in first and "Koper" in first
    for page, row in zip(reader.pages[2:], plan.localities.itertuples(), strict=True):
        text = page.extract_text()
        assert f"{row.rank}." in text and f"Incidents: {row.incidents}" in text


def test_command_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    status = main(
        [
            "patrol-plan", str(datasets.demo_path("policeuk")), "--study-area",
            datasets.DACORUM, "--from", "2021-11", "--to", "2021-12", "--top", "2",
            "--no-pdf", "--out", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["briefing.html", "plan.csv", "plan.geojson", "plan.json", "plan.kml"]
    table = pd.read_csv(out / "plan.csv")
    assert table["rank"].tolist() == [1, 2]
    # the CSV's companion: where the localities come from and how well that predicted
    notes = json.loads((out / "plan.json").read_text("utf-8"))
    assert notes["method"] == "forecast" and notes["columns"] == list(table.columns)
    figures = notes["backtest"]["forecast"]
    assert figures["month"] == "2022-01" and figures["folds"] >= 3
    said = f"held {100 * figures['hit_rate']:.0f} % of the next month's crime"
    assert said in figures["backtest"]
    assert any(said in limit for limit in notes["limits"])
    geojson = json.loads((out / "plan.geojson").read_text("utf-8"))
    assert geojson["backtest"] == notes["backtest"] and geojson["method"] == "forecast"
    assert any(said in limit for limit in geojson["limits"])
    assert said in html.unescape((out / "briefing.html").read_text("utf-8"))
    kml = ET.parse(out / "plan.kml").getroot()
    assert len(list(kml.iter(f"{K}Placemark"))) == 4


def test_command_explains_bad_periods(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args = ["patrol-plan", str(datasets.demo_path("policeuk")), "--study-area", datasets.DACORUM]
    assert main([*args, "--from", "2021-11", "--out", str(tmp_path)]) == 2
    assert "both --from and --to" in capsys.readouterr().err
    assert main([*args, "--from", "2019-01", "--to", "2019-02", "--out", str(tmp_path)]) == 1
    assert "outside the data" in capsys.readouterr().err


def _plan_headers(page: str) -> list[str]:
    table = page.split('<table class="plan"', 1)[1].split("</thead>", 1)[0]
    return [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]


def test_the_briefing_says_why_police_uk_data_give_no_peak_days(plan: PatrolPlan) -> None:
    assert month_only(plan)
    page = briefing_html(plan)
    assert "Peak days" not in _plan_headers(page)  # no empty column
    note = days_note(plan)
    assert note.startswith("No peak days: ") and html.escape(note) in page
    assert "Peak days" not in page.split("<h2>Limits</h2>")[1]  # nor an empty detail
    first = pypdf.PdfReader(io.BytesIO(write_briefing_pdf(plan))).pages[0].extract_text()
    assert "No peak days" in " ".join(first.split())


def test_the_briefing_names_each_locality_s_peak_days_from_its_own_incidents() -> None:
    log = load_demo_log().incidents
    timed = patrol_plan(log, study_area=datasets.DACORUM, top=4, run_backtest=False)
    assert not month_only(timed) and days_note(timed) == ""
    page = briefing_html(timed)
    headers = _plan_headers(page)
    assert "Peak days" in headers
    parser = _Briefing()
    parser.feed(page)
    body = [row for row in parser.rows if row]
    column = headers.index("Peak days")
    shown = [row[column] for row in body]
    assert shown == timed.localities["peak_days"].tolist()
    # The weekday profile of the incidents in each outline, as the When page draws it.
    months = timed.metadata["months"]
    period = log[log["month"].dt.strftime("%Y-%m").isin(months)]
    spatial = mappable(period)
    crs = timed.metadata["working_crs"]
    points = gpd.points_from_xy(spatial["x"], spatial["y"])
    for days, outline in zip(shown, timed.localities.to_crs(crs).geometry, strict=True):
        inside = spatial[shapely.contains_xy(outline, shapely.get_x(points), shapely.get_y(points))]
        weekdays = peak_times(inside, Focus()).profile.by_weekday
        share = (weekdays / weekdays.sum()).sort_values(ascending=False, kind="stable")
        assert days.split(", ")[0] == f"{share.index[0]} {100 * share.iloc[0]:.0f}%", days


def test_the_harm_score_says_what_it_is_wherever_it_shows(plan: PatrolPlan) -> None:
    """The dashboard's table, the CSV and its notes, and the briefing name the harm total the
    same way, with its meaning in plain words (not a bare "Harm" without a unit)."""
    words = harm_score_words(plan.metadata["harm_source"])
    assert words.startswith("Harm score (crime severity weighted): ")
    assert "severity weight of its crime type" in words
    assert HARM_SCORE in display_table(plan).columns and "Harm" not in display_table(plan).columns
    assert "harm_score" in pd.read_csv(io.BytesIO(to_csv(plan))).columns
    assert f"{words}." in json.loads(to_notes(plan))["limits"]
    page = html.unescape(briefing_html(plan))
    assert f"<th>{HARM_SCORE}</th>" in page and f"{words}." in page

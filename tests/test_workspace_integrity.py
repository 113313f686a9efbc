"""A workspace stays whole: an ``add`` that fails says so on the Data page without the
server's folders.

Small police.uk street CSVs written here, their points at Leeds wards' representative points
(national boundary pack).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from hotspots.data import boundaries
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init

LEEDS = "E08000035"


def _street_csv(path: Path, n: int, *, ids: list[str] | None = None, prefix: str = "wy") -> Path:
    """A police.uk street CSV of April 2018 at ``path``: ``n`` burglaries, Crime IDs
    ``prefix-i`` (``ids`` first, when given)."""
    wards = boundaries.district(LEEDS).wards.representative_point()
    points = wards.iloc[[i % len(wards) for i in range(n)]]
    crime_ids = [*(ids or []), *(f"{prefix}-{i}" for i in range(n))][:n]
    rows = [
        {"Crime ID": crime_id, "Month": "2018-04", "Reported by": "West Yorkshire Police",
         "Falls within": "West Yorkshire Police", "Longitude": f"{p.x:.6f}",
         "Latitude": f"{p.y:.6f}", "Location": "On or near Test Street", "LSOA code": "",
         "LSOA name": "", "Crime type": "Burglary", "Last outcome category": "", "Context": ""}
        for crime_id, p in zip(crime_ids, points, strict=True)
    ]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return path


def _workspace(tmp_path: Path, rows: int = 100) -> Path:
    """A Leeds workspace holding West Yorkshire's April 2018: ``rows`` incidents."""
    root = tmp_path / "ws"
    init(root, area=LEEDS)
    add(root, [_street_csv(tmp_path / "wy" / "2018-04-west-yorkshire-street.csv", rows)])
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the workspace's ``data/`` folder and its bytes (but the dashboard's
    store, ``hotspots.sqlite``: no part of what ``add`` writes)."""
    data = root / "data"
    files = (p for p in data.rglob("*") if p.is_file() and "sqlite" not in p.name)
    return {str(p.relative_to(data)): p.read_bytes() for p in files}


def _parts(root: Path) -> dict:
    return json.loads((root / "data" / "manifest.json").read_text())["partitions"]


def _data_page() -> None:
    from hotspots.views.dashboard.page_data import render

    render()


def test_the_data_page_names_no_server_folder_when_an_add_fails(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    root = _workspace(tmp_path)
    may = _street_csv(tmp_path / "in" / "2018-05-west-yorkshire-street.csv", 3, prefix="may")
    may.write_text(may.read_text().replace("2018-04", "2018-05"))
    (root / "data" / "police-uk" / "2018-05").write_text("in the way")
    before = _snapshot(root)
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))
    page = AppTest.from_function(_data_page, default_timeout=180).run()
    page.file_uploader(key="upload_files").set_value((may.name, may.read_bytes(), "text/csv"))
    page.run().button(key="upload_add").click().run()
    assert not page.exception
    (error,) = [e.value.replace("\\", "") for e in page.error]  # Markdown escapes left out
    assert "File exists: 'ws/data/police-uk/2018-05'" in error and str(tmp_path) not in error
    assert _snapshot(root) == before

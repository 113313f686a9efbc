"""Upload on the Data page of a workspace, reload, restart: the data are still there.

A CSP analyst outside Hertfordshire (Leeds, E08000035) opens the dashboard on a workspace
holding April 2018, uploads June 2018's police.uk street CSV through the file uploader and sees
the load report. The month and its records are still listed and counted after a browser reload
and after the server is stopped and started again on the same workspace. May 2018 was never
loaded: the When page shows it as "no data", not as a month without crime.

Expected counts are those of the files written here. Screenshots: ``test-output/upload_*.png``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from playwright.sync_api import Page, expect

from hotspots.data import boundaries
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init, open_workspace

from .conftest import REPO, OfflinePage, screenshot, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = REPO / "app.py"
LEEDS = "E08000035"
TIMEOUT = 180_000  # ms: the first run imports the stack and reads the workspace


def _street_csv(folder: Path, month: str, n: int, seed: int) -> Path:
    """``n`` police.uk street-level records at random points of Leeds in ``month``."""
    outline = shapely.union_all(boundaries.district(LEEDS).wards.geometry.to_numpy())
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = outline.bounds
    xy = rng.uniform((minx, miny), (maxx, maxy), size=(8 * n, 2))
    xy = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])][:n]
    assert len(xy) == n
    rows = pd.DataFrame({c: "" for c in STREET_COLUMNS}, index=range(n))
    rows["Crime ID"] = [f"{month}-{i:04d}" for i in range(n)]
    rows["Month"] = month
    rows["Reported by"] = rows["Falls within"] = "West Yorkshire Police"
    rows["Longitude"], rows["Latitude"] = xy[:, 0].round(6), xy[:, 1].round(6)
    rows["Location"] = "On or near Briggate"
    rows["Crime type"] = np.where(np.arange(n) % 3 == 0, "Burglary", "Anti-social behaviour")
    path = folder / f"{month}-west-yorkshire-street.csv"
    rows.to_csv(path, index=False)
    return path


def _metric(page: Page, label: str):
    return page.locator('[data-testid="stMetric"]', has_text=label).locator(
        '[data-testid="stMetricValue"]'
    )


def _check_data_page(page: Page, url: str, *, total: int, shot: str) -> None:
    """The Data page counts ``total`` incidents and its load report lists both months."""
    page.goto(f"{url}/data")
    expect(_metric(page, "Incidents kept")).to_have_text(f"{total:,}", timeout=TIMEOUT)
    report = page.locator('[data-testid="stExpander"]', has_text="Load report")
    report.locator("summary").click()
    expect(report).to_contain_text("2018-04 … 2018-06 (2 months)", timeout=TIMEOUT)
    expect(report).to_contain_text(f"rows kept             {total:,}")
    screenshot(page, shot)


def test_upload_survives_a_reload_and_a_restart(
    offline_page: OfflinePage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    april = _street_csv(files, "2018-04", 120, seed=1)
    june = _street_csv(files, "2018-06", 90, seed=2)
    root = tmp_path / "leeds"
    init(root, area="Leeds", title="Leeds CSP")
    add(root, [april])
    monkeypatch.setenv("HOTSPOTS_WORKSPACE", str(root))  # as `hotspots dashboard DIR` does
    page = offline_page.page

    with streamlit_app(APP, timeout=120) as url:
        page.goto(f"{url}/data")
        expect(_metric(page, "Incidents kept")).to_have_text("120", timeout=TIMEOUT)
        expect(page.get_by_text("Workspace: leeds.")).to_be_visible()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(june))
        page.get_by_role("button", name="Add to the workspace").click()
        expect(page.get_by_text("Added to the workspace.")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator('[data-testid="stCode"]').first).to_contain_text(
            "added police.uk 2018-06 (West Yorkshire): 90 incidents", timeout=TIMEOUT
        )
        expect(_metric(page, "Incidents kept")).to_have_text("210", timeout=TIMEOUT)
        screenshot(page, "upload_added")

        page.reload()  # a new browser session: no upload kept in it, the workspace holds it
        _check_data_page(page, url, total=210, shot="upload_after_reload")

        # The month never loaded is "no data" on the When page, not zero.
        page.goto(f"{url}/when")
        expect(page.get_by_text("No data for May 2018")).to_be_visible(timeout=TIMEOUT)
        chart = page.locator('[data-testid="stVegaLiteChart"]')
        expect(chart.locator("svg text", has_text="no data")).to_have_count(1, timeout=TIMEOUT)
        for series in ("Selected months", "A year earlier"):  # the legend says which line is which
            expect(chart.locator("svg text", has_text=series)).to_have_count(1)
        expect(page.get_by_text("Peak windows")).to_be_visible()
        expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1, timeout=TIMEOUT)
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("210 incidents")
        screenshot(page, "upload_when_gap")

    saved = open_workspace(root)
    assert [str(m) for m in saved.coverage.months()] == ["2018-04", "2018-06"]
    assert len(saved.incidents) == 210
    assert sorted(saved.incidents["month"].dt.strftime("%Y-%m").value_counts().items()) == [
        ("2018-04", 120),
        ("2018-06", 90),
    ]

    with streamlit_app(APP, timeout=120) as url:  # the server restarted on the same workspace
        _check_data_page(page, url, total=210, shot="upload_after_restart")
    assert not offline_page.errors, offline_page.errors

""" "Same period last year" is the same months a year earlier, or no comparison, saying why.

It was the nearest covered month within three of them: a Leeds workspace whose police.uk data
start in Jan 2024 compared Nov 2024 with Jan 2024 "(same period last year)".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hotspots.data import boundaries
from hotspots.data.coverage import Coverage
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, init, open_workspace
from hotspots.products import area_view, measures
from hotspots.views.cli import main

LEEDS = "E08000035"
MONTHS = [str(m) for m in pd.period_range("2024-01", "2024-11", freq="M")]
NO_YEAR = "no same period last year: no data for Nov 2023 (the data start in Jan 2024)"


def _street_csv(folder: Path, month: str, n: int) -> str:
    """``month``'s West Yorkshire street CSV: ``n`` burglaries, one a ward in turn."""
    points = boundaries.district(LEEDS).wards.representative_point()
    rows = [
        {"Crime ID": f"{month}-{i}", "Month": month, "Reported by": "West Yorkshire Police",
         "Falls within": "West Yorkshire Police", "Longitude": f"{p.x:.6f}",
         "Latitude": f"{p.y:.6f}", "Location": "On or near Test Street", "Crime type": "Burglary"}
        for i, p in ((i, points.iloc[i % len(points)]) for i in range(n))
    ]  # fmt: skip
    path = folder / f"{month}-west-yorkshire-street.csv"
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def leeds(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("leeds_from_jan")
    root = base / "ws"
    init(root, area=LEEDS, title="Leeds CSP")
    add(root, [_street_csv(base, m, 60 + 9 * k) for k, m in enumerate(MONTHS)])
    return root


def test_last_year_is_the_same_months_a_year_earlier_or_none():
    from_jan = Coverage({"police.uk": MONTHS})
    assert from_jan.comparable(("2024-11", "2024-11"), kind="last_year") == (
        None, "no data for Nov 2023 (the data start in Jan 2024)")  # fmt: skip
    # Nov 2023 missing among years of data: not Oct or Dec 2023 instead
    gap = Coverage({"police.uk": [m for m in pd.period_range("2022-01", "2024-11", freq="M")
                                  if str(m) != "2023-11"]})  # fmt: skip
    assert gap.comparable(("2024-11", "2024-11"), kind="last_year") == (
        None, "no data for Nov 2023, so Nov 2024 is not compared with last year")  # fmt: skip
    assert gap.comparable(("2024-10", "2024-10"), kind="last_year") == (
        (pd.Period("2023-10", "M"),) * 2, None)  # fmt: skip


def test_changes_wards_and_headline_measures_make_no_last_year_of_this_year(
    leeds, tmp_path, capsys
):
    changes, wards = tmp_path / "changes.csv", tmp_path / "wards.csv"
    assert main(["changes", str(leeds), "--month", "2024-11", "--csv", str(changes)]) == 0
    assert main(["wards", str(leeds), "--month", "2024-11", "--csv", str(wards)]) == 0
    said = capsys.readouterr().out
    assert said.count(NO_YEAR) == 2
    assert "vs Jan 2024" not in said and "with Jan 2024" not in said
    rows = pd.read_csv(changes)
    assert set(rows["compared_with"]) == {"previous period"}
    assert set(rows["period"]) == {"Oct 2024"}
    table = pd.read_csv(wards, keep_default_na=False)
    assert set(table["compared_with_last_year"]) == {""}
    assert set(table["last_year"]) == {""}
    data = open_workspace(leeds)
    head = measures.headline_measures(
        data.incidents, current=("2024-11", "2024-11"), coverage=data.coverage
    )
    assert head.attrs["last_year_period"] == "Nov 2023"
    assert head["last_year"].isna().all() and NO_YEAR in head.attrs["notes"]
    periods = area_view.periods_used(measures.comparison_periods(("2024-11", "2024-11")),
                                     data.coverage)  # fmt: skip
    assert periods.label("last_year") == "Nov 2023"
    assert not area_view.compares_last_year(periods, data.coverage)

"""Workspaces: a council formed since 2019 as a workspace's area.

Small police.uk street CSVs, their points at wards' representative points from the national
boundary pack.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hotspots.data import boundaries
from hotspots.data.ingest.policeuk import STREET_COLUMNS
from hotspots.data.workspace import add, read_workspace
from hotspots.views.cli import main

LEEDS = "E08000035"


def _points(district: str, n: int) -> list[tuple[float, float]]:
    """``n`` lon/lat points inside ``district``'s wards (one per ward, in turn)."""
    wards = boundaries.district(district).wards.representative_point()
    return [(wards.iloc[i % len(wards)].x, wards.iloc[i % len(wards)].y) for i in range(n)]


def _street_csv(folder: Path, month: str, force: str, n: int, district: str = LEEDS) -> Path:
    """``month``'s police.uk street CSV of ``force`` (file-name form): ``n`` burglaries."""
    name = force.replace("-", " ").title() + " Police"
    rows = [
        {"Crime ID": f"{force}-{month}-{i}", "Month": month, "Reported by": name,
         "Falls within": name, "Longitude": f"{lon:.6f}", "Latitude": f"{lat:.6f}",
         "Location": "On or near Test Street", "LSOA code": "", "LSOA name": "",
         "Crime type": "Burglary", "Last outcome category": "", "Context": ""}
        for i, (lon, lat) in enumerate(_points(district, n))
    ]  # fmt: skip
    path = folder / f"{month}-{force}-street.csv"
    pd.DataFrame(rows, columns=list(STREET_COLUMNS)).to_csv(path, index=False)
    return path


def test_a_council_formed_since_is_a_workspace(tmp_path, capsys):
    root = tmp_path / "nn"
    assert main(["init", str(root), "--area", "North Northamptonshire"]) == 0
    ws = read_workspace(root)
    assert ws.area_name == "North Northamptonshire"
    assert ws.districts == ["E07000150", "E07000152", "E07000153", "E07000156"]
    files = tmp_path / "files"
    files.mkdir()
    for month in ("2023-01", "2023-02"):
        add(root, [_street_csv(files, month, "northamptonshire", 4, district="E07000156")])
    capsys.readouterr()
    out = tmp_path / "wards.csv"
    assert main(["wards", str(root), "--month", "2023-02", "--csv", str(out)]) == 0
    table = pd.read_csv(out)
    expected = sum(len(boundaries.district(c).wards) for c in ws.districts)
    assert len(table) == expected and table["count"].sum() == 4
    assert main(["changes", str(root), "--month", "2023-02"]) == 0
    # a boundary file is not a workspace's area: said so, naming options that exist
    wards = tmp_path / "wards.geojson"
    boundaries.district("Corby").wards.to_file(wards)
    assert main(["init", str(tmp_path / "file"), "--area", str(wards)]) == 1
    err = capsys.readouterr().err
    assert "a boundary file is not supported yet" in err and "--study-area FILE" in err
    assert main(["init", str(tmp_path / "x"), "--area", "Nowhere Shire"]) == 1
    assert "commands with --study-area also take a boundary file" in capsys.readouterr().err

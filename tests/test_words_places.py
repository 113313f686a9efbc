"""Places named for a PCSO outside Hertfordshire, the forecast and pack commands in words.

The bundled Dacorum police.uk records (real streets, real landmarks such as "Shopping Area")
are moved onto Leeds (E08000035), as :mod:`hotspots.national.generate` moves them onto other
forces: every point keeps its offset in metres from Dacorum's centre. The Leeds wards come
from the national boundary pack bundled with the package.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import shapely
from conftest import LEEDS

from hotspots.data import boundaries, datasets
from hotspots.space.places import NO_WARD_NOTE, POLICEUK_LANDMARKS
from hotspots.views.cli import main


def _landmark_alone(name: str) -> bool:
    """A name that is a police.uk landmark and nothing else ("Shopping Area")."""
    return name.strip().lower() in POLICEUK_LANDMARKS


def test_patrol_localities_outside_hertfordshire_carry_leeds_wards(leeds_file, tmp_path) -> None:
    out = tmp_path / "plan"
    args = ["patrol-plan", str(leeds_file), "--study-area", LEEDS, "--from", "2021-10",
            "--to", "2021-12", "--top", "15", "--no-pdf", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    plan = pd.read_csv(out / "plan.csv")
    wards = set(boundaries.district(LEEDS).wards["area_name"])
    assert len(plan) >= 5
    assert plan["ward"].isin(wards).all()  # every locality in a Leeds ward: never blank
    for name, ward in zip(plan["name"], plan["ward"], strict=True):
        place = re.sub(r" #\d+$", "", name)
        assert place.endswith(f", {ward}"), name  # "Street, Ward"
    limits = json.loads((out / "plan.json").read_text())
    assert NO_WARD_NOTE not in json.dumps(limits)


def test_forecast_reads_a_file_without_a_study_area_and_names_every_cell(
    leeds_file, tmp_path, capsys
) -> None:
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(leeds_file), "--out", str(out)]) == 0  # no --study-area
    said = capsys.readouterr().out
    table = pd.read_csv(out)
    assert list(table.columns) == ["cell", "rank", "place", "score"]
    assert table["place"].notna().all() and len(table)
    assert not table["place"].map(_landmark_alone).any()
    assert "forecast for Jan 2022" in said and "2022-01" not in said
    assert "recency_density" not in said
    # the default study area is the district holding the incidents: its wards name the cells
    assert NO_WARD_NOTE not in said
    wards = boundaries.district(LEEDS).wards["area_name"]
    in_ward = table["place"].map(lambda p: any(p.endswith(f", {w}") or p == w for w in wards))
    assert in_ward.mean() > 0.95
    assert main(["forecast", str(leeds_file), "--study-area", LEEDS, "--out", str(out)]) == 0
    again = pd.read_csv(out)
    assert (
        again["place"].map(lambda p: any(p.endswith(f", {w}") or p == w for w in wards)).mean()
        > 0.95
    )


def test_forecast_reads_a_workspace_at_the_analyse_resolution(tmp_path) -> None:
    import h3

    from hotspots.core.defaults import H3_RES

    workspace = datasets.data_dir() / "demo" / "workspace"
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(workspace), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert {h3.get_resolution(c) for c in table["cell"]} == {H3_RES}
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["month"] == "2022-02"
    wards = set(boundaries.district(datasets.DACORUM).wards["area_name"])
    assert table["place"].map(lambda p: p.rsplit(", ", 1)[-1] in wards).mean() > 0.95


def test_pack_forecasts_from_the_history_up_to_the_chosen_month(tmp_path) -> None:
    workspace = datasets.data_dir() / "demo" / "workspace"
    out = tmp_path / "pack"
    assert main(["pack", str(workspace), "--month", "2021-12", "--out", str(out)]) == 0
    html = (out / "pack.html").read_text(encoding="utf-8")
    assert "forecast for Jan 2022" in html  # the month after the chosen one
    assert "Tested on the last" in html  # a backtest needs the months before it
    assert "Jan 2021 to Dec 2021" in html  # the history used, said on the page


def test_pack_names_places_with_their_ward_as_analyse_does(leeds_file, tmp_path) -> None:
    # a file without a study area: the pack takes the district's wards, as analyse does, so
    # its clusters read "Street, Ward", and police.uk's unflagged domestic abuse reads n/a
    out = tmp_path / "pack"
    assert main(["pack", str(leeds_file), "--month", "2021-12", "--out", str(out)]) == 0
    html = (out / "pack.html").read_text(encoding="utf-8")
    clusters = _section_rows(html, "Largest clusters of incidents")
    wards = set(boundaries.district(LEEDS).wards["area_name"])
    places = [row[1] for row in clusters]  # Rank, Hot spot, ...
    assert places and all(p.rsplit(", ", 1)[-1] in wards for p in places), places
    assert {row[6] for row in clusters} == {"too few months"}  # 4 months: no "46 vs 0"
    headline = {row[0]: row[1] for row in _section_rows(html, "Headline measures")}
    assert headline["Domestic abuse (flagged)"] == "n/a"


def test_pack_takes_the_study_area_analyse_takes(leeds_file, tmp_path) -> None:
    # a file without a study area: both commands grid the districts holding the incidents
    # and say so in the same words (not "given: GeoDataFrame"), so their hexagons agree
    assert main(["analyse", str(leeds_file), "--out", str(tmp_path / "a")]) == 0
    assert main(["pack", str(leeds_file), "--month", "2021-12", "--out", str(tmp_path / "p")]) == 0
    area = json.loads((tmp_path / "a" / "params.json").read_text())["study_area"]
    assert area.startswith("districts holding") and "Leeds (E08000035)" in area
    html = (tmp_path / "p" / "pack.html").read_text(encoding="utf-8")
    assert f"(study area: {area})" in _page_text(html)
    assert "<title>Leeds and Bradford: JAG meeting pack</title>" in html  # the place, by name


def _page_text(html: str) -> str:
    """The page's text: tags dropped, entities read, white space as single spaces."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _section_rows(html: str, heading: str) -> list[list[str]]:
    """The body rows (cell texts) of the table under ``heading`` in a pack page."""
    import html as html_lib

    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    body = section.split("<tbody>", 1)[1] if "<tbody>" in section else section
    return [
        [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        if "<td" in row
    ]


def test_places_read_once_name_as_places_read_each_time():
    """Names from a shared place_text (one reading for cells, clusters and hot spots) equal
    names that read the incidents' locations themselves, streets and landmarks alike."""
    from hotspots.demo.load import load_demo_policeuk
    from hotspots.space.grid import assign_cells
    from hotspots.space.places import (
        StreetPoints,
        cell_place_names,
        place_names,
        place_text,
    )

    incidents = load_demo_policeuk().incidents
    wards = boundaries.district(datasets.DACORUM).wards
    cells = pd.unique(
        assign_cells(incidents.geometry.x.to_numpy(), incidents.geometry.y.to_numpy(), 9)
    )
    text = place_text(incidents)
    alone = cell_place_names(incidents, cells, 9, wards)
    shared = cell_place_names(incidents, cells, 9, wards, places=text)
    assert alone.tolist() == shared.tolist() and len(set(alone)) > 20
    groups = np.arange(len(incidents)) % 7
    centres = incidents.groupby(groups)[["x", "y"]].mean()
    crs = incidents.attrs["working_crs"]
    assert (
        place_names(incidents, groups, centres, None, crs=crs).tolist()
        == place_names(incidents, groups, centres, None, crs=crs, places=text).tolist()
    )
    # the streets near a landmark searched among points made once, for cells and groups alike
    points = StreetPoints(incidents, places=text)
    again = cell_place_names(incidents, cells, 9, wards, places=text, street_points=points)
    assert again.tolist() == alone.tolist() and any(" near " in n for n in alone)
    landmarks = centres.assign(x=centres["x"] + 3000.0)  # far from their incidents' streets
    for where in (centres, landmarks):
        assert (
            place_names(incidents, groups, where, None, crs=crs).tolist()
            == place_names(incidents, groups, where, None, crs=crs, street_points=points).tolist()
        )


def test_wards_projected_once_per_frame_and_again_when_it_changes() -> None:
    """:func:`wards_in_crs` equals ``to_crs``; kept for the same frame and CRS, made again for
    another CRS or a frame given other names or outlines."""
    from hotspots.core.crs import to_crs
    from hotspots.space.areas import read_boundaries
    from hotspots.space.places import wards_in_crs

    wards = read_boundaries(datasets.wards_path(datasets.DACORUM))
    first = wards_in_crs(wards, "EPSG:27700")
    assert first.geom_equals_exact(to_crs(wards, "EPSG:27700"), tolerance=0).all()
    assert wards_in_crs(wards, "EPSG:27700") is first
    assert wards_in_crs(wards, "EPSG:32630") is not first
    renamed = wards.copy()
    renamed["area_name"] = renamed["area_name"].str.upper()
    assert wards_in_crs(renamed, "EPSG:27700")["area_name"].iloc[0].isupper()
    wards["area_name"] = "changed"
    assert (wards_in_crs(wards, "EPSG:27700")["area_name"] == "changed").all()


def test_wards_in_crs_projects_again_a_ward_outline_replaced_in_place():
    import geopandas as gpd

    from hotspots.space.places import wards_in_crs

    wards = gpd.GeoDataFrame(
        {"area_name": ["A", "B"]},
        geometry=[shapely.box(-0.5, 51.7, -0.4, 51.8), shapely.box(-0.4, 51.7, -0.3, 51.8)],
        crs="EPSG:4326",
    )
    wards_in_crs(wards, "EPSG:27700")
    wards.loc[0, "geometry"] = shapely.box(-2.0, 52.5, -1.9, 52.6)  # the frame, array kept
    got = wards_in_crs(wards, "EPSG:27700").geometry.to_numpy()
    assert shapely.equals_exact(got, wards.to_crs("EPSG:27700").geometry.to_numpy(), 0).all()


def test_boundaries_without_names_name_no_ward() -> None:
    """ward_names, the one home of the rule: wards without ``area_name`` name nothing (as
    ``None`` wards), so every naming above it takes them as they come."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from hotspots.space.places import ward_names

    outline = gpd.GeoDataFrame(
        {"area_code": ["E05000001"], "area_name": ["Boxmoor"]},
        geometry=[shapely.box(0, 0, 100, 100)],
        crs="EPSG:27700",
    )
    centres = np.array([[50.0, 50.0], [500.0, 500.0]])
    assert ward_names(centres, outline, "EPSG:27700").tolist() == ["Boxmoor", None]
    unnamed = outline.drop(columns="area_name")
    assert ward_names(centres, unnamed, "EPSG:27700").tolist() == [None, None]


def test_a_sensitive_record_never_names_a_nearby_street():
    """A place named only by a landmark borrows the nearest street of the incidents that may
    name one: a sensitive record's street is never borrowed, by ``place_names`` on its own or
    through ``StreetPoints`` made once for several namings (which chooses its rows itself:
    no caller can hand it the wrong ones)."""
    from hotspots.space.places import StreetPoints, place_names

    inc = pd.DataFrame(
        {
            "x": [0.0, 40.0, 60.0, 3000.0, 0.0],
            "y": [0.0, 0.0, 0.0, 0.0, 10.0],
            "location": [
                "On or near Shopping Area",
                "On or near Victim Road",
                "On or near Victim Road",
                "On or near Safe Road",
                "On or near Shopping Area",
            ],
            "sensitive": [False, True, True, False, False],
            "source": "police.uk",
        }
    )
    groups = np.array([0, 0, 0, 1, 0])
    centres = pd.DataFrame({"x": [0.0, 3000.0], "y": [0.0, 0.0]}, index=[0, 1])
    for points in (None, StreetPoints(inc)):
        names = place_names(inc, groups, centres, None, crs="EPSG:27700", street_points=points)
        assert not any("Victim" in n for n in names), names.tolist()
        assert names.iloc[0] == "Shopping Area about 3.0 km from Safe Road"


def test_a_file_wholly_outside_the_study_area_is_said_in_words(leeds_file, tmp_path, capsys):
    # Leeds records against Dacorum: every row set aside, and the command says so
    args = ["analyse", str(leeds_file), "--study-area", "E07000096", "--out", str(tmp_path)]
    assert main(args) != 0
    said = capsys.readouterr().err
    assert "every row was set aside" in said and "outside study area" in said
    assert "the district your data cover" in said and "the data cover no data" not in said
    for command in ("wards", "changes", "pack"):  # every monthly command says it alike
        extra = ["--out", str(tmp_path / command)] if command == "pack" else []
        assert main([command, str(leeds_file), "--study-area", "E07000096", *extra]) != 0
        said = capsys.readouterr().err
        assert "every row was set aside" in said and "cover no month" not in said, command


def test_a_forecast_through_a_month_without_data_is_refused(leeds_file, tmp_path, capsys):
    args = ["forecast", str(leeds_file), "--through", "2021-06", "--out", str(tmp_path / "f.csv")]
    assert main(args) == 1
    assert "no data for Jun 2021; the data cover police.uk: Sep–Dec 2021" in capsys.readouterr().err


def test_the_ward_table_of_files_without_a_study_area_takes_their_districts(
    leeds_file, tmp_path, capsys
):
    out = tmp_path / "w.csv"
    assert main(["wards", str(leeds_file), "--csv", str(out)]) == 0
    assert capsys.readouterr().out.startswith("Leeds and Bradford: Dec 2021")
    table = pd.read_csv(out)
    assert set(boundaries.district(LEEDS).wards["area_name"]) <= set(table["area_name"])


def test_a_population_below_zero_or_not_a_number_is_refused(leeds_file, tmp_path, capsys):
    population = tmp_path / "pop.csv"
    args = ["analyse", str(leeds_file), "--population", str(population), "--out", str(tmp_path)]
    for value in ("-5", "inf", "abc", "n/a", ""):
        population.write_text(f'area_code,residents\nE05001415,"1,600"\nE05001416,{value}\n')
        assert main(args) == 1
        said = capsys.readouterr().err  # the line and the value as written ("1,600" is a number)
        assert f"(0 or more) at line 3: E05001416 ({value!r}); expected" in said
    population.write_text("root:x:0:0\ndaemon:x:1\ngnats:x:41:41:Gnats (admin),,,:/var\n")
    assert main(args) == 1  # not a CSV of residents: said in words, naming the option
    said = capsys.readouterr().err
    assert "--population: cannot read" in said and "expected a CSV with columns area_code" in said


def test_a_pack_of_one_month_names_no_busiest_month(leeds_file, tmp_path):
    rows = pd.read_csv(leeds_file, dtype=str)
    one = tmp_path / "one-month-street.csv"
    rows[rows["Month"] == "2021-12"].to_csv(one, index=False)
    assert main(["pack", str(one), "--out", str(tmp_path / "pack")]) == 0
    html = (tmp_path / "pack" / "pack.html").read_text(encoding="utf-8")
    text = _page_text(html)
    assert "the data hold one month only" in text and "(100 %)" not in text

"""`hotspots analyse` and `hotspots backtest` on the bundled Dacorum police.uk months."""

import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from hotspots.analysis.evaluate.backtest import METHODS
from hotspots.data import datasets
from hotspots.views.cli import _default_area, _default_wards, main, read_input


@pytest.fixture(scope="module")
def analyse_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("analyse")
    zip_path = datasets.demo_path("policeuk")
    code = main(
        ["analyse", str(zip_path), "--areas", str(datasets.wards_path()), "--out", str(out)]
    )
    assert code == 0
    return out


def test_analyse_writes_every_product(analyse_out):
    names = {p.name for p in analyse_out.iterdir()}
    assert {
        "cells.geojson",
        "cells.parquet",
        "clusters.geojson",
        "clusters.csv",
        "monthly.csv",
        "peaks.csv",
        "map.html",
        "params.json",
        "hot_spots.csv",
        "hot_spots.json",
    } <= names
    # police.uk is month-only: no hour table, and params say why.
    assert "hour_weekday.csv" not in names
    params = json.loads((analyse_out / "params.json").read_text())
    assert not params["hour_weekday"]["available"]
    assert "month" in params["hour_weekday"]["reason"]


def test_cells_and_clusters_read_back_consistently(analyse_out):
    cells = gpd.read_file(analyse_out / "cells.geojson")
    parquet = gpd.read_parquet(analyse_out / "cells.parquet")
    # GeoJSON: the cells with incidents, a significant Gi* or a forecast hot spot; GeoParquet:
    # the whole grid
    shown = parquet[(parquet["count"] > 0) | (parquet["gi_bin"] != 0) | parquet["hot_spot"]]
    assert len(shown) < len(parquet) and cells.crs.to_epsg() == 4326
    assert sorted(cells["cell"]) == sorted(shown["cell"])
    assert cells["count"].sum() == parquet["count"].sum() == 13_184  # every Dacorum record
    assert set(cells["gi_bin"]) <= {-3, -2, -1, 0, 1, 2, 3}
    profiles = pd.read_csv(analyse_out / "clusters.csv")
    params = json.loads((analyse_out / "params.json").read_text())
    assert len(profiles) == params["clusters"]["n_clusters"]
    assert params["clusters"]["eps_source"].startswith("k-distance knee")


def test_hot_spots_file_and_its_companion_carry_the_forecast(analyse_out):
    """hot_spots.csv lists the forecast's cells, best first; hot_spots.json and params.json
    carry its method and backtest, and the standalone map says the same sentence."""
    table = pd.read_csv(analyse_out / "hot_spots.csv")
    parquet = gpd.read_parquet(analyse_out / "cells.parquet")
    chosen = parquet[parquet["hot_spot"]].sort_values("forecast_rank")
    assert table["cell"].tolist() == chosen["cell"].tolist()
    assert table["rank"].tolist() == chosen["forecast_rank"].astype(int).tolist()
    assert (table["incidents"] > 0).all()  # no cell without a past incident on top
    notes = json.loads((analyse_out / "hot_spots.json").read_text())
    params = json.loads((analyse_out / "params.json").read_text())["forecast"]
    assert notes["columns"] == list(table.columns)
    assert notes["method"] == params["method"] and notes["folds"] == params["folds"] >= 3
    for key in ("hit_rate", "pai", "pei"):
        assert notes[key] == pytest.approx(params[key])
    said = f"held {100 * params['hit_rate']:.0f} % of the next month's crime"
    assert said in notes["backtest"]
    html = (analyse_out / "map.html").read_text()
    assert said in html.replace("\\u0027", "'").replace("&#x27;", "'")
    assert "Hot spots: the 5 % of the area where next month" in html


def test_map_is_standalone(analyse_out):
    html = (analyse_out / "map.html").read_text()
    assert "L.map(" in html
    assert not re.search(r"<script[^>]+src=\"?https?:", html)


def test_backtest_prints_every_method_and_coverage(capsys, tmp_path):
    zip_path = datasets.demo_path("policeuk")
    csv = tmp_path / "bt.csv"
    args = ["backtest", str(zip_path), "--study-area", "E07000096", "--csv", str(csv)]
    assert main(args) == 0
    table = pd.read_csv(csv)
    assert set(table["method"]) == set(METHODS)
    assert sorted(table["coverage"].unique()) == [0.01, 0.03, 0.05, 0.1]
    assert (table.groupby("coverage")["best"].sum() == 1).all()
    said = capsys.readouterr().out
    assert "pai" in said and "the next-month forecast's, whose method" in said
    # the forecast's own methods are tested by the forecast: the error says where
    assert main([*args[:4], "--methods", "recency_density"]) == 1
    assert "hotspots forecast writes their figures" in capsys.readouterr().err


def test_unusable_input_exits_1_with_a_message(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["analyse", str(empty), "--out", str(tmp_path / "o")]) == 1
    assert "empty.csv" in capsys.readouterr().err


def test_write_geojson_round_trips_awkward_text(tmp_path):
    from shapely import Point

    from hotspots.views.outputs import write_geojson

    frame = gpd.GeoDataFrame(
        {
            "comment": ["line one\nline two", 'quote " and \u2028 and <b>html</b>', None],
            "n": [1, 2, 3],
            "when": pd.to_datetime(["2021-01-01", "2021-02-01", None]),
        },
        geometry=[Point(-0.4712345678, 51.75), Point(-0.47, 51.7512345678), None],
        crs="EPSG:4326",
    )
    raw = write_geojson(frame, tmp_path / "f.geojson")
    assert (tmp_path / "f.geojson").read_bytes() == raw
    back = gpd.read_file(tmp_path / "f.geojson")
    assert back["comment"].iloc[0] == "line one\nline two"
    assert back["comment"].iloc[1] == frame["comment"].iloc[1]
    assert back["n"].tolist() == [1, 2, 3]
    assert back.geometry.iloc[0].x == pytest.approx(-0.471235, abs=1e-9)
    assert back.geometry.iloc[2] is None
    write_geojson(frame.iloc[:0], tmp_path / "empty.geojson")
    assert len(gpd.read_file(tmp_path / "empty.geojson")) == 0


def test_an_empty_selection_is_a_message_not_a_traceback(tmp_path, capsys):
    zip_path = str(datasets.demo_path("policeuk"))
    # Broxbourne (E07000095) holds none of the Dacorum records: nothing is left to analyse.
    args = ["analyse", zip_path, "--study-area", "E07000095", "--out", str(tmp_path / "o")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "hotspots analyse: error:" in err and "Traceback" not in err


def test_a_month_police_uk_has_not_published_is_said_and_marked(tmp_path, capsys):
    # the council log covers Jan 2022, police.uk not yet: its counts are the log's only
    from hotspots.data.ingest import concat_results
    from hotspots.demo.load import load_demo_log, load_demo_policeuk

    both = concat_results([load_demo_policeuk(), load_demo_log()]).incidents
    lagging = both[~((both["source"] == "police.uk") & (both["month"] == "2022-01-01"))]
    lagging.to_parquet(tmp_path / "lagging.parquet")
    out = tmp_path / "out"
    args = ["analyse", str(tmp_path / "lagging.parquet"), "--study-area", "E07000096"]
    assert main([*args, "--out", str(out)]) == 0  # by default, the months both cover
    said = capsys.readouterr().out
    assert "note: up to Dec 2021, the latest month every source covers (Jan 2022 holds " in said
    assert pd.read_csv(out / "monthly.csv")["month"].iloc[-1] == "2021-12"
    assert json.loads((out / "params.json").read_text())["forecast"]["month"] == "2022-01"
    assert main([*args, "--from", "2022-01", "--out", str(out)]) == 0  # only the later month
    assert pd.read_csv(out / "monthly.csv")["month"].tolist() == ["2022-01"]
    assert main([*args, "--to", "2022-01", "--out", str(out)]) == 0  # asked for: said
    assert "note: Jan 2022 holds no police.uk data" in capsys.readouterr().out
    monthly = pd.read_csv(out / "monthly.csv").set_index("month")
    log = monthly.loc["2022-01", "sources"]
    assert "police.uk" not in log and monthly.loc["2021-12", "sources"].count(";") == 1
    csv = tmp_path / "f.csv"  # the forecast too: from the months both cover
    assert main(["forecast", str(tmp_path / "lagging.parquet"), "--out", str(csv)]) == 0
    assert "up to Dec 2021" in capsys.readouterr().out
    assert json.loads(csv.with_suffix(".json").read_text())["month"] == "2022-01"


def test_own_wards_without_a_study_area_are_the_study_area(tmp_path):
    # README: --areas is "the study area unless --study-area is given": incidents outside the
    # wards are set aside, not gridded, clustered and named as hot spots
    import io
    import zipfile

    wards = gpd.read_file(datasets.wards_path()).to_crs(4326).iloc[:6]
    wards.to_file(tmp_path / "six.geojson", driver="GeoJSON")
    with zipfile.ZipFile(datasets.demo_path("policeuk")) as archive:
        rows = pd.concat(
            pd.read_csv(io.BytesIO(archive.read(n)))
            for n in archive.namelist()
            if n.endswith("-street.csv")
        ).dropna(subset=["Longitude", "Latitude"])
    points = gpd.GeoSeries(gpd.points_from_xy(rows["Longitude"], rows["Latitude"]), crs=4326)
    inside = int(points.within(wards.union_all()).sum())  # an independent count
    out = tmp_path / "out"
    assert main(["analyse", str(datasets.demo_path("policeuk")), "--areas",
                 str(tmp_path / "six.geojson"), "--out", str(out)]) == 0  # fmt: skip
    params = json.loads((out / "params.json").read_text())
    assert inside < 0.6 * len(rows)
    assert abs(params["incidents"] - inside) <= 0.01 * inside
    cells = gpd.read_file(out / "cells.geojson").to_crs(27700)
    outline = wards.to_crs(27700).union_all().buffer(400)  # a hexagon's reach beyond the edge
    assert cells.geometry.within(outline).all()


def test_backtest_reads_a_workspace_and_files_without_a_study_area(capsys, tmp_path):
    # as forecast and patrol-plan do: a workspace's area, or the districts the files fall in
    demo = str(datasets.demo_path("policeuk"))
    given, chosen, ws = (tmp_path / f"{n}.csv" for n in ("given", "chosen", "ws"))
    fast = ["--methods", "last_month", "all_history"]
    assert main(["backtest", demo, "--study-area", "E07000096", *fast, "--csv", str(given)]) == 0
    assert main(["backtest", demo, *fast, "--csv", str(chosen)]) == 0
    assert "study area: " in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(chosen), pd.read_csv(given))  # Dacorum both
    workspace = str(datasets.data_dir() / "demo" / "workspace")
    assert main(["backtest", workspace, *fast, "--csv", str(ws)]) == 0
    assert len(pd.read_csv(ws)) == len(pd.read_csv(given))


def test_the_default_area_is_chosen_once_for_the_analysis_and_the_wards(monkeypatch):
    from hotspots.space import extent

    chosen = []
    real = extent.default_study_area
    monkeypatch.setattr(extent, "default_study_area", lambda *a, **k: chosen.append(real(*a, **k))
                        or chosen[-1])  # fmt: skip
    data = read_input([str(datasets.demo_path("policeuk"))], study_area=None)
    area = _default_area(data, res=9)
    assert area.wards is None and area.default_area is chosen[0]
    with_wards = _default_wards(area, res=9)
    assert len(chosen) == 1
    assert with_wards.default_area is chosen[0] and with_wards.wards is not None
    assert _default_wards(data, res=9).default_area.how == chosen[0].how  # chosen here when not

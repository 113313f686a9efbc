"""hotspots.national on a real Dask LocalCluster (2 worker processes) against one process.

Generated national-shaped police.uk files of five neighbouring forces (their areas overlap at
the edges, as real forces meet) are run through the national job; every cell's count, Gi* z,
Gi* bin and emerging hot spot category must equal the single-machine functions run over the
same incidents and cells, including cells on a force border; each district's forecast top
cells must equal the single-machine forecast over the district.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.forecast import forecast
from hotspots.analysis.stats import emerging_hotspots, gistar_by_period
from hotspots.analysis.stats.fdr import fdr_bh, significance_bins
from hotspots.core.disclosure import mappable
from hotspots.data.boundaries import district_outlines
from hotspots.data.ingest import read_policeuk
from hotspots.national import run_national
from hotspots.national.generate import FORCES, STREET_COLUMNS, generate_national
from hotspots.space.grid import assign_cells, grid_counts

RES = 9
MONTHS = ["2021-01", "2021-02", "2021-03", "2021-04"]
NEIGHBOURS = ("hertfordshire", "bedfordshire", "metropolitan", "essex", "thames-valley")
AREA = shapely.box(-1.2, 51.35, 0.9, 52.35)  # lon/lat: the five forces' areas


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """A ``__main__`` without a file while the cluster starts.

    Streamlit's AppTest (run by other tests in the same pytest worker) leaves its temporary
    script as ``__main__``; Dask's workers are spawned processes, which would run that script
    again and die. The job needs nothing from ``__main__``.
    """
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = saved


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("national")
    forces = [f for f in FORCES if f.slug in NEIGHBOURS]
    generate_national(root / "src", rows=300_000, months=MONTHS, forces=forces, seed=7)
    with _plain_main():
        result = run_national(root / "src", out=root / "out", res=RES, study_area=AREA, n_workers=2)
    return root / "src", root / "out", result.params


@pytest.fixture(scope="module")
def single(national) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """The single-machine run: one read, one grid, gistar_by_period and emerging_hotspots."""
    src, _, _ = national
    incidents = mappable(read_policeuk(src).incidents)
    grid = grid_counts(incidents, RES, study_area=AREA, by="month")
    grid = grid[grid["in_study_area"]].reset_index(drop=True)
    gi = gistar_by_period(pd.DataFrame(grid.drop(columns="geometry")), k=1)
    ehs = emerging_hotspots(pd.DataFrame(grid.drop(columns="geometry")), k=1)
    return gi, ehs, incidents


def _read_parts(folder: Path) -> pd.DataFrame:
    return pd.concat([gpd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))])


def test_generated_files_look_like_police_uk(national) -> None:
    src, _, _ = national
    files = sorted(src.rglob("*-street.csv"))
    assert len(files) == len(MONTHS) * len(NEIGHBOURS)
    frame = pd.read_csv(files[0], dtype=str)
    assert tuple(frame.columns) == STREET_COLUMNS
    essex = pd.concat(pd.read_csv(f) for f in files if "-essex-" in f.name)
    located = essex.dropna(subset=["Longitude"])
    assert located.duplicated(["Longitude", "Latitude"]).mean() > 0.3  # snapped, repeated points
    assert frame["Crime type"].nunique() >= 10


def test_counts_gistar_and_bins_equal_one_process(national, single) -> None:
    _, out, params = national
    gi, _, _ = single
    dist = _read_parts(out / "gistar")
    assert params["n_cells"] == gi["cell"].nunique()
    assert len(dist) == len(gi)
    gi = gi.assign(month=gi["month"].dt.strftime("%Y-%m"))
    both = gi.merge(dist, on=["cell", "month"], suffixes=("_one", "_dask"), validate="1:1")
    assert len(both) == len(gi)
    np.testing.assert_array_equal(both["count_one"], both["count_dask"])
    np.testing.assert_allclose(both["gi_z_one"], both["gi_z_dask"], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(both["gi_bin_one"], both["gi_bin_dask"])
    assert (both["gi_bin_dask"] != 0).sum() > 100  # the comparison covers significant cells


def test_a_cell_on_a_force_border_sees_both_forces(national, single) -> None:
    src, out, _ = national
    gi, _, _ = single
    rows = []
    for path in src.rglob("*-street.csv"):
        frame = pd.read_csv(path, usecols=["Longitude", "Latitude"]).dropna()
        cells = assign_cells(frame["Longitude"].to_numpy(), frame["Latitude"].to_numpy(), RES)
        rows.append(pd.DataFrame({"cell": cells, "force": path.stem[8:-7]}))
    forces_per_cell = pd.concat(rows).groupby("cell")["force"].nunique()
    border = forces_per_cell[forces_per_cell > 1].index
    assert len(border) > 20, "the generated forces must meet"
    dist = _read_parts(out / "gistar")
    gi = gi.assign(month=gi["month"].dt.strftime("%Y-%m"))
    on_border = gi[gi["cell"].isin(border)].merge(dist, on=["cell", "month"])
    assert on_border["cell"].nunique() == gi[gi["cell"].isin(border)]["cell"].nunique()
    np.testing.assert_allclose(on_border["gi_z_x"], on_border["gi_z_y"], rtol=0, atol=1e-9)


def test_emerging_categories_equal_one_process(national, single) -> None:
    _, out, _ = national
    _, ehs, _ = single
    dist = _read_parts(out / "emerging")
    both = ehs.merge(dist, on="cell", suffixes=("_one", "_dask"), validate="1:1")
    assert len(both) == len(ehs) == len(dist)
    assert (both["category_one"].astype(str) == both["category_dask"].astype(str)).all()
    np.testing.assert_allclose(both["trend_z_one"], both["trend_z_dask"], atol=1e-9)
    assert (both["category_dask"].astype(str) != "No Pattern Detected").sum() > 10


def test_national_fdr_cutoffs_equal_per_month_benjamini_hochberg(national, single) -> None:
    _, _, params = national
    gi, _, _ = single
    for month, group in gi.groupby(gi["month"].dt.strftime("%Y-%m")):
        p = group["gi_p"].to_numpy()
        cut = params["fdr_cutoffs"][month]
        expected = significance_bins(group["gi_z"].to_numpy(), fdr_bh(p))
        got = significance_bins(group["gi_z"].to_numpy(), p, cutoffs=cut)
        np.testing.assert_array_equal(expected, got)


def test_every_row_is_read_kept_or_quarantined(national) -> None:
    src, out, _ = national
    forces = pd.read_csv(out / "forces.csv")
    rows = sum(len(pd.read_csv(f, dtype=str)) for f in src.rglob("*-street.csv"))
    assert forces["rows_read"].sum() == rows
    assert (forces["rows_read"] == forces["rows_kept"] + forces["rows_quarantined"]).all()
    assert set(forces["force"]) == set(NEIGHBOURS)


def test_district_summaries_count_every_incident_with_rates(national, single) -> None:
    _, out, _ = national
    gi, _, _ = single
    table = pd.read_csv(out / "districts.csv")
    assert {"E07000096", "E09000033"} <= set(table["lad_code"])  # Dacorum, Westminster
    placed = table["incidents"].sum()
    assert 0.95 * gi["count"].sum() <= placed <= gi["count"].sum()  # cells in England by centre
    np.testing.assert_allclose(
        table["rate_per_1000"], 1000 * table["incidents"] / table["residents"], atol=1e-3
    )


# Dacorum and Three Rivers (Hertfordshire, on the Thames Valley and Metropolitan borders),
# Luton (Bedfordshire), Westminster (Metropolitan), Thurrock (Essex, cut by AREA).
FORECAST_DISTRICTS = ("E07000096", "E07000102", "E06000032", "E09000033", "E06000034")


def test_district_forecasts_equal_the_single_machine_forecast(national, single) -> None:
    """Each district's top cells are those of ``forecast`` run in one process over the
    district's outline on all the incidents: same cells, ranks, scores, method, backtest."""
    _, out, params = national
    _, _, incidents = single
    top = pd.read_csv(out / "district_top_cells.csv", dtype={"cell": str})
    districts = pd.read_csv(out / "districts.csv")
    assert set(top["lad_code"]) <= set(districts["lad_code"])
    assert len(set(top["lad_code"])) > 50
    assert (top["month"] == "2021-05").all() and params["forecast"]["month"] == "2021-05"
    ranks = top.groupby("lad_code")["rank"].agg(list)
    assert ranks.map(lambda r: r == [1, 2, 3, 4, 5]).all()
    outlines = district_outlines().set_index("lad_code").to_crs("EPSG:4326").geometry
    checked_backtests = 0
    for code in FORECAST_DISTRICTS:
        fc = forecast(
            incidents, study_area=outlines[code], res=RES, through=MONTHS[-1], coverage=0.05
        )
        expected = fc.cells.sort_values("rank").head(5)
        got = top[top["lad_code"] == code]
        assert list(got["cell"]) == list(expected["cell"]), code
        np.testing.assert_array_equal(got["rank"], expected["rank"])
        np.testing.assert_allclose(got["score"], expected["score"], rtol=0, atol=1e-9)
        np.testing.assert_array_equal(got["history_incidents"], expected["history"])
        assert (got["method"] == fc.method).all()
        assert (got["backtest_folds"] == fc.figures["folds"]).all()
        if fc.figures["folds"]:
            checked_backtests += 1
            np.testing.assert_allclose(got["backtest_pei"], fc.figures["pei"], atol=1e-12)
            np.testing.assert_allclose(got["backtest_hit_rate"], fc.figures["hit_rate"])
    assert checked_backtests >= 3

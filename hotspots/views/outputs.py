"""Write an :class:`~hotspots.analysis.analyse.Analysis` to a folder, in open formats.

What ``hotspots analyse --out DIR`` produces:

==========================  ===========================================================
``cells.geojson``           the H3 cells holding incidents, a significant Gi* (hot or
                            cold) or a forecast hot spot, with count, Gi*, ``hot_spot``
                            and ``forecast_rank`` (WGS84): no empty cell grows it
``hot_spots.csv``           the hot spots: the cells the next-month forecast selects,
                            best first (``rank``, ``place``, ``cell``, ``score``,
                            ``incidents`` so far, cell centre), when the analysis has a
                            forecast
``hot_spots.json``          its companion: the forecast's method and backtest (hit
                            rate, PAI, PEI, test months) and the sentence a meeting reads
``cells.parquet``           every H3 cell of the study area (zeros included), GeoParquet
``clusters.geojson``        one outline per cluster with its profile (WGS84)
``clusters.csv``            the cluster profiles as a table, ``cluster`` numbered as on the
                            map (1 = most incidents); every CSV spreadsheet-safe, numbers
                            rounded, months ``YYYY-MM``
``hour_weekday.csv``        7 × 24 incidents by weekday and hour (only with times of day)
``monthly.csv``             incidents per month and crime group
``peaks.csv``               peak hour windows (or peak months for month-only data)
``ward_rates.csv``          incidents and rate per 1,000 residents per ward, with the
                            boundary vintage (when the study area is a district or wards
                            are given)
``map.html``                a standalone map that opens offline
``params.json``             every parameter used or chosen, and why hour output is absent
==========================  ===========================================================
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.analyse import Analysis
from hotspots.core import forked
from hotspots.core.crs import to_crs
from hotspots.core.io import Dest, deliver, export_ready, write_csv
from hotspots.data.coverage import Coverage
from hotspots.products.captions import hot_spot_figures

if TYPE_CHECKING:
    from hotspots.analysis.forecast import Forecast


def write_analysis(
    analysis: Analysis,
    out_dir: str | Path,
    *,
    wards: gpd.GeoDataFrame | None = None,
    coverage: Coverage | None = None,
) -> dict[str, Path]:
    """Write the products of ``analysis`` into ``out_dir`` (created); return name → path.

    ``monthly.csv`` has a ``month`` column (YYYY-MM) and a ``covered`` one; with ``coverage``
    (:class:`hotspots.data.coverage.Coverage`), a month no source covers is empty ("no data"),
    never zero.

    Examples
    --------
    >>> paths = write_analysis(analyse(incidents, study_area="E07000096"), "out")  # doctest: +SKIP
    >>> sorted(paths)  # doctest: +SKIP
    ['cells.geojson', 'cells.parquet', 'clusters.csv', ...]
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}

    def path(name: str) -> Path:
        written[name] = out / name
        return written[name]

    # the map (folium, its templates: ~0.5 s) and the cells' files made by the command's
    # child process, if any (hotspots.core.forked), while the temporal tables are made and
    # the other files written here; written here, after them, so that a run stopped part way
    # never leaves a map.html cut short
    with forked.start(_drawn, analysis.for_map(), wards=wards) as drawn:
        _write_tables(analysis, path, coverage)
        page, cells_geojson, cells_parquet = drawn.result()
    path("cells.geojson").write_bytes(cells_geojson)
    path("cells.parquet").write_bytes(cells_parquet)
    path("map.html").write_text(page, "utf-8")
    hw = analysis.hour_weekday
    params = {
        **analysis.params,
        "hour_weekday": {
            "available": hw.available,
            "reason": hw.reason,
            "n_used": hw.n_used,
            "n_without_time": hw.n_without_time,
            "n_long_windows": hw.n_long_windows,
        },
        "peaks": {str(k): str(v) for k, v in analysis.peaks.attrs.items()},
        "files": sorted([*written, "params.json"]),
    }
    path("params.json").write_text(json.dumps(params, indent=2, default=str), "utf-8")
    return written


def map_page(analysis: Analysis, *, wards: gpd.GeoDataFrame | None = None) -> str:
    """The standalone map of ``analysis`` (:func:`hotspots.views.analysis_map.analysis_map`)
    as an HTML page."""
    from hotspots.views import maps  # lazy: folium, branca and jinja2 only to draw
    from hotspots.views.analysis_map import analysis_map

    return maps.map_html(analysis_map(analysis, wards=wards))


def _drawn(analysis: Analysis, *, wards: gpd.GeoDataFrame | None) -> tuple[str, bytes, bytes]:
    """The map page (:func:`map_page`) and the bytes of ``cells.geojson`` and
    ``cells.parquet`` (``analysis``: its :meth:`~Analysis.for_map` part is enough)."""
    cells = analysis.cells.copy()
    cells["gi_class"] = cells["gi_class"].astype(str)
    parquet = io.BytesIO()
    cells.to_parquet(parquet)
    return map_page(analysis, wards=wards), write_geojson(shown_cells(cells)), parquet.getvalue()


def _write_tables(
    analysis: Analysis, path: Callable[[str], Path], coverage: Coverage | None
) -> None:
    """Every file of :func:`write_analysis` but the map, the cells' (:func:`_drawn`) and
    ``params.json``."""
    profiles = cluster_export(analysis.profiles)
    if len(profiles):
        outlined = profiles[profiles.geometry.notna()]
        write_geojson(_stringify(outlined), path("clusters.geojson"))
    write_csv(export_ready(_stringify(profiles).drop(columns="geometry")), path("clusters.csv"))
    hw = analysis.hour_weekday
    if hw.available and hw.table is not None:
        hours = export_ready(hw.table.rename_axis("weekday").reset_index())
        write_csv(hours, path("hour_weekday.csv"))
    write_csv(_monthly(analysis.monthly, coverage), path("monthly.csv"))
    write_csv(export_ready(analysis.peaks), path("peaks.csv"))
    if analysis.forecast is not None:
        table = hot_spot_table(analysis.forecast)
        write_csv(table, path("hot_spots.csv"))
        notes = {**hot_spot_figures(analysis.forecast), "columns": list(table.columns)}
        path("hot_spots.json").write_text(json.dumps(notes, indent=2, default=str), "utf-8")
    if analysis.ward_rates is not None:
        rates = analysis.ward_rates.copy()
        rates["boundaries"] = rates.attrs.get("vintage")
        write_csv(export_ready(rates), path("ward_rates.csv"))


def cluster_export(profiles: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The cluster profiles as files carry them: one number per cluster, ``cluster``, the one
    shown on the map, in tables and briefings ("Cluster 1" = the most incidents; the
    clustering's internal label left out), first."""
    out = profiles.sort_values("rank").drop(columns="cluster").rename(columns={"rank": "cluster"})
    return out[["cluster", *[c for c in out.columns if c != "cluster"]]]


def shown_cells(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The cells worth a feature: with incidents (``count > 0``), a significant Gi*
    (``gi_bin != 0``: cold spots may hold no incident) or a forecast hot spot (``hot_spot``).
    The full grid is ``cells.parquet``."""
    keep = (cells["count"] > 0) | (cells["gi_bin"] != 0)
    if "hot_spot" in cells.columns:
        keep |= cells["hot_spot"].fillna(False).astype(bool)
    return cells[keep]


def hot_spot_table(forecast: Forecast) -> pd.DataFrame:
    """The forecast's hot spots, best first: ``rank``, ``place`` ("Street, Ward", when the
    forecast's cells were named), ``cell`` (H3 id), ``score``, ``incidents`` (in the history
    scored), ``centre_lon``, ``centre_lat`` (WGS84)."""
    import h3

    chosen = forecast.cells[forecast.cells["selected"]].sort_values("rank")
    centres = np.array([h3.cell_to_latlng(str(c)) for c in chosen["cell"]]).reshape(-1, 2)
    named = {"place": chosen["place"].to_numpy()} if "place" in chosen.columns else {}
    return pd.DataFrame(
        {
            "rank": chosen["rank"].to_numpy(),
            **named,
            "cell": chosen["cell"].astype(str).to_numpy(),
            "score": [float(f"{v:.4g}") for v in chosen["score"].astype(float)],
            "incidents": chosen["history"].astype(int).to_numpy(),
            "centre_lon": centres[:, 1].round(6),
            "centre_lat": centres[:, 0].round(6),
        }
    )


def write_geojson(frame: gpd.GeoDataFrame, dest: Dest = None, *, decimals: int = 6) -> bytes:
    """``frame`` as RFC 7946 GeoJSON bytes (EPSG:4326, coordinates rounded to ``decimals``),
    also written to ``dest`` when given.

    Vectorised (``shapely.to_geojson`` and pandas' JSON writer): about 9× faster than GDAL's
    GeoJSON driver on 18k hexagons. 6 decimals of a degree is about 0.1 m.
    """
    frame = to_crs(frame, 4326) if frame.crs is not None else frame
    coords = shapely.transform(frame.geometry.to_numpy(), lambda a: np.round(a, decimals))
    geometries = shapely.to_geojson(coords)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    text = props.to_json(orient="records", lines=True, date_format="iso")
    lines = text.rstrip("\n").split("\n") if len(props) else []
    features = ",\n".join(
        f'{{"type":"Feature","properties":{p},"geometry":{g or "null"}}}'
        for p, g in zip(lines, geometries, strict=True)
    )
    return deliver(f'{{"type":"FeatureCollection","features":[\n{features}\n]}}\n', dest)


def _stringify(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists, categoricals and timestamps as text, so GeoJSON and CSV writers accept them."""
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if out[col].dtype == object or str(out[col].dtype) == "category":
            out[col] = out[col].map(lambda v: v if v is None else str(v))
    return out


def _monthly(monthly: pd.DataFrame, coverage: Coverage | None) -> pd.DataFrame:
    """Monthly counts with a ``month`` column; uncovered months blank ("no data"), and with
    ``coverage`` the ``sources`` that cover each month (a month one source has not published
    yet counts the others' incidents only)."""
    table = monthly if coverage is None else coverage.mask(monthly).round().astype("Int64")
    covered = table.notna().all(axis=1) if coverage is not None else True
    out = table.reset_index(drop=True)
    months = pd.DatetimeIndex(table.index).to_period("M")
    out.insert(0, "month", months.strftime("%Y-%m"))
    out["covered"] = covered if isinstance(covered, bool) else covered.to_numpy()
    if coverage is not None:
        out["sources"] = ["; ".join(coverage.sources_of((m, m))) for m in months]
    return out

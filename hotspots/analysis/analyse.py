"""One call from incidents to the hotspot products: cells with Gi*, clusters, temporal tables.

:func:`analyse` is what the ``hotspots analyse`` command, the dashboard and the benchmarks run.
It composes the analysis modules and records every parameter used or chosen in
``Analysis.params`` (the ``params.json`` of the command's output).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.clusters import (
    ClusterResult,
    cluster_profiles,
    dbscan,
    hdbscan_clusters,
    suggest_eps,
)
from hotspots.analysis.stats import hotspots_gistar
from hotspots.analysis.temporal import HourWeekday, hour_weekday, monthly_series, peak_windows
from hotspots.core import disclosure
from hotspots.core.disclosure import mappable
from hotspots.data.ingest import resolve_study_area
from hotspots.data.schema import WGS84, WORKING_CRS, check_incidents
from hotspots.space.grid import grid_counts


@dataclass
class Analysis:
    """The products of :func:`analyse`.

    Attributes
    ----------
    cells
        Every H3 cell of the study area (zero counts included): ``cell``, ``count``,
        ``in_study_area``, Gi* columns (``gi_z``, ``gi_p``, ``gi_p_fdr``, ``gi_bin``,
        ``gi_class``); hexagons in EPSG:4326.
    clusters
        DBSCAN/HDBSCAN labels (one per mappable incident, i.e. sensitive rows left out, in the
        order of ``hotspots.core.disclosure.mappable(incidents)``; -1 = noise) and their parameters.
    profiles
        One row per cluster (outline in EPSG:4326 and its statistics).
    hour_weekday
        7 × 24 profile, or why there is none (month-only data).
    monthly
        Incidents per month (zero-filled), by category.
    peaks
        Peak hour windows (or peak months for month-only data) per category.
    params
        Every parameter used or chosen automatically, JSON-serialisable.
    """

    cells: gpd.GeoDataFrame
    clusters: ClusterResult
    profiles: gpd.GeoDataFrame
    hour_weekday: HourWeekday
    monthly: pd.DataFrame
    peaks: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)


def analyse(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any = None,
    res: int = 9,
    k: int = 1,
    permutations: int = 0,
    seed: int = 0,
    cluster_method: Literal["dbscan", "hdbscan"] = "dbscan",
    eps_m: float | None = None,
    min_samples: int | None = None,
    max_eps_m: float = 150.0,
    min_cluster_size: int = 20,
) -> Analysis:
    """Hot spots (H3 + Gi*), density clusters and temporal peaks of ``incidents``.

    Cells and clusters are built without sensitive incidents (:mod:`hotspots.core.disclosure`: no
    layer may reveal a victim's location); temporal tables, which carry no location, use all.

    Parameters
    ----------
    incidents
        Canonical incidents (:mod:`hotspots.data.schema`), already selected (see
        :func:`hotspots.data.select.select`).
    study_area
        Anything :func:`hotspots.data.ingest.resolve_study_area` accepts (wards GeoDataFrame, a
        boundary file, a district code such as ``"E07000096"``). ``None``: the convex hull of
        the incidents, buffered by one cell — recorded in ``params["study_area"]``.
    res
        H3 resolution (7–11; 9 ≈ 0.1 km² hexagons, edge ≈ 174 m).
    k
        Gi* neighbourhood: H3 k-ring, the cell itself included.
    permutations, seed
        Conditional permutations for Gi* pseudo p-values (0 = analytical p only).
    cluster_method
        ``"dbscan"`` (eps in metres, exact) or ``"hdbscan"``.
    eps_m
        DBSCAN radius in metres; ``None`` takes the k-distance knee, at most ``max_eps_m``.
    max_eps_m
        Cap on the automatic eps (metres). On police.uk data, snapped to shared map points,
        the knee often falls where a town centre chains into one cluster holding most
        incidents; 150 m keeps clusters at the scale of a patrol beat. The knee, the cap and
        the largest cluster's share are reported in ``params["clusters"]``.
    min_samples
        DBSCAN core threshold (weighted neighbours within ``eps_m``, self included).
        ``None``: 0.1 % of the mapped incidents, at least 10 — a handful of clusters a
        meeting can read, whatever the area's size (reported in ``params``).
    min_cluster_size
        HDBSCAN's smallest cluster (incidents).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> from hotspots.demo.load import load_demo_policeuk
    >>> result = analyse(load_demo_policeuk().incidents, study_area="E07000096")  # doctest: +SKIP
    >>> result.cells.gi_class.value_counts()  # doctest: +SKIP
    """
    check_incidents(incidents)
    spatial = mappable(incidents)
    if len(spatial) == 0:
        raise ValueError("no incidents to analyse: widen the selection (dates, groups, wards)")
    area, area_note = _study_area(spatial, study_area, res)
    grid = grid_counts(spatial, res, study_area=area)
    cells = hotspots_gistar(grid, k=k, permutations=permutations, seed=seed)

    min_samples_source = "user"
    if min_samples is None:
        min_samples = max(10, round(len(spatial) / 1000))
        min_samples_source = "auto: 0.1 % of mapped incidents, at least 10"
    eps_note: dict[str, Any] = {}
    if cluster_method == "dbscan" and eps_m is None:
        knee = suggest_eps(spatial, min_samples=min_samples).eps_m
        eps_m = min(knee, max_eps_m)
        eps_note = {
            "eps_knee_m": knee,
            "eps_cap_m": max_eps_m,
            "eps_source": "k-distance knee"
            + (f" ({knee:.0f} m) capped at {max_eps_m:.0f} m" if knee > max_eps_m else ""),
        }
    if cluster_method == "dbscan":
        clusters = dbscan(spatial, eps_m=eps_m, min_samples=min_samples)
    elif cluster_method == "hdbscan":
        clusters = hdbscan_clusters(
            spatial, min_cluster_size=min_cluster_size, min_samples=min_samples
        )
    else:
        raise ValueError(f"cluster_method must be 'dbscan' or 'hdbscan', got {cluster_method!r}")
    profiles = cluster_profiles(spatial, clusters.labels)
    left, shown = spatial.attrs["sensitive_left_out"], spatial.attrs["sensitive_left_out_shown"]
    withheld = shown in (disclosure.SUPPRESSED, disclosure.WITHHELD)
    params = {
        # counts through the disclosure gate: exact only when the sensitive groups pass it
        "incidents": len(spatial) + (0 if withheld else left),
        "sensitive_left_out_of_map_layers": shown if withheld else left,
        "sensitive_left_out_shown": shown,
        "working_crs": incidents.attrs[WORKING_CRS],
        "study_area": area_note,
        "grid": {k_: _jsonable(v) for k_, v in grid.attrs.items()},
        "gistar": {k_: _jsonable(v) for k_, v in cells.attrs.get("params", {}).items()},
        "clusters": {
            **{k_: _jsonable(v) for k_, v in clusters.params.as_dict().items()},
            **{k_: _jsonable(v) for k_, v in eps_note.items()},
            "min_samples_source": min_samples_source,
            "largest_cluster_share": _largest_share(clusters.labels),
        },
    }
    return Analysis(
        cells=cells,
        clusters=clusters,
        profiles=profiles,
        hour_weekday=hour_weekday(incidents),
        monthly=monthly_series(incidents, by="category"),
        peaks=peak_windows(incidents, by="category"),
        params=params,
    )


def _largest_share(labels: np.ndarray) -> float:
    """Share of all clustered points (0..1) in the largest cluster; 0 when none."""
    clustered = labels[labels >= 0]
    return float(np.bincount(clustered).max() / len(labels)) if clustered.size else 0.0


def _study_area(
    incidents: gpd.GeoDataFrame, study_area: Any, res: int
) -> tuple[shapely.Geometry, str]:
    """The study area polygon (EPSG:4326) and how it was chosen."""
    if study_area is not None:
        label = study_area if isinstance(study_area, str) else type(study_area).__name__
        return resolve_study_area(study_area), f"given: {label}"
    # One H3 edge length (metres) at this resolution, so edge incidents get whole cells.
    edge_m = {7: 1406, 8: 531, 9: 201, 10: 76, 11: 29}.get(res, 201)
    pts = gpd.GeoSeries(incidents.geometry.to_numpy(), crs=WGS84).to_crs(
        incidents.attrs[WORKING_CRS]
    )
    hull = gpd.GeoSeries([pts.union_all().convex_hull.buffer(edge_m)], crs=pts.crs)
    return hull.to_crs(WGS84).iloc[0], f"convex hull of the incidents buffered by {edge_m} m"


def _jsonable(value: Any) -> Any:
    """Plain Python for ``json.dumps`` (numpy scalars, arrays, timestamps, nested mappings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist() if value.size <= 50 else f"array of {value.size}"
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)

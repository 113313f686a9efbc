"""Kernel density estimation (KDE) of incidents on H3 cells, polygons or any set of points.

Distances are metres in the incidents' working CRS (``incidents.attrs["working_crs"]``,
EPSG:27700 in Great Britain). The surface is an intensity: incidents per km².
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from hotspots.core.crs import to_crs
from hotspots.core.points import distinct_rows
from hotspots.data.schema import WORKING_CRS
from hotspots.space.grid import cell_polygons

KERNELS: tuple[str, ...] = ("quartic", "gaussian")
_GAUSS_SUPPORT = 6.0  # Gaussian truncated at 6 bandwidths: the neglected mass is 1.5e-8
_QUARTIC_PER_GAUSS = np.sqrt(8.0)  # quartic h with the same variance as a Gaussian of sd 1
_TARGET_CHUNK = 2_000
_MIN_SPREAD_M = 1e-3  # below a millimetre the incidents share one location


def kde_surface(
    incidents: gpd.GeoDataFrame,
    cells_or_points: Any,
    *,
    bandwidth_m: float | None = None,
    kernel: str = "quartic",
) -> tuple[np.ndarray, dict[str, Any]]:
    """Kernel density of incidents at H3 cell centres, polygon centroids or x/y points.

    ``quartic`` (biweight, as in ArcGIS Kernel Density and most crime mapping) is
    ``3 / (pi h**2) * (1 - d**2 / h**2)**2`` for ``d < h``; ``gaussian`` is
    ``exp(-d**2 / (2 h**2)) / (2 pi h**2)`` (truncated at 6 h). Each surface integrates to the
    number of incidents. Neighbour pairs come from ``scipy.spatial.cKDTree`` ball queries, and
    incidents sharing a location (police.uk snaps to anonymised points) are evaluated once with
    their multiplicity.

    Parameters
    ----------
    incidents
        Canonical incidents: columns ``x``, ``y`` in metres in ``attrs["working_crs"]``.
    cells_or_points
        Where to evaluate: H3 cell ids (their centres), a GeoDataFrame / GeoSeries (centroids
        in the working CRS), or an ``(m, 2)`` float array of x, y in the working CRS.
    bandwidth_m
        Kernel bandwidth in metres (the quartic radius, or the Gaussian standard deviation).
        ``None`` chooses it by the 2-D normal-reference rule (Silverman = Scott in 2-D):
        ``h = sigma * n**(-1/6)`` with ``sigma`` the root-mean-square of the robust per-axis
        spreads ``min(sd, IQR / 1.349)``; for the quartic kernel multiplied by ``sqrt(8)``
        so that both kernels have the same variance.
    kernel
        ``"quartic"`` or ``"gaussian"``.

    Returns
    -------
    values : numpy.ndarray
        Density at each target, incidents per km².
    params : dict
        ``kernel``, ``bandwidth_m``, ``bandwidth_rule``, ``sigma_m`` (rule only),
        ``n_incidents``, ``n_locations``, ``support_m``, ``units``, ``working_crs``,
        ``targets``.

    Examples
    --------
    >>> density, params = kde_surface(incidents, grid["cell"])  # doctest: +SKIP
    >>> params["bandwidth_m"]  # doctest: +SKIP
    """
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    xy, crs = _incident_xy(incidents)
    targets, target_kind = _targets(cells_or_points, crs)
    params: dict[str, Any] = {"kernel": kernel}
    if bandwidth_m is None:
        bandwidth_m, sigma = _rule_of_thumb(xy, kernel)
        params["bandwidth_rule"] = "normal reference (Silverman/Scott, 2-D): sigma * n^(-1/6)" + (
            " * sqrt(8) for the quartic kernel" if kernel == "quartic" else ""
        )
        params["sigma_m"] = sigma
    else:
        if not np.isfinite(bandwidth_m) or bandwidth_m <= 0:
            raise ValueError(f"bandwidth_m must be a positive number of metres, got {bandwidth_m}")
        params["bandwidth_rule"] = "fixed (given)"
    h = float(bandwidth_m)
    support = h if kernel == "quartic" else _GAUSS_SUPPORT * h
    from scipy.spatial import cKDTree  # lazy: imported when a surface is computed

    locations, at = distinct_rows(xy)
    multiplicity = np.bincount(at, minlength=len(locations))
    tree = cKDTree(locations)
    values = np.zeros(len(targets))
    for start in range(0, len(targets), _TARGET_CHUNK):
        chunk = targets[start : start + _TARGET_CHUNK]
        pairs = cKDTree(chunk).sparse_distance_matrix(tree, support, output_type="ndarray")
        u2 = (pairs["v"] / h) ** 2
        if kernel == "quartic":
            k = np.where(u2 < 1.0, 3.0 / (np.pi * h * h) * (1.0 - u2) ** 2, 0.0)
        else:
            k = np.exp(-0.5 * u2) / (2.0 * np.pi * h * h)
        values[start : start + len(chunk)] = np.bincount(
            pairs["i"], weights=k * multiplicity[pairs["j"]], minlength=len(chunk)
        )
    params.update(
        bandwidth_m=h,
        n_incidents=len(xy),
        n_locations=len(locations),
        support_m=support,
        units="incidents per km²",
        working_crs=crs,
        targets=target_kind,
    )
    return values * 1e6, params


def _rule_of_thumb(xy: np.ndarray, kernel: str) -> tuple[float, float]:
    n = len(xy)
    if n < 2:
        raise ValueError(f"a rule-of-thumb bandwidth needs at least 2 incidents, got {n}")
    sd = xy.std(axis=0, ddof=1)
    q75, q25 = np.percentile(xy, [75, 25], axis=0)
    robust = np.minimum(sd, (q75 - q25) / 1.349)
    spread = np.where(robust > 0, robust, sd)
    sigma = float(np.sqrt(np.mean(spread**2)))
    if sigma < _MIN_SPREAD_M:
        raise ValueError(
            "all incidents are at one location: no spread to choose a bandwidth from; "
            "pass bandwidth_m"
        )
    h = sigma * n ** (-1.0 / 6.0)
    return (h * _QUARTIC_PER_GAUSS if kernel == "quartic" else h), sigma


def _incident_xy(incidents: gpd.GeoDataFrame) -> tuple[np.ndarray, str]:
    missing = [c for c in ("x", "y") if c not in incidents.columns]
    if missing or WORKING_CRS not in incidents.attrs:
        raise ValueError(
            "incidents need columns x, y (metres) and attrs['working_crs']; load them with "
            "hotspots.data.ingest (read_policeuk, read_incident_csv, read_vector)"
        )
    xy = incidents[["x", "y"]].to_numpy(dtype=float)
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} incident(s) have no x/y; keep located incidents only (ingest "
            "quarantines rows without coordinates)"
        )
    if len(xy) == 0:
        raise ValueError("no incidents to estimate a density from")
    return xy, str(incidents.attrs[WORKING_CRS])


def _targets(where: Any, crs: str) -> tuple[np.ndarray, str]:
    if isinstance(where, gpd.GeoDataFrame | gpd.GeoSeries):
        if where.crs is None:
            raise ValueError("target geometries have no CRS; set it (e.g. EPSG:4326) first")
        geoms = where.geometry if isinstance(where, gpd.GeoDataFrame) else where
        centres = to_crs(geoms, crs).centroid
        return np.column_stack([centres.x, centres.y]), "geometry centroids"
    arr = np.asarray(where)
    if arr.ndim == 2 and arr.shape[1] == 2 and np.issubdtype(arr.dtype, np.number):
        xy = arr.astype(float)
        if not np.isfinite(xy).all():
            raise ValueError("target x/y contain NaN or infinite values")
        return xy, f"points (x, y in {crs})"
    if arr.ndim == 1 and arr.size and isinstance(arr[0], str):
        centres, _ = _targets(cell_polygons(arr), crs)
        return centres, "H3 cell centres (hexagon centroids)"
    raise TypeError(
        "cells_or_points must be H3 cell ids, a GeoDataFrame/GeoSeries, or an (m, 2) array of "
        f"x, y metres in the working CRS; got {type(where).__name__} with shape {arr.shape}"
    )

"""Where to put redeployable cameras: greedy maximal coverage, checked against the optimum.

Choose ``k`` sites among candidates (hotspot centres, or points the user gives) so that the
cameras placed there see as many incidents (or as much harm weight) as possible that no
working camera already sees. Each candidate camera sees a circle of ``range_m`` metres (a
redeployable camera is pointed on site). Greedy: take the site adding the most newly covered
weight, then the next, and so on; it is never worse than 1 − 1/e ≈ 63 % of the best possible
(Nemhauser, Wolsey & Fisher 1978), and in practice much closer. For up to
``exact_max_candidates`` candidates the best possible is computed exactly (integer programme,
``scipy.optimize.milp``) and the ratio reported; otherwise an upper bound on it is reported
(the greedy's data-dependent bound: for every greedy step, what it has plus the ``k`` largest
gains then available).

Incidents at the same point (police.uk snap points) are merged, their weights summed.

Examples
--------
>>> sites = candidate_sites(cells)  # doctest: +SKIP
>>> plan = site_cameras(incidents, sites, k=3, range_m=100, cameras=cameras)  # doctest: +SKIP
>>> plan.chosen, plan.optimum, plan.ratio  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import optimize, sparse

from hotspots.core.crs import WGS84, from_lonlat, outside_degrees, to_crs, working_crs_for
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.disclosure import mappable
from hotspots.core.points import distinct_rows
from hotspots.data.schema import WORKING_CRS, check_incidents
from hotspots.products.cctv.coverage import ACTIVE, hot_areas, incidents_seen

GREEDY_GUARANTEE = 1.0 - 1.0 / np.e
"""The greedy's worst-case share of the optimum for maximal coverage, 1 − 1/e ≈ 0.632."""


@dataclass
class Siting:
    """A siting plan for redeployable cameras.

    Attributes
    ----------
    chosen
        One row per chosen site in the order the greedy took them: ``order``, ``site_id``,
        ``lon``, ``lat``, ``new_weight`` (newly covered incidents, or weight, it adds),
        ``cumulative`` and ``cumulative_share`` (of the weight not already covered).
    total_weight, already_covered, available
        Weight of all incidents, of those existing cameras already see, and the rest.
    greedy
        Weight newly covered by the chosen sites.
    optimum
        Best possible newly covered weight with ``k`` sites (exact), or ``None`` when not
        solved exactly (too many candidates, or the solver's time limit).
    ratio
        ``greedy / optimum`` (1.0 when both are 0), or ``None``.
    upper_bound
        An upper bound on the optimum (equal to it when solved exactly).
    params
        ``k``, ``range_m``, ``working_crs``, candidates, unique incident locations, weights,
        camera statuses used, the exact method or why it was not run, ``greedy_guarantee``.
    """

    chosen: pd.DataFrame
    total_weight: float
    already_covered: float
    available: float
    greedy: float
    optimum: float | None
    ratio: float | None
    upper_bound: float
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def share_of_bound(self) -> float:
        """``greedy / upper_bound`` (1.0 when both are 0): the greedy choice's share of the
        best possible, at least (equal to ``ratio`` when solved exactly)."""
        return self.greedy / self.upper_bound if self.upper_bound > 0 else 1.0


def candidate_sites(
    hotspots: gpd.GeoDataFrame,
    *,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
) -> pd.DataFrame:
    """Candidate sites at the centre of each hotspot (hot cell or cluster outline).

    Parameters
    ----------
    hotspots, hotspot_id, min_gi_bin
        As for :func:`hotspots.products.cctv.coverage.hot_areas` (hot cells only by default).

    Returns
    -------
    DataFrame
        ``site_id`` (the hotspot id), ``lon``, ``lat`` (WGS84; the centroid in metres).
    """
    areas, id_column = hot_areas(hotspots, hotspot_id=hotspot_id, min_gi_bin=min_gi_bin)
    if areas.empty:
        return pd.DataFrame({"site_id": [], "lon": [], "lat": []})
    bounds = areas.total_bounds
    crs = working_crs_for(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
    centres = to_crs(to_crs(areas, crs).centroid, WGS84)
    return pd.DataFrame(
        {
            "site_id": areas[id_column].astype(str).to_numpy(),
            "lon": centres.x.to_numpy(),
            "lat": centres.y.to_numpy(),
        }
    )


def _candidate_table(candidates: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("lon", "lat") if c not in candidates.columns]
    if missing:
        raise ValueError(
            f"candidate sites lack column(s) {missing}; give lon/lat (WGS84) per site, e.g. "
            "from candidate_sites(cells) or points drawn on the map"
        )
    lon = pd.to_numeric(candidates["lon"], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(candidates["lat"], errors="coerce").to_numpy(float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | outside_degrees(lon, lat)
    if bad.any():
        raise ValueError(f"candidate sites {np.flatnonzero(bad)[:10].tolist()} lack WGS84 lon/lat")
    if "site_id" in candidates.columns:
        ids = candidates["site_id"].astype(str).to_numpy()
    else:
        ids = np.array([f"site {i + 1}" for i in range(len(candidates))], dtype=object)
    if len(set(ids)) < len(ids):
        raise ValueError("candidate site_id values must be unique")
    return pd.DataFrame({"site_id": ids, "lon": lon, "lat": lat})


def _weights(incidents: pd.DataFrame, weights: str | np.ndarray | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(incidents))
    values = incidents[weights].to_numpy(float) if isinstance(weights, str) else weights
    values = np.asarray(values, dtype=float)
    if values.shape != (len(incidents),) or not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(
            "weights must be one finite, non-negative number per incident (a column name or "
            f"an array of length {len(incidents)})"
        )
    return values


def _weights_label(weights: str | np.ndarray | None) -> str:
    if weights is None:
        return "1 per incident"
    return f"column {weights!r}" if isinstance(weights, str) else "array given"


def coverage_matrix(
    site_x: np.ndarray, site_y: np.ndarray, x: np.ndarray, y: np.ndarray, range_m: float
) -> sparse.csr_array:
    """Sparse 0/1 matrix: ``[i, j] = 1`` when point ``j`` is within ``range_m`` of site ``i``."""
    if len(site_x) == 0 or len(x) == 0:
        return sparse.csr_array((len(site_x), len(x)))
    tree = shapely.STRtree(shapely.points(x, y))
    site, point = tree.query(shapely.points(site_x, site_y), predicate="dwithin", distance=range_m)
    data = np.ones(len(site))
    return sparse.csr_array((data, (site, point)), shape=(len(site_x), len(x)))


def greedy_max_coverage(
    matrix: sparse.csr_array, weights: np.ndarray, k: int
) -> tuple[list[int], list[float], float]:
    """Greedy maximal coverage: ``k`` rows of ``matrix`` covering the most column weight.

    Ties go to the lowest row index. Stops early when no row adds weight.

    Returns
    -------
    (rows, gains, upper_bound)
        Chosen rows in order, the weight each added, and an upper bound on the optimum:
        the minimum over the greedy's steps of (covered so far + the ``k`` largest gains then).
    """
    remaining = weights.astype(float).copy()
    rows: list[int] = []
    gains: list[float] = []
    covered = 0.0
    bound = np.inf
    for _ in range(k):
        gain = matrix @ remaining
        top = np.sort(gain)[::-1][:k]
        bound = min(bound, covered + float(top.sum()))
        best = int(np.argmax(gain)) if len(gain) else -1
        if best < 0 or gain[best] <= 0:
            break
        rows.append(best)
        gains.append(float(gain[best]))
        covered += float(gain[best])
        remaining[matrix.indices[matrix.indptr[best] : matrix.indptr[best + 1]]] = 0.0
    bound = min(bound, covered + float(np.sort(matrix @ remaining)[::-1][:k].sum()))
    return rows, gains, bound


def exact_max_coverage(
    matrix: sparse.csr_array, weights: np.ndarray, k: int, *, time_limit_s: float = 30.0
) -> tuple[float | None, list[int], str]:
    """The best possible maximal coverage with ``k`` rows, by integer programming.

    Maximise Σ wⱼ yⱼ subject to yⱼ ≤ Σᵢ aᵢⱼ xᵢ, Σᵢ xᵢ ≤ k, x binary, 0 ≤ y ≤ 1
    (``scipy.optimize.milp``, HiGHS). Columns no row covers or with zero weight are left out.

    Returns
    -------
    (optimum, rows, status)
        The optimal weight (``None`` if the solver stopped before proving optimality), the
        rows of an optimal choice, and the solver's message.
    """
    useful = (weights > 0) & (np.asarray(matrix.sum(axis=0)).ravel() > 0)
    a = sparse.csc_array(matrix)[:, np.flatnonzero(useful)]
    w = weights[useful]
    n_rows, n_cols = a.shape
    if n_cols == 0:
        return 0.0, [], "nothing to cover"
    cost = np.concatenate([np.zeros(n_rows), -w])
    link = sparse.hstack([-a.T, sparse.identity(n_cols)], format="csr")  # y - A^T x <= 0
    budget = sparse.csr_array(np.concatenate([np.ones(n_rows), np.zeros(n_cols)])[None, :])
    constraints = [
        optimize.LinearConstraint(link, -np.inf, 0.0),
        optimize.LinearConstraint(budget, 0.0, float(k)),
    ]
    integrality = np.concatenate([np.ones(n_rows), np.zeros(n_cols)])
    result = optimize.milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=optimize.Bounds(0.0, 1.0),
        options={"time_limit": time_limit_s},
    )
    if result.status != 0 or result.x is None:
        return None, [], str(result.message)
    rows = np.flatnonzero(result.x[:n_rows] > 0.5).tolist()
    return float(-result.fun), rows, str(result.message)


def site_cameras(
    incidents: gpd.GeoDataFrame,
    candidates: pd.DataFrame,
    *,
    k: int,
    range_m: float = 100.0,
    cameras: pd.DataFrame | None = None,
    statuses: Sequence[str] | None = ACTIVE,
    weights: str | np.ndarray | None = None,
    exact_max_candidates: int = 500,
    time_limit_s: float = 30.0,
) -> Siting:
    """Choose ``k`` sites for redeployable cameras that newly cover the most incidents.

    Parameters
    ----------
    incidents
        Canonical incidents (``x``/``y`` metres in ``attrs["working_crs"]``).
    candidates
        ``lon``, ``lat`` (WGS84) and optionally ``site_id``: from :func:`candidate_sites` or
        drawn by the user.
    k
        Number of cameras to place (at least 1).
    range_m
        Useful viewing distance of a redeployable camera, metres (it sees a circle).
    cameras
        Existing cameras (camera table); incidents they see (with ``statuses``) count as
        already covered.
    statuses
        Statuses of existing cameras that count as watching (default: active).
    weights
        ``None`` (each incident counts 1), a column of ``incidents`` or an array (e.g. harm).
    exact_max_candidates
        Solve the optimum exactly when there are at most this many candidates.
    time_limit_s
        Time limit of the exact solver, seconds.

    Returns
    -------
    Siting

    Examples
    --------
    >>> plan = site_cameras(incidents, candidate_sites(cells), k=2, range_m=100)  # doctest: +SKIP
    >>> plan.greedy / plan.available  # doctest: +SKIP
    """
    check_incidents(incidents)
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"k must be a whole number of cameras >= 1, got {k!r}")
    if not (np.isfinite(range_m) and range_m > 0):
        raise ValueError(f"range_m must be a positive distance in metres, got {range_m!r}")
    sites = _candidate_table(candidates)
    w = _weights(incidents, weights)
    # a camera site chosen for a few sensitive incidents would mark a victim's street
    plain = ~incidents["sensitive"].astype("boolean").fillna(True).to_numpy(bool)
    incidents, w = mappable(incidents), w[plain]
    crs = incidents.attrs[WORKING_CRS]
    already = np.zeros(len(incidents), dtype=bool)
    if cameras is not None:
        _, _, seen, _ = incidents_seen(incidents, cameras, statuses=statuses)
        already[seen] = True
    xy = np.column_stack([incidents["x"].to_numpy(float), incidents["y"].to_numpy(float)])
    unique_xy, inverse = distinct_rows(xy)
    open_weight = np.bincount(inverse, weights=np.where(already, 0.0, w), minlength=len(unique_xy))
    site_x, site_y = from_lonlat(sites["lon"].to_numpy(), sites["lat"].to_numpy(), crs)
    matrix = coverage_matrix(site_x, site_y, unique_xy[:, 0], unique_xy[:, 1], range_m)
    rows, gains, bound = greedy_max_coverage(matrix, open_weight, int(k))
    greedy = float(sum(gains))
    optimum: float | None = None
    if len(sites) <= exact_max_candidates:
        optimum, _, status = exact_max_coverage(
            matrix, open_weight, int(k), time_limit_s=time_limit_s
        )
        exact = f"scipy.optimize.milp (HiGHS): {status}"
        if optimum is not None:
            bound = optimum
    else:
        exact = (
            f"not solved exactly: {len(sites)} candidates > exact_max_candidates="
            f"{exact_max_candidates}; upper_bound is the greedy's data-dependent bound"
        )
    ratio = None if optimum is None else (greedy / optimum if optimum > 0 else 1.0)
    available = float(open_weight.sum())
    chosen = sites.iloc[rows].reset_index(drop=True)
    chosen.insert(0, "order", np.arange(1, len(rows) + 1))
    chosen["new_weight"] = gains
    chosen["cumulative"] = np.cumsum(gains)
    chosen["cumulative_share"] = chosen["cumulative"] / available if available else 0.0
    params = {
        "k": int(k),
        "sites_chosen": len(rows),
        "range_m": float(range_m),
        "working_crs": crs,
        "candidates": len(sites),
        "unique_locations": len(unique_xy),
        "weights": _weights_label(weights),
        "existing_camera_statuses": None if cameras is None else statuses,
        "exact": exact,
        "greedy_guarantee": GREEDY_GUARANTEE,
    }
    return Siting(
        chosen=chosen,
        total_weight=float(w.sum()),
        already_covered=float(w[already].sum()),
        available=available,
        greedy=greedy,
        optimum=optimum,
        ratio=ratio,
        upper_bound=float(bound),
        params=params,
    )


def proposed_cameras(plan: Siting) -> pd.DataFrame:
    """The chosen sites as a camera table (redeployable, status ``"proposed"``), to draw
    their views like those of the cameras in place.

    Returns
    -------
    DataFrame
        ``camera_id`` and ``name`` ("proposed 1", "Proposed site 1", ... in the greedy's
        order), ``type`` ("redeployable"), ``range_m`` (the plan's), ``lon``, ``lat`` (WGS84)
        and ``status``.
    """
    chosen = plan.chosen
    order = chosen["order"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "camera_id": [f"proposed {n}" for n in order],
            "name": [f"Proposed site {n}" for n in order],
            "type": "redeployable",
            "range_m": float(plan.params["range_m"]),
            "lon": chosen["lon"].to_numpy(),
            "lat": chosen["lat"].to_numpy(),
            "status": "proposed",
        }
    )

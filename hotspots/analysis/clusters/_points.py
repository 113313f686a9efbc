"""Input handling shared by the clustering functions: x/y in metres and unique locations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots.core.points import distinct_points
from hotspots.data.schema import WORKING_CRS

XYInput: TypeAlias = gpd.GeoDataFrame | pd.DataFrame | np.ndarray
"""Incidents (canonical schema, ``x``/``y`` in metres) or an ``(n, 2)`` array of metres."""


@dataclass(frozen=True)
class Locations:
    """Distinct locations of a point set, in order of first occurrence.

    Attributes
    ----------
    x, y
        Coordinates of each distinct location (metres, working CRS).
    weight
        Summed weight of the points at each location (their count when unweighted).
    inverse
        For every input point, the index of its location (``x[inverse]`` rebuilds the input).
    """

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    inverse: np.ndarray

    @property
    def n_points(self) -> int:
        """Number of input points."""
        return int(self.inverse.size)

    @property
    def n_unique(self) -> int:
        """Number of distinct locations."""
        return int(self.x.size)


def xy_metres(data: XYInput) -> np.ndarray:
    """Return an ``(n, 2)`` float array of metres from incidents or an array.

    Raises ``ValueError`` naming the fix when the input has no usable x/y.
    """
    if isinstance(data, pd.DataFrame):
        missing = [c for c in ("x", "y") if c not in data.columns]
        if missing:
            raise ValueError(
                f"incidents lack column(s) {missing}: expected x/y in metres in the working CRS "
                f"(attrs[{WORKING_CRS!r}]); load them with hotspots.data.ingest"
            )
        # the two columns read as they are (no frame of them made first), laid out as a
        # frame's float block reads (column after column)
        xy = np.array([data["x"].to_numpy(dtype=float), data["y"].to_numpy(dtype=float)]).T
    else:
        xy = np.asarray(data, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(
                f"expected incidents or an (n, 2) array of x/y metres, got shape {xy.shape}; "
                "pass np.column_stack([x, y]) in the working CRS"
            )
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"{int(bad.sum())} point(s) have missing or infinite x/y (first rows {rows}); "
            "drop or quarantine them before clustering (hotspots.data.ingest does this)"
        )
    if xy.shape[0] == 0:
        raise ValueError("no points to cluster: the input is empty")
    return xy


def point_weights(weights: np.ndarray | pd.Series | None, n: int) -> np.ndarray:
    """Validate per-point weights (non-negative, finite, length ``n``); ``None`` gives ones."""
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights must have one value per point ({n}), got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError(
            "weights must be finite and non-negative (e.g. incident counts per location)"
        )
    if not w.any():
        raise ValueError("weights are all zero: there is nothing to cluster")
    return w


def check_min_samples(min_samples: int) -> None:
    """Raise ``ValueError`` unless ``min_samples`` is a whole number >= 1."""
    if isinstance(min_samples, bool) or int(min_samples) != min_samples or min_samples < 1:
        raise ValueError(f"min_samples must be a whole number >= 1, got {min_samples!r}")


def unique_locations(xy: np.ndarray, weights: np.ndarray) -> Locations:
    """Collapse identical coordinates into one location with summed weight.

    Locations are numbered in order of first occurrence in ``xy``, so any rule that
    depends on point order (DBSCAN's cluster numbering) is the same on locations as on
    the points. Vectorised: one hash-table pass (``pandas.factorize``).
    """
    inverse, ux, uy = distinct_points(xy[:, 0], xy[:, 1])  # in order of first occurrence
    uw = np.bincount(inverse, weights=weights, minlength=ux.size)
    return Locations(x=ux, y=uy, weight=uw, inverse=inverse)

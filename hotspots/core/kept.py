"""Results made from a GeoDataFrame (ward boundaries), kept while the frame is unchanged.

A dashboard names and plans every selection with its data load's wards: what is made from
them (read as boundaries, projected to the working CRS) is made once per frame, not at each
filter change.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

_R = TypeVar("_R")


def _state(frame: gpd.GeoDataFrame) -> tuple[object, list[str], np.ndarray, list[pd.Series]]:
    """What a kept result depends on: the CRS (the object held), the column names, the
    geometries held (objects) and every other column's values (as objects: missing values
    compare equal)."""
    geometry = frame.geometry.name
    outlines = np.asarray(frame.geometry.array, dtype=object).copy()
    values = [pd.Series(frame[c].to_numpy(object)) for c in frame.columns if c != geometry]
    return frame.crs, [str(c) for c in frame.columns], outlines, values


def _same(a: tuple, b: tuple) -> bool:
    (crs_a, columns_a, outlines_a, values_a), (crs_b, columns_b, outlines_b, values_b) = a, b
    return (
        crs_a is crs_b
        and columns_a == columns_b
        and len(outlines_a) == len(outlines_b)
        and all(map(operator.is_, outlines_a, outlines_b))
        and all(x.equals(y) for x, y in zip(values_a, values_b, strict=True))
    )


class KeptByFrame(Generic[_R]):
    """``make(frame)`` for each ``(frame, key)``, kept for the ``most`` used last (oldest
    dropped). Kept by the frame's identity, its CRS object's, each of its geometries' (an
    outline replaced in place keeps the frame and its geometry array) and the values of its
    other columns: a frame changed since is made again. A result is shared: never change it."""

    def __init__(self, most: int) -> None:
        self.most = most
        self._kept: list[tuple[gpd.GeoDataFrame, Hashable, tuple, _R]] = []
        self._lock = threading.Lock()

    def get(self, frame: gpd.GeoDataFrame, key: Hashable, make: Callable[[], _R]) -> _R:
        """The result kept for ``frame`` and ``key``, else ``make()`` (then kept)."""
        state = _state(frame)
        with self._lock:
            for kept, kept_key, kept_state, result in self._kept:
                if kept is frame and kept_key == key and _same(kept_state, state):
                    return result
        result = make()
        with self._lock:
            self._kept.append((frame, key, state, result))
            del self._kept[: -self.most]
        return result

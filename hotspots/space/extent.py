"""The study area when none is given: the districts the incidents fall in, or their core.

A handful of far-away records (police.uk files hold a few incidents a force recorded hundreds
of kilometres away) must not stretch the grid over half the country: the convex hull of all
incidents of one county gave 1.6 million H3 cells, 99 % of them empty. So without a study
area the analysis uses

1. the districts of the national boundary pack (:mod:`hotspots.data.boundaries`) each holding
   at least :data:`~hotspots.core.defaults.DEFAULT_AREA_MIN_SHARE` of the incidents, when
   together they hold at least :data:`~hotspots.core.defaults.DEFAULT_AREA_MIN_COVER` of them;
2. otherwise (data beyond England and Wales) the trimmed core of the points: the convex hull of
   the locations inside the central box (0.5–99.5 % of incidents on each axis, widened by a
   tenth of its size on every side), buffered by one H3 edge.

Incidents left outside keep their own cells (``in_study_area`` false) and are reported.

:func:`metres_outside` says how far points lie outside a study area (a camera list is checked
with it on import, :mod:`hotspots.store.io`).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from hotspots.core.crs import BNG, WGS84, from_lonlat, to_lonlat, transform
from hotspots.core.defaults import DEFAULT_AREA_MIN_COVER, DEFAULT_AREA_MIN_SHARE
from hotspots.data import boundaries
from hotspots.data.schema import WORKING_CRS
from hotspots.space.grid import EDGE_M

_CORE_QUANTILES = (0.005, 0.995)
"""Share of incidents trimmed on each side of each axis to find the core box …"""

_CORE_WIDEN = 0.5
"""… which is then widened by this share of its width and height on every side."""


@dataclass(frozen=True)
class DefaultArea:
    """The study area chosen for incidents given without one.

    Attributes
    ----------
    geometry
        (Multi)Polygon, EPSG:4326.
    how
        One sentence: the rule and what it chose (``params["study_area"]``).
    districts
        LAD codes of the districts used (empty for the trimmed core).
    incidents_outside
        Incidents outside ``geometry`` (they keep their own cells, outside the study area).
    """

    geometry: BaseGeometry
    how: str
    districts: tuple[str, ...]
    incidents_outside: int

    def as_params(self) -> dict[str, object]:
        """JSON-ready record for ``params``."""
        return {
            "how": self.how,
            "districts": list(self.districts),
            "incidents_outside": self.incidents_outside,
        }


def default_study_area(incidents: gpd.GeoDataFrame, *, res: int) -> DefaultArea:
    """The districts holding the incidents, else their trimmed core (see the module notes).

    Parameters
    ----------
    incidents
        Canonical incidents (``x``/``y`` metres in ``attrs["working_crs"]``), at least one.
    res
        H3 resolution: the trimmed core is buffered by one average edge at ``res``.

    Examples
    --------
    >>> area = default_study_area(herts_incidents, res=9)  # doctest: +SKIP
    >>> area.districts[:2], area.incidents_outside  # doctest: +SKIP
    (('E07000096', 'E07000241'), 458)
    """
    x = incidents["x"].to_numpy(dtype=float)
    y = incidents["y"].to_numpy(dtype=float)
    crs = incidents.attrs[WORKING_CRS]
    if crs != BNG:
        x, y = from_lonlat(*to_lonlat(x, y, crs), BNG)
    counts = boundaries.district_counts(x, y)
    chosen = counts[counts["share"] >= DEFAULT_AREA_MIN_SHARE]
    if len(chosen) and chosen["share"].sum() >= DEFAULT_AREA_MIN_COVER:
        pairs = zip(chosen["lad_code"], chosen["lad_name"], strict=True)
        names = ", ".join(f"{name} ({code})" for code, name in pairs)
        outside = len(incidents) - int(chosen["points"].sum())
        return DefaultArea(
            geometry=boundaries.districts_outline(tuple(chosen["lad_code"])),
            how=(
                f"districts holding at least {DEFAULT_AREA_MIN_SHARE:.1%} of the incidents "
                f"(national boundary pack): {names}; {outside:,} incident(s) outside"
            ),
            districts=tuple(chosen["lad_code"]),
            incidents_outside=outside,
        )
    return _trimmed_core(incidents, res)


def _trimmed_core(incidents: gpd.GeoDataFrame, res: int) -> DefaultArea:
    """Convex hull of the locations in the widened central box, buffered by one H3 edge."""
    crs = incidents.attrs[WORKING_CRS]
    xy = incidents[["x", "y"]].to_numpy(dtype=float)
    inside = np.ones(len(xy), dtype=bool)
    for axis in (0, 1):
        low, high = np.quantile(xy[:, axis], _CORE_QUANTILES)
        margin = _CORE_WIDEN * (high - low)
        inside &= (xy[:, axis] >= low - margin) & (xy[:, axis] <= high + margin)
    places = pd.unique(xy[inside, 0] + 1j * xy[inside, 1])  # the hull of distinct locations
    hull = shapely.multipoints(np.column_stack([places.real, places.imag])).convex_hull
    edge_m = EDGE_M.get(res, EDGE_M[9])
    core = hull.buffer(edge_m)
    lonlat = shapely.transform(
        core, lambda pts: np.column_stack(to_lonlat(pts[:, 0], pts[:, 1], crs))
    )
    outside = int((~inside).sum())
    return DefaultArea(
        geometry=shapely.make_valid(lonlat),
        how=(
            "trimmed core of the incidents (outside the districts of England and Wales): the "
            f"convex hull of the central {1 - 2 * _CORE_QUANTILES[0]:.0%} box widened by "
            f"{_CORE_WIDEN:.0%}, buffered by {edge_m} m; {outside:,} incident(s) outside"
        ),
        districts=(),
        incidents_outside=outside,
    )


def metres_outside(lon: ArrayLike, lat: ArrayLike, area: BaseGeometry) -> np.ndarray:
    """How far each lon/lat point lies outside ``area`` (a polygon, EPSG:4326), in metres; 0
    for a point inside it or on its edge.

    Measured on an azimuthal equidistant projection centred on the area (its outline given a
    vertex at least every 0.01°, so that straight lon/lat edges stay where they are): within a
    metre near the area, and for a point on another continent (longitude and latitude swapped)
    still the right thousands of kilometres.

    Examples
    --------
    >>> square = shapely.box(-0.5, 51.7, -0.4, 51.8)
    >>> metres_outside([-0.45, -0.35], [51.75, 51.75], square).round(-2)
    array([   0., 3500.])
    """
    centre = area.centroid
    local = f"+proj=aeqd +lat_0={centre.y:.4f} +lon_0={centre.x:.4f} +datum=WGS84 +units=m"
    outline = shapely.transform(
        shapely.segmentize(area, 0.01),
        lambda xy: np.column_stack(transform(WGS84, local, xy[:, 0], xy[:, 1])),
    )
    x, y = transform(WGS84, local, lon, lat)
    return np.asarray(shapely.distance(shapely.points(x, y), outline), dtype=float)

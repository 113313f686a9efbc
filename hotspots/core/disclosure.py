"""Suppression rules for sensitive incidents (domestic abuse, sexual offences, stalking).

Every view and export goes through these two rules:

1. **No points.** Layers built from incident locations (hexagons, clusters, camera coverage,
   patrol localities) are built from :func:`mappable` incidents, which leaves sensitive rows
   out. A cell or cluster outline made of one victim's address would expose it.
2. **No small counts.** Sensitive incidents appear only as counts per ward (or larger area),
   and counts below :data:`MIN_COUNT` are shown as ``"<5"`` by :func:`suppress_small`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

MIN_COUNT = 5
"""Smallest count of sensitive incidents shown; smaller counts are suppressed."""

SUPPRESSED = f"<{MIN_COUNT}"


def mappable(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The incidents whose locations may feed a map layer: sensitive rows left out.

    ``attrs`` are kept, and ``attrs["sensitive_left_out"]`` says how many were left out, so
    the view can tell the user.
    """
    sensitive = incidents["sensitive"].fillna(True).to_numpy(bool)
    out = incidents.loc[~sensitive].copy()
    out.attrs = {**incidents.attrs, "sensitive_left_out": int(sensitive.sum())}
    return out


def suppress_small(counts: pd.Series, *, min_count: int = MIN_COUNT) -> pd.Series:
    """Counts as display strings, with 1..``min_count - 1`` replaced by ``"<min_count>"``.

    Zero stays ``"0"`` (no incident is disclosed by a zero).

    Examples
    --------
    >>> suppress_small(pd.Series([0, 3, 12])).tolist()
    ['0', '<5', '12']
    """
    values = pd.to_numeric(counts, errors="raise").astype("Int64")
    small = (values > 0) & (values < min_count)
    out = values.astype("string")
    out[small.fillna(False)] = f"<{min_count}"
    return out

"""Human names for patrol localities: the main street of their incidents, and their ward."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

POLICEUK_LANDMARKS: frozenset[str] = frozenset(
    {
        "airport/airfield",
        "bus/coach station",
        "conference/exhibition centre",
        "further/higher educational building",
        "hospital",
        "nightclub",
        "park/open space",
        "parking area",
        "pedestrian subway",
        "petrol station",
        "police station",
        "prison",
        "shopping area",
        "sports/recreation area",
        "supermarket",
        "theatre/concert hall",
        "train station",
    }
)
"""police.uk's generic map-point names (lower case): a place type, not a street."""

_PREFIX = "on or near "


def _place(locations: pd.Series) -> pd.Series:
    """``"On or near Marlowes"`` → ``"Marlowes"``; blanks become ``<NA>``."""
    text = locations.astype("string").str.strip()
    starts = text.str.lower().str.startswith(_PREFIX).fillna(False).to_numpy(bool)
    text = text.where(~starts, text.str.slice(len(_PREFIX)))
    return text.str.strip().replace("", pd.NA)


def main_streets(locations: pd.Series, locality: np.ndarray) -> pd.DataFrame:
    """The most frequent street, and the most frequent landmark, of each locality's incidents.

    Parameters
    ----------
    locations
        The ``location`` text of each incident (police.uk: ``"On or near <street>"``, or a
        generic landmark such as ``"Parking Area"``).
    locality
        The locality of each incident (any hashable ids; incidents of no locality excluded
        beforehand).

    Returns
    -------
    DataFrame indexed by locality with ``street`` (most frequent non-landmark place; ties to the
    alphabetically first) and ``landmark`` (most frequent generic landmark, when it outnumbers
    the street), ``<NA>`` when there is none.

    Examples
    --------
    >>> main_streets(pd.Series(["On or near Marlowes", "On or near Parking Area",
    ...                         "On or near Marlowes"]), np.array([1, 1, 1])).loc[1, "street"]
    'Marlowes'
    """
    place = _place(locations)
    frame = pd.DataFrame({"locality": locality, "place": place.to_numpy()}).dropna()
    frame["landmark"] = frame["place"].str.lower().isin(POLICEUK_LANDMARKS).to_numpy(bool)
    counts = frame.groupby(["locality", "landmark", "place"]).size().rename("n").reset_index()
    counts = counts.sort_values(["locality", "n", "place"], ascending=[True, False, True])
    streets = counts[~counts["landmark"]].drop_duplicates("locality").set_index("locality")
    marks = counts[counts["landmark"]].drop_duplicates("locality").set_index("locality")
    index = pd.Index(pd.unique(frame["locality"]), name="locality").sort_values()
    out = pd.DataFrame(index=index)
    out["street"] = streets["place"].reindex(index)
    outnumbers = marks["n"].reindex(index).fillna(0) > streets["n"].reindex(index).fillna(0)
    out["landmark"] = marks["place"].reindex(index).where(outnumbers)
    return out.astype("string")


def ward_names(centres: np.ndarray, wards: gpd.GeoDataFrame | None, crs: str) -> np.ndarray:
    """Name of the ward holding each centre (metres in ``crs``); ``None`` outside every ward.

    Parameters
    ----------
    centres
        ``(n, 2)`` array of locality centres in metres (working CRS).
    wards
        Boundaries from :func:`hotspots.space.areas.read_boundaries` (``area_name``), or ``None``.
    crs
        The working CRS of ``centres``.

    Returns
    -------
    Object array of ward names (first ward in table order when on a shared boundary).
    """
    names = np.full(len(centres), None, dtype=object)
    if wards is None or len(centres) == 0:
        return names
    polygons = wards.to_crs(crs).geometry.to_numpy()
    tree = shapely.STRtree(polygons)
    point_idx, ward_idx = tree.query(shapely.points(centres), predicate="intersects")
    first = pd.Series(ward_idx).groupby(point_idx).min()
    names[first.index.to_numpy()] = wards["area_name"].to_numpy(dtype=object)[first.to_numpy()]
    return names


def locality_names(streets: pd.DataFrame, wards: np.ndarray) -> list[str]:
    """``"Marlowes (Shopping Area), Hemel Hempstead Town"``; duplicates numbered ``#2``, ``#3``.

    Parameters
    ----------
    streets
        From :func:`main_streets`, one row per locality in rank order.
    wards
        Ward name per locality (``None`` when unknown), in the same order.
    """
    names = []
    for street, landmark, ward in zip(streets["street"], streets["landmark"], wards, strict=True):
        place = street if pd.notna(street) else (landmark if pd.notna(landmark) else None)
        if pd.notna(street) and pd.notna(landmark):
            place = f"{street} ({landmark})"
        parts = [p for p in (place, ward) if p is not None and pd.notna(p)]
        names.append(", ".join(parts) if parts else "unnamed place")
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out

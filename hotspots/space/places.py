"""Names of places in a JAG's words: the main street of their incidents, and their ward.

One home for naming: patrol localities, H3 cells, clusters and hot spots are all called
"Marlowes, Hemel Hempstead Town" (:func:`place_names`), on the maps' tooltips and labels and in
every document. police.uk gives each incident a map point named ``"On or near <street>"`` (or a
generic landmark such as ``"Parking Area"``); the most frequent street of a place's incidents
names it. A landmark alone tells a patrol nothing ("Shopping Area" is in every town): a place
whose incidents name only a landmark is called by it and the nearest street
(``"Shopping Area near High Street, Ward"``, :data:`NEAR_STREET_M`), else by it and its ward;
without wards, by the nearest street farther off (``"Parking Area about 600 m from Mill
Lane"``, :data:`FAR_STREET_M`), and the caller says once that no ward file was given
(:data:`NO_WARD_NOTE`).

Disclosure (:mod:`hotspots.core.disclosure`): a name is taken only from non-sensitive
incidents, so no place is ever named from sensitive records (sensitive rows are dropped
before counting; a place of only sensitive incidents is named by its ward alone). Text from
sources with exact coordinates (council or CAD logs, whose "location" may be a house address)
names a place only when the same text is found at :data:`NAMING_MIN_POINTS` or more distinct
points, not all within :data:`HOUSE_REACH_M` of their middle, and does not read as a premises
address (:func:`looks_like_address`): a street, never one address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.core.crs import from_lonlat, to_crs
from hotspots.core.disclosure import UK_POSTCODE, is_exact_source
from hotspots.core.kept import KeptByFrame
from hotspots.core.points import coordinates, distinct_points, first_rows
from hotspots.data.schema import WORKING_CRS, incident_points
from hotspots.space.grid import cell_centres, cell_ints, cells_to_ints

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

_CAPITAL_S = r"(?<=[A-Za-z])['’]S\b"
"""A possessive capitalised by police.uk's title case ("The Queen'S Square"): read as 's."""

NEAR_STREET_M = 250.0
"""A place named only by a police.uk landmark borrows the nearest street named
by incidents within this many metres of its centre (about two street blocks): "near …"."""

FAR_STREET_M = 5000.0
"""Without a ward to name it, such a place borrows a street up to this far: "about 400 m
from …", "about 1.4 km from …"."""

NO_WARD_NOTE = "no ward boundaries were given, so places are named by their street only"
"""Said once (a note, a caption) where places have no ward, instead of a blank ward."""

NAMING_MIN_POINTS = 3
"""Distinct points (1 m apart or more) at which location text from an exact-coordinate source
must be found before it names a place (so one report's address never does)."""

HOUSE_REACH_M = 20.0
"""Location text from an exact-coordinate source whose points lie within this many metres of
their middle (the median point) never names a place: one house and its garden (a
semi-detached plot is about 8 m by 30 m, its corners some 16 m from its middle), clicked on a
map again and again, a few metres off each time. Its stray points (a mis-click, a geocode to
the street's end) do not make it a street either: the points beyond this reach must
themselves lie farther than it from their own middle, as a street's incidents do."""

PREMISES_WORDS = frozenset(
    {"cottage", "cottages", "farm", "farmhouse", "lodge", "barn", "villa", "manor", "grange",
     "vicarage", "rectory", "bungalow", "chalet", "mansion"}
)  # fmt: skip
"""Words that end a house's name, not a street's ("Rose Cottage", "Manor Farm", "Oak Lodge"):
location text from an exact-coordinate source that has one at the end of a part (before a
comma, or last) reads as an address (a street ending so, "Lodge Lane", does not)."""

_ADDRESS = re.compile(
    r"^\s*\d+[a-z]?\b"  # a leading house number: "27 Hawthorn Road", "27a", "27-29"
    r"|^\s*(?:flat|apartment|apt|unit|room|suite|studio|maisonette|bedsit)\b"  # "Flat 2, …"
    rf"|{UK_POSTCODE}"  # a full UK postcode: "M16 8XY", "AL11AA"
    # a house's name: "Rose Cottage, Bollin Way", "Manor Farm", "The Old Vicarage"
    rf"|\b(?:{'|'.join(sorted(PREMISES_WORDS))})\s*(?:,|$)",
    re.IGNORECASE,
)
"""Text that reads as a premises address (:func:`looks_like_address`)."""


def by_value(values: pd.Series, rule: Callable[[pd.Series], np.ndarray]) -> np.ndarray:
    """``rule(values)`` for a rule of each value alone (a boolean per row), worked out once per
    distinct value (missing ones included): a selection's incidents repeat a few hundred
    sources or map-point names thousands of times."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(rule(pd.Series(uniques, dtype=values.dtype)), dtype=bool)[codes]


def _is_landmark(place: pd.Series) -> np.ndarray:
    """Per place (:func:`_place`): one of police.uk's generic landmarks."""
    return place.str.lower().isin(POLICEUK_LANDMARKS).fillna(False).to_numpy(bool)


def looks_like_address(locations: pd.Series) -> np.ndarray:
    """Per location text: it reads as a premises address, a leading house number
    ("27 Hawthorn Road"), a flat or unit ("Flat 2, Rose Court"), a full UK postcode
    ("M16 8XY") or a house's name (:data:`PREMISES_WORDS`: "Rose Cottage, Bollin Way"), which
    no place name may show."""
    found = locations.astype("string").str.contains(_ADDRESS)
    return found.fillna(False).to_numpy(bool)


def nameable(incidents: pd.DataFrame) -> np.ndarray:
    """Rows whose location text may name a place: police.uk's public map-point names, and text
    from any other source seen at :data:`NAMING_MIN_POINTS` or more distinct points, not all
    within :data:`HOUSE_REACH_M` of their median point (nor all but strays that are themselves
    one spot), that is not an address (:func:`looks_like_address`)."""
    n = len(incidents)
    if "source" not in incidents.columns or not {"x", "y"} <= set(incidents.columns):
        return np.ones(n, dtype=bool)
    snapped = ~by_value(incidents["source"], is_exact_source)
    if snapped.all():
        return snapped
    text = incidents["location"].astype("string").str.strip().str.lower()
    points = pd.DataFrame(
        {
            "text": text.to_numpy(),
            "x": np.round(incidents["x"].to_numpy(float)),
            "y": np.round(incidents["y"].to_numpy(float)),
        }
    )
    points = points[points["text"].notna()].drop_duplicates()  # text only may name a place
    if len(points) == 0:
        return snapped
    middle = points.groupby("text")[["x", "y"]].transform("median")
    far = (
        np.hypot(points["x"] - middle["x"], points["y"] - middle["y"]) > HOUSE_REACH_M
    ).to_numpy()
    strays = points[far]  # beyond a house's reach: a street's, or a house's mis-clicks
    their_middle = strays.groupby("text")[["x", "y"]].transform("median")
    spread_out = np.hypot(strays["x"] - their_middle["x"], strays["y"] - their_middle["y"])
    reaches = (spread_out > HOUSE_REACH_M).groupby(strays["text"]).any()
    counted = points.groupby("text").size()
    street = counted.index[counted >= NAMING_MIN_POINTS].intersection(reaches.index[reaches])
    common = text.isin(street).fillna(False).to_numpy(bool) & ~by_value(
        incidents["location"], looks_like_address
    )
    return snapped | common


def naming_rows(incidents: pd.DataFrame) -> np.ndarray:
    """Rows whose location text may name a place: :func:`nameable` and not sensitive
    (sensitive incidents never name a place: :mod:`hotspots.core.disclosure`)."""
    named = nameable(incidents)
    if "sensitive" in incidents.columns:
        named &= ~incidents["sensitive"].to_numpy(bool)
    return named


def place_text(incidents: pd.DataFrame) -> pd.Series:
    """Each incident's place as its ``location`` names it (``"On or near Marlowes"`` →
    ``"Marlowes"``; blank: ``<NA>``), indexed from 0: what :func:`place_names` reads; work it
    out once when naming several sets of places from the same incidents."""
    return _place(incidents["location"].reset_index(drop=True))


def _place(locations: pd.Series) -> pd.Series:
    """``"On or near Marlowes"`` → ``"Marlowes"``, ``"The Queen'S Square"`` → ``"The Queen's
    Square"``; blanks become ``<NA>`` (each distinct
    location worked out once: incidents repeat a few thousand map points)."""
    codes, uniques = pd.factorize(locations, use_na_sentinel=False)
    if len(uniques) == len(locations):
        return _place_each(locations)
    each = _place_each(pd.Series(uniques, dtype=locations.dtype))
    return pd.Series(each.array.take(codes), index=locations.index, name=locations.name)


def _place_each(locations: pd.Series) -> pd.Series:
    """:func:`_place`, row by row."""
    text = locations.astype("string").str.strip()
    starts = text.str.lower().str.startswith(_PREFIX).fillna(False).to_numpy(bool)
    text = text.where(~starts, text.str.slice(len(_PREFIX)))
    text = text.str.replace(_CAPITAL_S, "'s", regex=True)  # police.uk's "The Queen'S Square"
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
    return _main_streets(_place(locations), locality)


@dataclass(frozen=True)
class _PlaceCodes:
    """Place texts (:func:`_place`) as integer codes: each distinct text once, with its rank
    in alphabetical order and whether it is a police.uk landmark."""

    codes: np.ndarray  # per text: its distinct text's position, -1 where missing
    names: np.ndarray  # the distinct texts (Python strings)
    alphabetical: np.ndarray  # per distinct text: its rank in alphabetical order
    landmark: np.ndarray  # per distinct text: one of POLICEUK_LANDMARKS

    @classmethod
    def of(cls, place: pd.Series) -> _PlaceCodes:
        """The codes of ``place`` (text as it is held: no Python string per row)."""
        codes, distinct = pd.factorize(place)
        names = np.asarray(distinct, dtype=object)
        # sorted as held (Arrow text sorts its UTF-8 bytes: the code points' order, as Python's)
        alphabetical = np.empty(len(names), dtype=np.int64)
        alphabetical[distinct.argsort(kind="stable")] = np.arange(len(names))
        landmark = _is_landmark(pd.Series(names, dtype="string"))
        return cls(codes, names, alphabetical, landmark)

    def take(self, rows: np.ndarray) -> _PlaceCodes:
        """The codes of ``rows`` (a mask or positions) of the texts, the same distinct ones."""
        return replace(self, codes=self.codes[rows])


def _main_streets(
    place: pd.Series, locality: np.ndarray, coded: _PlaceCodes | None = None
) -> pd.DataFrame:
    """:func:`main_streets` of the places (:func:`_place`) of the incidents (``coded``: their
    codes, when the caller has them).

    Counted on integer codes (each distinct place and locality once): per locality, the
    non-landmark place with most incidents (ties: the alphabetically first) and the landmark
    likewise, kept when it outnumbers the street."""
    ids = np.asarray(locality)
    valid = place.notna().to_numpy(bool) & pd.notna(ids)
    where, uniques = pd.factorize(ids[valid], sort=True)  # codes in the ids' sorted order
    if len(uniques):
        index = pd.Index(uniques, name="locality")
    else:  # none: an empty index of the dtype a table column of the ids infers
        index = pd.Index(pd.Series(ids)[valid], name="locality")
    out = pd.DataFrame(index=index)
    street = np.full(len(index), None, dtype=object)
    landmark = np.full(len(index), None, dtype=object)
    if valid.any():
        coded = _PlaceCodes.of(place[valid]) if coded is None else coded.take(valid)
        codes, names, alphabetical = coded.codes, coded.names, coded.alphabetical
        pair, n = np.unique(where * len(names) + codes, return_counts=True)
        loc, code = pair // len(names), pair % len(names)
        is_mark = coded.landmark[code]
        order = np.lexsort((alphabetical[code], -n, loc))
        loc, code, n, is_mark = loc[order], code[order], n[order], is_mark[order]
        best_n = {}
        for kind, chosen in ((False, street), (True, landmark)):
            rows = np.flatnonzero(is_mark == kind)
            first = rows[np.r_[True, loc[rows][1:] != loc[rows][:-1]]] if rows.size else rows
            chosen[loc[first]] = names[code[first]]
            counts = np.zeros(len(index), dtype=np.int64)
            counts[loc[first]] = n[first]
            best_n[kind] = counts
        landmark[~(best_n[True] > best_n[False])] = None
    out["street"] = pd.Series(street, index=index, dtype=object)
    out["landmark"] = pd.Series(landmark, index=index, dtype=object)
    return out.astype("string")


def add_near_streets(
    streets: pd.DataFrame,
    ward: np.ndarray,
    incidents: pd.DataFrame,
    centres: np.ndarray,
    *,
    places: pd.Series | None = None,
    street_points: StreetPoints | None = None,
) -> None:
    """Add ``near`` (:meth:`StreetPoints.near`) to ``streets`` (of :func:`main_streets`, one
    row per centre), in place, for the places with no street of their own, only a landmark
    ("Shopping Area" alone tells no one where): within :data:`NEAR_STREET_M`, or
    :data:`FAR_STREET_M` where ``ward`` is missing. Never for a place with no nameable
    incident (a house address or sensitive records stay unnamed). ``incidents`` and
    ``places`` as for :class:`StreetPoints`; ``street_points``: theirs, when the caller has
    it."""
    alone = (streets["street"].isna() & streets["landmark"].notna()).to_numpy(bool)
    if alone.any():
        reach = np.where(pd.isna(ward), FAR_STREET_M, NEAR_STREET_M)[alone]
        streets["near"] = pd.Series(pd.NA, index=streets.index, dtype="string")
        points = street_points or StreetPoints(incidents, places=places)
        streets.loc[alone, "near"] = points.near(centres[alone], max_m=reach)


class StreetPoints:
    """The incidents that may name a street near a place (:func:`naming_rows`: never a
    sensitive record or a house address; their place a street, not a landmark) as distinct
    points with a search tree, made when first asked
    (:meth:`near`) and then kept: an analysis names its cells, clusters and hot spots from
    the same incidents.

    Parameters
    ----------
    incidents
        Incidents with ``location`` text and ``x``, ``y`` (metres, working CRS).
    places
        :func:`place_text` of ``incidents`` when the caller has it; ``None``: worked out here.
    """

    def __init__(self, incidents: pd.DataFrame, *, places: pd.Series | None = None) -> None:
        self.incidents, self.places = incidents, places

    @cached_property
    def named(self) -> np.ndarray:
        """:func:`naming_rows` of the incidents (worked out once for every naming)."""
        return naming_rows(self.incidents)

    @cached_property
    def text(self) -> pd.Series:
        """:func:`place_text` of the incidents."""
        return place_text(self.incidents) if self.places is None else self.places

    @cached_property
    def coded(self) -> _PlaceCodes:
        """The codes of their place texts (worked out once for every naming)."""
        return _PlaceCodes.of(self.text)

    @cached_property
    def _points(self) -> tuple[Any, np.ndarray] | None:
        """The points' k-d tree and the street of each (its first incident's); ``None``: no
        incident may name a street."""
        incidents = self.incidents
        if not {"x", "y", "location"} <= set(incidents.columns):
            return None
        place, coded = self.text, self.coded
        ok = self.named & (coded.codes >= 0)
        ok[ok] = ~coded.landmark[coded.codes[ok]]
        xy = np.column_stack(
            [incidents["x"].to_numpy(float)[ok], incidents["y"].to_numpy(float)[ok]]
        )
        finite = np.isfinite(xy).all(axis=1)
        if not finite.any():
            return None
        from scipy.spatial import cKDTree  # lazy: only when a place needs a nearby street

        points, first = _distinct_points(xy[finite])
        # the street of each point (its first incident's): only those become Python strings
        return cKDTree(points), place.iloc[np.flatnonzero(ok)[finite][first]].to_numpy(object)

    def near(self, centres: np.ndarray, *, max_m: float | np.ndarray = NEAR_STREET_M) -> np.ndarray:
        """Words placing each centre (``(n, 2)`` metres, the incidents' CRS) by the nearest
        street among the incidents that may name one: ``"near High Street"`` (within
        :data:`NEAR_STREET_M`), ``"about 400 m from High Street"`` (farther, up to ``max_m``
        metres, one for all centres or one each); ``None`` where no street is that close.
        police.uk's ``"On or near"`` is left off; landmarks never name a street."""
        out = np.full(len(centres), None, dtype=object)
        found = self._points if len(centres) else None
        if found is None:
            return out
        tree, streets = found
        limit = np.broadcast_to(np.asarray(max_m, dtype=float), (len(centres),))
        distance, nearest = tree.query(
            np.asarray(centres, dtype=float).reshape(-1, 2),
            distance_upper_bound=float(limit.max()),
        )
        for i in np.flatnonzero(np.isfinite(distance) & (distance <= limit)):
            street = streets[nearest[i]]
            d = float(distance[i])
            far = f"{d / 1000:.1f} km" if d >= 1000 else f"{round(d, -1):.0f} m"
            out[i] = f"near {street}" if d <= NEAR_STREET_M else f"about {far} from {street}"
        return out


def _distinct_points(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``xy`` (n, 2), sorted by x then y, and the first row holding each:
    ``np.unique(xy, axis=0, return_index=True)``, sorting only the distinct points
    (:func:`hotspots.core.points.distinct_points`: incidents share a few thousand map points)."""
    codes, x, y = distinct_points(xy[:, 0], xy[:, 1])
    first = first_rows(codes)
    order = np.lexsort((y, x))
    return np.column_stack([x, y])[order], first[order]


_projected: KeptByFrame[gpd.GeoDataFrame] = KeptByFrame(most=4)
"""Ward frames projected by :func:`wards_in_crs` (the oldest dropped)."""


def wards_in_crs(wards: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """``to_crs(wards, crs)``, kept for the ward frames used last
    (:class:`hotspots.core.kept.KeptByFrame`: a frame given new outlines or names is projected
    again): a dashboard names every selection's places with its data load's wards
    (Hertfordshire's ten districts: 0.04 s of CPU the first time, 0.006 s after). The result
    is shared: never change it."""
    return _projected.get(wards, crs, lambda: to_crs(wards, crs))


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
    Object array of ward names (first ward in table order when on a shared boundary); all
    ``None`` when ``wards`` has no ``area_name`` (boundaries without names name nothing).
    """
    names = np.full(len(centres), None, dtype=object)
    if wards is None or "area_name" not in wards.columns or len(centres) == 0:
        return names
    polygons = wards_in_crs(wards, crs).geometry.to_numpy()
    tree = shapely.STRtree(polygons)
    point_idx, ward_idx = tree.query(shapely.points(centres), predicate="intersects")
    first = pd.Series(ward_idx).groupby(point_idx).min()
    names[first.index.to_numpy()] = wards["area_name"].to_numpy(dtype=object)[first.to_numpy()]
    return names


def _ends_with(place: str, ward: str) -> bool:
    """Whether a place's text already ends with its ward's name (a council's location text
    often does: "King Street Precinct, Stretford")."""
    return place.rsplit(",", 1)[-1].strip().casefold() == ward.strip().casefold()


def locality_names(
    streets: pd.DataFrame, wards: np.ndarray, *, number_duplicates: bool = True
) -> list[str]:
    """``"Marlowes (Shopping Area), Hemel Hempstead Town"``; duplicates numbered ``#2``, ``#3``.

    Parameters
    ----------
    streets
        From :func:`main_streets`, one row per locality in rank order; an optional ``near``
        column (:meth:`StreetPoints.near`) names places whose incidents name only a landmark.
    wards
        Ward name per locality (``None`` when unknown), in the same order.
    number_duplicates
        Number the second and later places of the same name (patrol localities must be told
        apart); ``False`` leaves neighbouring cells of one street under one name.
    """
    names = []
    near = streets["near"] if "near" in streets.columns else pd.Series(None, index=streets.index)
    columns = (streets["street"], streets["landmark"], near, pd.Series(wards, dtype=object))
    plain = [c.astype(object).where(c.notna().to_numpy(bool), None).tolist() for c in columns]
    for street, landmark, nearby, ward in zip(*plain, strict=True):
        place = street if street is not None else landmark
        if street is not None and landmark is not None:
            place = f"{street} ({landmark})"
        elif landmark is not None and nearby is not None:  # "Parking Area near High Street"
            place = f"{landmark} {nearby}"
        if place is not None and ward is not None and _ends_with(place, ward):
            ward = None  # "King Street Precinct, Stretford", not "…, Stretford, Stretford"
        parts = [p for p in (place, ward) if p is not None]
        names.append(", ".join(parts) if parts else "unnamed place")
    if not number_duplicates:
        return names
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out


def place_names(
    incidents: pd.DataFrame,
    groups: np.ndarray,
    centres: pd.DataFrame,
    wards: gpd.GeoDataFrame | None,
    *,
    crs: str,
    number_duplicates: bool = False,
    places: pd.Series | None = None,
    ward: np.ndarray | None = None,
    street_points: StreetPoints | None = None,
) -> pd.Series:
    """The ``"Street, Ward"`` name of each place (cell, cluster, hot spot, patrol locality).

    Parameters
    ----------
    incidents
        Incidents with ``location`` text (police.uk ``"On or near …"``) and, when present,
        ``sensitive``: sensitive rows never name a place (:mod:`hotspots.core.disclosure`).
    groups
        The place of each incident (any hashable id; ``-1`` or missing: no place).
    centres
        One row per place to name, indexed by its id, with ``x`` and ``y`` in metres of
        ``crs``: the point whose ward is named.
    wards
        Ward polygons (``area_name``; any CRS), or ``None`` (names have no ward).
    crs
        The working CRS of ``centres``.
    number_duplicates
        See :func:`locality_names`.
    places
        :func:`place_text` of ``incidents`` when the caller has it; ``None``: worked out here.
    ward
        :func:`ward_names` of the centres when the caller has it; ``None``: worked out here.
    street_points
        The :class:`StreetPoints` of ``incidents`` and their :func:`naming_rows`, when the
        caller names several sets of places from them; ``None``: made here when needed.

    Returns
    -------
    Series of names indexed like ``centres``: ``"Street, Ward"``, ``"Landmark near Street,
    Ward"``, ``"Street"`` (outside every ward), ``"Ward"`` (no location text among its
    non-sensitive incidents), ``"Landmark about 600 m from Street"`` (no ward) or
    ``"unnamed place"``.

    Examples
    --------
    >>> inc = pd.DataFrame({"location": ["On or near Marlowes"] * 2, "sensitive": [False, True]})
    >>> place_names(inc, np.array([7, 8]), pd.DataFrame({"x": [0.0, 0.0], "y": [0.0, 0.0]},
    ...             index=[7, 8]), None, crs="EPSG:27700").tolist()
    ['Marlowes', 'unnamed place']
    """
    ids = np.asarray(groups)
    if ids.dtype.kind in "iu":  # whole numbers (cluster labels, locality ranks): never missing
        has_place = ids != -1
    else:
        place = pd.Series(ids.astype(object, copy=False))
        has_place = place.notna().to_numpy(bool) & by_value(
            place, lambda u: (u.astype(str) != "-1").to_numpy(bool)
        )
    named = naming_rows(incidents) if street_points is None else street_points.named
    keep = named & has_place
    if places is None:  # once for every use below
        places = place_text(incidents) if street_points is None else street_points.text
    coded = None if street_points is None else street_points.coded.take(keep)
    streets = _main_streets(places[keep], ids[keep], coded).reindex(centres.index)
    xy = centres[["x", "y"]].to_numpy(float).reshape(-1, 2)
    if ward is None:
        ward = ward_names(xy, wards, crs)
    add_near_streets(streets, ward, incidents, xy, places=places, street_points=street_points)
    names = locality_names(streets, ward, number_duplicates=number_duplicates)
    return pd.Series(names, index=centres.index, dtype=object, name="place")


def cell_place_names(
    incidents: gpd.GeoDataFrame,
    cells: np.ndarray | pd.Series | list[str],
    res: int,
    wards: gpd.GeoDataFrame | None,
    *,
    places: pd.Series | None = None,
    located: tuple[pd.DataFrame, np.ndarray] | None = None,
    street_points: StreetPoints | None = None,
) -> np.ndarray:
    """The ``"Street, Ward"`` name of each H3 cell (:func:`place_names`), from the incidents
    in it; ``wards`` ``None``: no ward in the names (say :data:`NO_WARD_NOTE` once).

    Parameters
    ----------
    incidents
        Mappable canonical incidents (``location``, point geometry, ``attrs["working_crs"]``).
    cells
        H3 ids (hexadecimal strings) of resolution ``res``.
    places
        :func:`place_text` of ``incidents``, when the caller has it.
    located
        :func:`cell_wards` of ``cells`` (the same wards and CRS), when the caller has it.
    street_points
        As for :func:`place_names`.
    """
    ids = np.asarray(cells, dtype=object)
    if len(ids) == 0:
        return np.empty(0, dtype=object)
    crs = incidents.attrs[WORKING_CRS]
    centres, ward = cell_wards(ids, wards, crs) if located is None else located
    points = incident_points(incidents)
    # each incident grouped by the position of its cell among the distinct cells (-1: none)
    distinct, first, inverse = np.unique(cells_to_ints(ids), return_index=True, return_inverse=True)
    held = cell_ints(*coordinates(points), res)
    of_cell = pd.Index(distinct).get_indexer(held)
    names = place_names(
        incidents,
        of_cell,
        centres.iloc[first].reset_index(drop=True),
        wards,
        crs=crs,
        places=places,
        ward=np.asarray(ward, dtype=object)[first],
        street_points=street_points,
    )
    return names.to_numpy()[inverse.ravel()]


def cell_wards(
    cells: np.ndarray, wards: gpd.GeoDataFrame | None, crs: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The centres of H3 cells (``x``, ``y`` in metres of ``crs``, indexed by cell) and the ward
    holding each (:func:`ward_names`): what :func:`cell_place_names` names them by."""
    ids = np.asarray(cells, dtype=object)
    lon, lat = cell_centres(ids)
    x, y = from_lonlat(lon, lat, crs)
    centres = pd.DataFrame({"x": x, "y": y}, index=ids)
    return centres, ward_names(np.column_stack([x, y]), wards, crs)

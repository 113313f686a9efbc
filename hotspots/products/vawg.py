"""VAWG walkabout feedback: suggested actions, recorded crime near feedback, unwalked hot cells.

Feedback points (where women said they feel unsafe, from :func:`hotspots.store.list_feedback`
or any table with ``feedback_id``, ``lon``/``lat`` in WGS84, ``reason``, ``severity``) are set
against recorded crime relevant to violence against women and girls (incidents with ``vawg``
True; the taxonomy flags violence, sexual offences, stalking, harassment, ...). Recorded crime
only ever leaves this module as counts — per feedback point, or per H3 cell — never as points;
sensitive crime is never counted around a feedback point.

Examples
--------
>>> near = feedback_near_incidents(feedback, incidents, distance_m=100)  # doctest: +SKIP
>>> gaps = uncovered_hot_cells(incidents, feedback, study_area=wards)  # doctest: +SKIP
>>> drafts = draft_actions(feedback, start=date(2021, 11, 18))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.stats import hotspots_gistar
from hotspots.core.crs import from_lonlat, outside_degrees, to_crs
from hotspots.core.defaults import GI_K, H3_RES, HOT_MIN_BIN
from hotspots.core.disclosure import mappable
from hotspots.data.ingest import resolve_study_area
from hotspots.data.schema import WORKING_CRS, check_incidents
from hotspots.space.grid import grid_counts
from hotspots.store.records import OPEN_STATUSES, REASONS

REASON_ACTIONS: dict[str, tuple[str, str]] = {
    "poor_lighting": ("Survey the street lighting and repair or add lights", "Street lighting"),
    "isolated": (
        "Review the route: lighting, sight lines, signage and safer alternatives",
        "Community safety partnership",
    ),
    "overgrown": ("Cut back the vegetation to open sight lines", "Parks and grounds maintenance"),
    "no_cctv": (
        "Assess CCTV coverage here; consider a redeployable camera",
        "CCTV control room",
    ),
    "groups_loitering": (
        "Patrol at the time of concern and engage with the groups",
        "Police safer neighbourhood team",
    ),
    "harassment_experienced": (
        "Targeted patrols at the time of concern; publicise how to report harassment",
        "Police safer neighbourhood team",
    ),
    "other": ("Review the comment and agree an action", "Community safety partnership"),
}
"""Suggested action and owner agency for each reason code (edit to suit the partnership)."""

DAYS_BY_SEVERITY: dict[int, int] = {5: 14, 4: 28, 3: 42, 2: 56, 1: 84}
"""Days from the walkabout to an action's due date, by the feedback's severity (1–5)."""


ACTION_FIELDS: list[str] = ["feedback_id", "description", "owner_agency", "due_date", "status"]
"""The columns of :func:`draft_actions` that make a record for :func:`hotspots.store.add_action`."""


def _feedback_table(feedback: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("feedback_id", "lon", "lat", "reason", "severity") if c not in feedback]
    if missing:
        raise ValueError(
            f"feedback lacks column(s) {missing}; expected feedback_id, lon, lat (WGS84), "
            "reason, severity (see hotspots.store.list_feedback)"
        )
    table = pd.DataFrame(feedback).drop(columns="geometry", errors="ignore").reset_index(drop=True)
    lon = pd.to_numeric(table["lon"], errors="coerce")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    bad = ~(np.isfinite(lon) & np.isfinite(lat)) | outside_degrees(lon, lat)
    if bad.any():
        raise ValueError(
            f"feedback {table.loc[bad, 'feedback_id'].head(5).tolist()} lack WGS84 lon/lat"
        )
    unknown = sorted(set(table["reason"]) - set(REASONS))
    if unknown:
        raise ValueError(f"feedback has unknown reason code(s) {unknown}; codes are {REASONS}")
    return table.assign(lon=lon.to_numpy(float), lat=lat.to_numpy(float))


def _project(lon: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    return from_lonlat(lon, lat, crs)


def draft_actions(
    feedback: pd.DataFrame,
    *,
    start: date | None = None,
    days_by_severity: Mapping[int, int] = DAYS_BY_SEVERITY,
    actions: Mapping[str, tuple[str, str]] = REASON_ACTIONS,
) -> pd.DataFrame:
    """One suggested action per feedback point, most severe first, ready to review and store.

    Parameters
    ----------
    feedback
        Feedback points (``feedback_id``, ``reason``, ``severity``, ``comment`` if any).
    start
        Date the due dates count from (the walkabout's date; default today).
    days_by_severity
        Days until due for each severity 1–5.
    actions
        Suggested description and owner agency per reason code.

    Returns
    -------
    DataFrame
        ``feedback_id``, ``reason``, ``severity``, ``comment`` (verbatim: escape it where
        shown), ``description``, ``owner_agency``, ``due_date`` (date) and ``status``
        ("open"). The columns ``feedback_id, description, owner_agency, due_date, status`` are
        a record for :func:`hotspots.store.add_action`.

    Examples
    --------
    >>> drafts = draft_actions(list_feedback(engine), start=date(2021, 11, 18))  # doctest: +SKIP
    >>> for record in drafts[ACTION_FIELDS].to_dict("records"):  # doctest: +SKIP
    ...     add_action(engine, record)
    """
    table = _feedback_table(feedback)
    missing = sorted(set(REASONS) - set(actions))
    if missing:
        raise ValueError(f"actions= lacks a suggestion for reason code(s) {missing}")
    severity = pd.to_numeric(table["severity"], errors="coerce")
    if not severity.isin(list(days_by_severity)).all():
        raise ValueError(f"severity must be one of {sorted(days_by_severity)} (1 low – 5 high)")
    start = start or date.today()
    days = severity.map(dict(days_by_severity)).astype(int)
    out = pd.DataFrame(
        {
            "feedback_id": table["feedback_id"].astype(str),
            "reason": table["reason"],
            "severity": severity.astype(int),
            "comment": table.get("comment", ""),
            "description": table["reason"].map(lambda r: actions[r][0]),
            "owner_agency": table["reason"].map(lambda r: actions[r][1]),
            "due_date": [start + timedelta(days=int(d)) for d in days],
            "status": "open",
        }
    )
    return out.sort_values(["severity", "feedback_id"], ascending=[False, True], ignore_index=True)


def feedback_near_incidents(
    feedback: pd.DataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    distance_m: float = 100.0,
    vawg_only: bool = True,
) -> pd.DataFrame:
    """Recorded incidents within ``distance_m`` metres of each feedback point, as counts.

    Parameters
    ----------
    feedback
        Feedback points (``feedback_id``, ``lon``/``lat`` WGS84, ``reason``, ``severity``).
    incidents
        Canonical incidents (distances in metres in their working CRS).
    distance_m
        Radius around each feedback point, metres (police.uk points are snapped to nearby
        streets, so below about 50 m the counts mean little).
    vawg_only
        Count only VAWG-relevant incidents (``vawg`` True); False counts all.
    Returns
    -------
    DataFrame
        The feedback's ``feedback_id``, ``reason``, ``severity``, ``time_of_concern`` and
        ``comment`` (when present), then ``incidents_within`` (counted incidents that are
        not sensitive) and ``top_category`` (the most common category of them, "" when
        none); most incidents first. Sensitive incidents (domestic abuse, sexual offences,
        stalking) are never counted around a point: any small area cuts across the wards the
        ward table counts them in, so the two could be subtracted to place a victim (they are
        counted in the ward table only). No incident location, id or date leaves this
        function. ``attrs``: ``distance_m``, ``vawg_only``, ``incidents_counted`` (the
        non-sensitive incidents considered), ``working_crs``.

    Examples
    --------
    >>> feedback_near_incidents(list_feedback(engine), incidents, distance_m=150)  # doctest: +SKIP
    """
    check_incidents(incidents)
    if not (np.isfinite(distance_m) and distance_m > 0):
        raise ValueError(f"distance_m must be a positive distance in metres, got {distance_m!r}")
    table = _feedback_table(feedback)
    chosen = incidents[incidents["vawg"].to_numpy(bool)] if vawg_only else incidents
    crs = incidents.attrs[WORKING_CRS]
    fx, fy = _project(table["lon"].to_numpy(), table["lat"].to_numpy(), crs)
    n = len(table)
    sensitive = chosen["sensitive"].astype("boolean").fillna(True).to_numpy(bool)
    plain = chosen[~sensitive]
    point, incident = _within(plain, fx, fy, distance_m)
    total = np.bincount(point, minlength=n)
    pairs = pd.DataFrame({"point": point, "category": plain["category"].to_numpy()[incident]})
    top = pairs.groupby("point")["category"].agg(lambda s: s.value_counts().index[0])
    keep = [
        c for c in ("feedback_id", "reason", "severity", "time_of_concern", "comment") if c in table
    ]
    out = table[keep].copy()
    out["incidents_within"] = total
    out["top_category"] = top.reindex(np.arange(n), fill_value="").to_numpy()
    out = out.sort_values(
        ["incidents_within", "severity", "feedback_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
    out.attrs.update(
        distance_m=float(distance_m),
        vawg_only=vawg_only,
        incidents_counted=len(plain),
        working_crs=crs,
    )
    return out


def _within(
    incidents: pd.DataFrame, x: np.ndarray, y: np.ndarray, distance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """(point, incident) index pairs of incidents within ``distance_m`` of each point."""
    if not (len(incidents) and len(x)):
        return np.empty(0, np.intp), np.empty(0, np.intp)
    tree = shapely.STRtree(shapely.points(incidents["x"].to_numpy(), incidents["y"].to_numpy()))
    return tree.query(shapely.points(x, y), predicate="dwithin", distance=distance_m)


def uncovered_hot_cells(
    incidents: gpd.GeoDataFrame,
    feedback: pd.DataFrame,
    *,
    study_area: Any,
    res: int = H3_RES,
    k: int = GI_K,
    distance_m: float = 200.0,
    min_gi_bin: int = HOT_MIN_BIN,
    vawg_only: bool = True,
) -> gpd.GeoDataFrame:
    """Gi* hot cells of VAWG-relevant crime with no walkabout feedback point near them.

    Parameters
    ----------
    incidents
        Canonical incidents.
    feedback
        Feedback points (``lon``/``lat`` WGS84); may be empty (then every hot cell is listed).
    study_area
        Anything :func:`hotspots.data.ingest.resolve_study_area` accepts (wards, a district code):
        Gi* needs the zero-count cells of the whole area.
    res, k
        H3 resolution (9 ≈ 0.1 km² hexagons) and Gi* neighbourhood (k-ring).
    distance_m
        A hot cell counts as walked when a feedback point lies within this many metres of its
        hexagon (0 inside it).
    min_gi_bin
        Hot cells are those with ``gi_bin >= min_gi_bin`` (1: 90 % confidence; 3: 99 %).
    vawg_only
        Analyse only VAWG-relevant incidents (``vawg`` True). Sensitive incidents are always
        left out (:func:`hotspots.core.disclosure.mappable`): the cells go on a map.

    Returns
    -------
    GeoDataFrame
        Hexagons (EPSG:4326) of the hot cells with no feedback within ``distance_m``: ``cell``,
        ``count``, ``gi_z``, ``gi_p_fdr``, ``gi_bin``, ``gi_class`` and ``nearest_feedback_m``
        (NaN when there is no feedback at all), hottest first. ``attrs["params"]``: the
        choices above, the number of hot cells and of incidents analysed, and Gi*'s own
        parameters.

    Examples
    --------
    >>> feedback = list_feedback(engine)  # doctest: +SKIP
    >>> uncovered_hot_cells(incidents, feedback, study_area="E07000096")  # doctest: +SKIP
    """
    check_incidents(incidents)
    if not (np.isfinite(distance_m) and distance_m >= 0):
        raise ValueError(f"distance_m must be a distance >= 0 in metres, got {distance_m!r}")
    # Cells are map output: sensitive incidents never shape them (hotspots.core.disclosure).
    spatial = mappable(incidents)
    chosen = spatial[spatial["vawg"].to_numpy(bool)] if vawg_only else spatial
    if chosen.empty:
        raise ValueError("no VAWG-relevant incidents to analyse; widen the selection")
    area = resolve_study_area(study_area)
    cells = hotspots_gistar(grid_counts(chosen, res, study_area=area), k=k)
    hot = cells[cells["gi_bin"] >= min_gi_bin].reset_index(drop=True)
    crs = incidents.attrs[WORKING_CRS]
    table = _feedback_table(feedback) if len(feedback) else None
    if table is None:
        nearest = np.full(len(hot), np.nan)
    else:
        fx, fy = _project(table["lon"].to_numpy(), table["lat"].to_numpy(), crs)
        tree = shapely.STRtree(shapely.points(fx, fy))
        hexagons = to_crs(hot.geometry, crs).to_numpy()
        (index_hex, _), gaps = tree.query_nearest(hexagons, return_distance=True, all_matches=False)
        nearest = np.full(len(hot), np.nan)
        nearest[index_hex] = gaps
    hot["nearest_feedback_m"] = nearest
    unwalked = hot[~(nearest <= distance_m)]
    columns = ["cell", "count", "gi_z", "gi_p_fdr", "gi_bin", "gi_class", "nearest_feedback_m"]
    out = unwalked[[*columns, "geometry"]].sort_values(
        ["gi_z", "count", "cell"], ascending=[False, False, True], ignore_index=True
    )
    out.attrs["params"] = {
        "res": res,
        "k": k,
        "distance_m": float(distance_m),
        "min_gi_bin": min_gi_bin,
        "vawg_only": vawg_only,
        "incidents_analysed": len(chosen),
        "hot_cells": len(hot),
        "hot_cells_walked": int((nearest <= distance_m).sum()),
        "feedback_points": 0 if table is None else len(table),
        "working_crs": crs,
        "gistar": cells.attrs.get("params", {}),
    }
    return out


@dataclass(frozen=True)
class RecordedCrime:
    """VAWG-relevant recorded crime of a selection, for a map.

    Attributes
    ----------
    cells
        Counts per H3 cell (:func:`hotspots.space.grid.grid_counts`) of the relevant incidents
        that may be mapped (:func:`hotspots.core.disclosure.mappable`); ``None`` when the
        selection holds no VAWG-relevant incident.
    mapped
        VAWG-relevant incidents (``vawg`` True) in the selection that are mapped (not
        sensitive): the sum of ``cells``.
    not_mapped
        How many sensitive ones (domestic abuse, sexual offences, stalking) were left out, as a
        view may say it: through the disclosure gate (``"<5"``, ``"withheld"`` or a count of
        whole groups; :func:`hotspots.core.disclosure.mappable`), never an exact small count.
    """

    cells: gpd.GeoDataFrame | None
    mapped: int
    not_mapped: str


def recorded_crime(incidents: gpd.GeoDataFrame, *, res: int = 9) -> RecordedCrime:
    """VAWG-relevant recorded crime as counts per H3 cell at resolution ``res`` (9 ≈ 0.1 km²
    hexagons); sensitive incidents are never placed, and their number only said through the
    disclosure gate.

    Examples
    --------
    >>> recorded_crime(incidents).not_mapped  # doctest: +SKIP
    '<5'
    """
    relevant = incidents[incidents["vawg"].to_numpy(bool)]
    spatial = mappable(relevant)
    cells = grid_counts(spatial, res) if len(spatial) else None
    return RecordedCrime(
        cells=cells, mapped=len(spatial), not_mapped=str(spatial.attrs["sensitive_left_out_shown"])
    )


def action_counts(actions: pd.DataFrame) -> dict[str, int]:
    """How many actions, how many still open (open or in progress) and how many overdue.

    Parameters
    ----------
    actions
        From :func:`hotspots.store.list_actions` (``status``, ``overdue``).

    Examples
    --------
    >>> action_counts(list_actions(engine))  # doctest: +SKIP
    {'actions': 7, 'open': 5, 'overdue': 2}
    """
    return {
        "actions": len(actions),
        "open": int(actions["status"].isin(list(OPEN_STATUSES)).sum()),
        "overdue": int(actions["overdue"].sum()),
    }

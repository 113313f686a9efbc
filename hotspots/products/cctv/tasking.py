"""Tasking sheets for the CCTV team, and the tasking log's monthly counts (the CSP's KPI).

For each camera that sees a hotspot, the sheet gives monitoring windows: the busiest blocks of
hours in the week of that hotspot's incidents inside that camera's view
(:func:`hotspots.analysis.temporal.peak_windows`). Data with no time of day (police.uk: month only)
give
the busiest months instead, and the sheet says so rather than inventing hours. Sheets export
as CSV here; the printable page is :func:`hotspots.views.documents.tasking_sheet.sheet_html`.

Examples
--------
>>> sheet = tasking_sheet(incidents, cameras, cells)  # doctest: +SKIP
>>> csv_bytes = sheet_csv(sheet, "week47.csv")  # doctest: +SKIP
>>> tasking_kpi(list_taskings(engine))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspots._moved import moved_names
from hotspots.analysis.temporal import peak_windows
from hotspots.core.defaults import HOT_MIN_BIN
from hotspots.core.io import Dest, write_csv
from hotspots.products.cctv.coverage import (
    ACTIVE,
    Sightings,
    seen_in_hotspots,
    sightings_or_made,
)
from hotspots.products.patrol.naming import main_streets
from hotspots.space.places import nameable

__getattr__ = moved_names(__name__, {"sheet_html": "hotspots.views.documents.tasking_sheet"})

MONTHS_NOTE = (
    "These records carry the month only (police.uk publishes no day or time), so the windows "
    "are the busiest months, not hours: agree times of day with the CCTV team and local "
    "officers, or load a timed incident log."
)

_PAIR = "_camera_hotspot"


@dataclass
class TaskingSheet:
    """Monitoring windows per camera and hotspot.

    Attributes
    ----------
    windows
        One row per camera × hotspot × window: ``camera_id``, ``camera_name``,
        ``camera_location``, hotspot id (column named as in the hotspots), ``place`` (the street
        or landmark most of the hotspot's incidents in view name), ``incidents_in_view``
        (of that hotspot, seen by that camera), ``rank``, ``window`` (``"Fri 22:00–Sat 01:00"``
        or ``"2021-07"``), ``resolution`` ("hour" or "month"), ``weekday``, ``start_hour``,
        ``block_hours`` (hour windows), ``incidents`` (in the window, aoristic weight),
        ``share`` (of the incidents in view) and ``lift`` (share ÷ an even spread's share).
        Windows resting on fewer than ``min_window_incidents`` are left out.
    pairs
        Every camera × hotspot pair where the camera sees the hotspot's incidents, with
        ``incidents_in_view`` and ``on_sheet`` (False when below ``min_incidents``).
    note
        Why the windows are months, when they are ("" for hour windows).
    params
        The choices made: hotspot id column, ``min_gi_bin``, ``min_incidents``, ``top``,
        ``block_hours``, camera statuses, working CRS and counts from ``peak_windows``.
    """

    windows: pd.DataFrame
    pairs: pd.DataFrame
    note: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def pairs_on_sheet(self) -> int:
        """Camera × hotspot pairs with windows on the sheet (the others see too few)."""
        return int(self.pairs["on_sheet"].sum())


def tasking_sheet(
    incidents: gpd.GeoDataFrame,
    cameras: pd.DataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    hotspot_id: str | None = None,
    min_gi_bin: int | None = HOT_MIN_BIN,
    statuses: Sequence[str] | None = ACTIVE,
    top: int = 3,
    block_hours: int = 3,
    min_incidents: int = 5,
    min_window_incidents: float = 3.0,
    seen: Sightings | None = None,
) -> TaskingSheet:
    """Monitoring windows for each camera that sees a hotspot, from the data.

    Parameters
    ----------
    incidents
        Canonical incidents; timed ones (hour or minute precision) give hour windows.
    cameras
        Camera table (:mod:`hotspots.products.cctv.views`).
    hotspots, hotspot_id, min_gi_bin
        Hotspot polygons (see :func:`hotspots.products.cctv.coverage.hot_areas`; hot cells only by
        default).
    statuses
        Camera statuses tasked (default: active only).
    top
        Windows per camera × hotspot.
    block_hours
        Length of each window, hours.
    min_incidents
        A camera × hotspot pair gets windows only when the camera sees at least this many of
        the hotspot's incidents (fewer cannot show a peak); the others are listed in
        ``pairs`` with ``on_sheet`` False.
    min_window_incidents
        A window resting on fewer incidents than this (aoristic weight) is dropped: one or two
        incidents are not a pattern worth an operator's shift. ``params["windows_dropped"]``
        counts them.
    seen
        :func:`~hotspots.products.cctv.coverage.sightings` of the same incidents, cameras,
        hotspots and options, when the caller has it (coverage needs it too); ``None``: made
        here.

    Returns
    -------
    TaskingSheet

    Examples
    --------
    >>> sheet = tasking_sheet(log, cameras, cells, block_hours=4)  # doctest: +SKIP
    >>> sheet.windows[["camera_name", "window", "share"]]  # doctest: +SKIP
    """
    if min_incidents < 1:
        raise ValueError(f"min_incidents must be at least 1, got {min_incidents}")
    made = sightings_or_made(seen, incidents, cameras, hotspots, hotspot_id, min_gi_bin, statuses)
    incidents, table = made.incidents, made.cameras_used  # mappable: no sensitive counts
    cam, point, params = made.camera_index, made.incident_index, dict(made.params)
    member = made.member
    assert member is not None  # hotspots given
    triples = seen_in_hotspots(member, cam, point)
    hotspot_ids = member.areas[member.id_column].astype(str).to_numpy()
    key = triples["camera"].to_numpy() * max(len(hotspot_ids), 1) + triples["hotspot"].to_numpy()
    pairs = (
        pd.DataFrame({"key": key, "camera": triples["camera"], "hotspot": triples["hotspot"]})
        .groupby(["key", "camera", "hotspot"], as_index=False)
        .size()
        .rename(columns={"size": "incidents_in_view"})
    )
    pairs["on_sheet"] = pairs["incidents_in_view"] >= min_incidents
    chosen = triples[np.isin(key, pairs.loc[pairs["on_sheet"], "key"].to_numpy())]
    subset = incidents.iloc[chosen["incident"].to_numpy()].copy()
    subset[_PAIR] = key[chosen.index.to_numpy()]
    if len(subset):
        peaks = peak_windows(subset, top=top, block_hours=block_hours, by=_PAIR)
        peaks[_PAIR] = peaks[_PAIR].astype(np.int64)
    else:
        peaks = pd.DataFrame({_PAIR: np.empty(0, np.int64), "rank": [], "label": []})
    labelled = pairs.set_index("key")
    windows = _windows(peaks, labelled, table, hotspot_ids, member.id_column)
    places = _places(subset, chosen["hotspot"].to_numpy(), hotspot_ids)
    windows.insert(
        4, "place", windows[member.id_column].map(places).astype(object).fillna("").to_numpy()
    )
    thin = np.zeros(len(windows), dtype=bool)  # no peaks (no pair on the sheet): none to drop
    if "incidents" in windows.columns:
        thin = windows["incidents"].to_numpy(float) < min_window_incidents
        windows = windows.loc[~thin].reset_index(drop=True)
    pairs_out = pd.DataFrame(
        {
            "camera_id": table["camera_id"].to_numpy()[pairs["camera"]],
            "camera_name": table["name"].to_numpy()[pairs["camera"]],
            member.id_column: hotspot_ids[pairs["hotspot"]],
            "incidents_in_view": pairs["incidents_in_view"].to_numpy(),
            "on_sheet": pairs["on_sheet"].to_numpy(),
        }
    ).sort_values(["camera_id", "incidents_in_view"], ascending=[True, False], ignore_index=True)
    reason = peaks.attrs.get("reason", "")
    params.update(
        hotspot_id=member.id_column,
        min_gi_bin=min_gi_bin,
        hotspots=len(member.areas),
        min_incidents=min_incidents,
        top=top,
        block_hours=block_hours,
        peak_windows={k: v for k, v in peaks.attrs.items() if k != "reason"},
        min_window_incidents=min_window_incidents,
        windows_dropped=int(thin.sum()),
    )
    return TaskingSheet(
        windows=windows,
        pairs=pairs_out,
        note=f"{MONTHS_NOTE} ({reason})" if reason else "",
        params=params,
    )


_WINDOW_COLUMNS = (
    "rank",
    "window",
    "resolution",
    "weekday",
    "start_hour",
    "block_hours",
    "incidents",
    "share",
    "lift",
)


def _windows(
    peaks: pd.DataFrame,
    pairs: pd.DataFrame,
    table: pd.DataFrame,
    hotspot_ids: np.ndarray,
    id_column: str,
) -> pd.DataFrame:
    """One row per window, with its camera and hotspot (from the pair key of ``peaks``)."""
    pair = pairs.loc[peaks[_PAIR].to_numpy()]
    camera = pair["camera"].to_numpy()
    base = pd.DataFrame(
        {
            "camera_id": table["camera_id"].to_numpy()[camera],
            "camera_name": table["name"].to_numpy()[camera],
            "camera_location": table["location"].to_numpy()[camera],
            id_column: hotspot_ids[pair["hotspot"].to_numpy()],
            "incidents_in_view": pair["incidents_in_view"].to_numpy(),
        }
    )
    extra = peaks.rename(columns={"label": "window"}).reset_index(drop=True)
    columns = [c for c in _WINDOW_COLUMNS if c in extra.columns]
    out = pd.concat([base, extra[columns]], axis=1)
    return out.sort_values(
        ["camera_id", "incidents_in_view", id_column, "rank"],
        ascending=[True, False, True, True],
        ignore_index=True,
    )


def _places(subset: pd.DataFrame, hotspot: np.ndarray, hotspot_ids: np.ndarray) -> pd.Series:
    """Hotspot id → the street (or landmark) most of its incidents in view name."""
    if len(subset) == 0 or "location" not in subset.columns:
        return pd.Series(dtype=object)
    ok = nameable(subset)  # never a house address from an exact-coordinate log
    named = main_streets(subset["location"][ok].reset_index(drop=True), hotspot_ids[hotspot][ok])
    return named["street"].fillna(named["landmark"]).dropna().astype(str)


def sheet_csv(sheet: TaskingSheet, dest: Dest = None) -> bytes:
    """The sheet's windows as CSV (also written to ``dest``), safe to open in a spreadsheet.

    Written by :func:`hotspots.core.io.write_csv` (text that a spreadsheet would run as a
    formula gets a leading ``'``; numbers to 4 significant digits); the month-only note, when
    there is one, is repeated in a ``note`` column.
    """
    frame = sheet.windows.copy()
    if sheet.note:
        frame["note"] = sheet.note
    return write_csv(frame, dest, float_format="%.4g")


def schedule_taskings(
    sheet: TaskingSheet,
    *,
    start: date | datetime,
    end: date | datetime,
    requested_by: str,
    max_rank: int = 1,
) -> pd.DataFrame:
    """Tasking records for every occurrence of the sheet's hour windows between two dates.

    Parameters
    ----------
    sheet
        A sheet with hour windows (timed data).
    start, end
        The period: occurrences starting at or after ``start`` and before ``end`` (local time).
    requested_by
        Agency asking for the taskings.
    max_rank
        Use each camera × hotspot's windows up to this rank (1: only the busiest).

    Returns
    -------
    DataFrame
        ``camera_id``, ``window_start``, ``window_end``, ``hotspot_id``, ``reason``,
        ``requested_by``: records for :func:`hotspots.store.add_tasking`.

    Raises
    ------
    ValueError
        When the windows are months (no time of day to schedule).
    """
    windows = sheet.windows
    if "start_hour" not in windows.columns:
        raise ValueError(
            "the sheet's windows are months (the data have no time of day), so they cannot be "
            "scheduled as hours; agree times with the CCTV team, or use a timed incident log"
        )
    id_column = sheet.params.get("hotspot_id", "hotspot")
    use = windows[windows["rank"] <= max_rank]
    first = pd.Timestamp(start).normalize()
    days = pd.date_range(first, pd.Timestamp(end), freq="D", inclusive="left")
    weekday = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])[days.day_of_week]
    grid = pd.DataFrame({"day": days, "weekday": weekday})
    plan = use.merge(grid, on="weekday")
    starts = plan["day"] + pd.to_timedelta(plan["start_hour"], unit="h")
    keep = (starts >= pd.Timestamp(start)) & (starts < pd.Timestamp(end))
    plan, starts = plan[keep], starts[keep]
    reason = (
        "Peak window " + plan["window"] + " at hotspot " + plan[id_column].astype(str) + " ("
        + (plan["share"] * 100).round().astype(int).astype(str) + "% of its incidents in view)"
    )  # fmt: skip
    out = pd.DataFrame(
        {
            "camera_id": plan["camera_id"].to_numpy(),
            "window_start": starts.to_numpy(),
            "window_end": (starts + pd.to_timedelta(plan["block_hours"], unit="h")).to_numpy(),
            "hotspot_id": plan[id_column].astype(str).to_numpy(),
            "reason": reason.to_numpy(),
            "requested_by": requested_by,
        }
    )
    return out.sort_values(["window_start", "camera_id"], ignore_index=True)


def tasking_kpi(
    taskings: pd.DataFrame,
    *,
    by: str | None = None,
    start: date | datetime | None = None,
    end: date | datetime | None = None,
) -> pd.DataFrame:
    """Taskings per month (by window start), zero months included: the CSP's CCTV KPI.

    Parameters
    ----------
    taskings
        The tasking log (:func:`hotspots.store.list_taskings`), with ``window_start``.
    by
        Optional column to split the counts (``camera_id``, ``requested_by``, ``outcome``).
    start, end
        Months to show (default: the log's first to last month).

    Returns
    -------
    DataFrame
        ``month`` (first day), ``taskings`` (total), ``change`` (against the month before) and,
        with ``by``, one column per value of ``by``.

    Examples
    --------
    >>> tasking_kpi(list_taskings(engine), by="camera_id")  # doctest: +SKIP
    """
    if "window_start" not in taskings.columns:
        raise ValueError("taskings need a window_start column (see hotspots.store.list_taskings)")
    if by is not None and by not in taskings.columns:
        raise ValueError(f"by={by!r} is not a column of the taskings: {list(taskings.columns)}")
    month = pd.to_datetime(taskings["window_start"]).dt.to_period("M")
    if start is None and end is None and month.empty:
        return pd.DataFrame(
            {"month": pd.Series(dtype="datetime64[ns]"), "taskings": [], "change": []}
        )
    first = pd.Period(start, "M") if start is not None else month.min()
    last = pd.Period(end, "M") if end is not None else month.max()
    months = pd.period_range(first, last, freq="M")
    counts = month.value_counts().reindex(months, fill_value=0)
    out = pd.DataFrame({"month": months.to_timestamp(), "taskings": counts.to_numpy()})
    out["change"] = out["taskings"].diff().fillna(0).astype(int)
    if by is not None:
        wide = (
            pd.crosstab(month, taskings[by].astype(str))
            .reindex(months, fill_value=0)
            .reset_index(drop=True)
        )
        out = pd.concat([out, wide], axis=1)
    return out


def next_monday(today: date) -> date:
    """The Monday after ``today`` (a week's taskings start on a Monday).

    Examples
    --------
    >>> next_monday(date(2022, 2, 3))
    datetime.date(2022, 2, 7)
    """
    return today + timedelta(days=7 - today.weekday())


def new_windows(plan: pd.DataFrame, logged: pd.DataFrame) -> pd.DataFrame:
    """The taskings of ``plan`` not in the log yet (same camera, window start and hotspot).

    Parameters
    ----------
    plan
        From :func:`schedule_taskings`.
    logged
        From :func:`hotspots.store.list_taskings`.

    Returns
    -------
    DataFrame
        The rows of ``plan`` to store; ``attrs["already_logged"]``: how many were left out.

    Examples
    --------
    >>> new_windows(plan, store.list_taskings(engine)).attrs["already_logged"]  # doctest: +SKIP
    0
    """
    keys = ["camera_id", "window_start", "hotspot_id"]
    seen = logged[keys].drop_duplicates().assign(_logged=True)
    merged = plan.merge(seen, on=keys, how="left")
    fresh = merged["_logged"].isna().to_numpy()
    out = plan[fresh].reset_index(drop=True)
    out.attrs["already_logged"] = int((~fresh).sum())
    return out

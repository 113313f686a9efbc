"""From what a user chose (period, area, locality options) to the patrol plan they asked for.

The dashboard's Patrol page keeps a :class:`Choices`; :func:`make_request` turns it, with the
sidebar's :class:`~hotspots.data.select.Selection` and the selected incidents, into a
:class:`Request` (months and wards decided), and :func:`plan_for` builds the plan.

Examples
--------
>>> pool = select(incidents, pool_selection(sel))  # doctest: +SKIP
>>> request = make_request(sel, pool, Choices(top=5))  # doctest: +SKIP
>>> plan = plan_for(request, pool, wards=wards)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from hotspots.data.select import Selection
from hotspots.products.patrol.plan import Method, PatrolPlan, patrol_plan

LATEST_MONTHS = 3
"""Length of the "latest months" period, months."""


@dataclass(frozen=True)
class Choices:
    """What the user chose for a plan.

    ``period`` is ``"sidebar"`` (the selection's months) or ``"latest"`` (the latest
    :data:`LATEST_MONTHS` months; ``None``: decide, see :func:`default_period`); ``area`` is
    ``"chosen"`` (the selection's wards) or ``"all"``; sizes in metres (``min_spacing_m``
    ``None``: the same as ``max_across_m``).
    """

    period: Literal["sidebar", "latest"] | None = None
    area: Literal["chosen", "all"] = "chosen"
    top: int = 10
    by: Literal["count", "harm"] = "count"
    method: Method = "forecast"
    max_across_m: float = 200.0
    min_spacing_m: float | None = None


@dataclass(frozen=True)
class Request:
    """One plan: the months (``"YYYY-MM"``), the wards of the area (empty: all) and options."""

    period: tuple[str, str]
    wards: tuple[str, ...]
    top: int
    by: Literal["count", "harm"]
    method: Method
    max_across_m: float
    min_spacing_m: float | None


def pool_selection(sel: Selection) -> Selection:
    """``sel`` without its months and wards: the plan chooses its own period (and needs the
    months before it for the trend) and its own area."""
    return replace(sel, start=None, end=None, wards=())


def latest_months(pool: pd.DataFrame, months: int = LATEST_MONTHS) -> tuple[str, str]:
    """The latest ``months`` months of ``pool`` (fewer when the data are shorter), as
    ``("YYYY-MM", "YYYY-MM")``.

    Examples
    --------
    >>> latest_months(demo_incidents)  # doctest: +SKIP
    ('2021-11', '2022-01')
    """
    month = pool["month"].dt.to_period("M")
    last = month.max()
    return str(max(month.min(), last - (months - 1))), str(last)


def default_period(sel: Selection, pool: pd.DataFrame) -> Literal["sidebar", "latest"]:
    """``"sidebar"`` when the selection's months are narrower than ``pool``'s, else
    ``"latest"``."""
    first, last = pool["month"].min(), pool["month"].max()
    narrowed = (sel.start is not None and sel.start > first) or (
        sel.end is not None and sel.end < last
    )
    return "sidebar" if narrowed else "latest"


def make_request(sel: Selection, pool: pd.DataFrame, choices: Choices) -> Request:
    """The plan's months and wards from the choices and the selection.

    Parameters
    ----------
    sel
        The selection (its months and wards are what ``"sidebar"`` and ``"chosen"`` mean).
    pool
        The selected incidents, all months (:func:`pool_selection`).
    choices
        ``choices.period`` ``None`` picks the selection's months when they were narrowed,
        else the latest :data:`LATEST_MONTHS` months of ``pool``.
    """
    period = choices.period or default_period(sel, pool)
    if period == "sidebar" and sel.start is not None and sel.end is not None:
        months = (f"{sel.start:%Y-%m}", f"{sel.end:%Y-%m}")
    else:
        months = latest_months(pool)
    wards = tuple(sel.wards) if choices.area == "chosen" else ()
    return Request(
        period=months,
        wards=wards,
        top=int(choices.top),
        by=choices.by,
        method=choices.method,
        max_across_m=float(choices.max_across_m),
        min_spacing_m=None if choices.min_spacing_m is None else float(choices.min_spacing_m),
    )


def plan_for(
    request: Request, pool: gpd.GeoDataFrame, *, wards: gpd.GeoDataFrame, outline: Any = None
) -> PatrolPlan:
    """The patrol plan of ``request`` over the incidents ``pool``, its area the request's wards
    (all of ``wards`` when none: ``outline``, when given, is those wards united, EPSG:4326).
    Raises ``ValueError`` as :func:`~hotspots.products.patrol.plan.patrol_plan`."""
    area = wards[wards["area_code"].isin(request.wards)] if request.wards else wards
    return patrol_plan(
        pool,
        study_area=area,
        period=request.period,
        top=request.top,
        by=request.by,
        method=request.method,
        max_across_m=request.max_across_m,
        min_spacing_m=request.min_spacing_m,
        wards=wards,
        outline=None if request.wards else outline,
    )

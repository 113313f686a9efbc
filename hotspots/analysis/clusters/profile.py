"""Cluster profiles: one row per cluster with its outline, size, crime mix, places and trend."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspots.analysis.clusters.result import ClusterResult
from hotspots.analysis.temporal.peaks import MIN_TIMED_INCIDENTS
from hotspots.core.crs import to_crs
from hotspots.core.points import few_codes, point_keys
from hotspots.data.schema import WGS84, WORKING_CRS, check_incidents, is_arrow_text
from hotspots.space.places import StreetPoints, naming_rows, place_text

TREND_MONTHS = 3
"""Months in each of the two windows the trend compares (latest vs the ones before)."""

TREND_ALPHA = 0.05
"""Two-sided significance level of the trend test."""

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def cluster_profiles(
    incidents: gpd.GeoDataFrame,
    labels: np.ndarray | ClusterResult,
    *,
    buffer_m: float = 25.0,
    top_n: int = 3,
    street_points: StreetPoints | None = None,
) -> gpd.GeoDataFrame:
    """Describe each cluster for a briefing: outline, size, mix, places, months, trend, peak.

    Parameters
    ----------
    incidents
        Canonical incidents (see :mod:`hotspots.data.schema`), the ones that were clustered.
    labels
        One cluster label per incident (``-1`` = noise), or the :class:`ClusterResult`.
    buffer_m
        Buffer in metres (working CRS) around each cluster's convex hull.
    top_n
        Categories and locations listed per cluster.
    street_points
        The :class:`~hotspots.space.places.StreetPoints` of ``incidents`` when the caller has
        them: their place texts and naming rows, worked out once for every naming of an
        analysis (``None``: worked out here).

    Returns
    -------
    GeoDataFrame
        One row per cluster, EPSG:4326, ``attrs`` with the working CRS and ``buffer_m``:

        - ``cluster`` (the clustering's label), ``rank`` (1 = most incidents, ties: lower
          label first): the number every view shows the cluster by (tables, map tooltips,
          exports, briefings), ``n_incidents``, ``share`` (of all incidents passed, 0..1),
          ``n_locations`` (distinct x/y);
        - ``geometry``: convex hull of the cluster's **non-sensitive** incidents buffered by
          ``buffer_m``; ``area_m2`` and ``density_per_km2`` (all incidents per km² of it).
          Sensitive incidents (domestic abuse, sexual offences, stalking) are counted in
          every figure but never shape an outline or name a place, so no vertex can sit on
          a victim's location; a cluster with only sensitive incidents has no outline
          (``outline`` says so) and no top locations;
        - ``top_category``, ``top_category_share``, ``crime_mix`` (top ``top_n`` categories
          with shares of the cluster), ``top_locations`` (``location`` text with counts);
        - ``first_month``, ``last_month``;
        - ``recent``, ``previous``: incidents in the data's latest 3 months and the 3
          before; ``trend`` "rising" / "falling" when an exact two-sided binomial test of
          recent against previous (equal rates expected) gives p < 0.05, else
          "no clear change" (``trend_p``); "too few months" when the data span under 6;
        - ``peak_weekday``, ``peak_hour`` (of ``occurred_from``) and ``peak_note``:
          weekday from day/hour/minute-precision incidents, hour from hour/minute
          precision, each from :data:`~hotspots.analysis.temporal.peaks.MIN_TIMED_INCIDENTS`
          or more of them (fewer: timing unknown, the note says how many); month-only data
          (police.uk) says so instead of showing a fake peak.

    Examples
    --------
    >>> from hotspots.data import datasets
    >>> from hotspots.analysis.clusters import dbscan
    >>> from hotspots.data.ingest import read_policeuk
    >>> inc = read_policeuk(datasets.herts_policeuk_zip(), study_area="E07000096").incidents
    >>> profiles = cluster_profiles(inc, dbscan(inc, eps_m=150, min_samples=30))
    >>> int(profiles["n_incidents"].sum()) <= len(inc)
    True
    """
    check_incidents(incidents)
    codes = _labels(incidents, labels)
    if not (np.isfinite(buffer_m) and buffer_m >= 0):
        raise ValueError(f"buffer_m must be a distance >= 0 in metres, got {buffer_m!r}")
    crs = incidents.attrs[WORKING_CRS]
    member = codes >= 0
    frame = pd.DataFrame(
        {
            "cluster": codes[member],
            "sensitive": incidents["sensitive"].to_numpy(bool)[member],
            # may a row's text name a place
            "named": (naming_rows(incidents) if street_points is None else street_points.named)[
                member
            ],
            "category": _members(incidents["category"], member),
            "location": _members(incidents["location"], member),
            "month": incidents["month"].to_numpy()[member],
            "when": incidents["occurred_from"].to_numpy()[member],
            "precision": _members(incidents["time_precision"], member),
            "x": incidents["x"].to_numpy(float)[member],
            "y": incidents["y"].to_numpy(float)[member],
        }
    )
    ids = np.unique(frame["cluster"].to_numpy())
    out = pd.DataFrame({"cluster": ids}).set_index("cluster", drop=False)
    out["n_incidents"] = frame.groupby("cluster").size()
    out.insert(1, "rank", cluster_ranks(out["cluster"], out["n_incidents"]))
    out["share"] = out["n_incidents"] / max(len(incidents), 1)
    out["n_locations"] = _n_locations(frame)
    outline = _outlines(frame, ids, buffer_m)
    out["area_m2"] = shapely.area(outline)
    out["density_per_km2"] = out["n_incidents"] / (out["area_m2"] / 1e6)
    out["outline"] = np.where(
        shapely.is_missing(outline),
        "withheld: only sensitive incidents",
        f"convex hull of non-sensitive incidents + {buffer_m:g} m",
    )
    text = None if street_points is None else street_points.text.array[member]
    out = out.join(_mix(frame, top_n)).join(_places(frame, top_n, text))
    out["first_month"] = frame.groupby("cluster")["month"].min()
    out["last_month"] = frame.groupby("cluster")["month"].max()
    out = out.join(_trend(frame, incidents["month"])).join(_peaks(frame))
    gdf = to_crs(
        gpd.GeoDataFrame(
            out.reset_index(drop=True), geometry=gpd.GeoSeries(outline, crs=crs), crs=crs
        ),
        WGS84,
    )
    gdf.attrs[WORKING_CRS] = crs
    gdf.attrs["buffer_m"] = float(buffer_m)
    return gdf


def _members(
    values: pd.Series, member: np.ndarray
) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """The clustered rows' values: text held in Arrow kept so (only the few values shown become
    Python strings); anything else (a Categorical, objects) as plain values, which sort by
    value."""
    return values.array[member] if is_arrow_text(values) else values.to_numpy()[member]


def cluster_ranks(labels: pd.Series, n_incidents: pd.Series) -> np.ndarray:
    """The one numbering of clusters: 1 = most incidents, ties broken by the lower label.

    Examples
    --------
    >>> cluster_ranks(pd.Series([0, 1, 2]), pd.Series([5, 9, 5])).tolist()
    [2, 1, 3]
    """
    order = np.lexsort((labels.to_numpy(), -n_incidents.to_numpy()))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def _labels(incidents: gpd.GeoDataFrame, labels: np.ndarray | ClusterResult) -> np.ndarray:
    codes = np.asarray(labels.labels if isinstance(labels, ClusterResult) else labels)
    if codes.shape != (len(incidents),):
        raise ValueError(
            f"labels must hold one cluster label per incident ({len(incidents)}), got shape "
            f"{codes.shape}; pass the labels of a clustering of these same incidents"
        )
    if not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(f"labels must be integers (-1 = noise), got dtype {codes.dtype}")
    return codes.astype(np.intp)


def _n_locations(frame: pd.DataFrame) -> pd.Series:
    """Distinct x/y of each cluster (a point with a missing coordinate not counted; a cluster
    of none left out): what ``groupby("cluster")[["x", "y"]].value_counts()`` counts, from
    integer codes."""
    x, y = frame["x"].to_numpy(float), frame["y"].to_numpy(float)
    located = ~(np.isnan(x) | np.isnan(y))
    point, distinct = few_codes(point_keys(x[located], y[located]))
    ids, cluster = np.unique(frame["cluster"].to_numpy()[located], return_inverse=True)
    held = np.unique(cluster * max(len(distinct), 1) + point) // max(len(distinct), 1)
    return pd.Series(np.bincount(held, minlength=len(ids)), index=ids)


def _outlines(frame: pd.DataFrame, ids: np.ndarray, buffer_m: float) -> np.ndarray:
    """Buffered convex hull of each cluster's non-sensitive points (None when it has none)."""
    shown = frame.loc[~frame["sensitive"], ["cluster", "x", "y"]]
    # the hull of a cluster's distinct locations is the hull of its incidents
    shown = shown.drop_duplicates().sort_values("cluster", kind="stable")
    slot = np.searchsorted(ids, shown["cluster"].to_numpy())
    hulls = np.full(ids.size, None, dtype=object)
    if len(shown):
        coords = shown[["x", "y"]].to_numpy()
        shapely.multipoints(coords, indices=slot, out=hulls)
    return shapely.buffer(shapely.convex_hull(hulls), buffer_m)


def _mix(frame: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """Top categories of each cluster with their shares of it."""
    counted = _counted(frame["cluster"].to_numpy(), frame["category"])
    size = np.bincount(counted.group, weights=counted.n).astype(np.int64)  # per cluster
    share = counted.n / size[counted.group]
    order = np.lexsort((counted.rank, -share, counted.group))
    first, top = _heads(counted.group[order], top_n)
    rows = order[top]
    names = frame["category"].iloc[counted.row[rows]].to_numpy().astype(str)
    text = [
        f"{c} {p}%" for c, p in zip(names, np.round(100 * share[rows]).astype(int), strict=True)
    ]
    index = pd.Index(counted.ids[counted.group[order[first]]], name="cluster")
    lead = counted.row[order[first]]
    return pd.DataFrame(
        {
            "top_category": frame["category"].iloc[lead].to_numpy(),
            "top_category_share": share[order[first]],
            "crime_mix": _joined(text, counted.group[rows], len(index)),
        },
        index=index,
    )


def _places(
    frame: pd.DataFrame, top_n: int, text: pd.api.extensions.ExtensionArray | None = None
) -> pd.DataFrame:
    """Most frequent ``location`` texts among the incidents whose text may name a place
    (:func:`hotspots.space.places.naming_rows`: not sensitive; from exact-point sources only
    text seen at several places, never one house's address), with counts. ``text``: the
    rows' :func:`~hotspots.space.places.place_text` when known (``None``: worked out here)."""
    # each place as a place name reads it: police.uk's "On or near Shopping Area" and a
    # council log's "Shopping Area" are one place, counted once
    if text is None:
        places = place_text(frame).set_axis(frame.index)
    else:
        places = pd.Series(text, index=frame.index, name="location")
    shown = frame.assign(location=places)[frame["named"].to_numpy(bool) & places.notna()]
    counted = _counted(shown["cluster"].to_numpy(), shown["location"])
    order = np.lexsort((counted.rank, -counted.n, counted.group))
    _, top = _heads(counted.group[order], top_n)
    rows = order[top]
    names = shown["location"].iloc[counted.row[rows]].to_numpy().astype(str)
    text = [f"{t} ({n})" for t, n in zip(names, counted.n[rows], strict=True)]
    groups = np.unique(counted.group[rows])
    at = np.searchsorted(groups, counted.group[rows])
    index = pd.Index(counted.ids[groups], name="cluster")
    return pd.DataFrame({"top_locations": _joined(text, at, len(index))}, index=index)


@dataclass
class _Counted:
    """Incidents counted per (cluster, value): each pair's ``group`` (position of its cluster
    in ``ids``), ``rank`` (its value's position in sorted order, missing last), ``n`` and a
    ``row`` holding it."""

    ids: np.ndarray
    group: np.ndarray
    rank: np.ndarray
    n: np.ndarray
    row: np.ndarray


def _counted(cluster: np.ndarray, values: pd.Series) -> _Counted:
    codes, uniques = pd.factorize(values, sort=True)
    codes = np.where(codes < 0, len(uniques), codes)  # missing values sort last
    ids, group = np.unique(cluster, return_inverse=True)
    pair, row, n = np.unique(
        group * (len(uniques) + 1) + codes, return_index=True, return_counts=True
    )
    return _Counted(ids, pair // (len(uniques) + 1), pair % (len(uniques) + 1), n, row)


def _heads(groups: np.ndarray, top_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the first row, and of the first ``top_n`` rows, of each run of equal
    ``groups`` (sorted)."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if groups.size else groups
    within = np.arange(groups.size) - np.repeat(starts, np.diff(np.r_[starts, groups.size]))
    return starts, np.flatnonzero(within < top_n)


def _joined(text: list[str], at: np.ndarray, n: int) -> list[str]:
    """``"; "``-joined ``text`` of each of ``n`` groups (``at``: each text's group, sorted)."""
    parts: list[list[str]] = [[] for _ in range(n)]
    for i, t in zip(at.tolist(), text, strict=True):
        parts[i].append(t)
    return ["; ".join(p) for p in parts]


def _trend(frame: pd.DataFrame, all_months: pd.Series) -> pd.DataFrame:
    """Latest 3 months with data against the 3 with data before: counts, exact binomial p, and
    a word. A month without any incident is a gap ("no data"), not a month of zeros."""
    index = _month_index(frame["month"])
    # the months of every incident, each distinct month converted once
    covered = np.unique(_month_index(pd.Series(pd.unique(all_months))).to_numpy())
    span = len(covered)
    recent = index.isin(covered[-TREND_MONTHS:]).groupby(frame["cluster"]).sum()
    previous = (
        index.isin(covered[-2 * TREND_MONTHS : -TREND_MONTHS]).groupby(frame["cluster"]).sum()
    )
    n = (recent + previous).to_numpy()
    k = recent.to_numpy()
    from scipy.special import bdtr, bdtrc  # lazy: scipy.stats costs ~0.8 s to import

    # Two-sided exact binomial test with p = 0.5 (symmetric: twice the smaller tail);
    # bdtr(k, n, p) is binom.cdf and bdtrc(k - 1, n, p) binom.sf(k - 1).
    p = np.minimum(1.0, 2 * np.minimum(bdtr(k, n, 0.5), bdtrc(k - 1, n, 0.5)))
    p = np.where(n > 0, p, 1.0)
    word = np.where(p < TREND_ALPHA, np.where(k > n - k, "rising", "falling"), "no clear change")
    if span < 2 * TREND_MONTHS:
        word = np.full(k.size, "too few months")
        p = np.full(k.size, np.nan)
    return pd.DataFrame(
        {"recent": recent, "previous": previous, "trend": word, "trend_p": p}, index=recent.index
    )


def _month_index(months: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(months)
    return stamps.dt.year * 12 + stamps.dt.month - 1


def _peaks(frame: pd.DataFrame) -> pd.DataFrame:
    """Peak weekday and hour from incidents whose time is known that precisely."""
    when = pd.to_datetime(frame["when"])
    precision = frame["precision"].astype(str)
    dated = precision.isin(["day", "hour", "minute"]) & when.notna()
    timed = precision.isin(["hour", "minute"]) & when.notna()
    clusters = pd.Index(np.unique(frame["cluster"]), name="cluster")
    none = pd.Series(np.nan, index=clusters)  # month-only data (police.uk): no groupby needed
    weekday = (
        _mode(frame["cluster"][dated], when.dt.day_of_week[dated]).reindex(clusters)
        if dated.any()
        else none
    )
    hour = (
        _mode(frame["cluster"][timed], when.dt.hour[timed]).reindex(clusters)
        if timed.any()
        else none
    )
    n_timed = timed.groupby(frame["cluster"]).sum().reindex(clusters)
    n_dated = dated.groupby(frame["cluster"]).sum().reindex(clusters)
    n_all = frame.groupby("cluster").size().reindex(clusters).astype(str)
    # one or two records make no peak (the rule of peak windows): too few, timing unknown
    hour = hour.where(n_timed >= MIN_TIMED_INCIDENTS)
    weekday = weekday.where(n_dated >= MIN_TIMED_INCIDENTS)
    few = f", fewer than {MIN_TIMED_INCIDENTS}: timing unknown"
    note = np.select(
        [n_timed >= MIN_TIMED_INCIDENTS, n_dated >= MIN_TIMED_INCIDENTS, n_dated > 0],
        [
            "hour from " + n_timed.astype(str) + " timed incidents",
            "no hour: " + n_timed.astype(str) + " of " + n_all + " incidents have a time" + few,
            "no weekday or hour: "
            + n_dated.astype(str)
            + " of "
            + n_all
            + " incidents have a date"
            + few,
        ],
        "month-only data: no weekday or hour",
    )
    names = pd.Series(_WEEKDAYS)
    return pd.DataFrame(
        {
            "peak_weekday": weekday.map(names).astype("string"),
            "peak_hour": hour.astype("Int64"),
            "peak_note": note,
        },
        index=clusters,
    )


def _mode(groups: pd.Series, values: pd.Series) -> pd.Series:
    """Most frequent value per group (ties: the smallest value), counted in a groups × values
    table (weekdays and hours: a few values)."""
    ids, group = np.unique(groups.to_numpy(), return_inverse=True)
    distinct, value = np.unique(values.to_numpy(), return_inverse=True)
    counts = np.bincount(group * len(distinct) + value, minlength=len(ids) * len(distinct)).reshape(
        len(ids), len(distinct)
    )
    # argmax takes the first of equal counts: the smallest value
    return pd.Series(
        distinct[counts.argmax(axis=1)], index=pd.Index(ids, name="cluster"), name="value"
    )

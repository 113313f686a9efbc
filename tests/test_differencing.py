"""Differencing through time filters: every pair of filter states, every shown figure.

A fixture of timed council incidents holds sensitive groups (source, type, ward, month) of 5
and more that time of day, day of the week or a period of days would split into parts of 1–4
(7 rapes in one ward and month: 5 on Friday and Saturday nights, 2 on a Tuesday afternoon;
some on the 1st–3rd of the month). For every filter state — crime types (a sensitive type
alone and with one non-sensitive type added), hour ranges (wrapping midnight and their
complements), weekday sets, months — the figures the product shows are collected: ward table
counts (whole months and a period of days), map cells and the map's "left out" count, hour ×
weekday cells, peak windows and the count of each When-page focus, and sensitive counts near
feedback points. For every figure the test works out, with plain pandas/h3/pyproj from the
fixture, which sensitive incidents it counted (none, those in whole groups of 5 or more, or
every one in its cell; any other count fails). The attacker can learn the non-sensitive part
of any figure (filter on non-sensitive types), so a figure gives away its sensitive incidents:
the test asserts that no figure, and no difference of two figures whose sensitive incidents
nest, counts 1 to 4 sensitive incidents.
And the check can fail: the same figures counting every sensitive incident give victims away.
"""

from __future__ import annotations

import functools
import itertools

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from hotspots.analysis.temporal import hour_weekday
from hotspots.core import disclosure
from hotspots.core.disclosure import MIN_COUNT
from hotspots.data.schema import BNG, incidents_from_xy
from hotspots.data.select import Selection, select, week_hours
from hotspots.products import measures
from hotspots.products.peak_times import Focus, peak_times
from hotspots.products.vawg import feedback_near_incidents
from hotspots.space.grid import grid_counts

WARDS = ("W1", "W2")
CENTRE = {"W1": (505_000.0, 207_000.0), "W2": (507_500.0, 207_000.0)}
"""Where each ward's incidents lie (BNG metres, within 250 m): the wards are 2.5 km apart."""

RES = 9
"""H3 resolution of the map's cells (the dashboard's default)."""

DAY_PERIOD = ("2022-01-04", "2022-01-31")
"""A period of days that is not whole months: it cuts January's groups."""

WEEKDAY = {name: i for i, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))}


def _at(times: list[str], crime_type: str, ward: str, rng: np.random.Generator) -> pd.DataFrame:
    x0, y0 = CENTRE[ward]
    xy = np.column_stack([x0 + rng.uniform(-250, 250, len(times)),
                          y0 + rng.uniform(-250, 250, len(times))])  # fmt: skip
    stamps = pd.to_datetime(times)
    inc = incidents_from_xy(xy, crime_type, source="council")
    inc["ward_code"] = ward
    inc["occurred_from"] = stamps
    inc["month"] = stamps.to_period("M").to_timestamp()
    inc["time_precision"] = "minute"
    return inc


@pytest.fixture(scope="module")
def incidents() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(10)
    nights = ["2022-01-07 22:30", "2022-01-08 01:10", "2022-01-14 23:05", "2022-01-15 22:40",
              "2022-01-22 02:20"]  # Fri/Sat nights  # fmt: skip
    parts = [
        # 7 rapes in W1 in January: 5 at night, 2 on a Tuesday afternoon (one on the 4th)
        _at([*nights, "2022-01-04 14:15", "2022-01-11 15:30"], "Rape", "W1", rng),
        # 6 DV in W1 in January, 2 of them on the 1st–3rd (cut by the period of days)
        _at(
            [
                "2022-01-01 20:00",
                "2022-01-02 21:00",
                "2022-01-05 19:00",
                "2022-01-12 20:30",
                "2022-01-19 18:45",
                "2022-01-26 21:15",
            ],
            "DV",
            "W1",
            rng,
        ),
        # 5 DV in W2 in December, 3 rapes in W2 in January (a small group: withheld)
        _at(
            [
                "2021-12-03 22:00",
                "2021-12-10 23:00",
                "2021-12-17 09:00",
                "2021-12-21 13:00",
                "2021-12-28 22:30",
            ],
            "DV",
            "W2",
            rng,
        ),
        _at(["2022-01-08 23:30", "2022-01-18 10:00", "2022-01-29 00:30"], "Rape", "W2", rng),
    ]
    # non-sensitive background at every hour of both months, in both wards
    for crime_type, ward in itertools.product(("Burglary", "Shoplifting"), WARDS):
        start = pd.Timestamp("2021-12-01") + pd.to_timedelta(rng.integers(0, 62 * 24, 40), "h")
        minutes = pd.to_timedelta(rng.integers(0, 60, 40), "min")
        parts.append(_at(list((start + minutes).astype(str)), crime_type, ward, rng))
    out = pd.concat(parts, ignore_index=True)
    out["incident_id"] = np.arange(len(out)).astype(str)
    out.attrs = parts[0].attrs
    assert out.loc[out["crime_type"].isin(["Rape", "DV"]), "sensitive"].all()
    assert not out.loc[out["crime_type"].isin(["Burglary", "Shoplifting"]), "sensitive"].any()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=parts[0].crs)


TYPES = [(), ("Rape",), ("Rape", "Burglary"), ("Burglary", "Shoplifting"), ("DV", "Shoplifting")]
HOURS = [None, (22, 3), (4, 21), (12, 23)]
DAYS = [(), (4, 5), (0, 1, 2, 3, 6)]
MONTHS = [(None, None), (pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-01"))]


def _states() -> list[Selection]:
    return [
        Selection(start=start, end=end, crime_types=types, hours=hours, days=days)
        for types, hours, days, (start, end) in itertools.product(TYPES, HOURS, DAYS, MONTHS)
    ]


# ------------------------------------------------------------------ which incidents a cell holds

_TO_BNG = Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


def _week_hour(frame: pd.DataFrame) -> np.ndarray:
    t = pd.to_datetime(frame["occurred_from"])
    return (t.dt.day_of_week * 24 + t.dt.hour).to_numpy()


def _window(start: int, hours: int) -> np.ndarray:
    return (start + np.arange(hours)) % 168


class Truth:
    """The fixture as plain arrays: which incident is sensitive, its group, hour of the week,
    map cell, ward, month and position (computed with numpy, h3 and pyproj, not the product)."""

    def __init__(self, incidents: gpd.GeoDataFrame) -> None:
        self.ids = incidents["incident_id"].to_numpy(str)
        self.sensitive = incidents["sensitive"].to_numpy(bool)
        keys = incidents[list(disclosure.GROUP_KEYS)].astype(str).agg("|".join, axis=1)
        self.group = pd.factorize(keys)[0]
        self.week_hour = _week_hour(incidents)
        self.cell = np.array([h3.latlng_to_cell(p.y, p.x, RES) for p in incidents.geometry])
        self.ward = incidents["ward_code"].to_numpy(str)
        self.month = incidents["month"].to_numpy()
        self.when = incidents["occurred_from"].to_numpy()
        self.crime_type = incidents["crime_type"].to_numpy(str)
        self.x, self.y = incidents["x"].to_numpy(float), incidents["y"].to_numpy(float)

    def pool(self, state: Selection) -> np.ndarray:
        """What ``state`` selects before the disclosure rule."""
        keep = np.ones(len(self.ids), dtype=bool)
        if state.start is not None:
            keep &= (self.month >= np.datetime64(state.start)) & (
                self.month <= np.datetime64(state.end)
            )
        if state.crime_types:
            keep &= np.isin(self.crime_type, state.crime_types)
        if state.hours is not None or state.days:
            keep &= week_hours(hours=state.hours, days=state.days)[self.week_hour]
        return keep

    def figure(self, name: str, value: object, cell: np.ndarray) -> tuple[str, frozenset] | None:
        """``(name, sensitive ids counted)`` of one shown figure over the incidents ``cell``
        (a mask), or ``None`` when it is withheld. Fails when the figure is not the count of
        its cell with none, those in whole groups of 5 or more, or all its sensitive ones."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, str):
            if value in (disclosure.SUPPRESSED, disclosure.WITHHELD, "not shown"):
                return None
            value = float(value)
        plain = int((cell & ~self.sensitive).sum())
        every = cell & self.sensitive
        size = np.bincount(self.group[every], minlength=self.group.max() + 1)
        whole = every & (size[self.group] >= MIN_COUNT)
        for ids in (frozenset(), frozenset(self.ids[whole]), frozenset(self.ids[every])):
            if value == pytest.approx(plain + len(ids)):
                return name, ids
        raise AssertionError(
            f"{name}: {value} is not a count of its cell ({plain} not sensitive, "
            f"{int(whole.sum())} in whole groups, {int(every.sum())} sensitive)"
        )


def _figures(
    incidents: gpd.GeoDataFrame, truth: Truth, state: Selection
) -> list[tuple[str, frozenset]]:
    """Every figure the product shows for one filter state, with the sensitive incidents it
    counted."""
    sel = select(incidents, state)
    pool = truth.pool(state)
    assert set(sel["incident_id"]) <= set(truth.ids[pool])
    out: list[tuple[str, frozenset] | None] = []
    tag = repr(state)

    # the ward table: a whole month, and a period of days that is not whole months
    wards = pd.DataFrame({"area_code": list(WARDS), "area_name": list(WARDS)})
    for current in (("2022-01", "2022-01"), DAY_PERIOD):
        if len(sel) == 0:
            continue
        try:
            table = measures.ward_table(sel, wards, None, current=current, last_year=False)
        except ValueError:  # nothing to compare (the page says why)
            continue
        first, last = (pd.Period(c, "D" if "-" in c[5:] else "M") for c in current)
        in_period = (truth.when >= np.datetime64(first.start_time)) & (
            truth.when < np.datetime64((last + 1).start_time)
        )
        for row in table.itertuples():
            cell = pool & in_period & (truth.ward == row.area_code)
            out.append(truth.figure(f"{tag} ward {row.area_code} {current}", row.count, cell))

    # the map: cells of mappable incidents, and how many sensitive ones were left out
    shown = disclosure.mappable(sel)
    out.append(truth.figure(f"{tag} left out", shown.attrs["sensitive_left_out_shown"],
                            pool & truth.sensitive))  # fmt: skip
    if len(shown):
        for row in grid_counts(shown, RES).itertuples():
            out.append(truth.figure(f"{tag} map {row.cell}", row.count, pool & (truth.cell ==
                                    row.cell)))  # fmt: skip

    # the When page: hour × weekday cells, peak windows and the count of each focus
    profile = hour_weekday(sel)
    if profile.available:
        for k, value in enumerate(profile.table.to_numpy().ravel()):
            out.append(truth.figure(f"{tag} hour-of-week {k}", value, pool & (truth.week_hour
                                    == k)))  # fmt: skip
    for focus in (Focus(), *(Focus("A ward", w, w) for w in WARDS)):
        if len(sel) == 0:
            continue
        mine = pool if focus.value is None else pool & (truth.ward == focus.value)
        got = peak_times(sel, focus)
        out.append(truth.figure(f"{tag} {focus.label} n", got.n, mine))
        if got.peaks is None:
            continue
        for row in got.peaks.itertuples():
            if row.resolution == "month":  # peak months: the focus's incidents of one month
                window = truth.month == np.datetime64(f"{row.label}-01")
            else:
                start = WEEKDAY[row.weekday] * 24 + int(row.start_hour)
                window = np.isin(truth.week_hour, _window(start, int(row.block_hours)))
            out.append(truth.figure(f"{tag} {focus.label} peak {row.label}", row.incidents,
                                    mine & window))  # fmt: skip

    # counts near feedback points (circles that cut across wards): they must hold no
    # sensitive incident at all, or they could be set against the ward table
    feedback = _feedback()
    if len(sel):
        near = feedback_near_incidents(feedback, sel, distance_m=300, vawg_only=False)
        assert "sensitive_within" not in near.columns
        for row in near.itertuples():
            fb = feedback[feedback["feedback_id"] == row.feedback_id].iloc[0]
            fx, fy = _TO_BNG.transform(fb["lon"], fb["lat"])
            within = np.hypot(truth.x - fx, truth.y - fy) <= 300
            figure = truth.figure(f"{tag} near {row.feedback_id}", row.incidents_within,
                                  pool & within)  # fmt: skip
            assert figure is not None and figure[1] == frozenset(), figure
            out.append(figure)
    return [f for f in out if f is not None]


@functools.cache
def _feedback() -> pd.DataFrame:
    to_wgs = Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)
    points = [CENTRE["W1"], CENTRE["W2"], (505_200.0, 207_150.0)]
    # and a point a few metres across the edge of W1's resolution-8 hexagon: two counts as
    # close as they can be, which must not isolate the incidents between them
    x, y = CENTRE["W1"]
    home = h3.latlng_to_cell(*to_wgs.transform(x, y)[::-1], 8)
    while h3.latlng_to_cell(*to_wgs.transform(x, y)[::-1], 8) == home:
        x += 10.0
    points.append((x, y))
    lon, lat = to_wgs.transform(*np.array(points).T)
    return pd.DataFrame({"feedback_id": [1, 2, 3, 4], "lon": lon, "lat": lat,
                         "reason": "isolated", "severity": 3})  # fmt: skip


def _recoverable(figures: list[tuple[str, frozenset]]) -> list[str]:
    """Figures counting 1..4 sensitive incidents, and pairs whose sensitive incidents nest and
    differ by 1..4 (subtract one from the other)."""
    bad = [f"{name}: {len(ids)}" for name, ids in figures if 0 < len(ids) < MIN_COUNT]
    named: dict[frozenset, str] = {}
    for name, ids in figures:
        named.setdefault(ids, name)
    sets = sorted(named, key=len)
    for i, small in enumerate(sets):
        for big in sets[i + 1 :]:
            if 0 < len(big) - len(small) < MIN_COUNT and small < big:
                bad.append(f"{named[big]} minus {named[small]}: {len(big - small)}")
    return bad


@pytest.fixture(scope="module")
def figures(incidents: gpd.GeoDataFrame) -> list[tuple[str, frozenset]]:
    truth = Truth(incidents)
    out = []
    for state in _states():
        out += _figures(incidents, truth, state)
    return out


def test_no_pair_of_filter_states_recovers_a_small_sensitive_count(figures) -> None:
    assert len(figures) > 5000  # every state drew its tables, maps, charts and nearby counts
    counted = {ids for _, ids in figures if ids}
    assert counted  # sensitive incidents are still counted where they make whole groups
    assert _recoverable(figures) == []


def test_the_check_can_fail_figures_with_every_sensitive_incident_give_victims_away(
    incidents,
) -> None:
    """The same cells counting all their sensitive incidents (no gate, no time rule)."""
    night = select(incidents.assign(sensitive=False), Selection(hours=(22, 3)))
    every = incidents.assign(sensitive=False)
    rapes = lambda f: frozenset(f.loc[(f["crime_type"] == "Rape") & (f["ward_code"] == "W1"),  # noqa: E731
                                      "incident_id"])  # fmt: skip
    naive = [("W1 rapes, all hours", rapes(every)), ("W1 rapes, 22:00–03:59", rapes(night))]
    assert [len(ids) for _, ids in naive] == [7, 5]  # both groups of 5 or more…
    assert _recoverable(naive) == ["W1 rapes, all hours minus W1 rapes, 22:00–03:59: 2"]


def test_time_filters_show_no_sensitive_incident_and_say_so(incidents) -> None:
    for hours, days in ((None, (4,)), ((22, 3), ()), ((22, 3), (4, 5))):
        sel = select(incidents, Selection(hours=hours, days=days))
        assert len(sel) and not sel["sensitive"].any()
        assert disclosure.cuts_groups(hours=hours, days=days)
    assert not disclosure.cuts_groups()
    assert select(incidents, Selection())["sensitive"].sum() == 21
    assert "not shown when hours or days are filtered" in disclosure.TIME_FILTER_NOTE
    # hour × weekday and peak windows count none, whatever the filter
    profile = hour_weekday(incidents)
    assert profile.sensitive_left_out and profile.n_used == int((~incidents["sensitive"]).sum())
    # a period of days that is not whole months counts none, and the table says so
    wards = pd.DataFrame({"area_code": list(WARDS), "area_name": list(WARDS)})
    days = measures.ward_table(incidents, wards, None, current=DAY_PERIOD, last_year=False)
    assert disclosure.PERIOD_NOTE in days.attrs["notes"]
    month = measures.ward_table(incidents, wards, None, current=("2022-01", "2022-01"),
                                last_year=False)  # fmt: skip
    assert disclosure.PERIOD_NOTE not in month.attrs["notes"]
    jan = incidents[incidents["month"] == "2022-01-01"]
    w1 = jan[jan["ward_code"] == "W1"]
    assert month.set_index("area_code").at["W1", "count"] == len(w1)  # 7 rapes + 6 DV counted
    head = measures.headline_measures(incidents, current=DAY_PERIOD, last_year=False)
    assert head.at[measures.SENSITIVE_MEASURE, "current_shown"] == "n/a"

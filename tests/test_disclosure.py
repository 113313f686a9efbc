"""The disclosure gate (hotspots.core.disclosure): sensitivity that cannot be missed, floors,
and no small count of sensitive incidents recoverable from any output or pair of outputs.

Ground truth here is computed with plain pandas from the fixture, never with the gate.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hotspots.analysis.temporal import hour_weekday, peak_windows
from hotspots.core import disclosure
from hotspots.core.disclosure import MIN_COUNT
from hotspots.data.ingest import read_incident_csv
from hotspots.data.schema import classify, incidents_from_xy, sensitive_labels
from hotspots.data.select import Selection, select
from hotspots.products import measures
from hotspots.products.vawg import feedback_near_incidents
from hotspots.space.grid import grid_counts

COUNCIL_LABELS = [
    "DV", "Dom. assault", "Sex offence", "RASSO", "Child sex abuse", "Controlling behaviour",
    "Revenge porn", "Stalking", "Harassment (DA)", "FGM", "Honour based abuse", "Modern slavery",
    "Human trafficking", "Rape of a female aged 16 and over", "19C", "8Q", "Coercive control",
    "dom assault", "  DV  ", "sexual assault on a female aged 13 and over",
]  # fmt: skip


# --------------------------------------------------------------------------- what is sensitive


@pytest.mark.parametrize("label", COUNCIL_LABELS)
def test_council_and_cad_labels_are_sensitive_from_any_source(label: str) -> None:
    for exact in (True, False):
        flags = classify(pd.Series([label]), exact_coordinates=exact)
        assert flags["sensitive"].iloc[0], (label, exact)
        assert flags["vawg"].iloc[0]


def test_home_office_codes_follow_the_checked_source() -> None:
    """Codes checked against the ONS offence-code hierarchy (hotspots/data/resources/README.md):
    8R is Malicious Communications (not sensitive in itself), 72 and 8U are sensitive, and
    every Home Office row says where it was checked."""
    labels = sensitive_labels()
    codes = ["17A", "17B", "19C", "19H", "20A", "20B", "21", "22A", "22B", "23", "70", "71", "72",
             "73", "88A", "88C", "88D", "88E", "8Q", "8U", "106"]  # fmt: skip
    flags = classify(pd.Series(codes), exact_coordinates=False)
    assert flags["sensitive"].all() and flags["vawg"].all()
    assert not classify(pd.Series(["8R"]), exact_coordinates=False)["sensitive"].iloc[0]
    home_office = labels[labels["kind"].str.startswith("Home Office")]
    assert (home_office["source"].str.len() > 10).all()
    assert labels.at["22a", "source"].endswith("Causing sexual activity without consent")


def test_unknown_and_ambiguous_types_from_exact_sources_are_sensitive() -> None:
    types = pd.Series(["Violence and sexual offences", "Some new CAD code", "Burglary", ""])
    snapped = classify(types, exact_coordinates=False)["sensitive"].tolist()
    exact = classify(types, exact_coordinates=True)["sensitive"].tolist()
    assert snapped == [False, False, False, False]  # police.uk points are already anonymised
    assert exact == [True, True, False, True]
    per_row = classify(types, exact_coordinates=np.array([True, False, True, False]))
    assert per_row["sensitive"].tolist() == [True, False, False, False]
    # a place name containing "sex" is not a sexual offence
    assert not classify(pd.Series(["Essex burglary"]))["sensitive"].iloc[0]


def _council_csv(path: Path) -> Path:
    rows = [
        ("C1", "2022-01-05 22:10", "DV", 51.7531, -0.4712),
        ("C2", "2022-01-06 01:15", "Dom. assault", 51.7531, -0.4712),
        ("C3", "2022-01-07 02:00", "RASSO", 51.7531, -0.4712),
        ("C4", "2022-01-08 12:00", "Burglary", 51.7600, -0.4600),
        ("C5", "not a date", "Revenge porn", 51.7531, -0.4712),
        ("C6", "not a date", "Burglary", 51.7600, -0.4600),
        ("C7", "2022-01-09 12:00", "Violence and sexual offences", 51.7531, -0.4712),
        ("C8", "2022-01-09 13:00", "Brand new label", 51.7531, -0.4712),
    ]
    frame = pd.DataFrame(rows, columns=["ref", "when", "type", "lat", "lon"])
    out = path / "council.csv"
    frame.to_csv(out, index=False)
    return out


COLUMNS_MAP = {"incident_id": "ref", "datetime": "when", "crime_type": "type", "lat": "lat",
               "lon": "lon"}  # fmt: skip


def test_ingest_flags_council_labels_and_the_quarantine_keeps_no_sensitive_coordinates(
    tmp_path: Path,
) -> None:
    loaded = read_incident_csv(_council_csv(tmp_path), COLUMNS_MAP)
    flags = dict(zip(loaded.incidents["incident_id"], loaded.incidents["sensitive"], strict=True))
    assert flags == {"C1": True, "C2": True, "C3": True, "C4": False, "C7": True, "C8": True}
    assert set(disclosure.mappable(loaded.incidents)["incident_id"]) == {"C4"}
    q = loaded.quarantine.set_index("ref")
    assert q.loc["C6", "lat"] == "51.76"  # a non-sensitive row keeps its values for the fix
    text = loaded.quarantine.to_csv(index=False)
    assert "51.7531" not in text and "-0.4712" not in text and "Revenge" not in text
    sensitive = loaded.quarantine[loaded.quarantine["ref"].isna()]
    assert sensitive[["line", "reason"]].values.tolist() == [[6, "unparseable_date"]]


def test_a_broken_or_unreadable_line_of_a_council_log_keeps_no_address_in_the_quarantine(
    tmp_path: Path,
) -> None:
    """A line too broken to read (a stray comma in the address) or holding a byte that is not
    text has no known crime type: for a source of exact locations it may be a victim's, so its
    detail no longer quotes the line (it quoted the address and the coordinates)."""
    lines = [
        "id,date,time,type,lat,lon,location",
        "1,01/03/2025,10:00,Domestic abuse,51.7530,-0.4690,14 Acacia Avenue",
        "2,01/03/2025,10:00,Domestic abuse,51.7512,-0.4712,22 Victim Road,Flat 3",
        "3,01/03/2025,11:00,Criminal damage,51.7510,-0.4710,High St",
    ]
    raw = (
        "\n".join(lines).encode() + b"\n4,02/03/2025,09:00,Rape,51.7513,-0.3413,9 Secret Cl\xffse\n"
    )
    path = tmp_path / "log.csv"
    path.write_bytes(raw)
    columns = {"incident_id": "id", "date": "date", "time": "time", "crime_type": "type",
               "lat": "lat", "lon": "lon", "location": "location"}  # fmt: skip
    loaded = read_incident_csv(path, columns)
    q = loaded.quarantine
    assert sorted(q["reason"]) == ["malformed_row", "undecodable_text"]
    assert sorted(q["line"]) == [3, 5]  # the lines to open and mend are still named
    text = q.to_csv(index=False)
    for value in ("Victim", "Flat 3", "51.7512", "-0.4712", "Secret", "51.7513", "-0.3413"):
        assert value not in text, value
    # a withheld row's unreadable date is still quoted (a date names no place), a word is not
    dates = pd.Series(
        ["when '12/25/2024 12:00' is not a date", "when '22 Victim Road' is not a date"]
    )
    rows = pd.DataFrame({"file": "f", "line": [2, 3], "reason": "unparseable_date", "detail": dates,
                         "location": ["x", "y"]})  # fmt: skip
    withheld = disclosure.blank_sensitive_coordinates(rows, np.array([True, True]))
    assert withheld["detail"].tolist() == [
        dates[0],
        "sensitive or unknown crime type: values withheld",
    ]
    # a coordinate is never a date, however it is written, nor kept as a number's detail
    for quoted, reason in (
        ("53.877050 -1.614008 13:33", "unparseable_date"),
        ("53.87", "unparseable_date"),
        ("53,789541", "invalid_coordinates"),
        ("12/25/2024", "invalid_coordinates"),
        ("01/02/2024'x 12 Acacia Avenue '01/02/2024", "unparseable_date"),  # its own quotes
    ):
        one = pd.DataFrame({"file": ["f"], "line": [2], "reason": [reason], "location": ["x"],
                            "detail": [f"lat '{quoted}' is not a number"]})  # fmt: skip
        out = disclosure.blank_sensitive_coordinates(one, np.array([True]))
        assert quoted not in out.to_csv(index=False), quoted
    # what is wrong, and where, is still said
    detail = dict(zip(q["reason"], q["detail"], strict=True))
    assert detail["malformed_row"].startswith("expected 7 fields, found 8 (")
    assert "at line 5, column" in detail["undecodable_text"]


def test_a_workspace_quarantine_saved_before_keeps_no_address_of_a_broken_sensitive_line(
    tmp_path: Path,
) -> None:
    """A quarantine saved by an older version (the broken line quoted in the detail, the row's
    values withheld) is read back without the quote."""
    from hotspots.data import workspace

    ws = workspace.init(tmp_path / "ws", area="E07000096")
    log = tmp_path / "log.csv"
    log.write_text("id,when,type,lat,lon\n1,2025-03-01 10:00,Criminal damage,51.7531,-0.4712\n")
    columns = {"incident_id": "id", "datetime": "when", "crime_type": "type", "lat": "lat",
               "lon": "lon"}  # fmt: skip
    workspace.add(ws.root, [log], source="Council log", columns=columns)
    folder = ws.data_dir / workspace.QUARANTINE
    folder.mkdir(parents=True, exist_ok=True)
    old = pd.DataFrame(
        {
            "file": ["log.csv", "log.csv"],
            "line": [3, 4],
            "reason": ["malformed_row", "unparseable_date"],
            "detail": [
                "expected 7 fields, found 8: 2,01/03/2025,22 Victim Road,Flat 3",
                "date 'soon' is not a date",
            ],
            "id": [None, "4"],
            "location": [None, "High St"],
        }
    )
    old.to_parquet(folder / "council-2025-03.parquet")
    q = workspace.open_workspace(ws.root).quarantine
    assert "Victim" not in q.to_csv(index=False)
    assert q["detail"].tolist()[1] == "date 'soon' is not a date"  # not withheld: kept


# --------------------------------------------------------------------------- floors


def _points(types: list[str], source: str = "council") -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    xy = np.column_stack(
        [505_000 + rng.uniform(0, 400, len(types)), 207_000 + rng.uniform(0, 400, len(types))]
    )
    inc = incidents_from_xy(xy, types, source=source)
    inc["ward_code"] = "W1"
    return inc


def test_layers_of_sensitive_data_respect_the_resolution_and_radius_floors() -> None:
    inc = _points(["Rape"] * 6 + ["Burglary"] * 6)
    with pytest.raises(ValueError, match="finer than 8"):
        grid_counts(inc, 9)
    assert grid_counts(inc, disclosure.MAX_SENSITIVE_RES)["count"].sum() == 12
    assert grid_counts(disclosure.mappable(inc), 11)["count"].sum() == 6
    unknown = disclosure.mappable(inc).astype({"sensitive": "boolean"})
    unknown.loc[unknown.index[0], "sensitive"] = pd.NA  # unknown: left out as sensitive
    assert len(disclosure.mappable(unknown)) == 5
    with pytest.raises(ValueError, match="under 300 m"):
        disclosure.check_floors(inc, radius_m=100)
    disclosure.check_floors(disclosure.mappable(inc), res=11, radius_m=10)


def test_counts_near_a_point_never_count_a_sensitive_incident() -> None:
    """A circle cuts across the wards the ward table counts sensitive incidents in, so the two
    could be subtracted: around a point only non-sensitive incidents are counted, however the
    point or the radius moves."""
    inc = _points(["Rape"] * 7 + ["Burglary"] * 3)
    lon, lat = inc.geometry.x.mean(), inc.geometry.y.mean()
    base = pd.DataFrame({"feedback_id": [1], "lon": [lon], "lat": [lat], "reason": ["isolated"],
                         "severity": [3]})  # fmt: skip
    for d in (0.0, 0.00005, -0.00005, 0.01):
        for radius in (50, 300, 1000, 50_000):
            near = feedback_near_incidents(
                base.assign(lon=lon + d, lat=lat + d), inc, distance_m=radius, vawg_only=False
            )
            assert near.loc[0, "incidents_within"] <= 3
            assert near.attrs["incidents_counted"] == 3
            assert not [c for c in near.columns if "sensitive" in c]
    wide = feedback_near_incidents(base, inc, distance_m=50_000, vawg_only=False)
    assert wide.loc[0, "incidents_within"] == 3  # the check can fail: every burglary is in


# --------------------------------------------------------------------------- time charts


def _timed(types: list[str], ward: str = "W1") -> gpd.GeoDataFrame:
    inc = _points(types)
    inc["ward_code"] = ward
    times = pd.to_datetime("2022-01-07 22:00") + pd.to_timedelta(np.arange(len(types)) * 7, "D")
    inc["occurred_from"] = times.where(times.month == 1, pd.Timestamp("2022-01-29 23:00"))
    inc["time_precision"] = "minute"
    return inc


def test_three_rapes_in_one_ward_give_no_peak_window_even_with_other_types() -> None:
    rapes = _timed(["Rape"] * 3)
    assert len(peak_windows(rapes)) == 0
    assert not hour_weekday(rapes).available
    mixed = pd.concat([rapes, _timed(["Burglary"] * 2)], ignore_index=True)
    mixed.attrs = rapes.attrs
    profile = hour_weekday(mixed)
    assert profile.n_used == 2 and profile.sensitive_left_out
    assert (peak_windows(mixed)["incidents"] >= MIN_COUNT).all()


# --------------------------------------------------------------------------- differencing

TYPES = ["Burglary", "Rape", "DV"]
WARDS = ["W1", "W2"]
MONTHS = ["2021-01-01", "2021-12-01", "2022-01-01"]


@pytest.fixture(scope="module")
def fixture() -> gpd.GeoDataFrame:
    """Council incidents in two wards and three months; sensitive groups of 0-8."""
    rng = np.random.default_rng(20240607)
    parts = []
    for crime_type, ward, month in itertools.product(TYPES, WARDS, MONTHS):
        sensitive = crime_type in ("Rape", "DV")
        n = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 8]) if sensitive else rng.integers(0, 12))
        if n == 0:
            continue
        xy = np.column_stack([505_000 + rng.uniform(0, 3000, n), 207_000 + rng.uniform(0, 3000, n)])
        part = incidents_from_xy(xy, crime_type, month=month, source="council")
        part["ward_code"] = ward
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["incident_id"] = np.arange(len(out)).astype(str)
    out.attrs = parts[0].attrs
    assert out.loc[out["crime_type"] == "DV", "sensitive"].all()
    return out


def _states():
    types = [c for r in range(1, len(TYPES) + 1) for c in itertools.combinations(TYPES, r)]
    wards = [c for r in range(1, len(WARDS) + 1) for c in itertools.combinations(WARDS, r)]
    months = [(None, None), (pd.Timestamp("2021-12-01"), pd.Timestamp("2022-01-01"))]
    for t, w, (start, end) in itertools.product(types, wards, months):
        yield Selection(start=start, end=end, crime_types=t, wards=w)


def _comparable(sel: pd.DataFrame) -> bool:
    """The selection reaches the current and the previous month (else measures say so)."""
    return bool((sel["month"] == MONTHS[1]).any() and (sel["month"] == MONTHS[2]).any())


def _ids(frame: pd.DataFrame) -> frozenset:
    return frozenset(frame.loc[frame["sensitive"], "incident_id"])


def _passing(frame: pd.DataFrame) -> pd.DataFrame:
    """Sensitive incidents in groups (type, ward, month) of 5 or more, by plain pandas."""
    sens = frame[frame["sensitive"]]
    size = sens.groupby(["crime_type", "ward_code", "month"])["month"].transform("size")
    return sens[size >= MIN_COUNT]


def _cells(sel: gpd.GeoDataFrame) -> list[tuple[str, float, frozenset, int]]:
    """(cell, shown value or NaN, its sensitive incidents, its non-sensitive count) of every
    count the measures show for one selection."""
    wards = gpd.GeoDataFrame({"area_code": WARDS, "area_name": WARDS}, geometry=[None] * len(WARDS))
    out = []
    month_of = {"count": MONTHS[2], "previous": MONTHS[1], "last_year": MONTHS[0]}
    table = measures.ward_table(sel, wards, None, current=("2022-01", "2022-01"))
    for row in table.itertuples():
        for col, month in month_of.items():
            rows = sel[(sel["ward_code"] == row.area_code) & (sel["month"] == month)]
            out.append((f"ward {row.area_code} {col}", getattr(row, col), _ids(rows),
                        int((~rows["sensitive"]).sum())))  # fmt: skip
    head = measures.headline_measures(sel, current=("2022-01", "2022-01"))
    masks = {
        "Violent crime": sel["category"] == "Violence and sexual offences",
        "Domestic abuse (flagged)": sel["crime_type"] == "DV",
        "All crime (excluding ASB)": sel["category"] != "Anti-social behaviour",
    }
    passing = _passing(sel)
    for name, mask in masks.items():
        for col, month in (("current", MONTHS[2]), ("previous", MONTHS[1]),
                           ("last_year", MONTHS[0])):  # fmt: skip
            rows = sel[mask & (sel["month"] == month)]
            # totals mixing sensitive and other incidents count whole groups of 5+ only
            counted = rows if name == "Domestic abuse (flagged)" else rows[
                ~rows["sensitive"] | rows.index.isin(passing.index)]  # fmt: skip
            out.append((f"{name} {col}", head.at[name, col], _ids(counted),
                        int((~rows["sensitive"]).sum())))  # fmt: skip
    periods = measures.comparison_periods(("2022-01", "2022-01"))
    changed = measures.what_changed(sel, by=("crime_type", "ward_code"), periods=periods, top=99)
    for row in changed.itertuples():
        for col, month in (("current", MONTHS[2]), ("before", MONTHS[1] if row.compared_with
                           == "previous period" else MONTHS[0])):  # fmt: skip
            rows = sel[(sel["crime_type"] == row.crime_type) & (sel["ward_code"] == row.ward_code)
                       & (sel["month"] == month)]  # fmt: skip
            out.append((f"changed {row.crime_type} {row.ward_code} {col}", getattr(row, col),
                        _ids(rows), int((~rows["sensitive"]).sum())))  # fmt: skip
    monthly = measures.monthly_with_last_year(sel, coverage=(MONTHS[0], MONTHS[2]))
    for month, value in monthly["incidents"].items():
        rows = sel[sel["month"] == month]
        out.append((f"month {month:%Y-%m}", value, _ids(passing[passing["month"] == month]),
                    int((~rows["sensitive"]).sum())))  # fmt: skip
    peaks = peak_windows(sel)
    for row in peaks.itertuples():
        month = pd.Timestamp(row.label + "-01")
        rows = sel[sel["month"] == month]
        out.append((f"peak {row.label}", row.incidents, _ids(passing[passing["month"] == month]),
                    int((~rows["sensitive"]).sum())))  # fmt: skip
    return out


def _violations(cells: list[tuple[str, float, frozenset, int]]) -> list[str]:
    """Shown counts that reveal 1..4 sensitive incidents, alone or against another shown count
    whose sensitive incidents are a subset (the difference of two filter states)."""
    sets = {frozenset()}
    bad = []
    for name, value, ids, plain in cells:
        if pd.isna(value):
            continue
        assert value == plain + len(ids), name  # the shown count is the true count
        sets.add(ids)
    ordered = sorted(sets, key=len)
    for i, small in enumerate(ordered):
        for big in ordered[i + 1 :]:
            if 0 < len(big) - len(small) < MIN_COUNT and small < big:
                bad.append(f"{sorted(big - small)} recoverable")
    return bad


def test_no_pair_of_filter_states_differs_by_a_suppressed_count(fixture) -> None:
    cells, withheld = [], 0
    for selection in _states():
        sel = select(fixture, selection)
        if not _comparable(sel):
            continue
        got = _cells(sel)
        withheld += sum(pd.isna(v) for _, v, _, _ in got)
        cells += got
    assert withheld > 20  # the fixture has small groups: the gate had work to do
    assert _violations(cells) == []
    # and the check can fail: the same counts without the gate give victims away
    ungated = [(n, len(ids) + plain, ids, plain) for n, _, ids, plain in cells]
    assert len(_violations(ungated)) > 0


def test_total_minus_shown_parts_never_reveals_a_withheld_ward(fixture) -> None:
    wards = gpd.GeoDataFrame({"area_code": WARDS, "area_name": WARDS}, geometry=[None] * len(WARDS))
    for selection in _states():
        sel = select(fixture, selection)
        if not _comparable(sel):
            continue
        table = measures.ward_table(sel, wards, None, current=("2022-01", "2022-01"))
        head = measures.headline_measures(sel, current=("2022-01", "2022-01"))
        total = head.at["All crime (excluding ASB)", "current"]
        if pd.isna(total):
            continue
        hidden = table.loc[table["count"].isna(), "area_code"]
        rest = sel[sel["ward_code"].isin(hidden) & (sel["month"] == MONTHS[2])]
        # the total counts sensitive incidents in whole groups of 5+ only: the remainder is
        # the withheld wards' other incidents and whole groups, never a small count
        counted = rest[~rest["sensitive"] | rest.index.isin(_passing(sel).index)]
        assert total - table["count"].sum() == len(counted)
        assert not 0 < int(counted["sensitive"].sum()) < MIN_COUNT


def test_adding_a_non_sensitive_type_does_not_switch_suppression_off(fixture) -> None:
    wards = gpd.GeoDataFrame({"area_code": WARDS, "area_name": WARDS}, geometry=[None] * len(WARDS))
    current = ("2022-01", "2022-01")
    alone = measures.ward_table(select(fixture, Selection(crime_types=("Rape",))), wards, None,
                                current=current)  # fmt: skip
    mixed = measures.ward_table(select(fixture, Selection(crime_types=("Rape", "Burglary"))),
                                wards, None, current=current)  # fmt: skip
    assert alone["count"].isna().any()
    assert (mixed["count"].isna() >= alone["count"].isna()).all()


# --------------------------------------------------------------------------- every export path

P = (506_000.0, 208_000.0)
"""Where the sensitive fixture's victims live (BNG metres): 1.5 km from any other incident."""


def _background(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Timed council incidents in two hot clusters and a thin scatter (no sensitive ones)."""
    centres = np.array([[503_600.0, 206_600.0], [504_200.0, 207_000.0]])
    xy = np.concatenate(
        [c + rng.normal(0, 40, (150, 2)) for c in centres]
        + [
            np.column_stack(
                [rng.uniform(503_000, 504_500, 200), rng.uniform(206_000, 207_400, 200)]
            )
        ]
    )
    types = rng.choice(["Burglary", "Shoplifting", "Criminal damage and arson"], len(xy))
    return _dated(incidents_from_xy(xy, list(types), month="2022-01-01", source="council"), rng)


def _dated(inc: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    hours = rng.integers(0, 24 * 31, len(inc))
    inc["occurred_from"] = pd.Timestamp("2022-01-01") + pd.to_timedelta(hours, "h")
    inc["time_precision"] = "minute"
    inc["ward_code"] = "W1"
    return inc


def _with_victims(background: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The background plus nine sensitive council incidents at P, under labels once missed."""
    labels = ["DV"] * 4 + ["RASSO"] * 3 + ["Sex offence", "Revenge porn"]
    victims = _dated(incidents_from_xy(np.array([P] * 9), labels, month="2022-01-01",
                                       source="council"), rng)  # fmt: skip
    assert victims["sensitive"].all()
    out = pd.concat([background, victims], ignore_index=True)
    out["incident_id"] = np.arange(len(out)).astype(str)
    out.attrs = background.attrs
    return out


def _normalised(text: str) -> str:
    """Output text without folium's random element ids and the time it was generated (the
    two runs compared may fall in different minutes)."""
    import re

    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "TIME", text)
    return re.sub(r"[0-9a-f]{32}", "ID", text)


def _outputs(incidents: gpd.GeoDataFrame, folder: Path) -> dict[str, str]:
    """Every map layer, export and document the product writes from ``incidents``, as text."""
    from hotspots.analysis.analyse import analyse
    from hotspots.products.cctv import sheet_csv, sheet_html, tasking_sheet
    from hotspots.products.patrol import briefing_html, patrol_plan, to_csv, to_geojson, to_kml
    from hotspots.products.vawg import uncovered_hot_cells
    from hotspots.views import maps
    from hotspots.views.analysis_map import analysis_map
    from hotspots.views.outputs import write_analysis
    from hotspots.views.patrol_map import patrol_layer

    folder.mkdir()
    area = gpd.GeoDataFrame(
        {"area_code": ["W1"], "area_name": ["Ward one"]},
        geometry=[shapely.box(-0.62, 51.72, -0.44, 51.79)],
        crs=4326,
    )
    out: dict[str, str] = {}
    analysis = analyse(incidents, study_area=area)
    out["analysis map (every layer)"] = maps.map_html(analysis_map(analysis, wards=area))
    for name, path in write_analysis(analysis, folder / "analysis", wards=area).items():
        if path.suffix in (".csv", ".geojson", ".json", ".html", ".txt"):
            out[f"analysis {name}"] = path.read_text()
    for layer in ("hex_layer", "gistar_layer"):
        m = maps.base_map(area)
        getattr(maps, layer)(analysis.cells).add_to(m)
        out[f"maps.{layer}"] = maps.map_html(m)
    plan = patrol_plan(incidents, study_area=area, top=3, run_backtest=False)
    m = maps.base_map(area)
    patrol_layer(plan).add_to(m)
    out["patrol layer"] = maps.map_html(m)
    for name, writer in (("csv", to_csv), ("geojson", to_geojson), ("kml", to_kml)):
        out[f"patrol {name}"] = writer(plan, folder / f"plan.{name}").decode("utf-8")
    out["patrol briefing"] = briefing_html(plan)
    lon, lat = incidents_from_xy(np.array([P]), "Burglary").geometry.iloc[0].coords[0]
    cameras = pd.DataFrame([
        {"camera_id": "AT-P", "type": "ptz", "range_m": 150.0, "bearing_deg": 0.0,
         "fov_deg": 360.0, "lon": lon, "lat": lat, "status": "active"},
    ])  # fmt: skip
    hot = analysis.cells.assign(gi_bin=3)  # every cell "hot": the camera at P is tempted
    sheet = tasking_sheet(incidents, cameras, hot, min_incidents=1)
    out["cctv tasking csv"] = sheet_csv(sheet).decode("utf-8")
    out["cctv tasking html"] = sheet_html(sheet)
    feedback = pd.DataFrame({"feedback_id": [1], "lon": [lon], "lat": [lat],
                             "reason": ["isolated"], "severity": [3]})  # fmt: skip
    gaps = uncovered_hot_cells(incidents, feedback, study_area=area, vawg_only=False)
    out["vawg unwalked hot cells"] = gaps.to_json()
    return {k: _normalised(v) for k, v in out.items()}


def test_every_export_path_and_map_layer_leaves_no_trace_of_sensitive_points(tmp_path) -> None:
    rng = np.random.default_rng(7)
    background = _background(rng)
    with_victims = _with_victims(background, rng)
    clean = _outputs(background, tmp_path / "without")
    dirty = _outputs(with_victims, tmp_path / "with")
    assert clean.keys() == dirty.keys() and len(clean) >= 15
    # the only trace allowed: that some were left out, said through the gate
    for name in clean:
        allowed = {"withheld", "<5", "&lt;5", "True", '"'}  # JSON: a flag, a quoted word
        assert _changed_tokens(clean[name], dirty[name]) <= allowed, name
    # the patrol briefing says the same words with the victims as without: a study area may
    # be drawn around one, so it counts none
    assert dirty["patrol briefing"] == clean["patrol briefing"]
    assert "never used to draw places, nor counted here" in dirty["patrol briefing"]


def test_the_forecast_command_scores_no_sensitive_point() -> None:
    """``hotspots forecast`` writes its cells (with each cell's history) from the library."""
    from hotspots.analysis.forecast import forecast

    rng = np.random.default_rng(7)

    def two_months(inc: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        earlier = inc.assign(month=pd.Timestamp("2021-12-01"))
        earlier["occurred_from"] = earlier["occurred_from"] - pd.DateOffset(months=1)
        out = pd.concat([earlier, inc], ignore_index=True)
        out.attrs = inc.attrs
        return gpd.GeoDataFrame(out, crs=inc.crs)

    background = _background(rng)
    area = shapely.box(-0.62, 51.72, -0.44, 51.79)
    clean = forecast(two_months(background), study_area=area, res=10).cells
    dirty = forecast(two_months(_with_victims(background, rng)), study_area=area, res=10).cells
    pd.testing.assert_frame_equal(clean, dirty)


def test_the_forecast_hot_spots_and_their_files_reveal_no_sensitive_point(tmp_path) -> None:
    """The hot spot layer, hot_spots.csv / .json and a patrol plan drawn from the forecast are
    the same with and without victims' addresses in the data (two months: a forecast)."""
    from hotspots.analysis.analyse import analyse
    from hotspots.products.patrol import patrol_plan, to_geojson, to_notes
    from hotspots.views import maps
    from hotspots.views.outputs import write_analysis

    rng = np.random.default_rng(7)
    background = _background(rng)
    area = gpd.GeoDataFrame(
        {"area_code": ["W1"], "area_name": ["Ward one"]},
        geometry=[shapely.box(-0.62, 51.72, -0.44, 51.79)],
        crs=4326,
    )

    def outputs(incidents: gpd.GeoDataFrame, folder: Path) -> dict[str, str]:
        two = _two_months(incidents)
        result = analyse(two, study_area=area)
        assert result.forecast is not None and result.cells["hot_spot"].any()
        m = maps.base_map(area)
        maps.hot_spot_layer(result.cells, legend_title="Hot spots").add_to(m)
        files = write_analysis(result, folder, wards=area)
        plan = patrol_plan(two, study_area=area, top=3, run_backtest=False)
        assert plan.metadata["method"] == "forecast"
        return {
            "hot spot layer": _normalised(maps.map_html(m)),
            "hot_spots.csv": files["hot_spots.csv"].read_text(),
            "hot_spots.json": files["hot_spots.json"].read_text(),
            "patrol geojson": to_geojson(plan).decode("utf-8"),
            "patrol notes": to_notes(plan).decode("utf-8"),
        }

    clean = outputs(background, tmp_path / "without")
    dirty = outputs(_with_victims(background, rng), tmp_path / "with")
    for name in ("hot spot layer", "hot_spots.csv", "hot_spots.json"):
        assert clean[name] == dirty[name], name
    allowed = {"withheld", "<5", "&lt;5", "True", '"'}  # the plan says some were left out
    for name in ("patrol geojson", "patrol notes"):
        assert _changed_tokens(clean[name], dirty[name]) <= allowed, name


def _two_months(inc: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``inc`` and a copy of it one month earlier."""
    earlier = inc.assign(month=inc["month"] - pd.DateOffset(months=1))
    earlier["occurred_from"] = earlier["occurred_from"] - pd.DateOffset(months=1)
    out = pd.concat([earlier, inc], ignore_index=True)
    out.attrs = inc.attrs
    return gpd.GeoDataFrame(out, crs=inc.crs)


def _changed_tokens(before: str, after: str) -> set[str]:
    """Tokens of ``after`` that differ from ``before``: a line diff, then words in changed lines."""
    import difflib
    import re

    if before == after:
        return set()
    lines = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    changed = set()
    a_lines, b_lines = before.splitlines(), after.splitlines()
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag == "equal":
            continue
        a, b = (re.findall(r"[\w<&;.%-]+|\S", "\n".join(part)) for part in
                (a_lines[i1:i2], b_lines[j1:j2]))  # fmt: skip
        ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        changed |= {tok for op, _, _, k1, k2 in ops if op != "equal" for tok in b[k1:k2]}
    return changed


def test_tables_and_the_quarantine_show_the_sensitive_fixture_only_through_the_gate(
    tmp_path,
) -> None:
    rng = np.random.default_rng(7)
    incidents = _with_victims(_background(rng), rng)
    previous = incidents.assign(month=pd.Timestamp("2021-12-01"))
    previous["occurred_from"] = previous["occurred_from"] - pd.DateOffset(months=1)
    both = pd.concat([previous, incidents], ignore_index=True)
    both.attrs = incidents.attrs
    wards = gpd.GeoDataFrame({"area_code": ["W1"], "area_name": ["Ward one"]}, geometry=[None])
    table = measures.ward_table(both, wards, None, current=("2022-01", "2022-01"))
    head = measures.headline_measures(both, current=("2022-01", "2022-01"))
    changed = measures.what_changed(both, by=("crime_type", "ward_code"))
    assert table["count"].isna().all() and table["suppressed"].all()
    assert head.loc["Domestic abuse (flagged)", "current_shown"] == "<5"
    # the total leaves the small sensitive groups out (with a note) rather than going blank
    plain = int((~both["sensitive"] & (both["month"] == "2022-01")
                & (both["category"] != "Anti-social behaviour")).sum())  # fmt: skip
    assert head.loc["All crime (excluding ASB)", "current_shown"] == str(plain)
    assert any("leave out sensitive offences" in n for n in head.attrs["notes"])
    assert not changed["crime_type"].isin(["DV", "RASSO", "Sex offence", "Revenge porn"]).any()
    for csv in (table.to_csv(), head.to_csv(), changed.to_csv()):
        assert "RASSO" not in csv and "Revenge" not in csv
    loaded = read_incident_csv(_council_csv(tmp_path), COLUMNS_MAP)
    assert "51.7531" not in loaded.quarantine.to_csv(index=False)


@pytest.mark.parametrize("types", [["Theft", "Theft"], ["Rape", "Theft"]])
def test_the_mappable_incidents_are_a_frame_of_their_own(types):
    xy = np.array([[505_000.0, 207_000.0], [505_100.0, 207_100.0]])
    incidents = incidents_from_xy(xy, types, source="council")
    before = incidents.copy()
    out = disclosure.mappable(incidents)
    out.loc[out.index[0], "crime_type"] = "Changed"
    out.loc[out.index[0], "x"] = 0.0
    out.attrs["note"] = "mine"
    pd.testing.assert_frame_equal(incidents, before)
    assert "note" not in incidents.attrs and "sensitive_left_out" not in incidents.attrs


def _when_page_with_three_rapes() -> None:
    """The When page on the demo with three rapes at one address in one ward and month."""
    from demo_with_rapes import use_demo_with_rapes

    from hotspots.views.dashboard.page_when import render

    use_demo_with_rapes(3)
    render()


def test_the_sidebar_total_does_not_give_a_small_sensitive_group_away() -> None:
    # the data's total minus the mapped count was the size of a withheld group (3 rapes)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_when_page_with_three_rapes, default_timeout=240).run()
    assert not at.exception
    ds = at.session_state["hotspots_dataset"]
    assert not ds.incidents["incident_id"].isin(["R1", "R2", "R3"]).any()  # in no selection
    said = next(c for c in at.sidebar.caption if c.value.startswith("Data: "))
    assert f"— {len(ds.incidents):,} incidents" in said.value
    assert said.help == disclosure.SMALL_GROUPS_NOTE


def test_violence_at_an_exact_point_is_sensitive_but_what_names_a_public_place(
    tmp_path: Path,
) -> None:
    # a council log in Leeds: an "Assault" loaded as not sensitive and was mapped at its point,
    # which may be a victim's home (the module docstring's rule, not the code's)
    rows = [
        ("L1", "2024-09-05 22:10", "Assault", 53.7960, -1.5930),
        ("L2", "2024-09-06 01:15", "Violence with injury", 53.7961, -1.5931),
        ("L3", "2024-09-07 23:00", "Night-time economy violence", 53.7990, -1.5450),
        ("L4", "2024-09-08 12:00", "Intimate partner violence", 53.7962, -1.5932),
        ("L5", "2024-09-08 15:00", "Youth ASB", 53.8000, -1.5500),
    ]
    path = tmp_path / "leeds_log.csv"
    pd.DataFrame(rows, columns=["ref", "when", "type", "lat", "lon"]).to_csv(path, index=False)
    loaded = read_incident_csv(path, COLUMNS_MAP).incidents.set_index("incident_id")
    assert loaded["sensitive"].to_dict() == {
        "L1": True, "L2": True, "L3": False, "L4": True, "L5": False
    }  # fmt: skip
    assert set(disclosure.mappable(loaded.reset_index())["incident_id"]) == {"L3", "L5"}
    # intimate partner violence is VAWG-relevant, as every violent type the taxonomy knows
    assert loaded.loc["L4", "vawg"] and loaded.loc["L1", "vawg"]
    # police.uk's snapped points of violence stay mappable; intimate partner violence never
    names = ["Assault", "Intimate partner violence", "Ex-partner harassment", "Annex partnering"]
    snapped = classify(pd.Series(names))
    assert snapped["sensitive"].tolist() == [False, True, True, False]
    assert snapped["vawg"].tolist() == [True, True, True, False]


def test_a_taxonomy_row_without_public_place_is_not_public(tmp_path: Path) -> None:
    # a partnership's own taxonomy (no public_place column) and a workspace's [categories]
    # row: a violent type is sensitive at an exact point
    own = tmp_path / "taxonomy.csv"
    own.write_text(
        "crime_type,category,sensitive,vawg\n"
        "Night-time economy violence,Violence and sexual offences,false,true\n"
        "Town centre fight,Violence and sexual offences,false,true\n"
    )
    from hotspots.data.schema import load_taxonomy

    table = load_taxonomy(own)
    flags = classify(
        pd.Series(["Night-time economy violence", "Town centre fight"]),
        table,
        exact_coordinates=True,
    )
    assert flags["sensitive"].all()


def test_a_period_of_days_never_ends_on_a_sensitive_incidents_date() -> None:
    # dated council data in Leeds: the last 28 days ended on the latest incident's date, a
    # rape's when it was the latest; the page said that date (and it counts no rape anyway)
    xy = np.array([[430_000.0, 433_000.0]] * 7)
    types = ["Youth ASB"] * 2 + ["Rape"] * 5
    inc = incidents_from_xy(xy, types, source="council", month="2024-09-01")
    inc["sensitive"] = np.array([False, False, True, True, True, True, True])
    inc["ward_code"] = "E05001414"
    inc["time_precision"] = "minute"
    inc["occurred_from"] = pd.to_datetime(
        ["2024-09-10 12:00", "2024-09-12 12:00"] + ["2024-09-20 12:00"] * 4 + ["2024-09-27 01:00"]
    )
    periods = measures.default_periods(inc)
    assert str(periods.current[1]) == "2024-09-12"
    # sensitive incidents only: whole months, which count them
    only = measures.default_periods(inc[inc["sensitive"]])
    assert only.current[0].freqstr.startswith("M") and str(only.current[0]) == "2024-09"


def test_a_workspace_mapping_a_violent_type_elsewhere_keeps_its_exact_points_off_the_map():
    """``[categories] "Assault" = "Public order"`` made a council log's assaults at exact
    points mappable (a reviewer's finding); the name reads as violence, whatever its group."""
    from hotspots.data.schema import classify, load_taxonomy

    table = load_taxonomy()
    for name, group in (("Assault", "Public order"), ("GBH", "Public order")):
        override = pd.DataFrame(
            {"crime_type": [name], "category": [group], "sensitive": False, "vawg": False,
             "public_place": False},
            index=[name.lower()],
        )  # fmt: skip
        merged = pd.concat([table[~table.index.isin(override.index)], override])
        flags = classify(pd.Series([name]), merged, exact_coordinates=True)
        assert flags["category"].iloc[0] == group and bool(flags["sensitive"].iloc[0]), name
        assert not classify(pd.Series([name]), merged, exact_coordinates=False)["sensitive"][0]
    nte = classify(pd.Series(["Night-time economy violence"]), exact_coordinates=True)
    assert not nte["sensitive"].iloc[0]  # marked public_place: still mappable

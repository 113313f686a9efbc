"""Selection (the dashboard's filters) on a small canonical frame with known answers."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely import points

from hotspots.data import datasets
from hotspots.data.schema import CATEGORIES, COLUMNS
from hotspots.data.select import (
    Selection,
    crime_types,
    has_time_of_day,
    hour_mask,
    months_present,
    select,
    values_present,
    ward_choices,
)
from hotspots.space.areas import assign_areas, read_boundaries


def _incidents() -> gpd.GeoDataFrame:
    frm = pd.to_datetime(
        ["2021-01-05 23:10", "2021-02-06 01:00", "2021-03-07 12:00", "2021-03-08 16:30", None]
    )
    df = pd.DataFrame(
        {
            "incident_id": ["a", "b", "c", "d", "e"],
            "source": "test",
            "crime_type": ["Assault", "Assault", "Youth ASB", "Youth ASB", "Burglary"],
            "category": [
                "Violence and sexual offences",
                "Violence and sexual offences",
                "Anti-social behaviour",
                "Anti-social behaviour",
                "Acquisitive",
            ],
            "sensitive": False,
            "vawg": False,
            "month": pd.to_datetime(
                ["2021-01-01", "2021-02-01", "2021-03-01", "2021-03-01", "2021-04-01"]
            ),
            "occurred_from": frm,
            "occurred_to": pd.NaT,
            "time_precision": ["minute", "minute", "minute", "minute", "month"],
            "location": "x",
            "lsoa_code": None,
            "ward_code": ["W1", "W1", "W2", "W2", "W1"],
            "x": 0.0,
            "y": 0.0,
        }
    )
    gdf = gpd.GeoDataFrame(df, geometry=points(np.zeros((5, 2))), crs="EPSG:4326")[COLUMNS]
    gdf.attrs["working_crs"] = "EPSG:27700"
    return gdf


def test_no_selection_keeps_everything_and_attrs():
    inc = _incidents()
    out = select(inc, Selection())
    assert list(out["incident_id"]) == ["a", "b", "c", "d", "e"]
    assert out.attrs["working_crs"] == "EPSG:27700"


def test_month_range_is_inclusive_by_month():
    out = select(_incidents(), Selection(start=pd.Timestamp("2021-02-20"), end="2021-03-02"))
    assert list(out["incident_id"]) == ["b", "c", "d"]


def test_category_type_and_ward_filters_combine():
    inc = _incidents()
    assert list(select(inc, Selection(categories=["Acquisitive"]))["incident_id"]) == ["e"]
    assert (
        list(select(inc, Selection(crime_types=["Youth ASB"], wards=["W1"]))["incident_id"]) == []
    )
    assert list(select(inc, Selection(wards=["W2"]))["incident_id"]) == ["c", "d"]
    assert list(select(inc, Selection(sources=["other"]))["incident_id"]) == []
    assert len(select(inc, Selection(sources=["test"]))) == 5


def test_hours_wrap_midnight_and_drop_untimed_rows():
    inc = _incidents()
    assert list(select(inc, Selection(hours=(22, 3)))["incident_id"]) == ["a", "b"]
    assert list(select(inc, Selection(hours=(12, 16)))["incident_id"]) == ["c", "d"]
    assert has_time_of_day(inc)
    assert not has_time_of_day(inc[inc["time_precision"] == "month"])


def test_hour_mask_rejects_bad_hours():
    np.testing.assert_array_equal(hour_mask(np.arange(24), 23, 0), [True] + [False] * 22 + [True])
    with pytest.raises(ValueError, match=r"0\.\.23"):
        hour_mask(np.arange(3), 0, 24)


def test_incidents_from_xy_builds_canonical_incidents():
    from pyproj import Transformer

    from hotspots.data.schema import check_incidents, empty_incidents, incidents_from_xy

    xy = np.array([[505_000.0, 207_000.0], [505_100.0, 207_050.0]])
    inc = incidents_from_xy(xy, ["Burglary", "Domestic abuse"], month="2021-03-01")
    check_incidents(inc)
    assert inc.dtypes.equals(empty_incidents().dtypes)
    assert inc["category"].tolist() == ["Acquisitive", "Violence and sexual offences"]
    assert inc["sensitive"].tolist() == [False, True]
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    np.testing.assert_allclose(inc.geometry.x, lon)
    np.testing.assert_allclose(inc.geometry.y, lat)
    assert (inc["month"] == pd.Timestamp("2021-03-01")).all()


def test_sidebar_choices_on_known_answers():
    inc = _incidents()
    inc.loc[4, "source"] = "other"
    assert months_present(inc) == list(pd.to_datetime(["2021-01", "2021-02", "2021-03", "2021-04"]))
    assert values_present(inc, "source") == ["other", "test"]
    assert values_present(inc, "category", order=CATEGORIES) == [
        c for c in CATEGORIES if c in {"Violence and sexual offences", "Anti-social behaviour",
                                        "Acquisitive"}
    ]  # fmt: skip
    assert crime_types(inc) == ["Assault", "Burglary", "Youth ASB"]
    assert crime_types(inc, categories=["Anti-social behaviour"]) == ["Youth ASB"]
    assert has_time_of_day(inc, sources=["test"])
    assert not has_time_of_day(inc, sources=["other"])  # its one row is month-only
    wards = pd.DataFrame({"area_code": ["W3", "W1", "W2"], "area_name": ["Cee", "Ay", "Bee"]})
    assert ward_choices(wards) == {"W1": "Ay", "W2": "Bee", "W3": "Cee"}
    assert list(ward_choices(wards)) == ["W1", "W2", "W3"]  # in the order of the names
    assert ward_choices(wards, incidents=inc[inc["ward_code"] == "W2"]) == {"W2": "Bee"}


def test_sidebar_choices_on_the_demo_data(dacorum_load):
    inc = dacorum_load.incidents
    months = months_present(inc)
    assert months == sorted(set(inc["month"]))
    assert [f"{m:%Y-%m}" for m in (months[0], months[-1])] == ["2021-01", "2022-01"]
    groups = values_present(inc, "category", order=CATEGORIES)
    assert set(groups) == set(inc["category"]) and groups == sorted(groups, key=CATEGORIES.index)
    violent = crime_types(inc, categories=["Violence and sexual offences"])
    expected = inc.loc[inc["category"] == "Violence and sexual offences", "crime_type"]
    assert violent == sorted(expected.unique())
    assert not has_time_of_day(inc)  # police.uk: month only
    wards = read_boundaries(datasets.wards_path(datasets.DACORUM))
    names = ward_choices(wards)
    assert len(names) == len(wards) == 25
    assert list(names.values()) == sorted(wards["area_name"])
    placed = assign_areas(inc, wards)
    first_three = placed[placed["ward_code"].isin(list(names)[:3])]
    assert list(ward_choices(wards, incidents=first_three)) == list(names)[:3]
    assert ward_choices(wards, incidents=placed) == names  # every ward holds incidents

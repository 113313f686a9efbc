"""The words of the exports (meeting pack, patrol briefing) and the Areas page, for people who
are not analysts: method names in words, plurals that agree with their count, a change under
half a per cent that says so, no blank label, no locality name cut short."""

from __future__ import annotations

import dataclasses
import io
from types import SimpleNamespace

import pandas as pd
import pypdf
import pytest

from hotspots.analysis.forecast import DEFAULT_METHOD, SWITCH_MARGIN, SWITCH_SHARE, Forecast
from hotspots.analysis.temporal import MIN_TIMED_INCIDENTS
from hotspots.products.captions import (
    change_text,
    counted,
    hot_spot_caption,
    hot_spot_figures,
    percent_change_text,
    selection_words,
    study_area_words,
)
from hotspots.views.documents.briefing import locality_details
from hotspots.views.documents.meeting_pack import _method_items, peak_summary

AUTO_SELECTION = (
    f"each test month scored by {DEFAULT_METHOD} unless another method beat it on the "
    f"earlier test months (rolling origin) by {SWITCH_MARGIN} mean PEI and in "
    f"{SWITCH_SHARE:.0%} of them, so the figures are out of sample"
)
"""What the forecast writes into its figures (hotspots.analysis.forecast) when it chooses."""


@pytest.mark.parametrize(
    ("n", "noun", "text"),
    [(1, "month", "1 month"), (3, "month", "3 months"), (0, "change", "0 changes"),
     (2, "locality", "2 localities")],
)  # fmt: skip
def test_counts_agree_with_their_noun(n, noun, text):
    assert counted(n, noun, "localities" if noun == "locality" else None) == text


@pytest.mark.parametrize(
    ("change", "pct", "text"),
    [(-1, -0.19, "-1 (under 1 %)"), (1, 0.4, "+1 (under 1 %)"), (19, 11.2, "+19 (+11 %)"),
     (-40, -12.6, "-40 (-13 %)"), (0, 0.0, "no change"), (3, float("nan"), "+3"),
     (1200, 5.0, "+1,200 (+5 %)")],
)  # fmt: skip
def test_a_change_under_half_a_per_cent_says_under_1_not_minus_0(change, pct, text):
    assert change_text(change, pct) == text
    assert "-0 %" not in text and "+0 %" not in text


def test_a_percentage_change_alone_never_reads_minus_0():
    assert percent_change_text(-0.3) == "under 1 %"
    assert percent_change_text(-11.6) == "-12 %"


def test_the_backtests_choice_names_its_method_in_words():
    text = selection_words(AUTO_SELECTION)
    assert DEFAULT_METHOD not in text
    assert "scored by past incidents, recent months weighted more" in text
    assert selection_words("method last_month fixed by the user") == (
        "method: incidents of the last month, fixed by the user"
    )
    assert selection_words(None) == ""


def test_the_hot_spot_method_detail_has_no_code_name():
    fc = Forecast(
        cells=pd.DataFrame(),
        month=pd.Period("2022-02", "M"),
        method=DEFAULT_METHOD,
        coverage=0.05,
        backtest=pd.DataFrame(),
        figures={"res": 9, "n_cells": 2246, "folds": 10, "first_test_month": "2021-04",
                 "last_test_month": "2022-01", "hit_rate": 0.674, "pai": 13.5, "pei": 0.92,
                 "selection": AUTO_SELECTION},
    )  # fmt: skip
    _, technical = hot_spot_caption(fc)
    assert "recency_density" not in technical
    assert "Backtest Apr 2021 to Jan 2022 (10 test months)" in technical  # not 2021-04
    assert "recency_density" not in str(hot_spot_figures(fc)["selection"])


def test_a_study_area_given_as_a_shape_is_said_in_words():
    assert study_area_words("given: Polygon") == "the boundary given with the data"
    assert study_area_words("given: GeoDataFrame") == "the boundary given with the data"
    assert study_area_words("given: E07000096") == "the area given: E07000096"
    assert study_area_words("GeoDataFrame") == "the boundary given with the data"
    assert study_area_words("E07000096") == "E07000096"
    assert study_area_words("the districts the incidents fall in") == (
        "the districts the incidents fall in"
    )


def _analysis(**params) -> SimpleNamespace:
    base = {
        "incidents": 20311,
        "grid": {"res": 9, "n_cells": 2448},
        "gistar": {"k": 1, "fdr": True},
        "clusters": {"n_clusters": 64, "eps_m": 100.0, "eps_source": "knee", "min_samples": 61,
                     "min_samples_source": "auto", "method": "dbscan", "noise_share": 0.47},
        "study_area": "given: Polygon",
        "working_crs": "EPSG:27700",
    }  # fmt: skip
    return SimpleNamespace(params={**base, **params}, cells=pd.DataFrame(), forecast=None)


def test_the_packs_technical_detail_says_the_study_area_in_words():
    _, technical = _method_items(_analysis())
    grid = dict(technical)["Grid"]
    assert "given: Polygon" not in grid and "the boundary given with the data" in grid


def _timed_peaks(few: int) -> SimpleNamespace:
    peaks = pd.DataFrame(
        {"category": ["ASB", "ASB"], "resolution": ["hour", "hour"], "block_hours": [3, 3],
         "rank": [1, 2], "label": ["Mon 16:00–19:00", "Fri 16:00–19:00"], "share": [0.06, 0.05]}
    )  # fmt: skip
    with_time = {"ASB": (500, 800)} | {f"G{i}": (2, 40) for i in range(few)}
    peaks.attrs = {"with_time": with_time, "n_used": 502, "n_without_time": 300}
    monthly = pd.DataFrame({"ASB": [400, 400]})
    return SimpleNamespace(peaks=peaks, monthly=monthly)


@pytest.mark.parametrize(("few", "said"), [(3, "3 groups have"), (1, "1 group has")])
def test_groups_without_timed_incidents_are_counted_in_words(few, said):
    _, note = peak_summary(_timed_peaks(few))
    assert "(s)" not in note
    assert f"{said} no windows: fewer than {MIN_TIMED_INCIDENTS} incidents" in note


def test_a_locality_detail_without_a_value_is_left_out():
    record = {"ward": "Grovehill", "street": None, "incidents": 37, "crime_mix": ""}
    labels = {"ward": "Ward", "street": "Main street", "incidents": "Incidents",
              "crime_mix": "Crime mix"}  # fmt: skip
    assert locality_details(record, labels) == {"Ward": "Grovehill", "Incidents": "37"}


# --------------------------------------------------------------------------- a real plan


LONG_NAME = "Parking Area near Claymore and the Shopping Parade at Grovehill Avenue, Grovehill"


@pytest.fixture(scope="module")
def plan(dacorum_load):
    from hotspots.data import datasets
    from hotspots.products.patrol import patrol_plan

    plan = patrol_plan(
        dacorum_load.incidents,
        study_area=datasets.DACORUM,
        period=("2021-10", "2021-12"),
        top=2,
        run_backtest=False,
    )
    localities = plan.localities.copy()
    localities["name"] = [LONG_NAME, "Bridge Street, Hemel Hempstead Town"][: len(localities)]
    localities["street"] = [None, "Bridge Street"][: len(localities)]
    return dataclasses.replace(plan, localities=localities)


@pytest.mark.slow
def test_the_plans_limits_count_months_in_words(plan):
    text = " ".join(plan.limits)
    assert "month(s)" not in text and "time(s)" not in text
    assert "Oct 2021 – Dec 2021 (3 months)" in text
    assert "2021-10" not in text and "2021-12" not in text  # months as people write them


@pytest.mark.slow
def test_the_briefing_wraps_long_names_and_prints_no_blank_label(plan):
    from hotspots.views.documents.briefing import briefing_html, write_briefing_pdf

    reader = pypdf.PdfReader(io.BytesIO(write_briefing_pdf(plan)))
    first = " ".join(reader.pages[0].extract_text().split())
    assert first.startswith("Patrol briefing, Oct 2021 – Dec 2021")  # not "2021-10 to 2021-12"
    assert "[...]" not in first
    assert " ".join(LONG_NAME.split()) in first  # wrapped over lines, read back whole
    pages = [page.extract_text() for page in reader.pages]
    locality = next(p for p in pages if "Main street" in p or "Ward:" in p)
    assert not any(line.strip() == "Main street:" for p in pages for line in p.splitlines())
    assert locality  # the pages with details exist
    html = briefing_html(plan)
    assert "<th>Main street</th><td></td>" not in html
    assert "Study area: GeoDataFrame" not in html and "Study area: Polygon" not in html

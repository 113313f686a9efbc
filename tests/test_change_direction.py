"""A change's ▲/▼, colour and "significant" words describe the counts shown beside them.

A 31-day March against a 28-day February: equal counts are fewer a day. The test per day
allows for that, but the counts and the % change a JAG reads are as counted, so a change is
significant only when the counts show it too (:func:`hotspots.analysis.temporal.compare_periods`).
The cases are the reviewer's (Leeds, Feb → Mar 2021: 1,373 → 1,387 read "+1 % ▼"; 1,369 →
1,387 ▼; 1,407 → 1,394 a "significant fall"). p-values are checked with statsmodels.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep_test
from streamlit.testing.v1 import AppTest

from hotspots.analysis.analyse import analyse
from hotspots.analysis.temporal import compare_periods
from hotspots.data import datasets
from hotspots.data.ingest import concat_results
from hotspots.demo.load import load_demo_log, load_demo_policeuk
from hotspots.products import measures
from hotspots.space.areas import assign_areas, read_boundaries
from hotspots.views.documents.meeting_pack import meeting_pack_html

FEB, MAR = pd.Timestamp("2021-02-01"), pd.Timestamp("2021-03-01")
ALL_CRIME = "All crime (excluding ASB)"
FLAT = [(1369, 1387), (1373, 1387), (1407, 1394)]
"""(February, March) counts the per-day test calls a significant fall, the counts do not."""


def _months(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Month-only incidents: per group, ``(February, March)`` counts of 2021."""
    group, month = [], []
    for name, (feb, mar) in counts.items():
        group += [name] * (feb + mar)
        month += [FEB] * feb + [MAR] * mar
    return pd.DataFrame(
        {
            "month": pd.to_datetime(month),
            "occurred_from": pd.NaT,
            "time_precision": "month",
            "group": group,
        }
    )


@pytest.mark.parametrize(("feb", "mar"), FLAT)
def test_counts_that_barely_move_are_no_significant_change(feb: int, mar: int) -> None:
    table = compare_periods(_months({"x": (feb, mar)}), current=("2021-03", "2021-03"),
                            previous=("2021-02", "2021-02"))  # fmt: skip
    row = table.iloc[0]
    ref = poisson_2indep_test(mar, 31, feb, 28, method="exact-cond").pvalue
    assert row["p_value"] == pytest.approx(ref, rel=1e-9)  # the per-day test, as before …
    assert row["p_value"] < 0.05  # … which finds fewer a day
    assert row["pct_change"] == pytest.approx(100 * (mar - feb) / feb)  # as counted
    assert not row["significant"] and row["direction"] == "no significant change"
    assert "months of different length are allowed for" in table.attrs["test"]  # and said so


@pytest.mark.parametrize(
    ("feb", "mar", "direction"),
    [(1000, 1300, "rise"), (1300, 1000, "fall"), (1000, 1100, "no significant change")],
)
def test_a_change_the_counts_and_the_days_agree_on_stays_significant(feb, mar, direction):
    # 1,000 → 1,100 is significant as counted but not per day: three more days explain it
    table = compare_periods(_months({"x": (feb, mar)}), current=("2021-03", "2021-03"),
                            previous=("2021-02", "2021-02"))  # fmt: skip
    assert table["direction"].iloc[0] == direction


def test_no_group_is_marked_against_the_way_its_counts_moved() -> None:
    rng = np.random.default_rng(5)
    feb = rng.integers(50, 3000, size=300)
    mar = np.round(feb * rng.uniform(0.85, 1.2, size=300)).astype(int)
    counts = {f"g{i}": (int(f), int(m)) for i, (f, m) in enumerate(zip(feb, mar, strict=True))}
    table = compare_periods(_months(counts), current=("2021-03", "2021-03"),
                            previous=("2021-02", "2021-02"), by="group")  # fmt: skip
    marked = table[table["significant"]]
    assert len(marked) and (marked["direction"] != "no significant change").all()
    rises = marked["direction"] == "rise"
    assert (marked.loc[rises, "change"] > 0).all() and (marked.loc[~rises, "change"] < 0).all()
    # the per-day test alone called some of the flat ones significant
    assert ((table["q_value"] < 0.05) & ~table["significant"]).any()


# --------------------------------------------------------------------------- products


@pytest.fixture(scope="module")
def wards():
    return read_boundaries(datasets.wards_path(datasets.DACORUM))


@pytest.fixture(scope="module")
def demo(wards) -> pd.DataFrame:
    return assign_areas(concat_results([load_demo_policeuk(), load_demo_log()]).incidents, wards)


def _flat(incidents: pd.DataFrame, feb: int, mar: int) -> pd.DataFrame:
    """``incidents`` with their crime but ASB of Feb and Mar 2021 replaced by ``feb`` and
    ``mar`` copies of February's commonest crime group (not sensitive; March's 28 days on)."""
    month = incidents["month"]
    asb = incidents["category"] == "Anti-social behaviour"
    pool = incidents[(month == FEB) & ~asb & ~incidents["sensitive"]]
    pool = pool[pool["category"] == pool["category"].mode()[0]]
    later = pool.sample(mar, replace=True, random_state=1)
    for column in ("month", "occurred_from", "occurred_to"):
        later[column] = later[column] + pd.DateOffset(days=28)
    out = pd.concat(
        [incidents[~month.isin([FEB, MAR]) | asb], pool.sample(feb, replace=True, random_state=0),
         later], ignore_index=True,
    )  # fmt: skip
    out["incident_id"] = pd.array([f"flat-{i}" for i in range(len(out))], dtype="string")
    return out


@pytest.mark.parametrize(("feb", "mar"), FLAT)
def test_headline_and_what_changed_mark_no_flat_count(demo, wards, feb, mar) -> None:
    flat = _flat(demo, feb, mar)
    head = measures.headline_measures(flat, current=("2021-03", "2021-03"))
    row = head.loc[ALL_CRIME]
    assert (row["previous"], row["current"]) == (feb, mar)
    assert row["pct_vs_previous"] == pytest.approx(100 * (mar - feb) / feb)
    assert row["vs_previous"] == "" and not row["significant_vs_previous"]
    march = measures.comparison_periods(("2021-03", "2021-03"))
    changes = measures.what_changed(flat, by=("category",), wards=wards, periods=march)
    moved = changes[(changes["compared_with"] == "previous period")
                    & (changes["before"] == feb)]  # fmt: skip
    assert len(moved) == 1 and not moved["significant"].iloc[0]
    assert moved["text"].iloc[0].endswith(", not significant")


@pytest.mark.parametrize(("feb", "mar"), FLAT[1:])
def test_the_pack_shows_no_arrow_beside_a_flat_count(demo, wards, feb, mar) -> None:
    flat = _flat(demo, feb, mar)
    head = measures.headline_measures(flat, current=("2021-03", "2021-03"))
    march = flat[flat["month"] == MAR]
    page = meeting_pack_html(analyse(march, study_area=wards), wards, title="JAG",
                             period="Mar 2021", measures=head)  # fmt: skip
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page, flags=re.S)
    at = cells.index(ALL_CRIME)
    row = cells[at : at + 4]
    assert row[1:3] == [f"{mar:,}", f"{feb:,}"] or row[1:3] == [str(mar), str(feb)]
    assert row[3] in ("+1 %", "-1 %")  # the % change as counted, and no ▲/▼ beside it


def _areas_page_flat(feb: int, mar: int) -> None:
    import dataclasses

    from hotspots.data.coverage import Coverage
    from hotspots.views.dashboard.page_areas import render
    from hotspots.views.dashboard.state import current_dataset, use_dataset
    from tests.test_change_direction import _flat

    ds = current_dataset()
    key = f"-flat-{feb}-{mar}"
    if not ds.key.endswith(key):
        incidents = _flat(ds.incidents, feb, mar)
        use_dataset(dataclasses.replace(ds, incidents=incidents, coverage=Coverage.of(incidents),
                                        key=ds.key + key))  # fmt: skip
    render()


def test_the_areas_page_colours_no_flat_count_as_a_significant_change() -> None:
    # Leeds, Mar 2021: a red "↑ +14 (+1 %) vs Feb 2021" above "▼ vs Feb 2021"
    at = AppTest.from_function(_areas_page_flat, args=(1373, 1387), default_timeout=240).run()
    at.selectbox(key="a_month").set_value(pd.Period("2021-03", "M")).run()
    assert not at.exception, [e.value for e in at.exception]
    metric = next(m for m in at.metric if m.label == ALL_CRIME)
    assert metric.value.replace(",", "") == "1387" and not metric.proto.delta  # no coloured arrow
    captions = " ".join(c.value for c in at.caption)
    assert "+14 (+1 %) vs Feb 2021, no significant change" in captions
    assert "▼ vs Feb 2021" not in captions

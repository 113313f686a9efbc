"""Coverage.of counts distinct (source, month) pairs as integers: the same coverage as the
text-and-period form it replaced (kept here as the reference)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hotspots.data.coverage import _POLICEUK_FILE, Coverage


def _reference(incidents: pd.DataFrame) -> Coverage:
    """Coverage.of as first written: months as periods, pairs of text deduplicated."""
    months: dict[str, set[pd.Period]] = {}
    if len(incidents):
        month = pd.to_datetime(incidents["month"]).dt.to_period("M")
        source = (
            incidents["source"].astype("string").fillna("(unknown)")
            if "source" in incidents.columns
            else pd.Series("(all)", index=incidents.index)
        )
        pairs = pd.DataFrame({"s": source, "m": month.array.asi8}).drop_duplicates()
        pairs = pairs[pairs["m"] != pd.NaT.value]
        pairs["s"] = pairs["s"].str.replace(_POLICEUK_FILE, "police.uk", regex=True)
        for name, group in pairs.groupby("s"):
            months.setdefault(str(name), set()).update(
                pd.Period(ordinal=int(m), freq="M") for m in group["m"]
            )
    return Coverage(months)


def _frames() -> list[pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 400
    month = pd.Series(pd.to_datetime("2019-11-01") + pd.to_timedelta(rng.integers(0, 800, n), "D"))
    source = pd.Series(
        rng.choice(["police.uk", "2021-03-herts-street", "2021-04-kent-street", "council log",
                    "(unknown)"], n),
        dtype="string",
    )  # fmt: skip
    frame = pd.DataFrame({"month": month, "source": source})
    frame.loc[:9, "month"] = pd.NaT
    frame.loc[10:19, "source"] = pd.NA
    tz = frame.assign(month=frame["month"].dt.tz_localize("Europe/London"))
    text = frame.assign(month=frame["month"].dt.strftime("%Y-%m-%d"))
    old = frame.assign(month=frame["month"] - pd.DateOffset(years=80))
    return [
        frame,
        frame.iloc[:0],
        frame.iloc[:10],  # no month at all
        frame.drop(columns="source"),
        frame.astype({"source": object}),
        frame.astype({"source": "category"}),
        tz,
        text,
        old,
    ]


@pytest.mark.parametrize("index", range(len(_frames())))
def test_coverage_of_equals_the_reference(index: int) -> None:
    frame = _frames()[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # to_period of a time zone: dropped, as before
        want, got = _reference(frame), Coverage.of(frame)
    assert list(got.sources.items()) == list(want.sources.items())

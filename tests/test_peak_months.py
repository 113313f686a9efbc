"""Peak months from the monthly table's numbers: the same frame as the long table sorted and
grouped by pandas that they replaced (kept here as the reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspots.analysis.temporal.peaks import _month_peaks
from hotspots.analysis.temporal.series import monthly_series


def _reference(incidents: pd.DataFrame, *, top: int, by: str | None) -> pd.DataFrame:
    """_month_peaks as first written."""
    key = by or "group"
    series = monthly_series(incidents, by=by)
    if by is None:
        series.columns = pd.Index(["all"])
    long = series.rename_axis(columns=key).stack().rename("incidents").reset_index()
    long = long.sort_values([key, "incidents", "month"], ascending=[True, False, True])
    long["share"] = long["incidents"] / long.groupby(key)["incidents"].transform("sum")
    long["rank"] = long.groupby(key).cumcount() + 1
    long = long[(long["rank"] <= top) & (long["incidents"] > 0)]
    return pd.DataFrame(
        {
            key: long[key].to_numpy(),
            "resolution": "month",
            "rank": long["rank"].to_numpy(),
            "label": long["month"].dt.strftime("%Y-%m").to_numpy(),
            "month": long["month"].to_numpy(),
            "incidents": long["incidents"].to_numpy(dtype=float),
            "share": long["share"].to_numpy(),
            "lift": long["share"].to_numpy() * int((series.sum(axis=1) > 0).sum()),
        }
    )


def _incidents(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2021-01-01", periods=14, freq="MS")
    frame = pd.DataFrame(
        {
            "month": months[rng.integers(0, 14, n)],
            "locality": rng.integers(1, 9, n).astype(float),
            "category": rng.choice(["Drugs", "Public order", "Other"], n),
            "sensitive": rng.random(n) < 0.05,
        }
    )
    frame.loc[frame.index[: n // 10], "locality"] = np.nan  # a group of its own: "(none)"
    return frame


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("by", [None, "locality", "category"])
@pytest.mark.parametrize("top", [1, 3, 20])
def test_peak_months_equal_the_reference(seed: int, by: str | None, top: int) -> None:
    incidents = _incidents(seed, [0, 5, 300, 3000][seed])
    got = _month_peaks(incidents, top=top, by=by)
    want = _reference(incidents, top=top, by=by)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [str(d) for d in got.dtypes] == [str(d) for d in want.dtypes]

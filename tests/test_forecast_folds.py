"""forecast._folds builds the backtest's table column by column: the same table, dtypes and
all, as the list of row tuples it replaced (test months without the combination included)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots.analysis.forecast import _FOLD_COLUMNS, _folds


def test_folds_by_columns_equal_the_row_tuples() -> None:
    periods = pd.period_range("2021-01", periods=13, freq="M")
    coverages = [0.01, 0.03, 0.05, 0.1]
    rng = np.random.default_rng(0)
    months = []
    for t in range(3, 13):
        names = ["last_month", "recency_density"]
        names += ["combination", "combination+kde"] if t > 3 else []
        months.append((t, names, rng.random((2 * len(names), len(coverages), 3))))
    months[1][2][0, 0, 0] = np.nan
    rows = []
    for t, names, figures in months:
        for i, name in enumerate(names):
            for z, zero in enumerate(("demote", "allow")):
                for c, cov in enumerate(coverages):
                    rows.append((periods[t], name, zero, cov, *figures[2 * i + z, c]))
    want = pd.DataFrame(rows, columns=_FOLD_COLUMNS)
    pd.testing.assert_frame_equal(_folds(months, periods, coverages), want, check_exact=True)
    pd.testing.assert_frame_equal(
        _folds([], periods, coverages), pd.DataFrame([], columns=_FOLD_COLUMNS)
    )

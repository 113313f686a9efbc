"""How well a hotspot selection predicts where later incidents happen, at fixed area coverage.

For a selection of the top-scoring cells covering a share ``a`` of the study area's cells:

- **hit rate** ``n / N``: the share of the later period's ``N`` incidents that fall in the
  selected cells (``n``);
- **PAI**, predictive accuracy index (Chainey, Tompson & Uhlig 2008, "The utility of hotspot
  mapping for predicting spatial patterns of crime", Security Journal 21): hit rate / ``a``;
  1 is no better than a random choice of cells;
- **PEI*** (Hunt 2016, "Do crime hot spots move?", and the NIJ Real-Time Crime Forecasting
  Challenge): ``n / n*`` with ``n*`` the most incidents any selection of the same number of cells
  could have captured, i.e. PAI / the largest PAI possible in hindsight; 1 is perfect foresight;
- **RRI**, recapture rate index (Levine 2008, "The 'hottest' part of a hotspot", Security
  Journal 21): ``(n2 / n1) / (N2 / N1)`` with ``n1``, ``N1`` the selection's and the area's
  incidents in the training period and ``n2``, ``N2`` in the test period, which is the test hit
  rate / the training hit rate of the same cells. Above 1 the selected cells gained share.

Cells are equal-area H3 hexagons, so the area share is the share of cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hotspots.core.defaults import DEFAULT_COVERAGE

TIE_RULE = (
    "cells tied at the cut share the remaining places pro rata: each contributes its incidents "
    "times (places left / tied cells), the expected value of a random tie-break"
)


def _aligned(counts: pd.Series, cells: pd.Index, name: str) -> np.ndarray:
    """``counts`` as an array aligned with ``cells``, zero-filled; errors for stray incidents."""
    if not isinstance(counts, pd.Series):
        raise TypeError(f"{name} must be a pandas Series indexed by cell, got {type(counts)}")
    if not counts.index.is_unique:
        raise ValueError(f"{name} has duplicated cells; aggregate it by cell first")
    outside = counts.index.difference(cells)
    if len(outside) and counts.loc[outside].to_numpy(dtype=float).any():
        raise ValueError(
            f"{name} has incidents in {len(outside)} cell(s) that have no score, e.g. "
            f"{list(outside[:3])}; score every study-area cell, or keep only incidents inside it"
        )
    values = counts.reindex(cells, fill_value=0).to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"{name} must be finite, non-negative counts")
    return values


def _check_coverage(coverage: Sequence[float]) -> np.ndarray:
    shares = np.asarray(coverage, dtype=float).ravel()
    if shares.size == 0 or not ((shares > 0) & (shares <= 1)).all():
        raise ValueError(f"coverage must be shares of the area in (0, 1], got {list(coverage)}")
    return shares


def _captured(
    scores: np.ndarray, order: np.ndarray, k: int, counts: list[np.ndarray]
) -> tuple[list[float], int, float]:
    """Incidents captured by the top-``k`` cells, ties at the cut shared pro rata."""
    cut = scores[order[k - 1]]
    above = scores > cut
    tied = scores == cut
    n_tied = int(tied.sum())
    share = (k - int(above.sum())) / n_tied
    return [float(c[above].sum() + share * c[tied].sum()) for c in counts], n_tied, share


def hit_rate_pai(
    scores: pd.Series,
    future_counts: pd.Series,
    *,
    coverage: Sequence[float] = DEFAULT_COVERAGE,
    train_counts: pd.Series | None = None,
) -> pd.DataFrame:
    """Hit rate, PAI, PEI* and RRI of the top-scoring cells at fixed area coverage.

    At coverage ``a`` the selection is the ``k = round(a * n_cells)`` (at least 1) cells with the
    highest scores. Ties at the cut are resolved deterministically: the tied cells share the
    remaining places pro rata (each contributes its incidents × places left / tied cells), which
    is the expected result of breaking the tie at random and does not depend on cell order.

    Parameters
    ----------
    scores
        One score per study-area cell (index: cell ids, zero-count cells included); higher means
        more likely to be a hotspot. Must be finite.
    future_counts
        Incidents per cell in the evaluation period; cells missing from it count 0. Incidents in
        cells without a score raise an error.
    coverage
        Shares of the cells to select, each in (0, 1].
    train_counts
        Incidents per cell in the training period, for the RRI (NaN without it).

    Returns
    -------
    DataFrame
        One row per coverage: ``coverage``, ``cells`` (k), ``area_share`` (k / n_cells),
        ``captured`` (incidents in the selection, fractional with ties), ``hit_rate``, ``pai``,
        ``max_pai`` (best possible in hindsight), ``pei_star``, ``rri``, ``tied_cells`` (cells
        tied at the cut) and ``tie_share`` (the share of each tied cell counted). ``attrs`` hold
        ``n_cells``, ``n_future`` and ``tie_rule``.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.Series([5, 4, 3, 2, 1, 0, 0, 0, 0, 0], index=list("abcdefghij"))
    >>> future = pd.Series({"a": 2, "c": 1, "f": 1})
    >>> row = hit_rate_pai(scores, future, coverage=[0.2]).iloc[0]
    >>> float(row["hit_rate"]), float(row["pai"]), round(float(row["pei_star"]), 3)
    (0.5, 2.5, 0.667)
    """
    if not isinstance(scores, pd.Series) or not scores.index.is_unique or len(scores) == 0:
        raise ValueError("scores must be a non-empty pandas Series with one value per cell")
    score = scores.to_numpy(dtype=float)
    if not np.isfinite(score).all():
        raise ValueError(
            f"{int((~np.isfinite(score)).sum())} score(s) are NaN or infinite; every cell needs a "
            "finite score (use 0 for cells a method gives nothing)"
        )
    cells = scores.index
    future = _aligned(future_counts, cells, "future_counts")
    train = None if train_counts is None else _aligned(train_counts, cells, "train_counts")
    shares = _check_coverage(coverage)
    n = len(cells)
    order = np.argsort(-score, kind="stable")
    best = np.cumsum(np.sort(future)[::-1])
    total = future.sum()
    rows = []
    for share in shares:
        k = int(min(max(np.floor(share * n + 0.5), 1), n))
        counts = [future] if train is None else [future, train]
        captured, n_tied, tie_share = _captured(score, order, k, counts)
        area = k / n
        hit = captured[0] / total if total else np.nan
        train_hit = captured[1] / train.sum() if train is not None and train.sum() else np.nan
        rows.append(
            {
                "coverage": share,
                "cells": k,
                "area_share": area,
                "captured": captured[0],
                "hit_rate": hit,
                "pai": hit / area,
                "max_pai": best[k - 1] / total / area if total else np.nan,
                "pei_star": captured[0] / best[k - 1] if best[k - 1] else np.nan,
                "rri": hit / train_hit if train_hit else np.nan,
                "tied_cells": n_tied,
                "tie_share": tie_share,
            }
        )
    result = pd.DataFrame(rows)
    result.attrs.update(n_cells=n, n_future=float(total), tie_rule=TIE_RULE)
    return result

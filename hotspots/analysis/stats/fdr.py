"""False discovery rate (Benjamini–Hochberg) for many local tests at once.

Gi* runs one test per cell, so a map of 2,000 cells at 95 % confidence shows ~100 "hot spots"
by chance alone. The Benjamini–Hochberg (1995) procedure controls the expected share of false
discoveries instead; ArcGIS's Hot Spot Analysis applies the same correction when
"Apply False Discovery Rate (FDR) Correction" is ticked.
"""

from __future__ import annotations

import numpy as np

from hotspots.core.classes import CONFIDENCE_LEVELS


def _check_p(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"p-values must be a 1-D array, got shape {p.shape}")
    bad = ~np.isfinite(p) | (p < 0) | (p > 1)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} p-value(s) are NaN or outside [0, 1] (first at position "
            f"{int(np.flatnonzero(bad)[0])}); compute them from finite z-scores"
        )
    return p


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-values of standard normal z-scores: ``2 * scipy.stats.norm.sf(|z|)``.

    Computed as ``erfc(|z| / sqrt(2))`` with :mod:`scipy.special` (the same function
    ``norm.sf`` calls), so the analysis does not import :mod:`scipy.stats` (~0.8 s).

    Examples
    --------
    >>> two_sided_p(np.array([0.0, 1.959964])).round(4).tolist()
    [1.0, 0.05]
    """
    from scipy.special import erfc  # lazy: imported when the first p-value is needed

    return erfc(np.abs(np.asarray(z, dtype=float)) / np.sqrt(2.0))


def fdr_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values).

    A test is significant at false discovery rate ``alpha`` exactly when its adjusted p-value
    is ``<= alpha``. Same values as ``statsmodels.stats.multitest.multipletests(p,
    method="fdr_bh")[1]``; vectorised, O(n log n).

    Parameters
    ----------
    p
        Raw p-values, 1-D, each in [0, 1].

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, each ``>= p`` and ``<= 1``.

    Examples
    --------
    >>> fdr_bh(np.array([0.01, 0.04, 0.03, 0.5])).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = _check_p(p)
    n = p.size
    if n == 0:
        return p.copy()
    order = np.argsort(p)
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(n)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    return np.maximum(adjusted, p)  # exact in theory; guards p * n / n rounding below p


def fdr_threshold(p: np.ndarray, *, alpha: float = 0.05, n_tests: int | None = None) -> float:
    """The Benjamini–Hochberg cut-off: raw p-values ``<=`` it are significant at FDR ``alpha``.

    BH finds the largest rank ``k`` with ``p_(k) <= k * alpha / n`` and rejects the ``k``
    smallest p-values; this returns ``p_(k)``, the largest rejected raw p-value, so that the
    test ``p <= threshold`` agrees exactly with ``fdr_bh(p) <= alpha`` (esda's ``fdr`` returns
    ``k * alpha / n`` instead, which selects the same cells).

    Parameters
    ----------
    p
        Raw p-values, 1-D, each in [0, 1].
    alpha
        False discovery rate, in (0, 1).
    n_tests
        The number of tests when ``p`` holds only some of them: every p-value ``<= alpha`` must
        be among them (the others cannot change the cut-off). A national run gathers just
        those. ``None``: ``p`` holds every test.

    Returns
    -------
    float
        ``p_(k)``; ``0.0`` when no test is significant (no p-value is then 0).

    Examples
    --------
    >>> fdr_threshold(np.array([0.01, 0.04, 0.03, 0.5]), alpha=0.05)
    0.01
    >>> fdr_threshold(np.array([0.01, 0.04, 0.03]), alpha=0.05, n_tests=4)
    0.01
    """
    _check_alpha(alpha)
    p = np.sort(_check_p(p))
    n = p.size if n_tests is None else int(n_tests)
    if n < p.size:
        raise ValueError(f"n_tests ({n}) is fewer than the {p.size} p-values given")
    # p_(k) * n / k <= alpha, in the very arithmetic of fdr_bh (``p <= k * alpha / n`` rounds
    # differently at the boundary: p = (0, 0, 0.05) would then disagree with fdr_bh)
    below = np.flatnonzero(p * max(n, 1) / np.arange(1, p.size + 1) <= alpha)
    return float(p[below[-1]]) if below.size else 0.0


def significance_bins(
    z: np.ndarray, p: np.ndarray, *, cutoffs: dict[float, float] | None = None
) -> np.ndarray:
    """ArcGIS-style ``Gi_Bin`` codes from z-scores and (adjusted or raw) p-values.

    ``+3`` / ``-3``: hot / cold at 99 % confidence (p <= 0.01); ``±2``: 95 % (p <= 0.05);
    ``±1``: 90 % (p <= 0.10); ``0``: not significant. Pass FDR-adjusted p-values
    (:func:`fdr_bh`) for the FDR-corrected classes; since a BH-adjusted p is <= alpha exactly
    when the raw p is <= :func:`fdr_threshold` at alpha, this matches ArcGIS's per-level FDR.

    Parameters
    ----------
    z
        Gi* z-scores (sign gives hot or cold).
    p
        p-values aligned with ``z``.
    cutoffs
        Raw-p cut-off per level (0.01, 0.05, 0.10), e.g. :func:`fdr_threshold` of each: a
        p-value is significant at a level when ``<=`` its cut-off. ``None``: the level itself.

    Returns
    -------
    numpy.ndarray
        ``int8`` codes in -3..3.

    Examples
    --------
    >>> significance_bins(np.array([3.0, -2.0, 0.5]), np.array([0.003, 0.046, 0.62])).tolist()
    [3, -2, 0]
    """
    z = np.asarray(z, dtype=float)
    p = _check_p(p)
    if z.shape != p.shape:
        raise ValueError(f"z and p must have the same shape, got {z.shape} and {p.shape}")
    level = np.zeros(p.shape, dtype=np.int8)
    for magnitude, alpha in CONFIDENCE_LEVELS[::-1]:
        level[p <= (alpha if cutoffs is None else cutoffs[alpha])] = magnitude
    return (np.sign(z).astype(np.int8) * level).astype(np.int8)


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be a significance level in (0, 1), got {alpha}")

"""The vectorised exact binomial test equals scipy.stats.binomtest element by element."""

import numpy as np
from scipy import stats

from hotspots.analysis.temporal.exact import binom_two_sided


def test_equals_scipy_binomtest_on_small_and_large_counts():
    rng = np.random.default_rng(0)
    cases = [
        (k, n, p)
        for p in (0.5, 28 / 59, 31 / 61, 0.3, 0.9, 0.01)
        for n in range(0, 40)
        for k in range(0, n + 1)
    ]
    for _ in range(500):
        n = int(rng.integers(1, 5000))
        cases.append((int(rng.integers(0, n + 1)), n, float(rng.uniform(0.05, 0.95))))
    k, n, p = map(np.array, zip(*cases, strict=True))
    got = binom_two_sided(k, n, p)
    expected = np.array(
        [stats.binomtest(int(a), int(b), c).pvalue if b else 1.0 for a, b, c in cases]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)

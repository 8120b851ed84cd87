"""Statistics for evaluation results: bootstrap intervals, lm-eval style standard errors, McNemar's exact test.

Everything is seeded and pure (numpy's ``default_rng(seed)``), so the same inputs always give the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 0


def bootstrap_ci(
    values: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED, level: float = 0.95
) -> list[float]:
    """Percentile bootstrap interval of the mean of ``values`` ([lo, hi]); [0, 0] for no values."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return [0.0, 0.0]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, arr.size, size=(resamples, arr.size))
    means = arr[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(means, [alpha, 1.0 - alpha])
    return [float(lo), float(hi)]


def mean_stderr(values: Sequence[float]) -> float:
    """Standard error of the mean as lm-evaluation-harness reports it (sample std with n-1, over sqrt(n))."""
    arr = np.asarray(values, dtype=float)
    if arr.size < 2:
        return 0.0
    return float(arr.std(ddof=1) / math.sqrt(arr.size))


def accuracy_block(
    correct: Sequence[bool], invalid: Sequence[bool], *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> dict:
    """``{"accuracy", "n", "correct", "invalid", "ci95"}`` for per-question correctness flags."""
    n = len(correct)
    k = int(sum(bool(c) for c in correct))
    return {
        "accuracy": k / n if n else 0.0,
        "n": n,
        "correct": k,
        "invalid": int(sum(bool(i) for i in invalid)),
        "ci95": bootstrap_ci([float(c) for c in correct], resamples=resamples, seed=seed),
    }


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value: binomial test of b successes in b + c trials with p = 0.5.

    ``b`` = pairs A right / B wrong, ``c`` = A wrong / B right. p = 1.0 when there are no discordant pairs.
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be non-negative, got b={b}, c={c}")
    n = b + c
    if n == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(min(1.0, binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue))


def paired_bootstrap_ci(
    a: Sequence[float], b: Sequence[float], *, resamples: int = 2000, seed: int = DEFAULT_SEED, level: float = 0.95
) -> list[float]:
    """Bootstrap interval of mean(a) - mean(b) over the same items (resampling items jointly)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return bootstrap_ci(diff, resamples=resamples, seed=seed, level=level) if diff.size else [0.0, 0.0]

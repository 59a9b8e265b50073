"""Comparing two Poisson rates with the exact conditional test (standard library only).

Given ``x1`` events over exposure ``t1`` and ``x2`` over ``t2``, and
``n = x1 + x2``, under "the rate did not change" ``x2`` is Binomial(n,
p0 = t2 / (t1 + t2)).  The two-sided p-value is twice the smaller tail at the
observed count (capped at 1): the test the Clopper-Pearson interval inverts,
so the interval leaves out a ratio of 1 exactly when p < 0.05.  (Summing the
outcomes no likelier than the observed one, R's binom.test rule, can call a
change significant while the interval still holds 1: 9 failures before, 2
after, over equal hours gave p = 0.038 beside 0.023 .. 1.07.)  The confidence
interval for the rate ratio ``(x2/t2) / (x1/t1)`` maps the Clopper-Pearson
interval (p_lo, p_hi) of the binomial proportion through
``RR = p / (1 - p) * t1 / t2``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateComparison:
    """Before (1) against after (2): rates, their ratio, its interval, the p-value."""

    x1: int
    t1: float
    x2: int
    t2: float
    rate1: float | None
    rate2: float | None
    ratio: float | None  # rate2 / rate1; None when undefined (no events before)
    ratio_low: float | None
    ratio_high: float | None
    p_value: float | None  # None when there is nothing to test (no events or no exposure)


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_choose + k * math.log(p) + (n - k) * math.log1p(-p)


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, sum(math.exp(_log_pmf(i, n, p)) for i in range(k + 1)))


def binom_two_sided(k: int, n: int, p: float) -> float:
    """Exact two-sided p-value: twice the smaller tail at ``k`` (the central test)."""
    below = binom_cdf(k, n, p)
    above = 1.0 - binom_cdf(k - 1, n, p)
    return min(1.0, 2 * min(below, above))


def _bisect(f: Callable[[float], float], target: float, increasing: bool) -> float:
    """The p in (0, 1) with f(p) == target, for a monotone f."""
    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        value = f(mid)
        if (value < target) == increasing:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return (low + high) / 2


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion."""
    alpha = 1 - confidence
    lower = 0.0 if k == 0 else _bisect(lambda p: 1 - binom_cdf(k - 1, n, p), alpha / 2, True)
    upper = 1.0 if k == n else _bisect(lambda p: binom_cdf(k, n, p), alpha / 2, False)
    return lower, upper


def _to_ratio(p: float, t1: float, t2: float) -> float | None:
    if p >= 1.0:
        return None  # unbounded
    return p / (1 - p) * t1 / t2


def compare_rates(
    x1: int, t1: float, x2: int, t2: float, confidence: float = 0.95
) -> RateComparison:
    """Rate ratio (after / before) with an exact interval and conditional p-value."""
    rate1 = x1 / t1 if t1 > 0 else None
    rate2 = x2 / t2 if t2 > 0 else None
    n = x1 + x2
    if t1 <= 0 or t2 <= 0 or n == 0:
        return RateComparison(x1, t1, x2, t2, rate1, rate2, None, None, None, None)
    p0 = t2 / (t1 + t2)
    low, high = clopper_pearson(x2, n, confidence)
    return RateComparison(
        x1=x1,
        t1=t1,
        x2=x2,
        t2=t2,
        rate1=rate1,
        rate2=rate2,
        ratio=(x2 / t2) / (x1 / t1) if x1 > 0 else None,
        ratio_low=_to_ratio(low, t1, t2),
        ratio_high=_to_ratio(high, t1, t2),
        p_value=binom_two_sided(x2, n, p0),
    )

"""Small, dependency-free summary statistics, so every scenario reports percentiles the same way."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between ranks (numpy's default).

    With few samples (5 page loads) p95 lies close to the maximum; that is stated, not hidden.
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float], digits: int = 2) -> dict[str, float | int]:
    """p50/p95/min/max and the count, rounded for reading; raw samples are saved separately."""
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "min": round(min(values), digits) if values else math.nan,
        "max": round(max(values), digits) if values else math.nan,
    }


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 2) if denominator else math.nan

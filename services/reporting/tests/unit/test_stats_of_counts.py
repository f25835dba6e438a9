"""Median and percentile of counted values (a histogram) equal those of the values."""

from __future__ import annotations

from collections import Counter

from reporting.domain.stats import median, median_of_counts, percentile, percentile_of_counts


def test_the_statistics_of_counts_are_those_of_the_values() -> None:
    for values in ([], [3], [1, 2], [5, 1, 1, 2, 9, 9, 9, 0], [4] * 7 + [1, 30], list(range(21))):
        counts = Counter(values)
        assert median_of_counts(counts) == median(values)
        for p in (1, 50, 90, 100):
            assert percentile_of_counts(counts, p) == percentile(values, p)

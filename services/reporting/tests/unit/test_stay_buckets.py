"""The funnel's median from a histogram of stays by tenth of a day (ADR 0140): the bucket of
a stay, the buckets of the two middle stays, and the median they give, exactly `stats.median`
of the stays themselves."""

from __future__ import annotations

import random
from decimal import Decimal

from reporting.domain.funnel import (
    SECONDS_A_DAY,
    bucket_seconds,
    median_of_bucket,
    median_of_two,
    middle_buckets,
    tenth_of,
)
from reporting.domain.stats import median


def test_a_stay_falls_in_the_tenth_it_rounds_to_half_up() -> None:
    assert tenth_of(Decimal(0)) == 0
    assert tenth_of(Decimal("4319.999999")) == 0
    assert tenth_of(Decimal(4320)) == 1  # 0.05 days rounds up
    assert tenth_of(Decimal(86400)) == 10
    assert tenth_of(Decimal(86400 + 12959)) == 11
    assert bucket_seconds(1) == (Decimal(4320), Decimal(12960))
    for seconds in (Decimal(0), Decimal(4320), Decimal("12959.5"), Decimal(3 * 86400 + 17)):
        low, high = bucket_seconds(tenth_of(seconds))
        assert low <= seconds < high


def test_the_middle_buckets() -> None:
    assert middle_buckets({}) is None
    assert middle_buckets({5: 1}) == (5, 5)
    assert middle_buckets({5: 1, 9: 1}) == (5, 9)
    assert middle_buckets({5: 2, 9: 1}) == (5, 5)
    assert middle_buckets({1: 1, 5: 1, 9: 2}) == (5, 9)
    assert middle_buckets({1: 2, 5: 2}) == (1, 5)
    assert middle_buckets({1: 3, 5: 0, 9: 3}) == (1, 9)


def _from_histogram(stays: list[Decimal]) -> Decimal | None:
    """What the query does: the histogram, then the exact edge stays only when the two
    middle ones fall in different buckets."""
    counts: dict[int, int] = {}
    for s in stays:
        counts[tenth_of(s)] = counts.get(tenth_of(s), 0) + 1
    middle = middle_buckets(counts)
    if middle is None:
        return None
    lo, hi = middle
    if lo == hi:
        return median_of_bucket(lo)
    return median_of_two(max(s for s in stays if tenth_of(s) == lo),
                         min(s for s in stays if tenth_of(s) == hi))  # fmt: skip


def test_the_median_of_the_histogram_is_the_median_of_the_stays() -> None:
    rng = random.Random(140)
    for trial in range(3000):
        n = rng.randrange(0, 12 if trial % 2 else 60)
        if trial % 3 == 0:  # stays on or next to the half-tenth edges
            stays = [Decimal(rng.randrange(0, 40) * 4320 + rng.choice((-1, 0, 1)))
                     for _ in range(n)]  # fmt: skip
        else:
            stays = [Decimal(rng.randrange(0, 30 * 86400 * 10**6)) / 10**6 for _ in range(n)]
        stays = [max(Decimal(0), s) for s in stays]
        expected = median([s / SECONDS_A_DAY for s in stays])
        assert _from_histogram(stays) == expected, stays

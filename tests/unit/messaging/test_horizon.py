"""The relay's commit-order horizon: which claimed rows may be published without waiting."""

from __future__ import annotations

from shared.messaging.horizon import OutboxHorizon


def _rows(*seqs: int) -> list[dict[str, int]]:
    return [{"seq": s} for s in seqs]


def test_nothing_is_publishable_before_the_horizon_was_resolved_once() -> None:
    horizon = OutboxHorizon("unit")

    assert horizon.publishable(_rows(1, 2)) == []


def test_rows_up_to_the_horizon_and_contiguous_after_it_are_publishable() -> None:
    horizon = OutboxHorizon("unit")
    horizon.safe = 10

    ready = horizon.publishable(_rows(8, 10, 11, 12, 14, 15))

    assert [r["seq"] for r in ready] == [8, 10, 11, 12]
    assert horizon.safe == 12


def test_a_gap_right_after_the_horizon_holds_everything_back() -> None:
    horizon = OutboxHorizon("unit")
    horizon.safe = 10

    assert horizon.publishable(_rows(12, 13)) == []
    assert horizon.safe == 10

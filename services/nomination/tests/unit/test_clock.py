"""The use cases see the time of their unit of work's clock, never the system's: the fast tier
pins it (`FakeNomination.now`) and moves it, and what is stored and published follows it. The
service's units of work and entrypoints share the bootstrap's one clock."""

from __future__ import annotations

from datetime import timedelta

from nomination.bootstrap import definition, utc_clock
from nomination.service_layer.lifecycle import withdraw_nomination
from services.nomination.tests.unit.builders import (
    NOW,
    FakeNomination,
    Reactions,
    deliver,
    reactions,
    sco,
)
from shared.contracts.catalog import v1 as catalog
from shared.contracts.nomination import v1

__all__ = ["reactions"]


async def test_a_submission_is_stamped_with_the_clocks_moment() -> None:
    fake = FakeNomination()

    nomination = await fake.submitted()

    assert nomination.submitted_at == NOW


async def test_a_withdrawal_is_dated_by_the_clock_not_by_the_day_the_test_runs() -> None:
    fake = FakeNomination()
    nomination = await fake.submitted()
    fake.now = NOW + timedelta(days=3, hours=12)

    async with fake.uow(sco()) as uow:
        await withdraw_nomination(uow, sco(), nomination.id, "family reasons")

    withdrawn = [e for e in fake.published if isinstance(e, v1.NominationWithdrawnV1)]
    assert [e.withdrawn_on for e in withdrawn] == [(NOW + timedelta(days=3, hours=12)).date()]


async def test_a_reaction_dates_the_cancellation_it_causes_by_the_clock(
    reactions: Reactions,
) -> None:
    fake = FakeNomination()
    n = await fake.submitted()
    fake.now = NOW + timedelta(days=40)

    await deliver(
        reactions, fake,
        catalog.ClassCancelledV1(class_id=n.class_id, masl_id=n.masl_id,
                                 reason="insufficient_enrollment", cancelled_at=fake.now,
                                 affected_nomination_ids=[]),
    )  # fmt: skip

    cancelled = [e for e in fake.published if isinstance(e, v1.NominationCancelledV1)]
    assert [e.cancelled_on for e in cancelled] == [(NOW + timedelta(days=40)).date()]


def test_the_units_of_work_and_the_entrypoints_share_the_bootstraps_one_clock() -> None:
    assert definition.extra["clock"] is utc_clock
    assert definition.uow_class.clock is utc_clock

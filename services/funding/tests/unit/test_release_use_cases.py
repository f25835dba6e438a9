"""Releasing obligations on the fakes: penalty rules on withdrawal, U.S.-initiated and denied
lines without a charge, a refill refunding or waiving a dedicated-course charge, the early end
of training, money that lapses, a request still waiting for the catalog."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from funding.domain.allocation import TrancheSpec
from funding.domain.ledger import CountryBalances, EntryKind
from funding.domain.obligation import ObligationStatus, RequestStatus
from funding.domain.penalties import Initiator
from funding.domain.request import FundingRequest
from funding.service_layer.obligate import request_funding
from funding.service_layer.refills import refund_refilled_penalty
from funding.service_layer.release import (
    release_for_cancellation,
    release_for_denial,
    settle_training_end,
)
from services.funding.tests.unit.builders import (
    FY,
    TODAY,
    Course,
    FakeFunding,
    country,
    course,
)

D = Decimal
CEILING = D("50000.00")


async def _obligated(fake: FakeFunding, c: Course, code: str, on: date = TODAY) -> FundingRequest:
    await fake.known(c)
    await fake.funded({code: CEILING})
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, on)
    return request


async def _withdraw(
    fake: FakeFunding,
    c: Course,
    nomination_id: uuid.UUID,
    *,
    days_before: int,
    by: Initiator = Initiator.COUNTRY,
    today: date = TODAY,
) -> None:
    async with fake.uow() as uow:
        await release_for_cancellation(
            uow,
            nomination_id,
            c.masl_id,
            initiated_by=by,
            cancelled_on=c.start - timedelta(days=days_before),
            reason="withdrawn",
            today=today,
        )


async def test_a_country_withdrawing_inside_60_days_pays_half_the_tuition_and_gets_the_rest() -> (
    None
):
    fake, c, code = FakeFunding(), course(tuition="6000.00"), country()
    request = await _obligated(fake, c, code)

    await _withdraw(fake, c, request.nomination_id, days_before=30)

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.status, ob.penalty_rule, ob.penalty_amount, ob.returned_amount, ob.outstanding) == (
        ObligationStatus.RELEASED,
        "late_cancellation",
        D("3000.00"),
        c.cost - D("3000.00"),
        D("3000.00"),
    )
    assert fake.store.stored_balances(code, FY) == CountryBalances(
        CEILING - D("3000.00"), D(0), D("3000.00"), D(0)
    )
    assert fake.consistent(code)
    assert fake.store.types()[-2:] == ["penalty_charged", "deobligated"]
    assert fake.published("deobligated")[0] | {"obligation_id": None} == {
        "nomination_id": str(request.nomination_id),
        "country": code,
        "fiscal_year": FY,
        "obligation_id": None,
        "amount_returned": str(c.cost - D("3000.00")),
        "penalty_amount": "3000.00",
        "reason": "withdrawn",
        "amount_lapsed": "0.00",
    }


async def test_a_country_withdrawing_early_enough_gets_everything_back() -> None:
    fake, c, code = FakeFunding(), course(tuition="6000.00"), country()
    request = await _obligated(fake, c, code)

    await _withdraw(fake, c, request.nomination_id, days_before=90)

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.penalty_amount, ob.returned_amount, ob.outstanding) == (D(0), c.cost, D(0))
    assert fake.store.stored_balances(code, FY) == CountryBalances(CEILING, D(0), D(0), D(0))
    assert fake.published("penalty_charged") == []
    assert fake.consistent(code)


async def test_a_cancellation_initiated_by_the_us_carries_no_charge_even_a_week_before() -> None:
    fake, c, code = FakeFunding(), course(tuition="6000.00"), country()
    request = await _obligated(fake, c, code)

    await _withdraw(fake, c, request.nomination_id, days_before=7, by=Initiator.US_GOVERNMENT)

    assert fake.store.obligation_of(request.nomination_id).returned_amount == c.cost
    assert fake.store.stored_balances(code, FY).available == CEILING
    assert fake.published("penalty_charged") == []


async def test_a_dedicated_course_charge_is_refunded_when_the_seat_is_refilled_later() -> None:
    fake, c, code = FakeFunding(), course(tuition="9000.00", dedicated=True), country()
    request = await _obligated(fake, c, code)
    await _withdraw(fake, c, request.nomination_id, days_before=120)
    charged = fake.store.obligation_of(request.nomination_id)

    async with fake.uow() as uow:
        await refund_refilled_penalty(
            uow, request.nomination_id, c.class_id, c.masl_id, refilled_by=uuid.uuid4(), today=TODAY
        )

    refunded = fake.store.obligation_of(request.nomination_id)
    assert (charged.penalty_rule, charged.penalty_amount, charged.penalty_refundable) == (
        "dedicated_course_cancellation",
        D("9000.00"),
        True,
    )
    assert (refunded.penalty_amount, refunded.penalty_refundable, refunded.outstanding) == (
        D(0),
        False,
        D(0),
    )
    assert fake.store.stored_balances(code, FY) == CountryBalances(CEILING, D(0), D(0), D(0))
    assert [p.kind for p in fake.store.postings()][-1] is EntryKind.ADJUSTMENT
    assert fake.published("deobligated")[-1]["reason"] == "seat_refilled"
    assert fake.published("deobligated")[-1]["amount_returned"] == "9000.00"
    assert fake.consistent(code)


async def test_a_refill_known_before_the_withdrawal_waives_the_dedicated_course_charge() -> None:
    fake, c, code = FakeFunding(), course(tuition="9000.00", dedicated=True), country()
    request = await _obligated(fake, c, code)
    async with fake.uow() as uow:
        await refund_refilled_penalty(
            uow, request.nomination_id, c.class_id, c.masl_id, refilled_by=uuid.uuid4(), today=TODAY
        )

    await _withdraw(fake, c, request.nomination_id, days_before=120)

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.penalty_rule, ob.penalty_amount, ob.returned_amount) == (
        "dedicated_course_cancellation",
        D(0),
        c.cost,
    )
    assert fake.published("penalty_charged") == []
    assert fake.consistent(code)


async def test_withdrawing_a_request_waiting_for_the_catalog_closes_it_and_publishes_nothing() -> (
    None
):
    fake, c, code = FakeFunding(), course(), country()
    await fake.funded({code: CEILING})
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    await _withdraw(fake, c, request.nomination_id, days_before=30)

    assert fake.store.requests[request.request_id].status is RequestStatus.WITHDRAWN
    assert fake.store.types() == ["appropriation_set", "allocation_set"]


async def test_an_early_end_keeps_travel_and_the_days_attended_and_charges_tuition_prorated() -> (
    None
):
    fake, c, code = FakeFunding(), course(tuition="10000.00", days=10), country()
    request = await _obligated(fake, c, code)

    async with fake.uow() as uow:
        await settle_training_end(
            uow, request.nomination_id, completed=False, days_attended=4, today=TODAY
        )

    ob = fake.store.obligation_of(request.nomination_id)
    kept = D("2800.00") + D("224.00")  # travel + 4 of the 10 days' living allowance
    assert (ob.status, ob.penalty_rule, ob.penalty_amount) == (
        ObligationStatus.TERMINATED,
        "non_completion",
        D("4000.00"),
    )
    assert (ob.outstanding, ob.returned_amount) == (
        kept + D("4000.00"),
        c.cost - kept - D("4000.00"),
    )
    assert fake.published("deobligated")[-1]["reason"] == "training_ended_early"
    assert fake.consistent(code)


async def test_completed_training_closes_the_line_and_keeps_it_all_obligated() -> None:
    fake, c, code = FakeFunding(), course(), country()
    request = await _obligated(fake, c, code)
    before = len(fake.store.outbox)

    async with fake.uow() as uow:
        await settle_training_end(
            uow, request.nomination_id, completed=True, days_attended=c.days, today=TODAY
        )

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.status, ob.outstanding) == (ObligationStatus.COMPLETED, c.cost)
    assert len(fake.store.outbox) == before
    assert fake.store.stored_balances(code, FY).obligated == c.cost


async def test_a_denial_after_funding_releases_the_whole_line_without_a_charge() -> None:
    fake, c, code = FakeFunding(), course(tuition="9000.00", dedicated=True), country()
    request = await _obligated(fake, c, code)

    async with fake.uow() as uow:
        await release_for_denial(uow, request.nomination_id, TODAY)

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.status, ob.penalty_amount, ob.returned_amount, ob.close_reason) == (
        ObligationStatus.RELEASED,
        D(0),
        c.cost,
        "vetting_denied",
    )
    assert fake.published("penalty_charged") == []


async def test_a_release_after_the_tranche_expired_lapses_the_money_instead_of_returning_it() -> (
    None
):
    fake, c, code = FakeFunding(), course(start=date(FY, 8, 1)), country()
    await fake.known(c)
    await fake.funded({code: CEILING}, tranches=[TrancheSpec(D("90000.00"), date(FY, 3, 31))])
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    await _withdraw(fake, c, request.nomination_id, days_before=92, today=date(FY, 5, 1))

    ob = fake.store.obligation_of(request.nomination_id)
    assert (ob.lapsed_amount, ob.returned_amount, ob.outstanding) == (c.cost, D(0), D(0))
    assert fake.store.stored_balances(code, FY) == CountryBalances(
        CEILING - c.cost, D(0), D(0), c.cost
    )
    assert fake.published("deobligated")[-1]["amount_lapsed"] == str(c.cost)
    assert fake.consistent(code)

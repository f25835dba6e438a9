"""Obligating funds on the fakes: within and over the ceiling, repeated and duplicate requests,
tranches drawn expiring first first, the PME share, requests that wait for the catalog or for
the fiscal year's funds and are decided later."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from funding.domain.allocation import TrancheSpec
from funding.domain.ledger import CountryBalances, EntryKind
from funding.domain.obligation import RequestStatus
from funding.domain.planning import PME, PlanningCheck
from funding.service_layer.availability import advance_availability, decide_waiting_requests
from funding.service_layer.catalog_facts import record_class, record_course
from funding.service_layer.obligate import reject_stale_pending, request_funding
from services.funding.tests.unit.builders import FY, TODAY, FakeFunding, country, course

D = Decimal


async def test_a_request_within_the_ceiling_is_obligated_at_its_estimated_cost() -> None:
    fake, c, code = FakeFunding(), course(tuition="10000.00", days=10), country()
    await fake.known(c)
    await fake.funded({code: D("50000.00")})
    request = c.request(code)

    async with fake.uow() as uow:
        decided = await request_funding(uow, request, TODAY)

    ob = fake.store.obligation_of(request.nomination_id)
    assert (decided.status, decided.obligation_id) == (RequestStatus.OBLIGATED, ob.id)
    assert (ob.amount, ob.tuition, ob.travel, ob.living_allowance) == (
        D("13360.00"),
        D("10000.00"),
        D("2800.00"),
        D("560.00"),
    )
    assert ob.outstanding == c.cost == D("13360.00")
    assert fake.store.stored_balances(code, FY) == CountryBalances(
        D("36640.00"), D("13360.00"), D(0), D(0)
    )
    assert fake.consistent(code)
    [recorded] = fake.published("obligation_recorded")
    assert (recorded["obligation_id"], recorded["amount"], recorded["living_allowance_days"]) == (
        str(ob.id),
        "13360.00",
        10,
    )


async def test_a_request_over_the_ceiling_is_rejected_and_nothing_is_obligated() -> None:
    fake, c, code = FakeFunding(), course(tuition="10000.00", days=10), country()
    await fake.known(c)
    await fake.funded({code: D("10000.00")})
    request = c.request(code)

    async with fake.uow() as uow:
        decided = await request_funding(uow, request, TODAY)

    assert (decided.status, decided.reason) == (RequestStatus.REJECTED, "insufficient_funds")
    assert fake.store.obligations == {}
    assert fake.store.stored_balances(code, FY) == CountryBalances(D("10000.00"), D(0), D(0), D(0))
    assert fake.consistent(code)
    assert fake.published("obligation_rejected") == [
        {
            "nomination_id": str(request.nomination_id),
            "country": code,
            "fiscal_year": FY,
            "reason": "insufficient_funds",
            "requested_amount": "13360.00",
            "available_amount": "10000.00",
        }
    ]


async def test_without_an_appropriation_or_an_allocation_the_first_missing_thing_is_named() -> None:
    fake, c, funded_code, other = FakeFunding(), course(), country(), country()
    await fake.known(c)
    no_appropriation = c.request(funded_code)
    async with fake.uow() as uow:
        await request_funding(uow, no_appropriation, TODAY)
    await fake.funded({funded_code: D("50000.00")})

    async with fake.uow() as uow:
        await request_funding(uow, c.request(other), TODAY)

    assert [e["reason"] for e in fake.published("obligation_rejected")] == [
        "no_appropriation",
        "no_allocation",
    ]
    assert fake.store.obligations == {}


async def test_a_repeated_request_id_changes_nothing() -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.known(c)
    await fake.funded({code: D("50000.00")})
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    async with fake.uow() as uow:
        again = await request_funding(uow, c.request(code, request_id=request.request_id), TODAY)

    assert again.status is RequestStatus.OBLIGATED
    assert len(fake.store.obligations) == 1
    assert len(fake.published("obligation_recorded")) == 1
    assert fake.store.stored_balances(code, FY).obligated == c.cost


async def test_a_second_request_of_a_funded_nomination_is_a_duplicate() -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.known(c)
    await fake.funded({code: D("50000.00")})
    first = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, first, TODAY)

    async with fake.uow() as uow:
        second = await request_funding(
            uow, c.request(code, nomination_id=first.nomination_id), TODAY
        )

    ob = fake.store.obligation_of(first.nomination_id)
    assert (second.status, second.obligation_id) == (RequestStatus.DUPLICATE, ob.id)
    assert len(fake.published("obligation_recorded")) == 1
    assert fake.store.stored_balances(code, FY).obligated == c.cost


async def test_a_line_draws_from_the_tranche_expiring_first_then_from_the_next() -> None:
    fake, c, code = FakeFunding(), course(tuition="10000.00", days=10), country()
    await fake.known(c)
    early, late = (
        TrancheSpec(D("10000.00"), date(FY, 3, 31)),
        TrancheSpec(D("8000.00"), date(FY, 9, 30)),
    )
    await fake.funded({code: D("18000.00")}, tranches=[late, early])
    request = c.request(code)

    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    by_date = {t.id: t.available_until for t in fake.store.tranches.values()}
    draws = [
        (by_date[p.tranche_id], p.amount)
        for p in fake.store.postings()
        if p.kind is EntryKind.OBLIGATION and p.tranche_id is not None
    ]
    assert draws == [(early.available_until, D("10000.00")), (late.available_until, D("3360.00"))]
    assert sorted((t.available_until, t.drawn) for t in fake.store.tranches.values()) == [
        (early.available_until, D("10000.00")),
        (late.available_until, D("3360.00")),
    ]
    assert fake.consistent(code)


async def test_a_pme_line_counts_towards_the_pme_share_and_a_technical_line_does_not() -> None:
    fake, code = FakeFunding(), country()
    pme, technical = course(category=PME, tuition="20000.00"), course(tuition="20000.00")
    await fake.known(pme)
    await fake.known(technical)
    await fake.funded({code: D("100000.00")})

    for c in (pme, technical):
        async with fake.uow() as uow:
            await request_funding(uow, c.request(code), TODAY)

    lines = fake.store.obligations.values()
    check = PlanningCheck(
        ceiling=D("100000.00"),
        committed=sum((o.outstanding for o in lines), D(0)),
        pme_committed=sum((o.outstanding for o in lines if o.course_category == PME), D(0)),
        pme_minimum_percent=fake.store.reference["funding_parameter"]["pme_minimum_percent"][
            "value"
        ],
        funds_available=True,
    )
    assert sorted(o.course_category for o in lines) == [PME, "technical"]
    assert (check.pme_committed, check.pme_share) == (pme.cost, D("0.2336"))
    assert [w.code for w in check.warnings()] == ["pme_share_below_minimum"]


async def test_a_request_for_an_unknown_class_waits_and_is_decided_when_the_catalog_tells() -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.funded({code: D("50000.00")})
    request = c.request(code)
    async with fake.uow() as uow:
        waiting = await request_funding(uow, request, TODAY)
    async with fake.uow() as uow:
        await record_course(uow, c.state(), TODAY)
    still = fake.store.requests[request.request_id].status

    async with fake.uow() as uow:
        await record_class(uow, c.class_state(), TODAY)

    assert (waiting.status, still) == (RequestStatus.PENDING_REFERENCE_DATA,) * 2
    assert fake.store.requests[request.request_id].status is RequestStatus.OBLIGATED
    assert [e["nomination_id"] for e in fake.published("obligation_recorded")] == [
        str(request.nomination_id)
    ]


async def test_a_waiting_request_for_a_course_without_tuition_that_year_is_rejected() -> None:
    fake, c, code = FakeFunding(), course(tuition_fiscal_year=FY + 1), country()
    await fake.funded({code: D("50000.00")})
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    await fake.known(c)

    assert fake.store.requests[request.request_id].reason == "no_tuition_rate"
    assert [e["reason"] for e in fake.published("obligation_rejected")] == ["no_tuition_rate"]


async def test_requests_waiting_for_reference_data_too_long_are_rejected_as_class_unknown() -> None:
    fake, code = FakeFunding(), country()
    old, recent = course().request(code), course().request(code)
    for request in (old, recent):
        async with fake.uow() as uow:
            await request_funding(uow, request, TODAY)

    async with fake.uow() as uow:
        rejected = await reject_stale_pending(uow, fake.store.received_at[recent.request_id])

    assert rejected == 1
    assert [fake.store.requests[r.request_id].status for r in (old, recent)] == [
        RequestStatus.REJECTED,
        RequestStatus.PENDING_REFERENCE_DATA,
    ]
    assert fake.published("obligation_rejected")[0]["reason"] == "class_unknown"


async def test_next_years_request_waits_for_its_funds_and_advance_availability_decides_it() -> None:
    fake, c, code = FakeFunding(), course(FY + 1), country()
    await fake.known(c)
    await fake.funded({code: D("50000.00")}, fiscal_year=FY + 1)
    request = c.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)
    async with fake.uow() as uow:
        nothing_yet = await decide_waiting_requests(uow, TODAY)
    waited = fake.store.requests[request.request_id].status

    async with fake.uow() as uow:
        _, decided = await advance_availability(
            uow, FY + 1, date(FY, 1, 1), "apportioned early", lambda _: None, TODAY
        )

    assert (waited, nothing_yet, decided) == (RequestStatus.PENDING_AVAILABILITY, 0, 1)
    assert fake.store.requests[request.request_id].status is RequestStatus.OBLIGATED
    assert fake.store.types()[-2:] == ["appropriation_set", "obligation_recorded"]
    assert fake.consistent(code, FY + 1)


async def test_money_left_only_in_expired_tranches_is_refused_as_funds_expired() -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.known(c)
    await fake.funded(
        {code: D("50000.00")}, tranches=[TrancheSpec(D("90000.00"), date(FY - 1, 12, 31))]
    )
    request = c.request(code)

    async with fake.uow() as uow:
        decided = await request_funding(uow, request, TODAY)

    assert (decided.status, decided.reason) == (RequestStatus.REJECTED, "funds_expired")
    assert fake.store.obligations == {}

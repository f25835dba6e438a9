"""Obligating funds: the Anti-Deficiency Act under concurrency, rejections, duplicates."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from funding.adapters.queries import check_consistency
from funding.adapters.tables import allocation, funding_request, ledger_entry, obligation
from funding.domain.obligation import RequestStatus
from funding.service_layer.obligate import request_funding
from services.funding.tests.integration.support import (
    ACTOR,
    country,
    course,
    funded,
    known,
    line_cost,
)
from shared.contracts.funding.v1 import ObligationRecordedV1, ObligationRejectedV1

TODAY = datetime.now(UTC).date()


async def _requests_by_status(runtime: Any, code: str, fiscal_year: int) -> Counter[str]:
    async with runtime.sessions() as s:
        rows = await s.execute(
            select(funding_request.c.status, func.count())
            .where(funding_request.c.country == code, funding_request.c.fiscal_year == fiscal_year)
            .group_by(funding_request.c.status)
        )
        return Counter(dict(rows.all()))


async def _outbox_types(runtime: Any, code: str, fiscal_year: int) -> Counter[str]:
    outbox = runtime.definition.tables.outbox
    async with runtime.sessions() as s:
        rows = await s.execute(
            select(outbox.c.type, func.count())
            .where(
                outbox.c.payload["country"].astext == code,
                outbox.c.payload["fiscal_year"].astext == str(fiscal_year),
            )
            .group_by(outbox.c.type)
        )
        return Counter(dict(rows.all()))


async def test_two_hundred_concurrent_requests_obligate_exactly_the_fifty_that_fit(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    courses = [course(fiscal_year) for _ in range(4)]
    for c in courses:
        await known(runtime, c)
    cost = line_cost(courses[0])
    code = country()
    await funded(runtime, fiscal_year, {code: cost * 51 - Decimal("0.01")})
    requests = [courses[i % 4].request(code) for i in range(200)]

    async def obligate(request: Any) -> None:
        async with runtime.uow(ACTOR) as uow:
            await request_funding(uow, request, TODAY)

    await asyncio.gather(*(obligate(r) for r in requests))

    statuses = await _requests_by_status(runtime, code, fiscal_year)
    assert statuses == Counter({RequestStatus.OBLIGATED: 50, RequestStatus.REJECTED: 150})
    async with runtime.sessions() as s:
        stored = (
            await s.execute(
                select(allocation).where(
                    allocation.c.country == code, allocation.c.fiscal_year == fiscal_year
                )
            )
        ).one()
        ledger_total = (
            await s.execute(
                select(func.sum(ledger_entry.c.amount)).where(
                    ledger_entry.c.country == code,
                    ledger_entry.c.fiscal_year == fiscal_year,
                    ledger_entry.c.kind == "obligation",
                )
            )
        ).scalar_one()
        lines = (
            await s.execute(
                select(func.count()).where(
                    obligation.c.country == code, obligation.c.fiscal_year == fiscal_year
                )
            )
        ).scalar_one()
        report = await check_consistency(s, fiscal_year=fiscal_year, country=code)
    assert stored.obligated == ledger_total == cost * 50
    assert stored.amount - stored.obligated == cost - Decimal("0.01")
    assert lines == 50
    assert report.ok
    assert await _outbox_types(runtime, code, fiscal_year) == Counter(
        {
            ObligationRecordedV1.TYPE: 50,
            ObligationRejectedV1.TYPE: 150,
            "imet.funding.allocation_set.v1": 1,
        }
    )


async def test_an_allocation_that_is_too_small_rejects_with_the_amounts_and_changes_no_balance(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c = course(fiscal_year)
    await known(runtime, c)
    code = country()
    await funded(runtime, fiscal_year, {code: Decimal("5000.00")})
    request = c.request(code)

    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)
        rejected = [e for e in uow.published if isinstance(e, ObligationRejectedV1)]

    assert [(e.reason, e.requested_amount, e.available_amount) for e in rejected] == [
        ("insufficient_funds", line_cost(c), Decimal("5000.00"))
    ]
    async with runtime.sessions() as s:
        stored = (
            await s.execute(
                select(allocation).where(
                    allocation.c.country == code, allocation.c.fiscal_year == fiscal_year
                )
            )
        ).one()
    assert (stored.obligated, stored.amount) == (0, Decimal("5000.00"))


async def test_missing_appropriation_allocation_or_tuition_rate_are_named_in_the_rejection(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, unpriced = course(fiscal_year), course(fiscal_year, tuition_fiscal_year=fiscal_year + 1)
    await known(runtime, c)
    await known(runtime, unpriced)
    funded_country, other = country(), country()

    async def reasons(request: Any) -> list[str]:
        async with runtime.uow(ACTOR) as uow:
            await request_funding(uow, request, TODAY)
            return [e.reason for e in uow.published if isinstance(e, ObligationRejectedV1)]

    before_appropriation = await reasons(c.request(funded_country))
    await funded(runtime, fiscal_year, {funded_country: Decimal("100000.00")})
    without_allocation = await reasons(c.request(other))
    without_rate = await reasons(unpriced.request(funded_country))

    assert before_appropriation == ["no_appropriation"]
    assert without_allocation == ["no_allocation"]
    assert without_rate == ["no_tuition_rate"]


async def test_funds_expired_rejects_new_obligations(
    make_runtime: Any, expired_fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c = course(expired_fiscal_year)
    await known(runtime, c)
    code = country()
    await funded(runtime, expired_fiscal_year, {code: Decimal("100000.00")})

    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, c.request(code), TODAY)
        late = [e.reason for e in uow.published]
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, c.request(code), date(expired_fiscal_year, 1, 15))
        in_time = [type(e).__name__ for e in uow.published]

    assert late == ["funds_expired"]
    assert in_time == ["ObligationRecordedV1"]

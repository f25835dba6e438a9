"""Releasing obligations: penalty rules as data, U.S.-initiated cancellations, early end of
training, refills known in advance, funds that expired, requests that never got a class."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from funding.adapters.queries import check_consistency
from funding.adapters.tables import allocation, funding_request, obligation
from funding.domain.penalties import Initiator
from funding.entrypoints.jobs import sweep_stale_requests_once
from funding.service_layer.obligate import request_funding
from funding.service_layer.refills import refund_refilled_penalty
from funding.service_layer.release import (
    release_for_cancellation,
    settle_training_end,
)
from services.funding.tests.integration.support import (
    ACTOR,
    Course,
    country,
    course,
    funded,
    known,
    line_cost,
)
from shared.contracts.funding.v1 import DeobligatedV1, ObligationRejectedV1, PenaltyChargedV1

TODAY = datetime.now(UTC).date()


async def _obligated(runtime: Any, c: Course, code: str, on: date = TODAY) -> uuid.UUID:
    request = c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, on)
    return request.nomination_id


async def _release(
    runtime: Any,
    c: Course,
    nomination_id: uuid.UUID,
    *,
    days_before: int,
    by: Initiator = Initiator.COUNTRY,
) -> list[Any]:
    async with runtime.uow(ACTOR) as uow:
        await release_for_cancellation(
            uow,
            nomination_id,
            c.masl_id,
            initiated_by=by,
            cancelled_on=c.start - timedelta(days=days_before),
            reason="cancelled",
            today=TODAY,
        )
        return list(uow.published)


async def _line(runtime: Any, nomination_id: uuid.UUID) -> Any:
    async with runtime.sessions() as s:
        return (
            await s.execute(select(obligation).where(obligation.c.nomination_id == nomination_id))
        ).one()


async def test_a_country_cancelling_inside_the_window_pays_half_the_tuition_and_gets_the_rest_back(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, tuition="6000.00"), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)

    published = await _release(runtime, c, nomination_id, days_before=59)

    penalty, deobligated = published
    assert isinstance(penalty, PenaltyChargedV1)
    assert isinstance(deobligated, DeobligatedV1)
    assert (penalty.amount, penalty.rule) == (Decimal("3000.00"), "late_cancellation")
    assert deobligated.amount_returned == line_cost(c) - Decimal("3000.00")
    line = await _line(runtime, nomination_id)
    assert (line.status, line.outstanding, line.penalty_amount) == (
        "released",
        Decimal("3000.00"),
        Decimal("3000.00"),
    )


async def test_a_cancellation_by_the_us_returns_everything_even_on_a_dedicated_course(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, dedicated=True), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)

    published = await _release(runtime, c, nomination_id, days_before=5, by=Initiator.US_GOVERNMENT)

    assert [type(e).__name__ for e in published] == ["DeobligatedV1"]
    assert (published[0].amount_returned, published[0].penalty_amount) == (line_cost(c), 0)


async def test_a_refill_known_before_the_withdrawal_waives_the_dedicated_course_charge(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, dedicated=True), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)
    async with runtime.uow(ACTOR) as uow:
        await refund_refilled_penalty(
            uow, nomination_id, c.class_id, c.masl_id, refilled_by=uuid.uuid4(), today=TODAY
        )

    published = await _release(runtime, c, nomination_id, days_before=200)

    assert [(type(e).__name__, e.amount_returned) for e in published] == [
        ("DeobligatedV1", line_cost(c))
    ]
    assert (await _line(runtime, nomination_id)).penalty_rule == "dedicated_course_cancellation"


async def test_a_student_who_stops_early_keeps_travel_and_the_days_attended_obligated(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, tuition="9000.00", days=30), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)

    async with runtime.uow(ACTOR) as uow:
        await settle_training_end(
            uow, nomination_id, completed=False, days_attended=10, today=TODAY
        )
        published = list(uow.published)

    kept = Decimal("2800.00") + Decimal(56 * 10) + Decimal("3000.00")
    assert [(type(e).__name__, getattr(e, "rule", None)) for e in published] == [
        ("PenaltyChargedV1", "non_completion"),
        ("DeobligatedV1", None),
    ]
    assert published[1].amount_returned == line_cost(c) - kept
    line = await _line(runtime, nomination_id)
    assert (line.status, line.outstanding, line.penalty_amount) == (
        "terminated",
        kept,
        Decimal("3000.00"),
    )


async def test_completed_training_keeps_the_whole_line_obligated(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)

    async with runtime.uow(ACTOR) as uow:
        await settle_training_end(uow, nomination_id, completed=True, days_attended=10, today=TODAY)
        published = list(uow.published)

    line = await _line(runtime, nomination_id)
    assert published == []
    assert (line.status, line.outstanding) == ("completed", line_cost(c))


async def test_money_released_after_its_funds_expired_lapses_instead_of_returning(
    make_runtime: Any, expired_fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(expired_fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, expired_fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code, on=date(expired_fiscal_year, 1, 10))

    published = await _release(runtime, c, nomination_id, days_before=200)

    assert [(e.amount_returned, e.amount_lapsed) for e in published] == [(0, line_cost(c))]
    async with runtime.sessions() as s:
        stored = (
            await s.execute(
                select(allocation).where(
                    allocation.c.country == code, allocation.c.fiscal_year == expired_fiscal_year
                )
            )
        ).one()
        report = await check_consistency(s, fiscal_year=expired_fiscal_year, country=None)
    assert (stored.obligated, stored.lapsed, stored.amount) == (
        0,
        line_cost(c),
        Decimal("50000.00"),
    )
    assert report.ok


async def test_a_withdrawn_request_that_waited_for_its_class_is_never_obligated(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)

    await _release(runtime, c, nomination_id, days_before=100)
    await known(runtime, c)

    async with runtime.sessions() as s:
        status = (
            await s.execute(
                select(funding_request.c.status).where(
                    funding_request.c.nomination_id == nomination_id
                )
            )
        ).scalar_one()
        lines = (
            await s.execute(select(obligation).where(obligation.c.nomination_id == nomination_id))
        ).all()
    assert (status, lines) == ("withdrawn", [])


async def test_requests_whose_class_never_arrives_are_rejected_as_class_unknown(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await funded(runtime, fiscal_year, {code: Decimal("50000.00")})
    nomination_id = await _obligated(runtime, c, code)
    timeout = timedelta(hours=runtime.settings.pending_reference_timeout_hours)

    too_early = await sweep_stale_requests_once(runtime, datetime.now(UTC))
    swept = await sweep_stale_requests_once(
        runtime, datetime.now(UTC) + timeout + timedelta(minutes=1)
    )

    async with runtime.sessions() as s:
        row = (
            await s.execute(
                select(funding_request).where(funding_request.c.nomination_id == nomination_id)
            )
        ).one()
        outbox = runtime.definition.tables.outbox
        events = (
            await s.execute(
                select(outbox.c.payload).where(
                    outbox.c.type == ObligationRejectedV1.TYPE,
                    outbox.c.aggregateid == str(nomination_id),
                )
            )
        ).all()
    assert too_early == 0
    assert swept is not None
    assert swept >= 1
    assert (row.status, row.reason) == ("rejected", "class_unknown")
    assert [e.payload["reason"] for e in events] == ["class_unknown"]

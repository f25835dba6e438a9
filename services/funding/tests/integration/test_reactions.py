"""Reactions through the real consumer and broker: duplicates, out-of-order arrival,
withdrawal with and without a penalty, a refilled seat; published events through the relay."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from funding.adapters.tables import funding_request, obligation
from services.funding.tests.integration.support import (
    as_records,
    country,
    course,
    funded,
    known,
    line_cost,
    record,
    send,
)
from shared.contracts.catalog.v1 import SeatHeldV1
from shared.contracts.funding.v1 import TOPIC as FUNDING_TOPIC
from shared.contracts.funding.v1 import ObligationRecordedV1
from shared.contracts.nomination.v1 import (
    FundingRequestedV1,
    NominationStateChangedV1,
    NominationWithdrawnV1,
)
from shared.messaging.kafka import dlq_topic, physical_topic
from shared.runner import build_consumer, build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.waiting import eventually


def requested(
    c: Any, code: str, nomination_id: uuid.UUID, request_id: uuid.UUID | None = None
) -> FundingRequestedV1:
    return FundingRequestedV1(
        nomination_id=nomination_id,
        country=code,
        request_id=request_id or uuid.uuid4(),
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=c.fiscal_year,
        funding_source="imet",
    )


def withdrawn(
    c: Any, code: str, nomination_id: uuid.UUID, days_before_start: int
) -> NominationWithdrawnV1:
    return NominationWithdrawnV1(
        nomination_id=nomination_id,
        country=code,
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=c.fiscal_year,
        withdrawn_on=c.start - timedelta(days=days_before_start),
        from_state="ready_for_travel",
        reason="candidate unavailable",
    )


async def _requests(runtime: Any, nomination_id: uuid.UUID) -> list[Any]:
    async with runtime.sessions() as s:
        stmt = select(funding_request).where(funding_request.c.nomination_id == nomination_id)
        return list((await s.execute(stmt.order_by(funding_request.c.received_at))).all())


async def _obligations(runtime: Any, nomination_id: uuid.UUID) -> list[Any]:
    async with runtime.sessions() as s:
        return list(
            (
                await s.execute(
                    select(obligation).where(obligation.c.nomination_id == nomination_id)
                )
            ).all()
        )


async def _unpublished(runtime: Any) -> int:
    outbox = runtime.definition.tables.outbox
    async with runtime.sessions() as s:
        return int(
            (
                await s.execute(select(func.count()).where(outbox.c.published_at.is_(None)))
            ).scalar_one()
        )


async def _dead_letters(prefix: str, keys: set[bytes]) -> list[Any]:
    """Records with these keys that the consumer gave up on (there must be none)."""
    dead = []
    for topic in (NominationWithdrawnV1.TOPIC, SeatHeldV1.TOPIC):
        dead += [
            r for r in await read_all(dlq_topic(physical_topic(topic, prefix))) if r.key in keys
        ]
    return dead


async def _published(prefix: str, nomination_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    """The funding events of a nomination on the topic, in order."""
    records = await read_all(physical_topic(FUNDING_TOPIC, prefix))
    return [
        (headers_of(r)["ce_type"], json.loads(r.value))
        for r in sorted(records, key=lambda r: r.offset)
        if r.key == str(nomination_id).encode()
    ]


async def test_a_repeated_and_a_second_funding_request_obligate_once_and_publish_once(
    make_runtime: Any, topic_prefix: str, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code, nomination_id = course(fiscal_year), country(), uuid.uuid4()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})
    first = requested(c, code, nomination_id)
    again = record(first)
    await send(
        topic_prefix, (first, again), (first, again), *as_records(requested(c, code, nomination_id))
    )

    async with running(build_consumer(runtime).run, build_relay(runtime).run):
        rows = await eventually(
            lambda: _requests(runtime, nomination_id), lambda r: len(r) == 2 and r[1].decided_at
        )
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    published = await _published(topic_prefix, nomination_id)

    assert [r.status for r in rows] == ["obligated", "duplicate"]
    assert rows[1].obligation_id == rows[0].obligation_id
    assert len(await _obligations(runtime, nomination_id)) == 1
    assert [t for t, _ in published] == ["imet.funding.obligation_recorded.v1"]
    assert ObligationRecordedV1.model_validate(published[0][1]).amount == line_cost(c)


async def test_a_request_arriving_before_its_class_waits_and_is_obligated_when_the_class_arrives(
    make_runtime: Any, topic_prefix: str, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code, nomination_id = course(fiscal_year), country(), uuid.uuid4()
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})

    async with running(build_consumer(runtime).run):
        await send(topic_prefix, *as_records(requested(c, code, nomination_id), c.course_event()))
        waiting = await eventually(lambda: _requests(runtime, nomination_id), lambda r: len(r) == 1)
        await send(topic_prefix, *as_records(c.class_event()))
        decided = await eventually(
            lambda: _requests(runtime, nomination_id), lambda r: r[0].status == "obligated"
        )

    assert waiting[0].status == "pending_reference_data"
    assert decided[0].status == "obligated"
    assert [o.amount for o in await _obligations(runtime, nomination_id)] == [line_cost(c)]


async def test_withdrawals_deobligate_minus_a_penalty_where_a_rule_applies_and_a_refill_refunds_it(
    make_runtime: Any, topic_prefix: str, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    plain, dedicated = course(fiscal_year), course(fiscal_year, dedicated=True, tuition="8000.00")
    code, early, refilled = country(), uuid.uuid4(), uuid.uuid4()
    await known(runtime, plain)
    await known(runtime, dedicated)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})
    await send(
        topic_prefix,
        *as_records(
            requested(plain, code, early),
            requested(dedicated, code, refilled),
            withdrawn(plain, code, early, days_before_start=120),
            withdrawn(dedicated, code, refilled, days_before_start=120),
        ),
    )

    async with running(build_consumer(runtime).run, build_relay(runtime).run):
        charged = await eventually(
            lambda: _obligations(runtime, refilled), lambda o: o and o[0].status == "released"
        )
        seat = SeatHeldV1(
            class_id=dedicated.class_id,
            masl_id=dedicated.masl_id,
            nomination_id=uuid.uuid4(),
            hold_expires_at=datetime.now(UTC) + timedelta(days=30),
            seats_available=0,
            promoted_from_waitlist=True,
            backfills_nomination_id=refilled,
        )
        await send(topic_prefix, *as_records(seat))
        refunded = await eventually(
            lambda: _obligations(runtime, refilled), lambda o: o[0].penalty_amount == 0
        )
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    events, plain_events = (
        await _published(topic_prefix, refilled),
        await _published(topic_prefix, early),
    )
    keys = {str(early).encode(), str(refilled).encode(), str(dedicated.class_id).encode()}

    assert await _dead_letters(topic_prefix, keys) == []
    assert [t.rsplit(".", 2)[1] for t, _ in plain_events] == ["obligation_recorded", "deobligated"]
    assert plain_events[1][1]["amount_returned"] == f"{line_cost(plain):.2f}"
    assert plain_events[1][1]["penalty_amount"] == "0.00"
    assert (charged[0].penalty_amount, charged[0].penalty_rule) == (
        Decimal("8000.00"),
        "dedicated_course_cancellation",
    )
    assert (refunded[0].outstanding, refunded[0].returned_amount) == (0, line_cost(dedicated))
    assert [t.rsplit(".", 2)[1] for t, _ in events] == [
        "obligation_recorded",
        "penalty_charged",
        "deobligated",
        "deobligated",
    ]
    assert events[1][1]["rule"] == "dedicated_course_cancellation"
    assert (events[3][1]["reason"], events[3][1]["amount_returned"]) == ("seat_refilled", "8000.00")


async def test_a_denial_after_funding_releases_the_whole_line_without_penalty(
    make_runtime: Any, topic_prefix: str, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c = course(fiscal_year, dedicated=True, tuition="9000.00")
    code, denied, other = country(), uuid.uuid4(), uuid.uuid4()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})
    changed = [
        NominationStateChangedV1(
            nomination_id=denied,
            country=code,
            from_state="ready_for_travel",
            to_state=to_state,
            reason="derogatory_information",
        )
        for to_state in ("vetting", "vetting_denied")
    ]
    unrelated = NominationStateChangedV1(
        nomination_id=other, country=code, from_state="vetting", to_state="vetting_denied"
    )

    await send(topic_prefix, *as_records(requested(c, code, denied), *changed, unrelated))
    async with running(build_consumer(runtime).run):
        released = await eventually(
            lambda: _obligations(runtime, denied), lambda o: o and o[0].status == "released"
        )

    assert released[0].penalty_amount == 0
    assert released[0].returned_amount == line_cost(c)
    assert await _obligations(runtime, other) == []

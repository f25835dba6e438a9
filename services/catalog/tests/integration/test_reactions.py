"""The pipeline's events, delivered through the broker to the real consumer, move the seats."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalog.domain.offering import CourseClass
from services.catalog.tests.integration.builders import CatalogData, Deliver, payloads
from shared.contracts.funding.v1 import ObligationRecordedV1
from shared.contracts.nomination.v1 import NominationSubmittedV1, NominationWithdrawnV1
from shared.contracts.vetting.v1 import VettingDeniedV1
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.waiting import eventually


def submitted(offering: CourseClass, nomination_id: uuid.UUID) -> NominationSubmittedV1:
    return NominationSubmittedV1(
        nomination_id=nomination_id,
        country="GTM",
        candidate_id=uuid.uuid4(),
        person_fingerprint="f" * 64,
        unit_name="1st Infantry Brigade",
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=2027,
        funding_source="imet",
        start_date=offering.start_date,
        end_date=offering.end_date,
        report_date=offering.report_date,
        submitted_at=datetime.now(UTC),
    )


def withdrawn(offering: CourseClass, nomination_id: uuid.UUID) -> NominationWithdrawnV1:
    return NominationWithdrawnV1(
        nomination_id=nomination_id,
        country="GTM",
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=2027,
        withdrawn_on=datetime.now(UTC).date(),
        from_state="vetting",
    )


def obligated(offering: CourseClass, nomination_id: uuid.UUID) -> ObligationRecordedV1:
    money = Decimal("1000.00")
    return ObligationRecordedV1(
        nomination_id=nomination_id,
        country="GTM",
        fiscal_year=2027,
        obligation_id=uuid.uuid4(),
        class_id=offering.id,
        masl_id=offering.masl_id,
        funding_source="imet",
        amount=money,
        tuition=money,
        travel=money,
        living_allowance=money,
    )


def denied(nomination_id: uuid.UUID) -> VettingDeniedV1:
    return VettingDeniedV1(
        case_id=uuid.uuid4(),
        nomination_id=nomination_id,
        country="GTM",
        decided_at=datetime.now(UTC),
        reason_code="derogatory_information",
    )


async def test_a_submission_delivered_twice_or_restated_holds_one_seat_then_funds_confirm_it(
    catalog_runtime: Any, data: CatalogData, deliver: Deliver
) -> None:
    offering = await data.offering(capacity=3)
    nomination, event_id = uuid.uuid4(), str(uuid.uuid4())
    event = submitted(offering, nomination)

    stranger_id = str(uuid.uuid4())

    async with running(build_consumer(catalog_runtime).run):
        await deliver((event, event_id), (event, event_id), event)
        await eventually(
            lambda: data.outbox(offering.id), lambda e: len(payloads(e, "seat_held")) >= 1
        )
        await deliver(
            obligated(offering, nomination),
            obligated(offering, nomination),
            (obligated(offering, uuid.uuid4()), stranger_id),
        )
        await eventually(lambda: data.applied(stranger_id), bool)
        events = await eventually(
            lambda: data.outbox(offering.id), lambda e: len(payloads(e, "seat_confirmed")) >= 1
        )

    assert [t.rsplit(".", 2)[1] for t, _ in events] == [
        "class_scheduled",
        "seat_held",
        "seat_confirmed",
    ]
    assert payloads(events, "seat_held")[0]["nomination_id"] == str(nomination)
    stored = await data.class_row(offering.id)
    assert (stored.seats_held, stored.seats_confirmed) == (0, 1)
    assert (await data.seats(offering.id))[nomination].status == "confirmed"


async def test_a_withdrawal_frees_the_seat_for_the_first_waitlisted_nomination(
    catalog_runtime: Any, data: CatalogData, deliver: Deliver
) -> None:
    offering = await data.offering(capacity=1)
    holder, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    async with running(build_consumer(catalog_runtime).run):
        for nomination in (holder, first, second):
            await deliver(submitted(offering, nomination))
            await eventually(
                lambda n=nomination: data.seats(offering.id), lambda s, n=nomination: n in s
            )
        await deliver(withdrawn(offering, holder), withdrawn(offering, holder))
        events = await eventually(
            lambda: data.outbox(offering.id), lambda e: len(payloads(e, "seat_held")) >= 2
        )

    promoted = payloads(events, "seat_held")[-1]
    assert promoted["nomination_id"] == str(first)
    assert promoted["promoted_from_waitlist"] is True
    assert promoted["backfills_nomination_id"] == str(holder)
    assert payloads(events, "seat_released") == [
        {
            "class_id": str(offering.id),
            "masl_id": offering.masl_id,
            "nomination_id": str(holder),
            "reason": "withdrawn",
            "was": "held",
        }
    ]
    seats = await data.seats(offering.id)
    assert (seats[first].status, seats[second].status) == ("held", "waitlisted")


async def test_a_denial_that_overtakes_the_submission_leaves_no_seat_behind(
    catalog_runtime: Any, data: CatalogData, deliver: Deliver
) -> None:
    offering = await data.offering(capacity=2)
    early, late = uuid.uuid4(), uuid.uuid4()

    async with running(build_consumer(catalog_runtime).run):
        await deliver(denied(early))
        await eventually(lambda: data.released_early(early), bool)
        await deliver(submitted(offering, early), submitted(offering, late))
        await eventually(lambda: data.seats(offering.id), lambda s: late in s)
        await deliver(denied(late))
        events = await eventually(
            lambda: data.outbox(offering.id), lambda e: len(payloads(e, "seat_released")) >= 1
        )

    seats = await data.seats(offering.id)
    assert early not in seats
    assert seats[late].status == "released"
    assert seats[late].release_reason == "vetting_denied"
    assert [p["nomination_id"] for p in payloads(events, "seat_held")] == [str(late)]


async def test_a_submission_for_a_cancelled_or_unknown_class_is_told_there_is_no_seat(
    catalog_runtime: Any, data: CatalogData, deliver: Deliver, client: Any, manager: dict[str, str]
) -> None:
    offering = await data.offering(capacity=2)
    url = f"/api/v1/catalog/classes/{offering.id}"
    etag = (await client.get(url, headers=manager)).headers["ETag"]
    await client.post(
        f"{url}/cancel", json={"reason": "Facility closed"}, headers={**manager, "If-Match": etag}
    )
    ghost = CourseClass(
        uuid.uuid4(),
        offering.masl_id,
        offering.start_date,
        offering.end_date,
        offering.report_date,
        capacity=1,
    )
    late, lost = uuid.uuid4(), uuid.uuid4()

    async with running(build_consumer(catalog_runtime).run):
        await deliver(submitted(offering, late), submitted(ghost, lost))
        on_cancelled = await eventually(
            lambda: data.outbox(offering.id), lambda e: len(payloads(e, "seat_released")) >= 1
        )
        on_unknown = await eventually(lambda: data.outbox(ghost.id), lambda e: len(e) >= 1)

    for events, nomination in ((on_cancelled, late), (on_unknown, lost)):
        released = payloads(events, "seat_released")
        assert [(r["nomination_id"], r["reason"], r["was"]) for r in released] == [
            (str(nomination), "class_cancelled", "waitlisted")
        ]
    assert late not in await data.seats(offering.id)

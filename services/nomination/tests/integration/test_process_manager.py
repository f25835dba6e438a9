"""The process manager driven by the other services' events through the real consumer and broker."""

from __future__ import annotations

from typing import Any

from services.nomination.tests.integration.support import (
    BASE,
    Bus,
    Until,
    World,
    inbox_has,
)
from services.nomination.tests.integration.their import Their, to_funding, to_ready
from tests.helpers.waiting import eventually


def transitions(history: list[dict[str, Any]]) -> list[tuple[str | None, str | None]]:
    return [(h["from_state"], h["to_state"]) for h in history if h["kind"] == "transition"]


async def test_the_happy_path_ends_ready_for_travel_with_every_step_in_the_history(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.case_opened())
    await until(nomination["id"], lambda row: row.status == "vetting")
    await bus.send(their.seat_held())
    await bus.send(their.approved())
    await until(nomination["id"], lambda row: row.status == "funding")
    await bus.send(their.obligated())
    await bus.send(their.seat_confirmed())
    row = await until(nomination["id"], lambda row: row.status == "ready_for_travel")

    history = await world.history(nomination["id"])
    assert (row.seat_status, row.vetting_status, row.funding_status) == (
        "confirmed",
        "approved",
        "obligated",
    )
    assert transitions(history) == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "vetting"),
        ("vetting", "funding"), ("funding", "ready_for_travel"),
    ]  # fmt: skip
    assert all(h["cause_event_id"] for h in history if h["actor"] == "system:nomination")
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1


async def test_a_denial_ends_the_nomination_and_the_released_seat_is_recorded(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.case_opened(), their.denied())
    await bus.send(their.seat_held(), their.seat_released("vetting_denied"))
    # Two topics, no order between them: wait for both facts.
    row = await until(
        nomination["id"],
        lambda row: row.seat_status == "released" and row.status == "vetting_denied",
    )

    assert row.status == "vetting_denied"
    assert row.status_reason == "derogatory_information"
    assert "funding_requested" not in await world.published_types(nomination["id"])


async def test_suspension_then_approval_resumes_and_requests_funding(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.seat_held())
    await bus.send(their.case_opened(), their.suspended())
    suspended = await until(nomination["id"], lambda row: row.status == "vetting_suspended")
    await bus.send(their.approved())
    resumed = await until(nomination["id"], lambda row: row.status == "funding")

    assert suspended.status_reason == "insufficient_information"
    assert resumed.funding_status == "requested"
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1


async def test_insufficient_funds_waits_and_a_retry_requests_funding_again(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await to_funding(world, bus, until)

    await bus.send(their.rejected("insufficient_funds"))
    rejected = await until(nomination["id"], lambda row: row.status == "funding_rejected")
    retry = await world.client.post(
        f"{BASE}/{nomination['id']}/retry-funding", headers=world.as_("funding_officer")
    )
    await bus.send(their.obligated())
    await bus.send(their.seat_confirmed())
    ready = await until(nomination["id"], lambda row: row.status == "ready_for_travel")

    requests = [
        e for e in await world.outbox(nomination["id"]) if e.type.endswith("funding_requested.v1")
    ]
    assert rejected.status_reason == "insufficient_funds"
    assert retry.status_code == 200
    assert retry.json()["status"] == "funding"
    assert len({e.payload["request_id"] for e in requests}) == 2
    assert ready.obligation_id == their.obligation_id


async def test_a_waitlisted_nomination_requests_funding_only_once_promoted(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.seat_waitlisted(position=2))
    await bus.send(their.case_opened(), their.approved())
    waiting = await until(nomination["id"], lambda row: row.vetting_status == "approved")
    requested_while_waiting = await world.published_types(nomination["id"])
    await bus.send(their.seat_held(promoted=True))
    promoted = await until(nomination["id"], lambda row: row.status == "funding")

    assert (waiting.status, waiting.waitlist_position) == ("waitlisted", 2)
    assert "funding_requested" not in requested_while_waiting
    assert promoted.status_reason == "promoted_from_waitlist"
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1


async def test_withdrawal_after_funding_runs_the_compensations_and_records_each(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await to_ready(world, bus, until)

    withdrawn = await world.client.post(
        f"{BASE}/{nomination['id']}/withdraw", json={"reason": "candidate injured"},
        headers=world.as_("sco", "GTM"),
    )  # fmt: skip
    await bus.send(their.seat_released("withdrawn", was="confirmed"))
    await bus.send(their.deobligated("11728.39", "11728.39"), their.penalty("11728.39"))
    row = await until(  # catalog and funding topics arrive in any order: wait for all facts
        nomination["id"],
        lambda row: (
            row.compensations == {"seat_release": "confirmed", "deobligation": "confirmed"}
            and row.penalty_amount is not None
        ),
    )

    # The deobligation already carries the penalty amount: wait for the penalty's own record too.
    history = await eventually(
        lambda: world.history(nomination["id"]),
        lambda items: any(h["reason"] == "penalty_charged" for h in items),
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["compensations"] == {
        "seat_release": "pending",
        "deobligation": "pending",
    }
    assert row.compensations == {"seat_release": "confirmed", "deobligation": "confirmed"}
    assert str(row.penalty_amount) == "11728.39"
    compensations = [h["reason"] for h in history if h["kind"] == "compensation"]
    assert compensations[0] == "compensations_requested"
    assert sorted(compensations[1:]) == ["deobligated", "penalty_charged", "seat_released"]
    assert "withdrawn" in await world.published_types(nomination["id"])


async def test_a_cancelled_class_cancels_every_nomination_in_it(
    world: World, bus: Bus, until: Until
) -> None:
    klass = await world.catalog()
    seated = await world.submitted(klass)
    draft = await world.draft(klass)
    await bus.send(Their(seated).seat_held())
    await until(seated["id"], lambda row: row.seat_status == "held")

    await bus.send(Their(seated).class_cancelled())
    cancelled = await until(seated["id"], lambda row: row.status == "cancelled")
    cancelled_draft = await until(draft["id"], lambda row: row.status == "cancelled")

    events = [e for e in await world.outbox(seated["id"]) if e.type.endswith(".cancelled.v1")]
    assert cancelled.status_reason == "class_cancelled"
    assert cancelled_draft.status_reason == "class_cancelled"
    assert [(e.payload["reason"], e.payload["initiated_by"]) for e in events] == [
        ("class_cancelled", "us_government")
    ]


async def test_a_duplicate_vetting_approval_requests_funding_once(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)
    await bus.send(their.seat_held(), their.case_opened())
    approval = their.approved()

    first = await bus.send(approval)
    await bus.send(approval, event_id=first[0])  # the same event delivered again
    last = await bus.send(their.approved())  # the same news under a new event id
    await eventually(lambda: inbox_has(world.runtime, last[0]), bool)

    row = await until(nomination["id"], lambda row: row.status == "funding")
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1
    assert [h["reason"] for h in await world.history(nomination["id"])].count(
        "funding_requested"
    ) == 1
    assert row.funding_status == "requested"


async def test_an_approval_before_the_seat_is_held_requests_funding_when_it_is(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.approved())
    early = await until(nomination["id"], lambda row: row.vetting_status == "approved")
    requested_early = await world.published_types(nomination["id"])
    await bus.send(their.case_opened())
    await bus.send(their.seat_held())
    row = await until(nomination["id"], lambda row: row.status == "funding")

    assert early.status == "vetting"
    assert "funding_requested" not in requested_early
    assert row.vetting_status == "approved"  # the late case_opened did not undo the approval
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1


async def test_an_expired_seat_hold_cancels_the_nomination_administratively(
    world: World, bus: Bus, until: Until
) -> None:
    nomination = await world.submitted()
    their = Their(nomination)

    await bus.send(their.seat_held(), their.seat_released("hold_expired"))
    row = await until(nomination["id"], lambda row: row.status == "cancelled")

    cancelled = [
        e for e in await world.outbox(nomination["id"]) if e.type.endswith(".cancelled.v1")
    ]
    assert row.status_reason == "seat_hold_expired"
    assert cancelled[0].payload["reason"] == "administrative"


async def test_a_lapsed_approval_sends_a_ready_nomination_back_to_vetting_keeping_seat_and_funds(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await to_ready(world, bus, until)

    await bus.send(their.expired())
    revetting = await until(nomination["id"], lambda row: row.status == "vetting")
    await bus.send(their.approved())
    ready = await until(nomination["id"], lambda row: row.status == "ready_for_travel")

    assert (revetting.seat_status, revetting.funding_status) == ("confirmed", "obligated")
    assert ready.vetting_status == "approved"
    assert (await world.published_types(nomination["id"])).count("funding_requested") == 1


async def test_class_events_arriving_after_the_draft_let_it_be_submitted(
    world: World, bus: Bus, until: Until
) -> None:
    course = world.course_event()
    klass = world.class_event(course.masl_id)
    draft = await world.draft(klass, masl_id=course.masl_id)
    sco = world.as_("sco", "GTM")
    early = await world.client.post(f"{BASE}/{draft['id']}/submit", headers=sco)

    await bus.send(course, klass)
    late = await eventually(
        lambda: world.client.post(f"{BASE}/{draft['id']}/submit", headers=sco),
        lambda r: r.status_code == 200,
    )

    assert [e["code"] for e in early.json()["errors"]] == ["class-unknown"]
    assert late.json()["status"] == "submitted"


async def test_a_denial_after_re_vetting_a_funded_nomination_waits_for_seat_and_money_back(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await to_ready(world, bus, until)

    await bus.send(their.expired())
    await until(nomination["id"], lambda row: row.status == "vetting")
    await bus.send(their.denied())
    denied = await until(nomination["id"], lambda row: row.status == "vetting_denied")
    await bus.send(their.seat_released("vetting_denied", was="confirmed"))
    await bus.send(their.deobligated(returned="12000.00", penalty="0.00"))
    settled = await until(
        nomination["id"],
        lambda row: (
            row.compensations.get("deobligation") == "confirmed"
            and row.compensations.get("seat_release") == "confirmed"
        ),
    )

    assert denied.compensations == {"seat_release": "pending", "deobligation": "pending"}
    assert settled.status == "vetting_denied"

"""Reactions to nomination events, through the real consumer on the real broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from imet.services import definition
from shared.auth.principal import Principal, Role
from shared.contracts.nomination.v1 import NominationCancelledV1, NominationWithdrawnV1
from shared.messaging.kafka import physical_topic
from shared.runner import build_consumer
from shared.runtime import ServiceRuntime
from tests.helpers.fixtures import running
from tests.helpers.kafka import produce
from tests.helpers.waiting import eventually
from vetting.domain.decision import Result
from vetting.service_layer.cases import open_case
from vetting.service_layer.decisions import DecideCase, decide_case
from vetting.service_layer.registry import AddRegistryEntry, add_registry_entry

from .support import (
    applied,
    case_row,
    cases_of,
    cloud_event,
    office_now,
    open_command,
    staged_events,
    submitted,
    today,
)

VETTER = Principal(subject="vetter-arrange", roles=frozenset({Role.VETTER}))


@pytest.fixture(scope="module")
async def consuming(platform_ready: Any) -> AsyncIterator[ServiceRuntime[Any, Any]]:
    """One vetting consumer for the module (it keeps its offsets in the worker's database)."""
    d = definition("vetting")
    rt: ServiceRuntime[Any, Any] = ServiceRuntime(d, d.settings_factory())
    async with running(build_consumer(rt).run):
        yield rt
    await rt.aclose()


async def _deliver(topic_prefix: str, *records: Any) -> None:
    await produce(physical_topic("imet.nomination.events", topic_prefix), list(records))


async def _approve(rt: ServiceRuntime[Any, Any], event: Any) -> Any:
    policy = rt.settings.policy()
    async with rt.uow(VETTER) as uow:
        case = await open_case(uow, open_command(event), policy, office_now(rt))
    async with rt.uow(VETTER) as uow:
        command = DecideCase(
            result=Result.APPROVED, reason_code="cleared", rationale="No holdings."
        )
        await decide_case(uow, case.id, command, policy, office_now(rt))
    return case


async def test_a_case_opens_once_however_often_the_submission_arrives(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    event = submitted()
    first_id, resubmission_id = str(uuid.uuid4()), str(uuid.uuid4())

    await _deliver(
        topic_prefix,
        cloud_event(event, event_id=first_id),
        cloud_event(event, event_id=first_id),
        cloud_event(event, event_id=resubmission_id),
    )
    await eventually(lambda: applied(consuming, resubmission_id), bool)

    rows = await cases_of(consuming, event.nomination_id)
    assert len(rows) == 1
    assert rows[0].status == "open"
    events = await staged_events(consuming, rows[0].id)
    assert [t for t, _ in events] == ["imet.vetting.case_opened.v1"]
    assert events[0][1]["due_on"] == rows[0].due_on.isoformat()


async def test_a_still_valid_approval_of_the_same_person_is_reused_automatically(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    earlier = submitted()
    prior = await _approve(consuming, earlier)
    later = submitted(
        candidate_id=earlier.candidate_id,
        person_fingerprint=earlier.person_fingerprint,
        country=earlier.country,
        unit_name=earlier.unit_name.upper(),
    )

    await _deliver(topic_prefix, cloud_event(later))
    row = await eventually(
        lambda: case_row(consuming, later.nomination_id), lambda r: r is not None, timeout=60
    )

    assert row.status == "approved"
    assert row.reused_from_case_id == prior.id
    assert row.reason_code == "prior_approval_reused"
    types = [(t, p.get("automatic")) for t, p in await staged_events(consuming, row.id)]
    assert types == [("imet.vetting.case_opened.v1", None), ("imet.vetting.approved.v1", True)]
    approved = (await staged_events(consuming, row.id))[1][1]
    assert approved["reused_from_case_id"] == str(prior.id)
    assert approved["valid_until"] == row.valid_until.isoformat()


async def test_a_unit_on_the_registry_denies_the_case_with_the_entry_referenced(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    event = submitted()
    async with consuming.uow(VETTER) as uow:
        entry = await add_registry_entry(
            uow,
            AddRegistryEntry(event.country, f"  {event.unit_name.lower()} ", "INVEST-1", None),
            office_now(consuming),
        )

    await _deliver(topic_prefix, cloud_event(event))
    row = await eventually(
        lambda: case_row(consuming, event.nomination_id), lambda r: r is not None
    )

    assert row.status == "denied"
    assert row.registry_entry_id == entry.id
    denied = (await staged_events(consuming, row.id))[-1]
    assert denied[0] == "imet.vetting.denied.v1"
    assert denied[1]["reason_code"] == "unit_blocked"
    assert denied[1]["registry_entry_id"] == str(entry.id)


async def test_the_same_fingerprint_under_another_candidate_is_flagged_and_not_auto_approved(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    earlier = submitted()
    prior = await _approve(consuming, earlier)
    other_id = submitted(
        person_fingerprint=earlier.person_fingerprint,
        country=earlier.country,
        unit_name=earlier.unit_name,
    )

    await _deliver(topic_prefix, cloud_event(other_id))
    row = await eventually(
        lambda: case_row(consuming, other_id.nomination_id), lambda r: r is not None
    )

    assert row.status == "open"
    assert row.flagged_possible_duplicate
    assert row.possible_duplicate_of == prior.id
    opened = (await staged_events(consuming, row.id))[0][1]
    assert opened["flagged_possible_duplicate"] is True


async def test_a_withdrawal_cancels_an_undecided_case(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    event = submitted()
    withdrawn = NominationWithdrawnV1(
        nomination_id=event.nomination_id,
        country=event.country,
        class_id=event.class_id,
        masl_id=event.masl_id,
        fiscal_year=event.fiscal_year,
        withdrawn_on=today(),
        from_state="vetting",
    )
    withdrawal = cloud_event(withdrawn)

    await _deliver(topic_prefix, cloud_event(event), withdrawal)
    await eventually(lambda: applied(consuming, _id_of(withdrawal)), bool)

    row = await case_row(consuming, event.nomination_id)
    assert row.status == "cancelled"
    cancelled = (await staged_events(consuming, row.id))[-1]
    assert cancelled[0] == "imet.vetting.cancelled.v1"
    assert cancelled[1]["reason_code"] == "nomination_withdrawn"


async def test_a_cancelled_nomination_leaves_an_approved_case_approved(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    event = submitted()
    case = await _approve(consuming, event)
    cancellation = cloud_event(
        NominationCancelledV1(
            nomination_id=event.nomination_id,
            country=event.country,
            class_id=event.class_id,
            masl_id=event.masl_id,
            fiscal_year=event.fiscal_year,
            cancelled_on=today(),
            reason="administrative",
            initiated_by="us_government",
            from_state="funding",
        )
    )

    await _deliver(topic_prefix, cancellation)
    await eventually(lambda: applied(consuming, _id_of(cancellation)), bool)

    row = await case_row(consuming, event.nomination_id)
    assert row.status == "approved"
    assert [t for t, _ in await staged_events(consuming, case.id)][-1] == "imet.vetting.approved.v1"


async def test_a_withdrawal_that_overtakes_the_submission_leaves_no_case(
    consuming: ServiceRuntime[Any, Any], topic_prefix: str
) -> None:
    event = submitted(report_date=today() + timedelta(days=60))
    withdrawn = NominationWithdrawnV1(
        nomination_id=event.nomination_id,
        country=event.country,
        class_id=event.class_id,
        masl_id=event.masl_id,
        fiscal_year=event.fiscal_year,
        withdrawn_on=today(),
        from_state="submitted",
    )
    late_submission = cloud_event(event)

    await _deliver(topic_prefix, cloud_event(withdrawn), late_submission)
    await eventually(lambda: applied(consuming, _id_of(late_submission)), bool)

    assert await cases_of(consuming, event.nomination_id) == []


def _id_of(record: Any) -> str:
    return dict(record[2])["ce_id"].decode()

"""`nomination.candidate_changed`: the case takes the new facts and is vetted again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.contracts.nomination.v1 import CandidateChangedV1, NominationSubmittedV1
from vetting.domain.decision import Result
from vetting.service_layer.registry import AddRegistryEntry, add_registry_entry
from vetting.service_layer.reopening import CandidateChange, reopen_for_change

from .support import (
    SYSTEM,
    case_row,
    decide_as,
    office_now,
    open_case_now,
    staged_events,
    submitted,
    unique_unit,
)


def _change(event: NominationSubmittedV1, revision: int = 1, **facts: Any) -> CandidateChange:
    wire = CandidateChangedV1(
        nomination_id=event.nomination_id,
        country=event.country,
        candidate_id=event.candidate_id,
        changed_fields=facts.pop("fields", ["unit_name"]),
        person_fingerprint=facts.pop("person_fingerprint", event.person_fingerprint),
        unit_name=facts.pop("unit_name", event.unit_name),
        vetted_revision=revision,
        changed_at=datetime.now(UTC),
    )
    return CandidateChange(
        nomination_id=wire.nomination_id,
        candidate_id=wire.candidate_id,
        person_fingerprint=wire.person_fingerprint,
        unit_name=wire.unit_name,
        changed_fields=list(wire.changed_fields),
        vetted_revision=wire.vetted_revision,
    )


async def _reopen(runtime: Any, change: CandidateChange) -> Any:
    async with runtime.uow(SYSTEM) as uow:
        return await reopen_for_change(uow, change, runtime.settings.policy(), office_now(runtime))


async def test_an_approved_case_is_reopened_with_the_new_unit_and_announced(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("vetting")
    event = submitted()
    case = await open_case_now(runtime, event)
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-a")
    new_unit = unique_unit()

    await _reopen(runtime, _change(event, unit_name=new_unit))

    row = await case_row(runtime, event.nomination_id)
    events = await staged_events(runtime, case.id)
    assert (row.status, row.reason_code, row.vetted_revision) == ("open", "candidate_changed", 1)
    assert row.unit_name == new_unit
    assert row.valid_until is None
    assert events[-1][0] == "imet.vetting.case_reopened.v1"
    assert events[-1][1]["changed_fields"] == ["unit_name"]
    assert events[-1][1]["vetted_revision"] == 1


async def test_a_redelivered_or_older_change_changes_nothing(make_runtime: Any) -> None:
    runtime = await make_runtime("vetting")
    event = submitted()
    case = await open_case_now(runtime, event)
    await _reopen(runtime, _change(event, revision=2))
    before = await staged_events(runtime, case.id)

    await _reopen(runtime, _change(event, revision=2))
    await _reopen(runtime, _change(event, revision=1))

    assert await staged_events(runtime, case.id) == before
    assert (await case_row(runtime, event.nomination_id)).vetted_revision == 2


async def test_a_move_to_a_unit_on_the_registry_is_denied_at_once(make_runtime: Any) -> None:
    runtime = await make_runtime("vetting")
    event = submitted()
    case = await open_case_now(runtime, event)
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-a")
    listed = unique_unit()
    async with runtime.uow(SYSTEM) as uow:
        await add_registry_entry(
            uow,
            AddRegistryEntry(event.country, listed, "INVEST-9", None),
            office_now(runtime),
        )

    await _reopen(runtime, _change(event, unit_name=listed))

    row = await case_row(runtime, event.nomination_id)
    types = [t for t, _ in await staged_events(runtime, case.id)]
    assert (row.status, row.reason_code) == ("denied", "unit_blocked")
    assert types[-2:] == ["imet.vetting.case_reopened.v1", "imet.vetting.denied.v1"]


async def test_a_denied_case_takes_the_new_facts_but_stays_denied(make_runtime: Any) -> None:
    runtime = await make_runtime("vetting")
    event = submitted()
    case = await open_case_now(runtime, event)
    await decide_as(runtime, case.id, Result.DENIED, "derogatory_information", by="vetter-a")
    before = await staged_events(runtime, case.id)

    await _reopen(runtime, _change(event, fields=["rank"]))

    row = await case_row(runtime, event.nomination_id)
    assert (row.status, row.vetted_revision) == ("denied", 1)
    assert await staged_events(runtime, case.id) == before


async def test_an_approval_of_facts_that_changed_is_never_reused_for_a_new_case(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("vetting")
    event = submitted()
    case = await open_case_now(runtime, event)
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-a")

    later = await open_case_now(
        runtime,
        submitted(
            candidate_id=event.candidate_id, person_fingerprint=event.person_fingerprint,
            country=event.country, unit_name=event.unit_name, nomination_id=uuid.uuid4(),
            vetted_revision=1,
        ),
    )  # fmt: skip

    assert later.status.value == "open"
    assert later.current is None

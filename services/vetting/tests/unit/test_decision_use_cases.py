"""Vetters' decisions and the two-person rule, on the fakes (no PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from vetting.domain.decision import CaseStatus, Outcome, Result
from vetting.domain.errors import (
    CaseNotFound,
    ConcurrentModification,
    SecondVetterRequired,
    UnitBlocked,
)
from vetting.domain.validity import approval_valid_until
from vetting.service_layer.decisions import DecideCase, decide_case

from .arrange import (
    ANA,
    BEN,
    DAY,
    NOW,
    POLICY,
    TWO_PERSON,
    confirmed,
    decided,
    listed,
    opened,
    submission,
    uow,
)
from .factories import moment
from .fakes import VettingStore


async def test_an_approval_takes_effect_at_once_and_is_published_with_its_validity() -> None:
    store = VettingStore()
    case = await opened(store)

    after, decision = await decided(store, case.id)

    assert after.status is CaseStatus.APPROVED
    assert store.types() == ["case_opened", "approved"]
    approved = store.published()[-1][1]
    assert datetime.fromisoformat(approved["decided_at"]) == decision.decided_at
    assert approved["automatic"] is False
    assert approved["valid_until"] == approval_valid_until(DAY, 12).isoformat()
    assert [a.action for a in store.audits] == ["case.opened", "case.decided"]


async def test_under_the_two_person_rule_a_denial_waits_and_nothing_is_published() -> None:
    store = VettingStore()
    case = await opened(store)

    after, pending = await decided(
        store, case.id, Result.DENIED, "derogatory_information", policy=TWO_PERSON
    )

    assert after.status is CaseStatus.PENDING_CONFIRMATION
    assert pending.requires_confirmation
    assert store.types() == ["case_opened"]


async def test_a_second_vetters_confirmation_makes_the_denial_effective_and_published() -> None:
    store = VettingStore()
    case = await opened(store)
    _, pending = await decided(
        store, case.id, Result.DENIED, "derogatory_information", policy=TWO_PERSON
    )

    after, decision = await confirmed(store, case.id, pending.id, by=BEN)

    assert after.status is CaseStatus.DENIED
    assert decision.confirmation is not None
    assert decision.confirmation.confirmed_by == BEN.subject
    assert store.types() == ["case_opened", "denied"]
    assert store.audits[-1].action == "decision.confirmed"


async def test_an_approval_confirmed_later_is_valid_from_the_day_of_the_confirmation() -> None:
    store = VettingStore()
    first = await opened(store)
    await decided(store, first.id)
    flagged = await opened(store, submission(person_fingerprint=first.person_fingerprint))
    _, pending = await decided(store, flagged.id, policy=TWO_PERSON)
    later = DAY + timedelta(days=3)

    await confirmed(store, flagged.id, pending.id, by=BEN, now=moment(later))

    approved = store.published()[-1]
    assert approved[0] == "imet.vetting.approved.v1"
    assert approved[1]["case_id"] == str(flagged.id)
    assert approved[1]["valid_until"] == approval_valid_until(later, 12).isoformat()


async def test_the_vetter_who_filed_a_decision_cannot_confirm_it_and_nothing_changes() -> None:
    store = VettingStore()
    case = await opened(store)
    _, pending = await decided(
        store, case.id, Result.DENIED, "derogatory_information", by=ANA, policy=TWO_PERSON
    )
    audits_before = len(store.audits)

    with pytest.raises(SecondVetterRequired):
        await confirmed(store, case.id, pending.id, by=ANA)

    assert store.cases[case.id].status is CaseStatus.PENDING_CONFIRMATION
    assert len(store.audits) == audits_before
    assert store.types() == ["case_opened"]


async def test_a_rejected_confirmation_returns_the_case_and_publishes_nothing() -> None:
    store = VettingStore()
    case = await opened(store)
    _, pending = await decided(
        store, case.id, Result.DENIED, "derogatory_information", policy=TWO_PERSON
    )

    after, _ = await confirmed(store, case.id, pending.id, Outcome.REJECTED, by=BEN)

    assert after.status is CaseStatus.OPEN
    assert store.types() == ["case_opened"]
    assert store.audits[-1].action == "decision.rejected"


async def test_no_member_of_a_unit_on_the_registry_can_be_approved() -> None:
    store = VettingStore()
    case = await opened(store)
    await listed(store, case.country, case.unit_name)
    events_before = store.types()

    with pytest.raises(UnitBlocked):
        await decided(store, case.id)

    assert store.cases[case.id].status is CaseStatus.OPEN
    assert store.types() == events_before


async def test_a_decision_on_a_case_changed_since_it_was_read_is_refused() -> None:
    store = VettingStore()
    case = await opened(store)
    stale = store.cases[case.id].version

    def if_match(case_id: uuid.UUID, version: int) -> None:
        if version != stale:
            raise ConcurrentModification("stale")

    await decided(store, case.id, Result.SUSPENDED, "under_review")
    command = DecideCase(Result.APPROVED, "cleared", "Cleared after all.")

    with pytest.raises(ConcurrentModification):
        async with uow(store, ANA) as work:
            await decide_case(work, case.id, command, POLICY, NOW, check=if_match)

    assert store.cases[case.id].status is CaseStatus.SUSPENDED


async def test_a_decision_on_an_unknown_case_is_not_found() -> None:
    with pytest.raises(CaseNotFound):
        await decided(VettingStore(), uuid.uuid4())

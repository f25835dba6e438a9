"""Vetting's reactions to nomination events, bound as the consumer binds them
(`definition.reactions()`, from the declared flow and the settings), on the fakes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.contracts import flow
from shared.contracts.envelope import Envelope, IntegrationEvent, new_event_id
from shared.contracts.nomination.v1 import (
    CandidateChangedV1,
    NominationCancelledV1,
    NominationSubmittedV1,
    NominationWithdrawnV1,
)
from shared.runtime import Reaction
from vetting.bootstrap import definition
from vetting.domain.decision import CaseStatus

from .arrange import decided, listed, uow
from .fakes import VettingStore

Reactions = Mapping[type[IntegrationEvent], Reaction]


def _reactions(monkeypatch: pytest.MonkeyPatch, **env: str) -> Reactions:
    monkeypatch.setenv("VETTING_DATABASE_URL", "postgresql+asyncpg://fast-tier/never-connected")
    for name, value in env.items():
        monkeypatch.setenv(f"VETTING_{name.upper()}", value)
    return definition.reactions()


@pytest.fixture
def reactions(monkeypatch: pytest.MonkeyPatch) -> Reactions:
    return _reactions(monkeypatch)


async def _deliver(reactions: Reactions, store: VettingStore, event: IntegrationEvent) -> None:
    """As the consumer applies an event: parsed from its envelope, then staged and committed."""
    envelope = Envelope(
        id=new_event_id(), type=event.TYPE, source="/imet/nomination",
        time=datetime.now(UTC), subject=event.aggregate_id(), data=event.body(),
    )  # fmt: skip
    model = type(event)
    async with uow(store) as work:
        await reactions[model](envelope.parse(model), envelope, work)
        await work.commit()


def _submitted(**overrides: Any) -> NominationSubmittedV1:
    start = datetime.now(UTC).date() + timedelta(days=90)
    fields: dict[str, Any] = {
        "nomination_id": uuid.uuid4(), "country": "GTM", "candidate_id": uuid.uuid4(),
        "person_fingerprint": uuid.uuid4().hex, "unit_name": f"{uuid.uuid4().hex[:8]} Bn",
        "class_id": uuid.uuid4(), "masl_id": "D177014", "fiscal_year": 2027,
        "funding_source": "imet", "start_date": start, "end_date": start + timedelta(days=70),
        "report_date": start - timedelta(days=2), "submitted_at": datetime.now(UTC),
    }  # fmt: skip
    return NominationSubmittedV1(**(fields | overrides))


def _closing(kind: type[IntegrationEvent], event: NominationSubmittedV1) -> IntegrationEvent:
    common = {
        "nomination_id": event.nomination_id, "country": event.country,
        "class_id": event.class_id, "masl_id": event.masl_id, "fiscal_year": event.fiscal_year,
    }  # fmt: skip
    today = datetime.now(UTC).date()
    if kind is NominationWithdrawnV1:
        return NominationWithdrawnV1(**common, withdrawn_on=today, from_state="vetting")
    return NominationCancelledV1(
        **common, cancelled_on=today, reason="administrative",
        initiated_by="us_government", from_state="funding",
    )  # fmt: skip


def _case_of(store: VettingStore, nomination_id: uuid.UUID) -> Any:
    return next(c for c in store.cases.values() if c.nomination_id == nomination_id)


def test_every_reaction_declared_for_vetting_is_bound(reactions: Reactions) -> None:
    declared = {s.event for s in flow.subscriptions_of("vetting")}

    assert set(reactions) == declared


async def test_a_submission_opens_one_case_however_often_it_arrives(reactions: Reactions) -> None:
    store, event = VettingStore(), _submitted()

    for _ in range(2):
        await _deliver(reactions, store, event)

    assert len(store.cases) == 1
    assert _case_of(store, event.nomination_id).status is CaseStatus.OPEN
    assert store.types() == ["case_opened"]


async def test_a_withdrawal_cancels_an_undecided_case(reactions: Reactions) -> None:
    store, event = VettingStore(), _submitted()
    await _deliver(reactions, store, event)

    await _deliver(reactions, store, _closing(NominationWithdrawnV1, event))

    assert _case_of(store, event.nomination_id).status is CaseStatus.CANCELLED
    kind, body = store.published()[-1]
    assert (kind, body["reason_code"]) == ("imet.vetting.cancelled.v1", "nomination_withdrawn")


async def test_a_cancelled_nomination_leaves_an_approved_case_approved(
    reactions: Reactions,
) -> None:
    store, event = VettingStore(), _submitted()
    await _deliver(reactions, store, event)
    await decided(store, _case_of(store, event.nomination_id).id)

    await _deliver(reactions, store, _closing(NominationCancelledV1, event))

    assert _case_of(store, event.nomination_id).status is CaseStatus.APPROVED
    assert store.types()[-1] == "approved"


async def test_a_withdrawal_that_overtakes_the_submission_leaves_no_case(
    reactions: Reactions,
) -> None:
    store, event = VettingStore(), _submitted()

    await _deliver(reactions, store, _closing(NominationWithdrawnV1, event))
    await _deliver(reactions, store, event)

    assert store.cases == {}
    assert store.outbox == []


async def test_a_candidate_change_reopens_the_case_with_the_new_facts(
    reactions: Reactions,
) -> None:
    store, event = VettingStore(), _submitted()
    await _deliver(reactions, store, event)
    await decided(store, _case_of(store, event.nomination_id).id)
    change = CandidateChangedV1(
        nomination_id=event.nomination_id, candidate_id=event.candidate_id,
        country=event.country, person_fingerprint=uuid.uuid4().hex,
        unit_name=event.unit_name, changed_fields=["family_names"], vetted_revision=1,
        changed_at=datetime.now(UTC),
    )  # fmt: skip

    await _deliver(reactions, store, change)

    case = _case_of(store, event.nomination_id)
    assert (case.status, case.person_fingerprint) == (CaseStatus.OPEN, change.person_fingerprint)
    kind, body = store.published()[-1]
    assert (kind, body["changed_fields"]) == ("imet.vetting.case_reopened.v1", ["family_names"])


async def test_the_settings_unit_block_policy_reaches_the_reactions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reviewing = _reactions(monkeypatch, unit_block_policy="review")
    store, event = VettingStore(), _submitted()
    await listed(store, event.country, event.unit_name)

    await _deliver(reviewing, store, event)

    case = _case_of(store, event.nomination_id)
    assert (case.status, case.standing.reason_code) == (CaseStatus.SUSPENDED, "unit_blocked")
    assert store.types()[-2:] == ["case_opened", "suspended"]

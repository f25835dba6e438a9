"""Arranging use-case tests on the fakes: people, commands with unique data, common steps."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from shared.auth.principal import Principal, Role
from vetting.domain.case import VettingCase
from vetting.domain.decision import DecisionPolicy, Outcome, Result
from vetting.domain.moment import Moment
from vetting.domain.registry import RegistryEntry
from vetting.service_layer.cases import OpenCase, open_case
from vetting.service_layer.decisions import (
    ConfirmDecision,
    DecideCase,
    confirm_decision,
    decide_case,
)
from vetting.service_layer.registry import AddRegistryEntry, add_registry_entry

from .factories import moment
from .fakes import FakeVettingUnitOfWork, VettingStore

DAY = date(2026, 12, 1)
NOW = moment(DAY)
POLICY = DecisionPolicy()
TWO_PERSON = DecisionPolicy(two_person_rule=True)
SYSTEM = Principal(subject="system:vetting", roles=frozenset({Role.SERVICE}))
ANA = Principal(subject="vetter-ana", roles=frozenset({Role.VETTER}))
BEN = Principal(subject="vetter-ben", roles=frozenset({Role.VETTER}))


def uow(store: VettingStore, actor: Principal = SYSTEM) -> FakeVettingUnitOfWork:
    return FakeVettingUnitOfWork(store, actor)


def submission(**overrides: Any) -> OpenCase:
    """The command of a new nomination's submission (unique ids, fingerprint and unit)."""
    fields: dict[str, Any] = {
        "nomination_id": uuid.uuid4(),
        "candidate_id": uuid.uuid4(),
        "person_fingerprint": uuid.uuid4().hex,
        "country": "GTM",
        "unit_name": f"{uuid.uuid4().hex[:8]} Infantry Battalion",
        "class_id": uuid.uuid4(),
        "report_date": DAY + timedelta(days=120),
    }
    return OpenCase(**(fields | overrides))


async def opened(
    store: VettingStore,
    command: OpenCase | None = None,
    *,
    policy: DecisionPolicy = POLICY,
    now: Moment = NOW,
) -> VettingCase:
    async with uow(store) as work:
        case = await open_case(work, command or submission(), policy, now)
    assert case is not None
    return case


async def decided(
    store: VettingStore,
    case_id: uuid.UUID,
    result: Result = Result.APPROVED,
    reason: str = "cleared",
    *,
    by: Principal = ANA,
    policy: DecisionPolicy = POLICY,
    now: Moment = NOW,
) -> Any:
    command = DecideCase(result, reason, "Holdings checked.")
    async with uow(store, by) as work:
        return await decide_case(work, case_id, command, policy, now)


async def confirmed(
    store: VettingStore,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    outcome: Outcome = Outcome.CONFIRMED,
    *,
    by: Principal = BEN,
    now: Moment = NOW,
) -> Any:
    command = ConfirmDecision(outcome, "Reviewed the file.")
    async with uow(store, by) as work:
        return await confirm_decision(work, case_id, decision_id, command, TWO_PERSON, now)


async def listed(
    store: VettingStore, country: str, unit_name: str | None = None, **options: Any
) -> RegistryEntry:
    command = AddRegistryEntry(country, unit_name, "INVEST-1", None, **options)
    async with uow(store, ANA) as work:
        return await add_registry_entry(work, command, NOW)

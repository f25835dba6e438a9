"""Listing a unit re-reviews the approvals its members hold (look-back), on the fakes."""

from __future__ import annotations

import uuid

import pytest

from vetting.domain.decision import CaseStatus
from vetting.domain.errors import UnitAlreadyListed
from vetting.domain.units import Unit, UnitMatch
from vetting.service_layer.cases import cancel_case_for_nomination
from vetting.service_layer.registry import (
    RemediateRegistryEntry,
    extend_registry_entry,
    remediate_registry_entry,
)
from vetting.service_layer.units import RegisterUnit, register_unit

from .arrange import ANA, NOW, decided, listed, opened, submission, uow
from .fakes import VettingStore


async def _unit(store: VettingStore, name: str, parent: Unit | None = None) -> Unit:
    async with uow(store, ANA) as work:
        return await register_unit(
            work, RegisterUnit("GTM", name, parent.id if parent else None), NOW
        )


async def _approved_member(store: VettingStore, unit: Unit) -> uuid.UUID:
    case = await opened(store, submission(unit_name=unit.name, unit_id=unit.id))
    await decided(store, case.id)
    return case.id


async def test_listing_a_unit_suspends_the_standing_approvals_of_its_members() -> None:
    store = VettingStore()
    unit, other = await _unit(store, f"{uuid.uuid4().hex[:6]} Bn"), await _unit(store, "Other Bn")
    member, bystander = await _approved_member(store, unit), await _approved_member(store, other)
    undecided = await opened(store, submission(unit_name=unit.name, unit_id=unit.id))

    entry = await listed(store, "GTM", unit_id=unit.id)

    suspended = store.cases[member]
    assert (suspended.status, suspended.standing.reason_code) == (
        CaseStatus.SUSPENDED,
        "unit_listed",
    )
    assert store.cases[bystander].status is CaseStatus.APPROVED
    assert store.cases[undecided.id].status is CaseStatus.OPEN
    notices = [b for t, b in store.published() if t == "imet.vetting.approval_suspended.v1"]
    assert [(n["case_id"], n["registry_entry_id"], n["unit_id"]) for n in notices] == [
        (str(member), str(entry.id), str(unit.id))
    ]
    assert store.audits[-1].action == "case.suspended_by_registry"


async def test_subunits_are_reached_only_when_the_entry_is_extended_to_them() -> None:
    store = VettingStore()
    brigade = await _unit(store, f"{uuid.uuid4().hex[:6]} Brigade")
    battalion = await _unit(store, "1st Battalion", parent=brigade)
    company = await _unit(store, "A Company", parent=battalion)
    member = await _approved_member(store, company)
    entry = await listed(store, "GTM", unit_id=brigade.id)
    untouched = store.cases[member].status

    async with uow(store, ANA) as work:
        extended = await extend_registry_entry(work, entry.id, NOW)

    assert untouched is CaseStatus.APPROVED
    assert extended.include_subunits
    assert store.cases[member].status is CaseStatus.SUSPENDED
    assert store.types()[-1] == "approval_suspended"


async def test_a_case_named_only_by_free_text_is_linked_to_the_only_unit_of_that_name() -> None:
    store = VettingStore()
    name = f"{uuid.uuid4().hex[:6]} Task Force"
    free_text = await opened(store, submission(unit_name=name.upper()))
    await decided(store, free_text.id)

    entry = await listed(store, "GTM", name)

    case = store.cases[free_text.id]
    assert case.unit_match is UnitMatch.BY_NAME
    assert case.unit_id == entry.unit_id
    assert case.status is CaseStatus.SUSPENDED
    # The unit was registered by the listing: announced before the suspensions it caused.
    assert store.types()[-2:] == ["unit_registered", "approval_suspended"]


async def test_the_approval_of_a_closed_nomination_is_left_alone() -> None:
    store = VettingStore()
    unit = await _unit(store, f"{uuid.uuid4().hex[:6]} Bn")
    member = await _approved_member(store, unit)
    async with uow(store) as work:
        await cancel_case_for_nomination(
            work,
            store.cases[member].nomination_id,
            reason_code="administrative",
            closed_as="cancelled",
            now=NOW,
        )

    await listed(store, "GTM", unit_id=unit.id)

    assert store.cases[member].status is CaseStatus.APPROVED
    assert "approval_suspended" not in store.types()


async def test_a_unit_has_one_active_entry_and_remediation_lets_a_vetter_approve_again() -> None:
    store = VettingStore()
    unit = await _unit(store, f"{uuid.uuid4().hex[:6]} Bn")
    member = await _approved_member(store, unit)
    entry = await listed(store, "GTM", unit_id=unit.id)
    with pytest.raises(UnitAlreadyListed):
        await listed(store, "GTM", unit_id=unit.id)

    async with uow(store, ANA) as work:
        await remediate_registry_entry(
            work, entry.id, RemediateRegistryEntry("Unit reconstituted.", None), NOW
        )
    await decided(store, member)

    assert store.cases[member].status is CaseStatus.APPROVED
    assert store.types()[-1] == "approved"
    assert [e.active for e in store.entries.values()] == [False]

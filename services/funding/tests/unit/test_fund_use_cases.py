"""Appropriations and allocations on the fakes: the ceilings stay within the appropriation, an
allocation never drops below what is used, a change is versioned, published and kept in its
history; a unit of work left without commit keeps nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funding.domain.allocation import TrancheSpec
from funding.domain.errors import (
    AllocationBelowCommitted,
    AllocationsExceedAppropriation,
    TrancheInUse,
)
from funding.service_layer.funds import change_allocation, set_allocation, set_appropriation
from funding.service_layer.obligate import request_funding
from services.funding.tests.unit.builders import FY, TODAY, FakeFunding, country, course

D = Decimal


def _any_version(version: int) -> None:
    """A precondition that accepts the current version (If-Match matched)."""


async def test_allocations_of_a_fiscal_year_never_exceed_its_appropriation() -> None:
    fake, first, second = FakeFunding(), country(), country()
    tranche = [TrancheSpec(D("100000.00"), date(FY, 9, 30))]
    await fake.funded({first: D("70000.00")}, tranches=tranche)

    with pytest.raises(AllocationsExceedAppropriation):
        async with fake.uow() as uow:
            await set_allocation(uow, second, FY, D("30000.01"), "too much")

    assert [a.country for a in fake.store.allocations.values()] == [first]
    assert fake.store.types() == ["appropriation_set", "allocation_set"]


async def test_reprogramming_moves_the_ceiling_keeps_its_history_and_publishes_the_change() -> None:
    fake, code = FakeFunding(), country()
    ids = await fake.funded({code: D("50000.00")})

    async with fake.uow() as uow:
        changed = await change_allocation(
            uow, ids[code], D("65000.00"), "moved from unused ceiling", _any_version
        )

    assert (changed.balance.amount, changed.version) == (D("65000.00"), 2)
    assert [(c.previous_amount, c.new_amount) for c in fake.store.allocation_changes] == [
        (None, D("50000.00")),
        (D("50000.00"), D("65000.00")),
    ]
    assert fake.published("allocation_changed") == [
        {
            "allocation_id": str(ids[code]),
            "country": code,
            "fiscal_year": FY,
            "amount": "65000.00",
            "reason": "reprogramming",
            "previous_amount": "50000.00",
        }
    ]
    assert fake.consistent(code)


async def test_an_allocation_cannot_drop_below_what_is_obligated_and_a_drawn_tranche_stays() -> (
    None
):
    fake, c, code = FakeFunding(), course(), country()
    await fake.known(c)
    ids = await fake.funded({code: D("50000.00")})
    async with fake.uow() as uow:
        await request_funding(uow, c.request(code), TODAY)

    with pytest.raises(AllocationBelowCommitted):
        async with fake.uow() as uow:
            await change_allocation(uow, ids[code], c.cost - D("0.01"), "cut", _any_version)
    with pytest.raises(TrancheInUse):
        async with fake.uow() as uow:
            await set_appropriation(
                uow, FY, D("60000.00"), [TrancheSpec(D("60000.00"), date(FY, 6, 30))], _any_version
            )

    assert fake.store.stored_balances(code, FY).allocated == D("50000.00")
    assert [t.drawn for t in fake.store.tranches.values()] == [c.cost]


async def test_a_unit_of_work_left_without_commit_keeps_nothing() -> None:
    fake = FakeFunding()

    async with fake.uow() as uow:
        await uow.appropriations.ensure(FY)
        uow.audit("appropriation.set", "appropriation", str(FY))

    assert (fake.store.appropriations, fake.store.audits, fake.store.outbox) == ({}, [], [])

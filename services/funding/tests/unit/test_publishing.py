"""Domain events become the published contracts in one place (`adapters.publishing`): each
domain event names exactly the contract's facts, so nothing is copied by hand or dropped."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from datetime import date
from decimal import Decimal

from funding.adapters import publishing
from funding.domain import events
from funding.domain.allocation import AllocationBalance, AllocationRecord
from shared.contracts.funding import v1


def test_every_domain_event_has_a_contract_with_exactly_its_fields() -> None:
    raised = set(typing.get_args(events.DomainEvent))

    mismatched = {
        kind.__name__: (names, set(contract.model_fields))
        for kind, contract in publishing.CONTRACTS.items()
        if (names := {f.name for f in dataclasses.fields(kind)}) != set(contract.model_fields)
    }

    assert set(publishing.CONTRACTS) == raised
    assert mismatched == {}


def test_an_allocation_change_is_published_with_its_code_and_previous_amount() -> None:
    record = AllocationRecord(uuid.uuid4(), "GTM", 2031, 3, AllocationBalance(Decimal("90.00")))

    published = publishing.contract(
        events.allocation_changed(record, "reprogramming", Decimal("100.00"))
    )

    assert isinstance(published, v1.AllocationChangedV1)
    assert (published.amount, published.previous_amount, published.reason) == (
        Decimal("90.00"),
        Decimal("100.00"),
        "reprogramming",
    )


def test_an_appropriation_is_published_with_the_day_its_funds_become_available() -> None:
    event = events.AppropriationSet(
        fiscal_year=2031, amount=Decimal("10.00"), tranches=(), available_from=date(2030, 10, 1)
    )

    published = publishing.contract(event)

    assert isinstance(published, v1.AppropriationSetV1)
    assert published.tranches == []
    assert published.available_from == date(2030, 10, 1)

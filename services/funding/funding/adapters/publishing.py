"""Domain event -> published contract (`shared.contracts.funding.v1`): the only place one is
built. The unit of work stages them in the outbox of its transaction (`stage`).

The domain events name their facts as the contracts do (`tests/unit/test_publishing.py`
compares the fields), so the translation is the contract type of each event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from funding.domain import events as domain
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.funding import v1

CONTRACTS: dict[type[domain.DomainEvent], type[IntegrationEvent]] = {
    domain.AppropriationSet: v1.AppropriationSetV1,
    domain.AllocationSet: v1.AllocationSetV1,
    domain.AllocationChanged: v1.AllocationChangedV1,
    domain.ObligationRecorded: v1.ObligationRecordedV1,
    domain.ObligationRejected: v1.ObligationRejectedV1,
    domain.PenaltyCharged: v1.PenaltyChargedV1,
    domain.Deobligated: v1.DeobligatedV1,
    domain.ProgramApproved: v1.ProgramApprovedV1,
    domain.ProgramLineFilled: v1.ProgramLineFilledV1,
    domain.CeilingPulledBack: v1.CeilingPulledBackV1,
    domain.CeilingRedistributed: v1.CeilingRedistributedV1,
    domain.YearEndRunCompleted: v1.YearEndRunCompletedV1,
}


def contract(event: domain.DomainEvent) -> IntegrationEvent:
    """The published contract of a domain event (validated: a bad code fails here, loudly)."""
    return CONTRACTS[type(event)].model_validate(dataclasses.asdict(event))


def stage(
    publish: Callable[[IntegrationEvent], None], events: Iterable[domain.DomainEvent]
) -> None:
    """Hand each event's contract, in order, to the unit of work's outbox (`publish`)."""
    for event in events:
        publish(contract(event))

"""When a fiscal year's funds may first be obligated, and the requests that waited for it.

Rule (ADR 0061, SAMM chapter 10): IMET funds are available for obligation in their fiscal year,
so FY N money is never obligated before 1 October of N-1 - unless a funding officer records
advance availability, an explicit, audited act with a reason. A request that arrives earlier
waits (`pending_availability`); it is decided the day the funds become available (the job) or
at once when advance availability makes them available today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from funding.domain import events
from funding.domain.allocation import AppropriationRecord
from funding.domain.errors import AvailabilityNotAdvance, NoAppropriation
from funding.service_layer.obligate import retry_available
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.contracts.types import fiscal_year_bounds
from shared.errors import PreconditionRequired


def availability_view(record: AppropriationRecord) -> dict[str, Any]:
    return {
        "fiscal_year": record.fiscal_year,
        "available_from": record.available_from.isoformat() if record.available_from else None,
        "availability_reason": record.availability_reason,
    }


async def advance_availability(
    uow: FundingUnitOfWork,
    fiscal_year: int,
    available_from: date,
    reason: str,
    precondition: Callable[[int], None] | None,
    today: date,
) -> tuple[AppropriationRecord, int]:
    """Record advance availability: the fiscal year's funds may be obligated from
    `available_from`, before the fiscal year begins (never later than its first day). Needs the
    appropriation's current version (If-Match) and a reason; audited and published
    (`appropriation_set` with `available_from`). Requests that waited and may now be obligated
    are decided at once; returns the appropriation and how many were decided."""
    if precondition is None:
        raise PreconditionRequired("Send If-Match with the appropriation's ETag.")
    record = await uow.appropriations.get(fiscal_year, lock=True)
    if record is None:
        raise NoAppropriation(f"FY{fiscal_year} has no appropriation yet: record it first.")
    precondition(record.version)
    first_day, _ = fiscal_year_bounds(fiscal_year)
    if available_from > first_day:
        raise AvailabilityNotAdvance(
            f"FY{fiscal_year} funds are available from {first_day.isoformat()} by law; advance "
            "availability can only bring that day forward."
        )
    before = availability_view(record)
    await uow.appropriations.set_availability(record, available_from, reason, uow.actor.subject)
    uow.audit(
        "appropriation.availability_advanced", "appropriation", str(fiscal_year),
        before=before, after=availability_view(record),
    )  # fmt: skip
    uow.emit(events.appropriation_set(record))
    decided = await retry_available(uow, fiscal_year, today) if available_from <= today else 0
    await uow.commit()
    return record, decided


async def decide_waiting_requests(uow: FundingUnitOfWork, today: date) -> int:
    """The job's pass: decide every request whose fiscal year's funds are available today."""
    decided = 0
    for fiscal_year in await uow.appropriations.waiting_years(today):
        decided += await retry_available(uow, fiscal_year, today)
    await uow.commit()
    return decided

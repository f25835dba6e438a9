"""A funding request from the nomination service, and what became of it.

A request is decided once (`obligated`, `rejected`, `duplicate`, `withdrawn`); until then it
waits for the catalog's facts (`pending_reference_data`) or for its fiscal year's funds
(`pending_availability`) or, outside its country's approved program, for a funding officer's
exception (`pending_program_exception`, ADR 0116).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from funding.domain.obligation import FundingSource, RequestStatus

WAITING = (
    RequestStatus.PENDING_REFERENCE_DATA,
    RequestStatus.PENDING_AVAILABILITY,
    RequestStatus.PENDING_PROGRAM_EXCEPTION,
)


@dataclass
class FundingRequest:
    request_id: uuid.UUID
    nomination_id: uuid.UUID
    country: str
    fiscal_year: int
    class_id: uuid.UUID
    masl_id: str
    funding_source: FundingSource
    with_dependents: bool
    status: RequestStatus = RequestStatus.PENDING_REFERENCE_DATA
    reason: str | None = None
    obligation_id: uuid.UUID | None = None

    def view(self) -> dict[str, object]:
        """The request as an audit record shows it (strings, no objects)."""
        return {k: str(v) if v is not None else None for k, v in dataclasses.asdict(self).items()}

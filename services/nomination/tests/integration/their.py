"""The other services' events about one nomination, built from their published contracts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from services.nomination.tests.integration.support import TODAY, Bus, Until, World
from shared.contracts.catalog import v1 as catalog
from shared.contracts.funding import v1 as funding
from shared.contracts.vetting import v1 as vetting


class Their:
    """The other services' events about one nomination, as they would publish them."""

    def __init__(self, nomination: dict[str, Any]):
        self.n = nomination
        self.id = uuid.UUID(nomination["id"])
        self.class_id = uuid.UUID(nomination["class_id"])
        self.case_id = uuid.uuid4()
        self.obligation_id = uuid.uuid4()

    def _seat(self) -> dict[str, Any]:
        return {"class_id": self.class_id, "masl_id": self.n["masl_id"], "nomination_id": self.id}

    def _case(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "nomination_id": self.id, "country": self.n["country"]}

    def _line(self) -> dict[str, Any]:
        return {
            "nomination_id": self.id,
            "country": self.n["country"],
            "fiscal_year": self.n["fiscal_year"],
        }

    def seat_held(self, promoted: bool = False) -> catalog.SeatHeldV1:
        return catalog.SeatHeldV1(
            **self._seat(),
            hold_expires_at=datetime.now(UTC) + timedelta(days=60),
            seats_available=3,
            promoted_from_waitlist=promoted,
        )

    def seat_waitlisted(self, position: int = 1) -> catalog.SeatWaitlistedV1:
        return catalog.SeatWaitlistedV1(**self._seat(), position=position)

    def seat_confirmed(self) -> catalog.SeatConfirmedV1:
        return catalog.SeatConfirmedV1(**self._seat())

    def seat_released(self, reason: str, was: str = "held") -> catalog.SeatReleasedV1:
        return catalog.SeatReleasedV1(**self._seat(), reason=reason, was=was)  # type: ignore[arg-type]

    def class_cancelled(self) -> catalog.ClassCancelledV1:
        return catalog.ClassCancelledV1(
            class_id=self.class_id,
            masl_id=self.n["masl_id"],
            reason="instructor shortage",
            cancelled_at=datetime.now(UTC),
            affected_nomination_ids=[self.id],
        )

    def case_opened(self) -> vetting.CaseOpenedV1:
        return vetting.CaseOpenedV1(
            **self._case(),
            candidate_id=uuid.UUID(self.n["candidate_id"]),
            unit_name="unit",
            opened_on=TODAY,
            due_on=TODAY + timedelta(days=14),
        )

    def approved(self, valid_until: date | None = None) -> vetting.VettingApprovedV1:
        return vetting.VettingApprovedV1(
            **self._case(),
            candidate_id=uuid.UUID(self.n["candidate_id"]),
            valid_until=valid_until or TODAY + timedelta(days=365),
            decided_at=datetime.now(UTC),
        )

    def suspended(self) -> vetting.VettingSuspendedV1:
        return vetting.VettingSuspendedV1(
            **self._case(), decided_at=datetime.now(UTC), reason_code="insufficient_information"
        )

    def denied(self) -> vetting.VettingDeniedV1:
        return vetting.VettingDeniedV1(
            **self._case(), decided_at=datetime.now(UTC), reason_code="derogatory_information"
        )

    def vetting_cancelled(self) -> vetting.VettingCancelledV1:
        return vetting.VettingCancelledV1(
            **self._case(), decided_at=datetime.now(UTC), reason_code="nomination_withdrawn"
        )

    def expired(self) -> vetting.VettingExpiredV1:
        return vetting.VettingExpiredV1(
            **self._case(),
            candidate_id=uuid.UUID(self.n["candidate_id"]),
            lapsed_on=TODAY,
            report_date=TODAY + timedelta(days=100),
        )

    def obligated(self, amount: str = "23456.78") -> funding.ObligationRecordedV1:
        return funding.ObligationRecordedV1(
            **self._line(),
            obligation_id=self.obligation_id,
            class_id=self.class_id,
            masl_id=self.n["masl_id"],
            funding_source=self.n["funding_source"],
            amount=Decimal(amount),
            tuition=Decimal("12000.00"),
            travel=Decimal("2456.78"),
            living_allowance=Decimal("9000.00"),
            lodging_per_day=Decimal("150.00"),
            meals_per_day=Decimal("64.29"),
            incidentals_per_day=Decimal("11.00"),
            living_allowance_days=40,
        )

    def rejected(self, reason: str = "insufficient_funds") -> funding.ObligationRejectedV1:
        return funding.ObligationRejectedV1(
            **self._line(),
            reason=reason,
            requested_amount=Decimal("23456.78"),  # type: ignore[arg-type]
            available_amount=Decimal("1000.00"),
        )

    def deobligated(self, returned: str, penalty: str) -> funding.DeobligatedV1:
        return funding.DeobligatedV1(
            **self._line(),
            obligation_id=self.obligation_id,
            amount_returned=Decimal(returned),
            penalty_amount=Decimal(penalty),
            reason="withdrawn",
        )

    def penalty(self, amount: str) -> funding.PenaltyChargedV1:
        return funding.PenaltyChargedV1(
            **self._line(),
            obligation_id=self.obligation_id,
            amount=Decimal(amount),
            rule="late_cancellation_50pct",
        )


async def to_funding(
    world: World, bus: Bus, until: Until, **changes: Any
) -> tuple[dict[str, Any], Their]:
    """Submitted, case opened, vetting approved, seat held: funding requested."""
    nomination = await world.submitted(**changes)
    their = Their(nomination)
    await bus.send(their.case_opened(), their.approved())
    await bus.send(their.seat_held())
    await until(nomination["id"], lambda row: row.status == "funding")
    return nomination, their


async def to_ready(
    world: World, bus: Bus, until: Until, **changes: Any
) -> tuple[dict[str, Any], Their]:
    """A nomination the whole pipeline has cleared: obligated, seat confirmed, ready for travel."""
    nomination, their = await to_funding(world, bus, until, **changes)
    await bus.send(their.obligated())
    await bus.send(their.seat_confirmed())
    await until(nomination["id"], lambda row: row.status == "ready_for_travel")
    return nomination, their

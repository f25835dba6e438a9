"""The undo steps a withdrawal or cancellation sets off, and the facts that confirm them.

When a nomination ends early, each owning service undoes its own step (ADR 0004): catalog
releases the seat or waitlist place, funding deobligates, vetting cancels an undecided case.
The nomination records which of them it expects (`pending`) and marks each `confirmed` when the
owner's event arrives, so the SCO sees that the seat and the money really were given back.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from nomination.domain.machine import Fact, Progress
from nomination.domain.states import Funding, Seat, State, Vetting


class Compensation(StrEnum):
    SEAT_RELEASE = "seat_release"
    DEOBLIGATION = "deobligation"
    VETTING_CANCELLATION = "vetting_cancellation"


PENDING = "pending"
CONFIRMED = "confirmed"
NOT_NEEDED = "not_needed"

CONFIRMED_BY: Mapping[Fact, Compensation] = {
    Fact.SEAT_RELEASED: Compensation.SEAT_RELEASE,
    Fact.DEOBLIGATED: Compensation.DEOBLIGATION,
    Fact.VETTING_CANCELLED: Compensation.VETTING_CANCELLATION,
}


def expected(before: Progress) -> dict[str, str]:
    """The compensations a nomination that ends now (from `before`) waits for."""
    if before.state is State.DRAFT:
        return {}  # nothing outside this service knows of a draft
    steps: dict[str, str] = {}
    if before.seat is not Seat.RELEASED:
        steps[Compensation.SEAT_RELEASE] = PENDING  # held, waitlisted, confirmed or about to be
    if before.funding in (Funding.REQUESTED, Funding.OBLIGATED):
        steps[Compensation.DEOBLIGATION] = PENDING
    if before.vetting in (Vetting.NONE, Vetting.PENDING, Vetting.SUSPENDED):
        steps[Compensation.VETTING_CANCELLATION] = PENDING
    return steps


def after_denial(before: Progress) -> dict[str, str]:
    """What a vetting denial leaves to undo: the catalog releases the seat and funding releases
    any money on the denial itself (ADR 0004); the case is decided, so nothing to cancel."""
    steps = expected(before)
    steps.pop(Compensation.VETTING_CANCELLATION, None)
    return steps


def confirm(steps: Mapping[str, str], fact: Fact) -> dict[str, str] | None:
    """The steps with the one `fact` confirms marked done; None when it confirms nothing new."""
    if fact is Fact.OBLIGATION_REJECTED and steps.get(Compensation.DEOBLIGATION) == PENDING:
        # The request crossed the withdrawal and was refused: there is nothing to give back.
        return {**steps, Compensation.DEOBLIGATION: NOT_NEEDED}
    step = CONFIRMED_BY.get(fact)
    if step is None or steps.get(step) == CONFIRMED:
        return None
    return {**steps, step: CONFIRMED}

"""Errors the nomination rules raise; the HTTP layer turns them into problem+json."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, DomainError, NotFound


class InvalidTransition(Exception):
    """A move off the state graph: a bug in the process manager, never a user's mistake."""


class TransitionRefused(Conflict):
    code = "transition-refused"
    title = "The nomination cannot do that in its current state"

    def __init__(self, detail: str, *, failed: list[str], **extra: Any) -> None:
        super().__init__(detail, failed=failed, **extra)


class NominationInvalid(DomainError):
    """Validation at the door: `errors` lists every rule that failed; nothing was stored."""

    code = "nomination-invalid"
    status = 422
    title = "The nomination does not pass validation"


class NominationNotFound(NotFound):
    code = "nomination-not-found"


class CandidateNotFound(NotFound):
    code = "candidate-not-found"


class CountryNotFound(NotFound):
    code = "country-not-found"


class TravelOrderNotFound(NotFound):
    code = "travel-order-not-found"


class DuplicateNomination(Conflict):
    code = "duplicate-nomination"
    title = "The person already has an active nomination for this class"


class DuplicateCandidate(Conflict):
    code = "duplicate-candidate"
    title = "A candidate with this passport number already exists for the country"


class NotEditable(Conflict):
    code = "not-editable"
    title = "These fields can no longer be changed"


class TravelOrderGateClosed(Conflict):
    code = "ito-gate-closed"
    title = "The travel order cannot be issued: screening is incomplete"


class NameChangeNeedsNewPassport(DomainError):
    code = "name-change-needs-new-passport"
    status = 422
    title = "A change of names needs the new passport's number"


class UnitUnknown(DomainError):
    code = "unit-unknown"
    status = 422
    title = "No such unit of the candidate's country in the vetting registry (yet)"


class UnitMismatch(DomainError):
    code = "unit-mismatch"
    status = 422
    title = "unit_name does not name the unit of unit_id"


class ConstraintViolated(Exception):
    """The store refused a write (a unique rule: one open nomination per candidate and class, one
    active nomination per person and class, one candidate per passport). The use case that made
    the write says which business rule it is; this is never an answer by itself."""

"""Business refusals of the vetting rules; each becomes a problem+json answer with its code."""

from __future__ import annotations

from shared.errors import Conflict, DomainError, Forbidden, NotFound


class CaseNotFound(NotFound):
    code = "vetting-case-not-found"


class DecisionNotFound(NotFound):
    code = "vetting-decision-not-found"


class RegistryEntryNotFound(NotFound):
    code = "registry-entry-not-found"


class CaseClosed(Conflict):
    """The case has a final result (approved, denied, cancelled): it takes no more decisions."""

    code = "vetting-case-closed"


class DecisionPendingConfirmation(Conflict):
    code = "decision-pending-confirmation"


class NotPendingConfirmation(Conflict):
    code = "decision-not-pending-confirmation"


class TransitionNotAllowed(Conflict):
    code = "vetting-transition-not-allowed"


class UnitBlocked(Conflict):
    """A unit on the derogatory registry blocks approval of its members until remediation."""

    code = "unit-blocked"


class UnitAlreadyListed(Conflict):
    code = "unit-already-listed"


class AlreadyRemediated(Conflict):
    code = "registry-entry-already-remediated"


class ReasonNotAllowed(DomainError):
    code = "reason-code-not-allowed"
    title = "Reason code does not fit the result"


class SecondVetterRequired(Forbidden):
    """Two-person rule: the vetter who filed a decision cannot confirm it."""

    code = "second-vetter-required"
    title = "A second vetter must confirm"


class UnitNotFound(NotFound):
    code = "unit-not-found"


class UnitExists(Conflict):
    code = "unit-exists"
    title = "A unit with this country, name and parent is registered"


class UnitCountryMismatch(DomainError):
    code = "unit-country-mismatch"
    status = 422
    title = "The unit belongs to another country"


class ConcurrentModification(Conflict):
    """The case or entry changed since it was read (its version moved on): retry."""

    code = "concurrent-modification"

"""Business refusals of the funding service; each becomes a problem+json with a stable code."""

from __future__ import annotations

from shared.errors import Conflict, DomainError, NotFound


class AppropriationNotFound(NotFound):
    code = "appropriation-not-found"


class AllocationNotFound(NotFound):
    code = "allocation-not-found"


class ObligationNotFound(NotFound):
    code = "obligation-not-found"


class ReferenceDataNotFound(NotFound):
    code = "reference-data-not-found"


class NoAppropriation(Conflict):
    code = "no-appropriation"
    title = "No appropriation for the fiscal year"


class AllocationExists(Conflict):
    code = "allocation-exists"
    title = "The country already has an allocation for the fiscal year"


class AllocationsExceedAppropriation(Conflict):
    code = "allocations-exceed-appropriation"
    title = "Country allocations would exceed the appropriation"


class AllocationBelowCommitted(Conflict):
    code = "allocation-below-obligated"
    title = "An allocation cannot be reduced below what is obligated against it"


class AppropriationBelowAllocated(Conflict):
    code = "appropriation-below-allocated"
    title = "The appropriation cannot be reduced below the sum of its allocations"


class TrancheInUse(Conflict):
    code = "tranche-in-use"
    title = "A tranche cannot shrink below, or drop, what was drawn from it"


class InvalidTranches(DomainError):
    code = "invalid-tranches"
    title = "The tranches do not fit the appropriation"


class PenaltyRuleExists(Conflict):
    code = "penalty-rule-exists"
    title = "A penalty rule with this code exists"


class ClassUnknown(DomainError):
    code = "class-unknown"
    title = "The class (or its course) is not known to funding yet"


class NoTuitionRate(DomainError):
    code = "no-tuition-rate"
    title = "The course has no tuition rate for the class's fiscal year"


class InvalidParameter(DomainError):
    code = "invalid-parameter"
    title = "The value does not fit the parameter"


class AvailabilityNotAdvance(DomainError):
    code = "availability-not-advance"
    status = 422
    title = "Advance availability can only bring the first day forward"


class ProgramNotFound(NotFound):
    code = "program-not-found"


class ProgramLineNotFound(NotFound):
    code = "program-line-not-found"


class ProgramExists(Conflict):
    code = "program-exists"
    title = "The country already has a program for the fiscal year"


class WorkControlNumberTaken(Conflict):
    code = "work-control-number-taken"
    title = "The program already has a line with this work-control number"


class ProgramApproved(Conflict):
    code = "program-approved"
    title = "An approved program's lines can only be cancelled"


class ProgramChecksFailed(DomainError):
    code = "program-checks-failed"
    status = 422
    title = "The program fails the planning checks"


class RequestNotHeld(Conflict):
    code = "request-not-held"
    title = "The funding request is not waiting for a program exception"


class FundingRequestNotFound(NotFound):
    code = "funding-request-not-found"

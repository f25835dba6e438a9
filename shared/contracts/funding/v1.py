"""Events the funding service publishes on `imet.funding.events` (version 1).

Obligation events are keyed by the nomination (one training line per nomination), so all money
movements of a nomination stay in order. Amounts are USD strings with 2 decimals on the wire.
Reasons travel as codes; a funding officer's own words stay in the funding service (its
allocation history and ledger), readable there by role (docs/adr/0057).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.types import CountryCode, FiscalYear, MaslId, Money, OpenCode

TOPIC = "imet.funding.events"

RejectionReason = Literal[
    "insufficient_funds",
    "funds_expired",
    "no_allocation",
    "no_appropriation",
    "no_tuition_rate",
    "class_unknown",
]
FundingSource = Literal["imet", "eimet"]
# Why an allocation was set or changed (open code sets: unknown values read as "other").
AllocationReason = Literal[
    "initial_allocation",
    "reprogramming",
    "congressional_action",
    "rescission",
    "correction",
    "year_end_pull_back",
    "year_end_redistribution",
    "other",
]
# Why an obligation was released.
DeobligationReason = Literal[
    "withdrawn",
    "cancelled_class_cancelled",
    "cancelled_sanctions",
    "cancelled_administrative",
    "vetting_denied",
    "training_ended_early",
    "seat_refilled",
    "other",
]
_LEGACY_TEXT = "Events published before 2026-12 may hold free text here, read as `other`."


class TrancheV1(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    amount: Money
    available_until: date


class AppropriationSetV1(IntegrationEvent):
    """Congress's IMET appropriation for a fiscal year was recorded or changed."""

    TYPE: ClassVar[str] = "imet.funding.appropriation_set.v1"
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "appropriation"
    KEY_FIELD: ClassVar[str] = "fiscal_year"

    fiscal_year: FiscalYear
    amount: Money
    tranches: list[TrancheV1]
    available_from: date | None = Field(
        None,
        description="First day the funds may be obligated: the fiscal year's first day unless "
        "a funding officer recorded advance availability",
    )


class _AllocationEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "allocation"
    KEY_FIELD: ClassVar[str] = "allocation_id"

    allocation_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    amount: Money
    reason: Annotated[AllocationReason, OpenCode()] = Field(
        description="Why, as a code. The funding officer's explanation stays in the funding "
        f"service (the allocation's history). {_LEGACY_TEXT}"
    )


class AllocationSetV1(_AllocationEvent):
    """A country's allocation (ceiling) for a fiscal year was set."""

    TYPE: ClassVar[str] = "imet.funding.allocation_set.v1"


class AllocationChangedV1(_AllocationEvent):
    """A country's allocation was changed (reprogramming)."""

    TYPE: ClassVar[str] = "imet.funding.allocation_changed.v1"

    previous_amount: Money


class _LineEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "obligation"
    KEY_FIELD: ClassVar[str] = "nomination_id"

    nomination_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear


class ObligationRecordedV1(_LineEvent):
    """Funds were obligated for a nomination's training line."""

    TYPE: ClassVar[str] = "imet.funding.obligation_recorded.v1"

    obligation_id: UUID
    class_id: UUID
    masl_id: MaslId
    funding_source: FundingSource
    amount: Money
    tuition: Money
    travel: Money
    living_allowance: Money
    lodging_per_day: Money | None = Field(
        None, description="TLA lodging rate obligated (quarters / dependents decide it)"
    )
    meals_per_day: Money | None = Field(None, description="TLA meals rate obligated")
    incidentals_per_day: Money | None = Field(None, description="TLA incidentals ($11/day)")
    living_allowance_days: int | None = Field(
        None, ge=0, description="Days the living allowance was obligated for"
    )


class ObligationRejectedV1(_LineEvent):
    """Funds could not be obligated; the nomination waits or ends (see `reason`)."""

    TYPE: ClassVar[str] = "imet.funding.obligation_rejected.v1"

    reason: RejectionReason
    requested_amount: Money | None = None
    available_amount: Money | None = None


class DeobligatedV1(_LineEvent):
    """An obligation was released; `amount_returned` went back to the country's allocation."""

    TYPE: ClassVar[str] = "imet.funding.deobligated.v1"

    obligation_id: UUID
    amount_returned: Money
    penalty_amount: Money
    reason: Annotated[DeobligationReason, OpenCode()] = Field(
        description=f"Why the obligation was released, as a code. {_LEGACY_TEXT}"
    )
    amount_lapsed: Money | None = Field(
        None, description="Released after the funds expired: lapsed, NOT returned to the allocation"
    )


class PenaltyChargedV1(_LineEvent):
    """A cancellation or non-completion charge stays obligated against the allocation."""

    TYPE: ClassVar[str] = "imet.funding.penalty_charged.v1"

    obligation_id: UUID
    amount: Money
    rule: str


# --- Country programs and the year-end run (ADR 0115-0117) ----------------------------------


class ProgramApprovedV1(IntegrationEvent):
    """A country's training program for a fiscal year passed the planning checks and was
    approved by a funding officer; its A and B lines are now open for nominations."""

    TYPE: ClassVar[str] = "imet.funding.program_approved.v1"
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "country_program"
    KEY_FIELD: ClassVar[str] = "program_id"

    program_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    approved_total: Money = Field(description="Estimated cost of the A and B lines")
    pme_total: Money
    priority_a_total: Money
    ceiling: Money
    lines: int = Field(ge=0, description="Lines approved (A and B)")


class ProgramLineFilledV1(_LineEvent):
    """A nomination's obligation filled one student of an approved program line; the
    difference is actual minus the line's estimate (negative: cheaper than planned)."""

    TYPE: ClassVar[str] = "imet.funding.program_line_filled.v1"

    program_id: UUID
    line_id: UUID
    obligation_id: UUID
    masl_id: MaslId
    estimated_amount: Money
    actual_amount: Money
    difference: Money = Field(description="actual - estimated (negative: cheaper than planned)")
    filled: int = Field(ge=0)
    quantity: int = Field(ge=1)


class _YearEndEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "allocation"
    KEY_FIELD: ClassVar[str] = "allocation_id"

    run_id: UUID
    allocation_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    amount: Money
    previous_amount: Money = Field(description="The allocation before this step")


class CeilingPulledBackV1(_YearEndEvent):
    """Year end: a country's unused ceiling (allocation - obligations - lines still expected
    to obligate) was pulled back to the fiscal year's unallocated funds."""

    TYPE: ClassVar[str] = "imet.funding.ceiling_pulled_back.v1"

    obligated: Money = Field(description="Obligated, charged and lapsed against the allocation")
    expected: Money = Field(description="Approved lines still expected to obligate")


class CeilingRedistributedV1(_YearEndEvent):
    """Year end: pulled-back money was allocated to another country for one of its
    priority-B PME / E-IMET lines (end-of-year money may fund those only)."""

    TYPE: ClassVar[str] = "imet.funding.ceiling_redistributed.v1"

    line_id: UUID


class YearEndRunCompletedV1(IntegrationEvent):
    """A year-end pull-back and redistribution run was applied (dry runs publish nothing)."""

    TYPE: ClassVar[str] = "imet.funding.year_end_run_completed.v1"
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "year_end_run"
    KEY_FIELD: ClassVar[str] = "run_id"

    run_id: UUID
    fiscal_year: FiscalYear
    pulled_back: Money
    redistributed: Money
    left_unallocated: Money
    countries: int = Field(ge=0, description="Countries the run looked at")

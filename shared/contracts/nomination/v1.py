"""Events the nomination service publishes on `imet.nomination.events` (version 1).

The nomination service is the process manager of the pipeline; its events drive the others.
No personal data on this topic: the candidate appears as an id and a keyed fingerprint
(HMAC of normalized names, date of birth and country) that lets vetting recognise the same
person without learning who it is. Vetters read the person's details from the nomination API
with their own token (ADR 0005). Reasons travel as codes: what an SCO or an administrator
writes in their own words stays in the nomination service (its status reason and history,
readable by role through its API; docs/adr/0057).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.types import CountryCode, FiscalYear, MaslId, OpenCode

TOPIC = "imet.nomination.events"

FundingSource = Literal["imet", "eimet"]
NominationState = Literal[
    "draft",
    "submitted",
    "vetting",
    "funding",
    "ready_for_travel",
    "in_training",
    "completed",
    "training_terminated",
    "waitlisted",
    "vetting_denied",
    "vetting_suspended",
    "funding_rejected",
    "withdrawn",
    "cancelled",
]

# Why the SCO withdrew a nomination (open code sets: unknown values read as "other").
WithdrawalReason = Literal[
    "candidate_unavailable",
    "operational_needs",
    "course_mismatch",
    "duplicate_nomination",
    "not_stated",
    "other",
]
# Why a nomination changed state: its own commands, the cancellations, and the facts and
# reason codes of the other services' events that moved it (each one listed here; a test
# holds the list complete against those services' code sets).
StateChangeReason = Literal[
    # commands of the nomination API
    "submitted",
    "withdrawn_by_sco",
    "funding_retried",
    "reported",
    "completed",
    "terminated",
    # cancellations (NominationCancelledV1.reason)
    "class_cancelled",
    "sanctions",
    "administrative",
    # facts learned from the other services
    "case_opened",
    "vetting_approved",
    "vetting_suspended",
    "vetting_denied",
    "vetting_expired",
    "vetting_cancelled",
    "vetting_reopened",
    "seat_held",
    "seat_waitlisted",
    "seat_confirmed",
    "seat_released",
    "obligation_recorded",
    "obligation_rejected",
    "deobligated",
    "promoted_from_waitlist",
    "class_full",
    # vetting's reason codes
    "insufficient_information",
    "under_review",
    "derogatory_information",
    "unit_blocked",
    "nomination_withdrawn",
    "approval_lapsed",
    "prior_approval_reused",
    "cleared",
    # funding's rejection reasons
    "insufficient_funds",
    "funds_expired",
    "no_allocation",
    "no_appropriation",
    "no_tuition_rate",
    "class_unknown",
    # catalog's seat release reasons
    "seat_released_withdrawn",
    "seat_released_cancelled",
    "seat_released_vetting_denied",
    "seat_released_hold_expired",
    "seat_released_class_cancelled",
    "seat_released_released_by_manager",
    "other",
]
_LEGACY_TEXT = "Events published before 2026-12 may hold free text here, read as `other`."


class _NominationEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "nomination"
    KEY_FIELD: ClassVar[str] = "nomination_id"

    nomination_id: UUID
    country: CountryCode


class NominationCreatedV1(_NominationEvent):
    """An SCO created a draft nomination."""

    TYPE: ClassVar[str] = "imet.nomination.created.v1"

    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear
    funding_source: FundingSource


class NominationSubmittedV1(_NominationEvent):
    """A nomination passed validation at the door and entered the pipeline."""

    TYPE: ClassVar[str] = "imet.nomination.submitted.v1"

    candidate_id: UUID
    person_fingerprint: str = Field(description="HMAC-SHA256 of the normalized identity; no PII")
    unit_name: str
    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear
    funding_source: FundingSource
    start_date: date
    end_date: date
    report_date: date
    with_dependents: bool = False
    submitted_at: datetime
    vetted_revision: int | None = Field(
        None, ge=0, description="Revision of the candidate's vetted facts this submission carries"
    )
    unit_id: UUID | None = Field(
        None, description="The unit's registry identity (vetting units), when the SCO chose it"
    )


class NominationStateChangedV1(_NominationEvent):
    """Every transition of the nomination state machine."""

    TYPE: ClassVar[str] = "imet.nomination.state_changed.v1"

    from_state: NominationState
    to_state: NominationState
    reason: Annotated[StateChangeReason, OpenCode()] | None = Field(
        None, description=f"Why, as a code (never the words of a person). {_LEGACY_TEXT}"
    )
    cause_event_id: str | None = None


class FundingRequestedV1(_NominationEvent):
    """Vetting approved and a seat is held: funding, please obligate this training line."""

    TYPE: ClassVar[str] = "imet.nomination.funding_requested.v1"

    request_id: UUID
    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear
    funding_source: FundingSource
    with_dependents: bool = False


class NominationWithdrawnV1(_NominationEvent):
    """The SCO withdrew the nomination: release the seat, cancel vetting, deobligate."""

    TYPE: ClassVar[str] = "imet.nomination.withdrawn.v1"

    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear
    withdrawn_on: date
    from_state: NominationState
    reason: Annotated[WithdrawalReason, OpenCode()] | None = Field(
        None,
        description="The SCO's reason, as a code; the SCO's own words stay in the nomination "
        f"service (status reason and history). {_LEGACY_TEXT}",
    )


class NominationCancelledV1(_NominationEvent):
    """The nomination was cancelled (class cancelled, sanctions, administrative)."""

    TYPE: ClassVar[str] = "imet.nomination.cancelled.v1"

    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear
    cancelled_on: date
    reason: Literal["class_cancelled", "sanctions", "administrative"]
    initiated_by: Literal["country", "us_government"]
    from_state: NominationState


class TrainingEndedV1(_NominationEvent):
    """The student left training: completed, or stopped early after `days_attended` days."""

    TYPE: ClassVar[str] = "imet.nomination.training_ended.v1"

    class_id: UUID
    completed: bool
    days_attended: int = Field(ge=0)
    ended_on: date


class ItoIssuedV1(_NominationEvent):
    """An Invitational Travel Order was issued (or a corrected version of it)."""

    TYPE: ClassVar[str] = "imet.nomination.ito_issued.v1"

    ito_number: str
    version: int
    issued_at: datetime


RecallReason = Literal[
    "withdrawn",
    "cancelled",
    "vetting_denied",
    "unit_listed",
    "vetting_suspended",
    "approval_lapsed",
    "candidate_changed",
    "revetting",
    "seat_released",
    "deobligated",
    "eimet_certification_lapsed",
    "screening_incomplete",
]


class ItoRecalledV1(_NominationEvent):
    """An issued travel order stopped being valid: a fact behind it is no longer true.

    The order (`ito_number` version `version`) can never be used again; a new version is issued
    only once the whole gate holds again. `missing` lists the gate items that failed (codes).
    """

    TYPE: ClassVar[str] = "imet.nomination.ito_recalled.v1"

    ito_number: str
    version: int
    recalled_at: datetime
    reason: RecallReason
    missing: list[str] = Field(default_factory=list)


VettedField = Literal[
    "family_names",
    "given_names",
    "date_of_birth",
    "place_of_birth",
    "unit_name",
    "unit_id",
    "service",
    "rank",
]


class CandidateChangedV1(_NominationEvent):
    """A fact vetting decided on changed for this nomination's candidate: vetting re-opens.

    One event per active nomination of the person (keyed by the nomination, so it stays in
    order with that nomination's submission). It names WHICH vetted fields changed, never their
    values (ADR 0005): a vetter reads the person from the nomination API, audited. The unit is
    an organisation and travels as on `submitted`; `vetted_revision` numbers the candidate's
    vetted facts, and a decision on an older revision no longer counts.
    """

    TYPE: ClassVar[str] = "imet.nomination.candidate_changed.v1"

    candidate_id: UUID
    changed_fields: list[VettedField]
    person_fingerprint: str = Field(description="HMAC-SHA256 of the normalized identity; no PII")
    unit_name: str
    vetted_revision: int = Field(ge=1)
    changed_at: datetime
    unit_id: UUID | None = Field(None, description="The unit's registry identity, if chosen")

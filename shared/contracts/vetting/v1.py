"""Events the vetting service publishes on `imet.vetting.events` (version 1), keyed by case.

No personal data: a case names the candidate by id and the unit by name. Decisions carry a
reason CODE the SCO may see; the vetter's free-text rationale stays inside the vetting service.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.types import CountryCode

TOPIC = "imet.vetting.events"

ReasonCode = Literal[
    "insufficient_information",
    "under_review",
    "derogatory_information",
    "unit_blocked",
    "nomination_withdrawn",
    "administrative",
    "approval_lapsed",
    "prior_approval_reused",
    "cleared",
]


class _CaseEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "vetting_case"
    KEY_FIELD: ClassVar[str] = "case_id"

    case_id: UUID
    nomination_id: UUID
    country: CountryCode


class CaseOpenedV1(_CaseEvent):
    """A vetting case was opened for a nomination's candidate and unit."""

    TYPE: ClassVar[str] = "imet.vetting.case_opened.v1"

    candidate_id: UUID
    unit_name: str
    opened_on: date
    due_on: date
    flagged_possible_duplicate: bool = False


class VettingApprovedV1(_CaseEvent):
    """Cleared: the candidate and unit may receive assistance until `valid_until`."""

    TYPE: ClassVar[str] = "imet.vetting.approved.v1"

    candidate_id: UUID
    valid_until: date
    decided_at: datetime
    automatic: bool = False
    reused_from_case_id: UUID | None = None
    reason_code: ReasonCode = "cleared"
    vetted_revision: int | None = Field(
        None, ge=0, description="Revision of the candidate's vetted facts the approval is about"
    )


class VettingSuspendedV1(_CaseEvent):
    """Not cleared for now (more information needed / under review); may be re-decided."""

    TYPE: ClassVar[str] = "imet.vetting.suspended.v1"

    decided_at: datetime
    reason_code: ReasonCode


class VettingDeniedV1(_CaseEvent):
    """Denied: credible information of a gross violation of human rights (person or unit)."""

    TYPE: ClassVar[str] = "imet.vetting.denied.v1"

    decided_at: datetime
    reason_code: ReasonCode
    registry_entry_id: UUID | None = None


class VettingCancelledV1(_CaseEvent):
    """The case was closed without a result (e.g. the nomination was withdrawn)."""

    TYPE: ClassVar[str] = "imet.vetting.cancelled.v1"

    decided_at: datetime
    reason_code: ReasonCode


class VettingExpiredV1(_CaseEvent):
    """The approval lapses before the class report date: the case was re-opened for re-vetting."""

    TYPE: ClassVar[str] = "imet.vetting.expired.v1"

    candidate_id: UUID
    lapsed_on: date
    report_date: date


ReopenReason = Literal["candidate_changed"]


class CaseReopenedV1(_CaseEvent):
    """The facts the case was decided on changed (the candidate's names, birth, unit, service or
    rank): a new vetting cycle started; any earlier result no longer counts."""

    TYPE: ClassVar[str] = "imet.vetting.case_reopened.v1"

    candidate_id: UUID
    reason_code: ReopenReason
    changed_fields: list[str]
    reopened_on: date
    due_on: date
    vetted_revision: int = Field(ge=0)


class UnitRegisteredV1(IntegrationEvent):
    """A security-force unit got its registry identity: country + normalized name + parent.

    Candidates reference units by this id, so a registry listing reaches its members by
    identity rather than by how a name was typed. Units are organisations: no personal data.
    """

    TYPE: ClassVar[str] = "imet.vetting.unit_registered.v1"
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "unit"
    KEY_FIELD: ClassVar[str] = "unit_id"

    unit_id: UUID
    country: CountryCode
    unit_name: str
    parent_unit_id: UUID | None = None
    registered_at: datetime


SuspensionReason = Literal["unit_listed"]


class ApprovalSuspendedV1(_CaseEvent):
    """A still-valid approval was suspended by a registry review: the candidate's unit (or a
    unit above it, when the entry covers subunits) was put on the derogatory-information
    registry. Not cleared until a vetter re-approves after remediation."""

    TYPE: ClassVar[str] = "imet.vetting.approval_suspended.v1"

    decided_at: datetime
    reason_code: SuspensionReason
    registry_entry_id: UUID
    unit_id: UUID | None = None

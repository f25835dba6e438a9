"""How a case's vetting cycles end and begin again without a vetter: cancellation when the
nomination is gone, re-opening when an approval lapses or the vetted facts change, suspension
when the unit is listed, and the automatic checks' decisions. Mixed into `VettingCase` (one
aggregate, two modules); each transition raises the event the pipeline must hear."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from vetting.domain.calendar import add_working_days
from vetting.domain.decision import (
    UNDECIDED,
    CaseStatus,
    Decision,
    DecisionPolicy,
    Result,
    derive_status,
    last_effective,
)
from vetting.domain.errors import TransitionNotAllowed
from vetting.domain.events import (
    ApprovalLapsed,
    ApprovalSuspended,
    CaseReopened,
    DomainEvent,
    decision_took_effect,
)
from vetting.domain.moment import Moment
from vetting.domain.units import Link, UnitMatch
from vetting.domain.validity import lapses_on

# A case whose facts changed is decided again from the start, whatever it said - except a
# denial (final) and a cancellation (the nomination is gone).
REOPENED_ON_CHANGE = frozenset(
    {CaseStatus.OPEN, CaseStatus.PENDING_CONFIRMATION, CaseStatus.APPROVED, CaseStatus.SUSPENDED}
)


@dataclass(frozen=True)
class VettedFacts:
    """The candidate's vetted facts as the nomination service last sent them (ADR 0062)."""

    person_fingerprint: str
    unit_name: str
    link: Link
    vetted_revision: int
    possible_duplicate_of: UUID | None


class CaseCycles:
    id: UUID
    nomination_id: UUID
    candidate_id: UUID
    country: str
    person_fingerprint: str
    unit_name: str
    unit_id: UUID | None
    unit_match: UnitMatch
    flagged_possible_duplicate: bool
    possible_duplicate_of: UUID | None
    vetted_revision: int
    history: list[Decision]
    events: list[DomainEvent]
    cycle_started_on: date
    due_on: date
    report_date: date

    @property
    def _status(self) -> CaseStatus:
        return derive_status(self.history)

    def cancel_for_nomination(self, *, reason_code: str, by: str, when: Moment) -> Decision | None:
        """The nomination is gone: an undecided case is cancelled; a decided one stays as is."""
        if self._status not in UNDECIDED:
            return None
        decision = self._append_automatic(
            Result.CANCELLED, reason_code, "The nomination was withdrawn or cancelled.", by, when
        )
        self.events.append(decision_took_effect(self, decision))
        return decision

    def reopen_for_lapse(self, *, by: str, when: Moment, policy: DecisionPolicy) -> Decision:
        """The approval lapses before the report date: a new vetting cycle starts today."""
        if self._status is not CaseStatus.APPROVED:
            raise TransitionNotAllowed(
                f"Only an approved case is re-opened, not a {self._status} one."
            )
        current = last_effective(self.history)
        valid_until = current.effective_valid_until if current else None
        assert valid_until is not None  # an approved case has a validity (CHECK in the table)
        rationale = (
            f"The approval valid until {valid_until} lapses before the report date "
            f"{self.report_date}: re-vetting required."
        )
        decision = self._reopen("approval_lapsed", rationale, by, when, policy)
        self.events.append(
            ApprovalLapsed(
                case_id=self.id, nomination_id=self.nomination_id, country=self.country,
                candidate_id=self.candidate_id, lapsed_on=lapses_on(valid_until),
                report_date=self.report_date,
            )
        )  # fmt: skip
        return decision

    def reopen_for_change(
        self,
        facts: VettedFacts,
        *,
        fields: list[str],
        by: str,
        when: Moment,
        policy: DecisionPolicy,
    ) -> Decision | None:
        """The candidate's vetted facts changed: the case takes them, a new vetting cycle
        starts today and any earlier result (or pending one) no longer counts. A denied or
        cancelled case takes the facts and stays as it is."""
        self.person_fingerprint, self.unit_name = facts.person_fingerprint, facts.unit_name
        self.unit_id, self.unit_match = facts.link.unit_id, facts.link.match
        self.vetted_revision = facts.vetted_revision
        self.flagged_possible_duplicate = facts.possible_duplicate_of is not None
        self.possible_duplicate_of = facts.possible_duplicate_of
        if self._status not in REOPENED_ON_CHANGE:
            return None
        rationale = (
            f"The candidate's vetted facts changed ({', '.join(fields)}): vetting starts again."
        )
        decision = self._reopen("candidate_changed", rationale, by, when, policy)
        self.events.append(
            CaseReopened(
                case_id=self.id, nomination_id=self.nomination_id, country=self.country,
                candidate_id=self.candidate_id, changed_fields=tuple(fields),
                reopened_on=when.on, due_on=self.due_on, vetted_revision=self.vetted_revision,
            )
        )  # fmt: skip
        return decision

    def suspend_for_listing(self, *, entry_id: UUID, by: str, when: Moment) -> Decision | None:
        """The unit was put on the registry: a still-standing approval no longer clears the
        person (held for a vetter's review; re-approved after remediation). Only approvals."""
        if self._status is not CaseStatus.APPROVED:
            return None
        rationale = (
            f"Automatic registry review: the unit was put on the derogatory-information registry "
            f"(entry {entry_id}); the approval is suspended until a vetter decides again."
        )
        decision = self._append_automatic(
            Result.SUSPENDED, "unit_listed", rationale, by, when, registry_entry_id=entry_id
        )
        self.events.append(
            ApprovalSuspended(
                case_id=self.id, nomination_id=self.nomination_id, country=self.country,
                decided_at=decision.effective_at, registry_entry_id=entry_id,
                unit_id=self.unit_id,
            )
        )  # fmt: skip
        return decision

    def record_automatic(self, decision: Decision) -> None:
        """Append a decision taken by the automatic checks when the case opened or re-opened;
        announced at once unless it waits for a second vetter (two-person rule)."""
        if self.history and self._status is not CaseStatus.OPEN:
            raise TransitionNotAllowed("Automatic checks run only on an open case.")
        self.history.append(decision)
        if not decision.requires_confirmation:
            self.events.append(decision_took_effect(self, decision))

    def _reopen(
        self, reason_code: str, rationale: str, by: str, when: Moment, policy: DecisionPolicy
    ) -> Decision:
        self.cycle_started_on = when.on
        self.due_on = add_working_days(when.on, policy.turnaround_working_days)
        return self._append_automatic(Result.REOPENED, reason_code, rationale, by, when)

    def _append_automatic(
        self,
        result: Result,
        reason_code: str,
        rationale: str,
        by: str,
        when: Moment,
        *,
        registry_entry_id: UUID | None = None,
    ) -> Decision:
        decision = Decision(
            id=uuid.uuid4(),
            result=result,
            reason_code=reason_code,
            rationale=rationale,
            decided_by=by,
            decided_at=when.at,
            decided_on=when.on,
            cycle_started_on=self.cycle_started_on,
            first_in_cycle=False,
            automatic=True,
            registry_entry_id=registry_entry_id,
        )
        self.history.append(decision)
        return decision

"""How a case's vetting cycles end and begin again without a vetter: cancellation when the
nomination is gone, re-opening when an approval lapses or the vetted facts change, and the
automatic checks' decisions. Mixed into `VettingCase` (one aggregate, two modules)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class Clock:
    """When something happens: the instant, and the calendar day at the vetting office."""

    at: datetime
    on: date


# A case whose facts changed is decided again from the start, whatever it said - except a
# denial (final) and a cancellation (the nomination is gone).
REOPENED_ON_CHANGE = frozenset(
    {CaseStatus.OPEN, CaseStatus.PENDING_CONFIRMATION, CaseStatus.APPROVED, CaseStatus.SUSPENDED}
)


class CaseCycles:
    history: list[Decision]
    cycle_started_on: date
    due_on: date
    report_date: date

    @property
    def _status(self) -> CaseStatus:
        return derive_status(self.history)

    def cancel_for_nomination(self, *, reason_code: str, by: str, when: Clock) -> Decision | None:
        """The nomination is gone: an undecided case is cancelled; a decided one stays as is."""
        if self._status not in UNDECIDED:
            return None
        return self._append_automatic(
            Result.CANCELLED, reason_code, "The nomination was withdrawn or cancelled.", by, when
        )

    def reopen_for_lapse(self, *, by: str, when: Clock, policy: DecisionPolicy) -> Decision:
        """The approval lapses before the report date: a new vetting cycle starts today."""
        if self._status is not CaseStatus.APPROVED:
            raise TransitionNotAllowed(
                f"Only an approved case is re-opened, not a {self._status} one."
            )
        current = last_effective(self.history)
        valid_until = current.effective_valid_until if current else None
        rationale = (
            f"The approval valid until {valid_until} lapses before the report date "
            f"{self.report_date}: re-vetting required."
        )
        return self._reopen("approval_lapsed", rationale, by, when, policy)

    def reopen_for_change(
        self, *, fields: list[str], by: str, when: Clock, policy: DecisionPolicy
    ) -> Decision | None:
        """The candidate's vetted facts changed: a new vetting cycle starts today and any
        earlier result (or pending one) no longer counts. A denied or cancelled case stays."""
        if self._status not in REOPENED_ON_CHANGE:
            return None
        rationale = (
            f"The candidate's vetted facts changed ({', '.join(fields)}): vetting starts again."
        )
        return self._reopen("candidate_changed", rationale, by, when, policy)

    def suspend_for_listing(self, *, entry_id: UUID, by: str, when: Clock) -> Decision | None:
        """The unit was put on the registry: a still-standing approval no longer clears the
        person (held for a vetter's review; re-approved after remediation). Only approvals."""
        if self._status is not CaseStatus.APPROVED:
            return None
        rationale = (
            f"Automatic registry review: the unit was put on the derogatory-information registry "
            f"(entry {entry_id}); the approval is suspended until a vetter decides again."
        )
        return self._append_automatic(
            Result.SUSPENDED, "unit_listed", rationale, by, when, registry_entry_id=entry_id
        )

    def _reopen(
        self, reason_code: str, rationale: str, by: str, when: Clock, policy: DecisionPolicy
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
        when: Clock,
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

    def record_automatic(self, decision: Decision) -> None:
        """Append a decision taken by the automatic checks when the case opened or re-opened."""
        if self.history and self._status is not CaseStatus.OPEN:
            raise TransitionNotAllowed("Automatic checks run only on an open case.")
        self.history.append(decision)

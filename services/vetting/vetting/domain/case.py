"""The vetting case of one nomination's candidate and unit, and its state machine.

    open ──vetter──> approved | suspended | denied | cancelled
    suspended ──vetter──> approved | denied | cancelled          (re-decided later)
    open/suspended ──two-person rule──> pending_confirmation ──confirm──> the decision's result
                                                             ──reject───> back where it was
    open/suspended/pending_confirmation ──nomination withdrawn/cancelled──> cancelled
    approved ──approval lapses before the report date──> open   (re-vetting, new due date)
    open/pending/approved/suspended ──the candidate's vetted facts changed──> open  (new cycle)

Approved, denied and cancelled take no vetter decisions. An approval is refused while the
unit is on the derogatory registry. Every transition appends a `Decision`; the status and the
current result (reason, validity, references) are derived from that history. What the pipeline
must hear is raised as a domain event (`events`): the opening, and every result that takes
effect (a decision pending confirmation is announced when it is confirmed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from vetting.domain.calendar import add_working_days
from vetting.domain.case_cycles import CaseCycles
from vetting.domain.decision import (
    AWAITING_DECISION,
    CLOSED,
    VETTER_REASONS,
    VETTER_TRANSITIONS,
    CaseStatus,
    Confirmation,
    Decision,
    DecisionPolicy,
    Outcome,
    Result,
    Standing,
    derive_status,
    last_effective,
    pending_decision,
    standing,
)
from vetting.domain.errors import (
    CaseClosed,
    DecisionNotFound,
    DecisionPendingConfirmation,
    NotPendingConfirmation,
    ReasonNotAllowed,
    SecondVetterRequired,
    TransitionNotAllowed,
    UnitBlocked,
)
from vetting.domain.events import CaseOpened, DomainEvent, decision_took_effect
from vetting.domain.moment import Moment
from vetting.domain.units import Link, UnitMatch
from vetting.domain.validity import approval_valid_until


@dataclass
class VettingCase(CaseCycles):
    id: UUID
    nomination_id: UUID
    candidate_id: UUID
    person_fingerprint: str
    country: str
    unit_name: str
    class_id: UUID
    report_date: date
    opened_at: datetime
    opened_on: date
    cycle_started_on: date
    due_on: date
    flagged_possible_duplicate: bool = False
    possible_duplicate_of: UUID | None = None
    history: list[Decision] = field(default_factory=list)
    version: int = 1
    vetted_revision: int = 0
    unit_id: UUID | None = None
    unit_match: UnitMatch = UnitMatch.UNREGISTERED
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        *,
        nomination_id: UUID,
        candidate_id: UUID,
        person_fingerprint: str,
        country: str,
        unit_name: str,
        class_id: UUID,
        report_date: date,
        when: Moment,
        policy: DecisionPolicy,
        possible_duplicate_of: UUID | None = None,
        vetted_revision: int = 0,
        link: Link | None = None,
    ) -> VettingCase:
        """A new case, due `turnaround_working_days` working days after the day it opens."""
        case = cls(
            id=uuid.uuid4(),
            nomination_id=nomination_id,
            candidate_id=candidate_id,
            person_fingerprint=person_fingerprint,
            country=country,
            unit_name=unit_name,
            class_id=class_id,
            report_date=report_date,
            opened_at=when.at,
            opened_on=when.on,
            cycle_started_on=when.on,
            due_on=add_working_days(when.on, policy.turnaround_working_days),
            flagged_possible_duplicate=possible_duplicate_of is not None,
            possible_duplicate_of=possible_duplicate_of,
            vetted_revision=vetted_revision,
            unit_id=link.unit_id if link else None,
            unit_match=link.match if link else UnitMatch.UNREGISTERED,
        )
        case.events.append(
            CaseOpened(
                case_id=case.id, nomination_id=nomination_id, country=country,
                candidate_id=candidate_id, unit_name=unit_name, opened_on=case.opened_on,
                due_on=case.due_on, flagged_possible_duplicate=case.flagged_possible_duplicate,
            )
        )  # fmt: skip
        return case

    # -- derived from the history -------------------------------------------------------------
    @property
    def status(self) -> CaseStatus:
        return derive_status(self.history)

    @property
    def current(self) -> Decision | None:
        """The decision that set the current result (None while nothing took effect)."""
        return last_effective(self.history)

    @property
    def pending(self) -> Decision | None:
        return pending_decision(self.history)

    @property
    def valid_until(self) -> date | None:
        current = self.current
        if current is None or self.status is not CaseStatus.APPROVED:
            return None
        return current.effective_valid_until

    @property
    def standing(self) -> Standing:
        """The current result: status, reason code, when decided, validity, references."""
        return standing(self.history)

    def is_overdue(self, today: date) -> bool:
        """Still waiting for a result after its due date."""
        return self.status in AWAITING_DECISION and today > self.due_on

    # -- transitions --------------------------------------------------------------------------
    def decide(
        self,
        *,
        result: Result,
        reason_code: str,
        rationale: str,
        by: str,
        when: Moment,
        policy: DecisionPolicy,
        blocking_entry_id: UUID | None,
    ) -> Decision:
        """A vetter's decision; under the two-person rule it may wait for confirmation."""
        status = self.status
        if status is CaseStatus.PENDING_CONFIRMATION:
            raise DecisionPendingConfirmation(
                "A decision on this case waits for a second vetter's confirmation."
            )
        if status in CLOSED:
            raise CaseClosed(f"The case is {status}: it takes no further decisions.")
        if result not in VETTER_TRANSITIONS[status]:
            raise TransitionNotAllowed(f"A {status} case cannot be {result} by a vetter.")
        if reason_code not in VETTER_REASONS[result]:
            allowed = ", ".join(sorted(VETTER_REASONS[result]))
            raise ReasonNotAllowed(
                f"Reason code {reason_code!r} does not fit {result}; use one of: {allowed}.",
                allowed=sorted(VETTER_REASONS[result]),
            )
        if result is Result.APPROVED and blocking_entry_id is not None:
            raise UnitBlocked(
                "The unit is on the derogatory-information registry: no member can be approved "
                "until remediation is recorded.",
                registry_entry_id=str(blocking_entry_id),
            )
        needs = policy.needs_confirmation(result, self.flagged_possible_duplicate)
        effective_approval = result is Result.APPROVED and not needs
        valid_until = approval_valid_until(when.on, policy.validity_months)
        decision = Decision(
            id=uuid.uuid4(),
            result=result,
            reason_code=reason_code,
            rationale=rationale,
            decided_by=by,
            decided_at=when.at,
            decided_on=when.on,
            cycle_started_on=self.cycle_started_on,
            first_in_cycle=status is CaseStatus.OPEN,
            requires_confirmation=needs,
            valid_until=valid_until if effective_approval else None,
            registry_entry_id=blocking_entry_id if reason_code == "unit_blocked" else None,
        )
        self.history.append(decision)
        if not needs:
            self.events.append(decision_took_effect(self, decision))
        return decision

    def confirm(
        self,
        decision_id: UUID,
        *,
        outcome: Outcome,
        rationale: str,
        by: str,
        when: Moment,
        policy: DecisionPolicy,
        blocking_entry_id: UUID | None,
    ) -> Decision:
        """A second vetter confirms (the decision takes effect) or rejects a pending decision."""
        known = next((d for d in self.history if d.id == decision_id), None)
        if known is None:
            raise DecisionNotFound(f"Case {self.id} has no decision {decision_id}.")
        pending = self.pending
        if pending is None or pending.id != decision_id:
            raise NotPendingConfirmation("This decision does not wait for a confirmation.")
        if by == pending.decided_by:
            raise SecondVetterRequired("The vetter who filed a decision cannot confirm it.")
        approving = outcome is Outcome.CONFIRMED and pending.result is Result.APPROVED
        valid_until = approval_valid_until(when.on, policy.validity_months)
        if approving and blocking_entry_id is not None:
            raise UnitBlocked(
                "The unit was put on the derogatory-information registry since the approval "
                "was filed: it cannot be confirmed.",
                registry_entry_id=str(blocking_entry_id),
            )
        confirmation = Confirmation(
            id=uuid.uuid4(),
            decision_id=decision_id,
            outcome=outcome,
            rationale=rationale,
            confirmed_by=by,
            confirmed_at=when.at,
            confirmed_on=when.on,
            valid_until=valid_until if approving else None,
        )
        confirmed = replace(pending, confirmation=confirmation)
        self.history[-1] = confirmed
        if outcome is Outcome.CONFIRMED:
            self.events.append(decision_took_effect(self, confirmed))
        return confirmed

"""The decision state machine of a vetting case; its status is derived from the history."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from vetting.domain.case import VettingCase
from vetting.domain.decision import (
    CaseStatus,
    Decision,
    DecisionPolicy,
    DecisionState,
    Outcome,
    Result,
    decision_states,
)
from vetting.domain.errors import (
    CaseClosed,
    DecisionPendingConfirmation,
    NotPendingConfirmation,
    ReasonNotAllowed,
    SecondVetterRequired,
    TransitionNotAllowed,
    UnitBlocked,
)

from .factories import moment, new_case

DAY = date(2026, 11, 30)
POLICY = DecisionPolicy()
TWO_PERSON = DecisionPolicy(two_person_rule=True)


def _decide(
    case: VettingCase,
    result: Result,
    reason: str,
    *,
    policy: DecisionPolicy = POLICY,
    blocking: uuid.UUID | None = None,
) -> Decision:
    return case.decide(
        result=result,
        reason_code=reason,
        rationale="Checked the holdings.",
        by="vetter-a",
        when=moment(DAY),
        policy=policy,
        blocking_entry_id=blocking,
    )


def _confirm(
    case: VettingCase, decision: Decision, outcome: Outcome, *, by: str, on: date = DAY
) -> Decision:
    return case.confirm(
        decision.id,
        outcome=outcome,
        rationale="Reviewed the file.",
        by=by,
        when=moment(on),
        policy=TWO_PERSON,
        blocking_entry_id=None,
    )


def test_a_new_case_is_open_and_due_ten_working_days_later() -> None:
    case = new_case(opened_on=date(2026, 11, 20))

    assert case.status is CaseStatus.OPEN
    assert case.due_on == date(2026, 12, 7)
    assert case.current is None


def test_an_approval_takes_effect_with_twelve_months_of_validity() -> None:
    case = new_case()

    decision = _decide(case, Result.APPROVED, "cleared")

    assert case.status is CaseStatus.APPROVED
    assert case.valid_until == date(2027, 11, 29)
    assert case.current == decision
    assert decision.first_in_cycle


def test_an_approved_case_takes_no_further_decision() -> None:
    case = new_case()
    _decide(case, Result.APPROVED, "cleared")

    with pytest.raises(CaseClosed):
        _decide(case, Result.DENIED, "derogatory_information")

    assert len(case.history) == 1


def test_a_suspended_case_can_be_redecided_but_not_suspended_again() -> None:
    case = new_case()
    _decide(case, Result.SUSPENDED, "insufficient_information")

    with pytest.raises(TransitionNotAllowed):
        _decide(case, Result.SUSPENDED, "under_review")
    approval = _decide(case, Result.APPROVED, "cleared")

    assert case.status is CaseStatus.APPROVED
    assert not approval.first_in_cycle


@pytest.mark.parametrize(
    ("result", "reason"),
    [
        (Result.APPROVED, "derogatory_information"),
        (Result.DENIED, "cleared"),
        (Result.SUSPENDED, "prior_approval_reused"),
        (Result.CANCELLED, "nomination_withdrawn"),
    ],
)
def test_a_reason_code_must_fit_the_result(result: Result, reason: str) -> None:
    case = new_case()

    with pytest.raises(ReasonNotAllowed):
        _decide(case, result, reason)

    assert case.status is CaseStatus.OPEN
    assert case.history == []


def test_no_member_of_a_blocked_unit_can_be_approved_but_a_denial_references_the_entry() -> None:
    case, entry = new_case(), uuid.uuid4()

    with pytest.raises(UnitBlocked):
        _decide(case, Result.APPROVED, "cleared", blocking=entry)
    denial = _decide(case, Result.DENIED, "unit_blocked", blocking=entry)

    assert case.status is CaseStatus.DENIED
    assert denial.registry_entry_id == entry


def test_under_the_two_person_rule_a_denial_waits_for_a_second_vetter() -> None:
    case = new_case()

    denial = _decide(case, Result.DENIED, "derogatory_information", policy=TWO_PERSON)

    assert denial.requires_confirmation
    assert case.status is CaseStatus.PENDING_CONFIRMATION
    assert case.current is None
    with pytest.raises(DecisionPendingConfirmation):
        _decide(case, Result.APPROVED, "cleared", policy=TWO_PERSON)


def test_the_vetter_who_filed_a_decision_cannot_confirm_it() -> None:
    case = new_case()
    denial = _decide(case, Result.DENIED, "derogatory_information", policy=TWO_PERSON)

    with pytest.raises(SecondVetterRequired):
        _confirm(case, denial, Outcome.CONFIRMED, by="vetter-a")

    assert case.status is CaseStatus.PENDING_CONFIRMATION


def test_a_confirmed_denial_takes_effect_on_the_confirmation() -> None:
    case = new_case()
    denial = _decide(case, Result.DENIED, "derogatory_information", policy=TWO_PERSON)

    confirmed = _confirm(case, denial, Outcome.CONFIRMED, by="vetter-b", on=date(2026, 12, 2))

    assert case.status is CaseStatus.DENIED
    assert confirmed.effective_on == date(2026, 12, 2)
    assert decision_states(case.history) == [DecisionState.EFFECTIVE]


def test_a_rejected_decision_returns_the_case_to_where_it_was() -> None:
    case = new_case()
    _decide(case, Result.SUSPENDED, "under_review", policy=TWO_PERSON)
    denial = _decide(case, Result.DENIED, "derogatory_information", policy=TWO_PERSON)

    _confirm(case, denial, Outcome.REJECTED, by="vetter-b")

    assert case.status is CaseStatus.SUSPENDED
    assert decision_states(case.history) == [DecisionState.EFFECTIVE, DecisionState.REJECTED]


def test_an_approval_of_a_flagged_case_needs_confirmation_and_is_valid_from_it() -> None:
    case = new_case(duplicate_of=uuid.uuid4())
    approval = _decide(case, Result.APPROVED, "cleared", policy=TWO_PERSON)

    _confirm(case, approval, Outcome.CONFIRMED, by="vetter-b", on=date(2026, 12, 15))

    assert approval.requires_confirmation
    assert case.status is CaseStatus.APPROVED
    assert case.valid_until == date(2027, 12, 14)


def test_an_approval_of_an_unflagged_case_needs_no_confirmation() -> None:
    case = new_case()

    approval = _decide(case, Result.APPROVED, "cleared", policy=TWO_PERSON)

    assert not approval.requires_confirmation
    assert case.status is CaseStatus.APPROVED


def test_only_the_pending_decision_can_be_confirmed() -> None:
    case = new_case()
    approval = _decide(case, Result.APPROVED, "cleared", policy=TWO_PERSON)

    with pytest.raises(NotPendingConfirmation):
        _confirm(case, approval, Outcome.CONFIRMED, by="vetter-b")


def test_a_withdrawn_nomination_cancels_a_pending_case_and_the_pending_decision_is_moot() -> None:
    case = new_case()
    _decide(case, Result.DENIED, "derogatory_information", policy=TWO_PERSON)

    cancellation = case.cancel_for_nomination(
        reason_code="nomination_withdrawn", by="system", when=moment(DAY)
    )

    assert cancellation is not None
    assert case.status is CaseStatus.CANCELLED
    assert decision_states(case.history) == [DecisionState.SUPERSEDED, DecisionState.EFFECTIVE]


def test_a_withdrawn_nomination_leaves_an_approved_case_approved() -> None:
    case = new_case()
    _decide(case, Result.APPROVED, "cleared")

    cancellation = case.cancel_for_nomination(
        reason_code="nomination_withdrawn", by="system", when=moment(DAY)
    )

    assert cancellation is None
    assert case.status is CaseStatus.APPROVED


def test_a_lapsing_approval_reopens_the_case_with_a_new_due_date() -> None:
    case = new_case()
    _decide(case, Result.APPROVED, "cleared")

    reopening = case.reopen_for_lapse(by="system", when=moment(date(2027, 11, 1)), policy=POLICY)

    assert reopening.result is Result.REOPENED
    assert case.status is CaseStatus.OPEN
    assert case.valid_until is None
    assert case.cycle_started_on == date(2027, 11, 1)
    assert case.due_on == date(2027, 11, 16)


def test_only_an_approved_case_is_reopened() -> None:
    case = new_case()

    with pytest.raises(TransitionNotAllowed):
        case.reopen_for_lapse(by="system", when=moment(DAY), policy=POLICY)

"""Whatever vetters, the pipeline and the expiry job do to a case, its history stays sound."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vetting.domain.case import VettingCase
from vetting.domain.decision import (
    VETTER_REASONS,
    CaseStatus,
    DecisionPolicy,
    DecisionState,
    Outcome,
    Result,
    decision_states,
)
from vetting.domain.errors import DomainError

from .factories import moment, new_case

POLICY = DecisionPolicy(two_person_rule=True)
VETTER_RESULTS = [Result.APPROVED, Result.SUSPENDED, Result.DENIED, Result.CANCELLED]
ALL_REASONS = sorted({r for reasons in VETTER_REASONS.values() for r in reasons})

operations = st.one_of(
    st.tuples(
        st.just("decide"),
        st.sampled_from(VETTER_RESULTS),
        st.sampled_from(ALL_REASONS),
        st.sampled_from(["vetter-a", "vetter-b"]),
    ),
    st.tuples(
        st.just("confirm"),
        st.sampled_from(list(Outcome)),
        st.sampled_from(["vetter-a", "vetter-b"]),
    ),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("reopen")),
)


def _apply(case: VettingCase, op: tuple[Any, ...], day: date) -> None:
    when = moment(day)
    if op[0] == "decide":
        case.decide(
            result=op[1],
            reason_code=op[2],
            rationale="r",
            by=op[3],
            when=when,
            policy=POLICY,
            blocking_entry_id=None,
        )
    elif op[0] == "confirm":
        pending = case.pending or (case.history[-1] if case.history else None)
        if pending is not None:
            case.confirm(
                pending.id,
                outcome=op[1],
                rationale="r",
                by=op[2],
                when=when,
                policy=POLICY,
                blocking_entry_id=None,
            )
    elif op[0] == "cancel":
        case.cancel_for_nomination(reason_code="nomination_withdrawn", by="system", when=when)
    else:
        case.reopen_for_lapse(by="system", when=when, policy=POLICY)


@settings(max_examples=300)
@given(st.lists(operations, max_size=12), st.booleans())
def test_history_is_append_only_and_the_status_follows_the_rules(
    ops: list[tuple[Any, ...]], flagged: bool
) -> None:
    case = new_case(duplicate_of=uuid.uuid4() if flagged else None)
    day = date(2026, 12, 1)

    for op in ops:
        before, status_before = list(case.history), case.status
        day += timedelta(days=1)
        try:
            _apply(case, op, day)
        except DomainError:
            assert case.history == before
            continue
        after = case.history

        assert after[: len(before) - 1] == before[:-1]
        if before and after[len(before) - 1] != before[-1]:
            assert before[-1].confirmation is None
            assert after[len(before) - 1].confirmation is not None
        if status_before in (CaseStatus.DENIED, CaseStatus.CANCELLED):
            assert case.status is status_before
        states = decision_states(after)
        assert DecisionState.PENDING_CONFIRMATION not in states[:-1]
        assert (case.status is CaseStatus.APPROVED) == (case.valid_until is not None)
        for decision in after:
            if decision.confirmation is not None:
                assert decision.confirmation.confirmed_by != decision.decided_by

"""Automatic checks on a new case: blocked unit, prior approval reuse, possible duplicates."""

from __future__ import annotations

import uuid
from datetime import date

from vetting.domain.checks import FingerprintMatch, automatic_decision, possible_duplicate
from vetting.domain.decision import DecisionPolicy, Result
from vetting.domain.validity import PriorApproval

from .factories import moment, new_case

DAY = date(2026, 11, 30)


def _prior(candidate: uuid.UUID) -> PriorApproval:
    return PriorApproval(
        uuid.uuid4(), candidate, "1st infantry battalion", "GTM", date(2027, 5, 31)
    )


def test_a_blocked_unit_denies_the_case_with_the_registry_entry_referenced() -> None:
    case, entry = new_case(), uuid.uuid4()

    decision = automatic_decision(
        case,
        blocking_entry_id=entry,
        reusable=None,
        policy=DecisionPolicy(),
        by="system",
        when=moment(DAY),
    )

    assert decision is not None
    assert (decision.result, decision.reason_code, decision.registry_entry_id) == (
        Result.DENIED,
        "unit_blocked",
        entry,
    )
    assert decision.automatic
    assert not decision.requires_confirmation


def test_the_review_policy_holds_a_blocked_unit_case_as_suspended() -> None:
    case = new_case()

    decision = automatic_decision(
        case,
        blocking_entry_id=uuid.uuid4(),
        reusable=None,
        policy=DecisionPolicy(unit_block_policy="review"),
        by="system",
        when=moment(DAY),
    )

    assert decision is not None
    assert decision.result is Result.SUSPENDED


def test_under_the_two_person_rule_an_automatic_denial_waits_for_a_vetter() -> None:
    case = new_case()

    decision = automatic_decision(
        case,
        blocking_entry_id=uuid.uuid4(),
        reusable=None,
        policy=DecisionPolicy(two_person_rule=True),
        by="system",
        when=moment(DAY),
    )

    assert decision is not None
    assert decision.requires_confirmation


def test_a_blocked_unit_wins_over_a_reusable_prior_approval() -> None:
    case = new_case()

    decision = automatic_decision(
        case,
        blocking_entry_id=uuid.uuid4(),
        reusable=_prior(case.candidate_id),
        policy=DecisionPolicy(),
        by="system",
        when=moment(DAY),
    )

    assert decision is not None
    assert decision.result is Result.DENIED


def test_a_reusable_prior_approval_approves_with_its_validity_and_reference() -> None:
    case = new_case()
    prior = _prior(case.candidate_id)

    decision = automatic_decision(
        case,
        blocking_entry_id=None,
        reusable=prior,
        policy=DecisionPolicy(),
        by="system",
        when=moment(DAY),
    )

    assert decision is not None
    assert (decision.result, decision.reason_code) == (Result.APPROVED, "prior_approval_reused")
    assert (decision.valid_until, decision.reused_from_case_id) == (
        prior.valid_until,
        prior.case_id,
    )


def test_a_flagged_case_is_never_approved_automatically() -> None:
    case = new_case(duplicate_of=uuid.uuid4())

    decision = automatic_decision(
        case,
        blocking_entry_id=None,
        reusable=_prior(case.candidate_id),
        policy=DecisionPolicy(),
        by="system",
        when=moment(DAY),
    )

    assert decision is None


def test_the_same_fingerprint_under_another_candidate_id_is_a_possible_duplicate() -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    mine, theirs = FingerprintMatch(uuid.uuid4(), me), FingerprintMatch(uuid.uuid4(), other)

    assert (
        possible_duplicate([mine, theirs], candidate_id=me, person_fingerprint="f1")
        == theirs.case_id
    )
    assert possible_duplicate([mine], candidate_id=me, person_fingerprint="f1") is None


def test_an_empty_fingerprint_matches_nobody() -> None:
    match = FingerprintMatch(uuid.uuid4(), uuid.uuid4())

    assert possible_duplicate([match], candidate_id=uuid.uuid4(), person_fingerprint="  ") is None

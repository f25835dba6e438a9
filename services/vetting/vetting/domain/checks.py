"""The automatic checks a new case goes through before a vetter looks at it.

In this order, the first that applies decides:
1. The unit is on the derogatory-information registry (same country, same unit key): the case
   is denied, or suspended for review when the policy is `review` - with the entry referenced.
   This comes first: a blocked unit also prevents reusing a prior approval.
2. The same person (same `candidate_id`) holds an approval still valid today, given with the
   same unit and country: the case is approved at once with the prior case referenced and the
   prior validity. Not when the case is flagged as a possible duplicate: a vetter looks first.
3. Otherwise the case stays open for a vetter.

A possible duplicate - another candidate_id with the same person fingerprint (names, date of
birth and country) - is flagged on the case when it opens, whatever the outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from vetting.domain.case import VettingCase
from vetting.domain.decision import Decision, DecisionPolicy, Result
from vetting.domain.moment import Moment
from vetting.domain.validity import PriorApproval


@dataclass(frozen=True)
class FingerprintMatch:
    case_id: UUID
    candidate_id: UUID


def possible_duplicate(
    matches: list[FingerprintMatch], *, candidate_id: UUID, person_fingerprint: str
) -> UUID | None:
    """The most recent case of ANOTHER candidate with the same fingerprint (input: newest first).

    An empty fingerprint never matches anything.
    """
    if not person_fingerprint.strip():
        return None
    return next((m.case_id for m in matches if m.candidate_id != candidate_id), None)


def automatic_decision(
    case: VettingCase,
    *,
    blocking_entry_id: UUID | None,
    reusable: PriorApproval | None,
    policy: DecisionPolicy,
    by: str,
    when: Moment,
) -> Decision | None:
    """The decision the automatic checks take on a new case, or None (a vetter decides)."""
    if blocking_entry_id is not None:
        result = Result.DENIED if policy.unit_block_policy == "deny" else Result.SUSPENDED
        rationale = (
            f"Automatic: unit {case.unit_name!r} ({case.country}) is on the derogatory-information "
            f"registry (entry {blocking_entry_id}); policy {policy.unit_block_policy}."
        )
        return _automatic(
            case,
            by,
            when,
            result,
            "unit_blocked",
            rationale,
            requires_confirmation=policy.needs_confirmation(
                result, case.flagged_possible_duplicate
            ),
            registry_entry_id=blocking_entry_id,
        )
    if reusable is not None and not case.flagged_possible_duplicate:
        rationale = (
            f"Automatic: the approval of case {reusable.case_id}, valid until "
            f"{reusable.valid_until}, is reused."
        )
        return _automatic(
            case,
            by,
            when,
            Result.APPROVED,
            "prior_approval_reused",
            rationale,
            valid_until=reusable.valid_until,
            reused_from_case_id=reusable.case_id,
        )
    return None


def _automatic(
    case: VettingCase,
    by: str,
    when: Moment,
    result: Result,
    reason_code: str,
    rationale: str,
    *,
    requires_confirmation: bool = False,
    valid_until: date | None = None,
    reused_from_case_id: UUID | None = None,
    registry_entry_id: UUID | None = None,
) -> Decision:
    return Decision(
        id=uuid.uuid4(),
        result=result,
        reason_code=reason_code,
        rationale=rationale,
        decided_by=by,
        decided_at=when.at,
        decided_on=when.on,
        cycle_started_on=case.cycle_started_on,
        first_in_cycle=True,
        automatic=True,
        requires_confirmation=requires_confirmation,
        valid_until=valid_until,
        reused_from_case_id=reused_from_case_id,
        registry_entry_id=registry_entry_id,
    )

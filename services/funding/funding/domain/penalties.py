"""Cancellation and non-completion charges, decided by rules that are data.

A rule says WHEN it applies (trigger, who initiated, dedicated course or not, how close to the
class start) and HOW MUCH it charges (a percentage of tuition, optionally prorated by the days
attended). Rules are tried in `priority` order; the first active rule that matches decides, and
no match means no charge. A rule may be waived when the seat is refilled (dedicated courses):
then a refill known at release time waives it, and a refill learnt later refunds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from funding.domain.money import ZERO, percent_of, prorate


class Trigger(StrEnum):
    CANCELLATION = "cancellation"
    NON_COMPLETION = "non_completion"


class Initiator(StrEnum):
    COUNTRY = "country"
    US_GOVERNMENT = "us_government"
    ANY = "any"


class CourseKind(StrEnum):
    DEDICATED = "dedicated"
    NON_DEDICATED = "non_dedicated"
    ANY = "any"


@dataclass(frozen=True)
class ReleaseFacts:
    """What is known about a training line when it is released."""

    trigger: Trigger
    initiated_by: Initiator
    dedicated: bool
    days_before_start: int
    tuition: Decimal
    course_days: int
    days_attended: int = 0
    seat_refilled: bool = False


@dataclass(frozen=True)
class PenaltyRule:
    code: str
    trigger: Trigger
    initiated_by: Initiator
    course_kind: CourseKind
    within_days_before_start: int | None
    percent_of_tuition: Decimal
    prorate_by_attendance: bool
    waived_when_refilled: bool
    priority: int
    active: bool = True

    def matches(self, facts: ReleaseFacts) -> bool:
        if not self.active or self.trigger != facts.trigger:
            return False
        if self.initiated_by not in (Initiator.ANY, facts.initiated_by):
            return False
        kind = CourseKind.DEDICATED if facts.dedicated else CourseKind.NON_DEDICATED
        if self.course_kind not in (CourseKind.ANY, kind):
            return False
        window = self.within_days_before_start
        return window is None or facts.days_before_start < window

    def charge(self, facts: ReleaseFacts) -> Decimal:
        amount = percent_of(facts.tuition, self.percent_of_tuition)
        if self.prorate_by_attendance:
            amount = prorate(amount, facts.days_attended, facts.course_days)
        return amount


@dataclass(frozen=True)
class PenaltyDecision:
    rule: str | None
    amount: Decimal
    refundable_on_refill: bool
    waived_by_refill: bool = False


def decide_penalty(rules: Iterable[PenaltyRule], facts: ReleaseFacts) -> PenaltyDecision:
    """The charge of the first matching rule by priority (no match: nothing is charged)."""
    for rule in sorted(rules, key=lambda r: (r.priority, r.code)):
        if rule.matches(facts):
            if rule.waived_when_refilled and facts.seat_refilled:
                return PenaltyDecision(rule.code, ZERO, False, waived_by_refill=True)
            amount = min(rule.charge(facts), facts.tuition)
            return PenaltyDecision(rule.code, amount, rule.waived_when_refilled and amount > 0)
    return PenaltyDecision(None, ZERO, False)

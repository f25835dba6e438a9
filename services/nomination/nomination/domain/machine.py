"""The nomination state machine: pure, table-driven, guarded.

Three tables drive it:
- `FACTS`: how an announced fact (seat held, vetting approved, obligation recorded, ...) moves one
  sub-status, and from which sub-statuses it may. A fact that does not apply (a duplicate, a
  stale or out-of-order one) changes nothing: `record` returns None, so a reaction is a no-op.
- `SETTLE_RULES`: the state a submitted nomination is in, decided from its facts (first rule that
  holds wins), plus the one step the process manager itself takes: request funding once vetting
  approved the candidate AND a seat is held AND nothing is obligated or requested yet.
- `COMMANDS` (in `commands.py`): what a person may do (submit, withdraw, cancel, retry funding,
  training), from which states, under which guards.
`ALLOWED` is the graph every move must stay on; a move off it is a bug (`InvalidTransition`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from nomination.domain.errors import InvalidTransition
from nomination.domain.states import PIPELINE, TERMINAL, Funding, Seat, State, Vetting


@dataclass(frozen=True)
class Progress:
    """Where a nomination stands: its state and the facts it was decided from."""

    state: State
    seat: Seat = Seat.NONE
    vetting: Vetting = Vetting.NONE
    funding: Funding = Funding.NONE


class Fact(StrEnum):
    CASE_OPENED = "case_opened"
    VETTING_APPROVED = "vetting_approved"
    VETTING_SUSPENDED = "vetting_suspended"
    VETTING_DENIED = "vetting_denied"
    VETTING_EXPIRED = "vetting_expired"
    VETTING_CANCELLED = "vetting_cancelled"
    VETTING_REOPENED = "vetting_reopened"
    SEAT_HELD = "seat_held"
    SEAT_WAITLISTED = "seat_waitlisted"
    SEAT_CONFIRMED = "seat_confirmed"
    SEAT_RELEASED = "seat_released"
    OBLIGATION_RECORDED = "obligation_recorded"
    OBLIGATION_REJECTED = "obligation_rejected"
    DEOBLIGATED = "deobligated"


Aspect = Literal["seat", "vetting", "funding"]
SubStatus = Seat | Vetting | Funding


@dataclass(frozen=True)
class SubStep:
    aspect: Aspect
    sources: frozenset[SubStatus]
    target: SubStatus


def _step(aspect: Aspect, sources: set[SubStatus], target: SubStatus) -> SubStep:
    return SubStep(aspect, frozenset(sources), target)


V, S, F = Vetting, Seat, Funding
FACTS: Mapping[Fact, SubStep] = {
    # A case opened after the decision arrived (other topic, earlier) must not undo the decision.
    Fact.CASE_OPENED: _step("vetting", {V.NONE}, V.PENDING),
    Fact.VETTING_APPROVED: _step("vetting", {V.NONE, V.PENDING, V.SUSPENDED}, V.APPROVED),
    Fact.VETTING_SUSPENDED: _step("vetting", {V.NONE, V.PENDING, V.APPROVED}, V.SUSPENDED),
    Fact.VETTING_DENIED: _step("vetting", {V.NONE, V.PENDING, V.APPROVED, V.SUSPENDED}, V.DENIED),
    Fact.VETTING_EXPIRED: _step("vetting", {V.APPROVED}, V.PENDING),
    # A vetted fact of the candidate changed (names, birth, unit, ...): the decision was about
    # someone else's facts, so it no longer counts; vetting re-opens the case.
    Fact.VETTING_REOPENED: _step("vetting", {V.APPROVED, V.SUSPENDED}, V.PENDING),
    Fact.VETTING_CANCELLED: _step(
        "vetting", {V.NONE, V.PENDING, V.APPROVED, V.SUSPENDED}, V.CANCELLED
    ),
    # A confirmed seat stays confirmed whatever hold or waitlist news arrives late.
    Fact.SEAT_HELD: _step("seat", {S.NONE, S.WAITLISTED}, S.HELD),
    Fact.SEAT_WAITLISTED: _step("seat", {S.NONE}, S.WAITLISTED),
    Fact.SEAT_CONFIRMED: _step("seat", {S.NONE, S.HELD, S.WAITLISTED}, S.CONFIRMED),
    Fact.SEAT_RELEASED: _step("seat", {S.NONE, S.HELD, S.WAITLISTED, S.CONFIRMED}, S.RELEASED),
    Fact.OBLIGATION_RECORDED: _step("funding", {F.REQUESTED}, F.OBLIGATED),
    Fact.OBLIGATION_REJECTED: _step("funding", {F.REQUESTED}, F.REJECTED),
    Fact.DEOBLIGATED: _step("funding", {F.OBLIGATED}, F.DEOBLIGATED),
}


def record(progress: Progress, fact: Fact) -> Progress | None:
    """The progress with `fact` recorded, or None when the fact changes nothing."""
    step = FACTS[fact]
    current = getattr(progress, step.aspect)
    if current not in step.sources or current == step.target:
        return None
    changes: dict[str, Any] = {step.aspect: step.target}
    return replace(progress, **changes)


class Action(StrEnum):
    REQUEST_FUNDING = "request_funding"


@dataclass(frozen=True)
class Outcome:
    progress: Progress
    actions: tuple[Action, ...] = ()


def needs_funding_request(p: Progress) -> bool:
    """Vetting approved AND a seat is held (or confirmed) AND nothing is requested or obligated."""
    return (
        p.state in PIPELINE
        and p.vetting is Vetting.APPROVED
        and p.seat in (Seat.HELD, Seat.CONFIRMED)
        and p.funding is Funding.NONE
    )


_STAY = None
SETTLE_RULES: tuple[tuple[str, Callable[[Progress], bool], State | None], ...] = (
    ("vetting denied the candidate", lambda p: p.vetting is V.DENIED, State.VETTING_DENIED),
    # Losing the case or the seat for another reason is a cancellation: a command with
    # compensations that the process manager issues, never a silent move.
    ("case or seat lost", lambda p: p.vetting is V.CANCELLED or p.seat is S.RELEASED, _STAY),
    ("vetting suspended", lambda p: p.vetting is V.SUSPENDED, State.VETTING_SUSPENDED),
    ("class full: on the waitlist", lambda p: p.seat is S.WAITLISTED, State.WAITLISTED),
    ("no funds", lambda p: p.funding in (F.REJECTED, F.DEOBLIGATED), State.FUNDING_REJECTED),
    (
        "approved, obligated and seat confirmed",
        lambda p: p.vetting is V.APPROVED and p.funding is F.OBLIGATED and p.seat is S.CONFIRMED,
        State.READY_FOR_TRAVEL,
    ),
    (
        "approved with a seat: funding under way",
        lambda p: (
            p.vetting is V.APPROVED
            and p.seat in (S.HELD, S.CONFIRMED)
            and p.funding in (F.REQUESTED, F.OBLIGATED)
        ),
        State.FUNDING,
    ),
    ("vetting case under way", lambda p: p.vetting in (V.PENDING, V.APPROVED), State.VETTING),
    ("waiting for the vetting case", lambda p: True, State.SUBMITTED),
)


def settled_state(p: Progress) -> State:
    """The state a submitted nomination's facts put it in (the first rule that holds)."""
    for _, holds, target in SETTLE_RULES:
        if holds(p):
            return p.state if target is None else target
    raise AssertionError("the last settle rule always holds")


def settle(progress: Progress, *, funding_refused: bool = False) -> Outcome:
    """Move a nomination in the pipeline to the state its facts call for; request funding when due.

    `funding_refused`: the money may not be asked for at all (an E-IMET line whose course's
    certification lapsed): instead of a request, funding is `rejected` and the nomination waits
    in `funding_rejected` (retry once the course is recertified, or withdraw).
    Outside the pipeline (draft, in training, ended) facts are recorded but move nothing.
    """
    if progress.state not in PIPELINE:
        return Outcome(progress)
    actions: tuple[Action, ...] = ()
    if needs_funding_request(progress):
        if funding_refused:
            progress = replace(progress, funding=Funding.REJECTED)
        else:
            progress = replace(progress, funding=Funding.REQUESTED)
            actions = (Action.REQUEST_FUNDING,)
    return Outcome(move(progress, settled_state(progress)), actions)


def _edges(*targets: State) -> frozenset[State]:
    return frozenset(targets)


_ENDS = (State.WITHDRAWN, State.CANCELLED)
ST = State
ALLOWED: Mapping[State, frozenset[State]] = {
    ST.DRAFT: _edges(ST.SUBMITTED, *_ENDS),
    ST.SUBMITTED: _edges(
        ST.VETTING,
        ST.WAITLISTED,
        ST.FUNDING,
        ST.FUNDING_REJECTED,
        ST.VETTING_SUSPENDED,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.VETTING: _edges(
        ST.WAITLISTED,
        ST.FUNDING,
        ST.READY_FOR_TRAVEL,
        ST.FUNDING_REJECTED,
        ST.VETTING_SUSPENDED,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.WAITLISTED: _edges(
        ST.SUBMITTED,
        ST.VETTING,
        ST.FUNDING,
        ST.FUNDING_REJECTED,
        ST.VETTING_SUSPENDED,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.VETTING_SUSPENDED: _edges(
        ST.VETTING,
        ST.WAITLISTED,
        ST.FUNDING,
        ST.FUNDING_REJECTED,
        ST.READY_FOR_TRAVEL,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.FUNDING: _edges(
        ST.READY_FOR_TRAVEL,
        ST.FUNDING_REJECTED,
        ST.VETTING,
        ST.VETTING_SUSPENDED,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.FUNDING_REJECTED: _edges(ST.FUNDING, ST.VETTING_SUSPENDED, ST.VETTING_DENIED, *_ENDS),
    ST.READY_FOR_TRAVEL: _edges(
        ST.IN_TRAINING,
        ST.FUNDING_REJECTED,
        ST.VETTING,
        ST.VETTING_SUSPENDED,
        ST.VETTING_DENIED,
        *_ENDS,
    ),
    ST.IN_TRAINING: _edges(ST.COMPLETED, ST.TRAINING_TERMINATED),
    **{end: frozenset() for end in TERMINAL},
}


def move(progress: Progress, target: State) -> Progress:
    """`progress` in state `target`; InvalidTransition when the graph has no such edge."""
    if target is progress.state:
        return progress
    if target not in ALLOWED[progress.state]:
        raise InvalidTransition(f"no transition {progress.state} -> {target}")
    return replace(progress, state=target)

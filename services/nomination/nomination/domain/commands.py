"""What a person may do to a nomination: the command table, its guards, and `decide`.

Submit, withdraw, cancel, retry funding, start / complete / terminate training: each command has
the states it may start from, the state it leads to, guards that must hold (each failing guard
is named in the refusal) and the actions the process manager must take (request funding).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from nomination.domain.errors import TransitionRefused
from nomination.domain.machine import Action, Outcome, Progress, move
from nomination.domain.states import CANCELLABLE, Funding, Seat, State, Vetting

V, S, F, ST = Vetting, Seat, Funding, State


class Command(StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"
    RETRY_FUNDING = "retry_funding"
    START_TRAINING = "start_training"
    COMPLETE = "complete"
    TERMINATE = "terminate"


@dataclass(frozen=True)
class Context:
    """What a guard needs beyond the progress."""

    ito_issued: bool = False


@dataclass(frozen=True)
class Guard:
    name: str
    holds: Callable[[Progress, Context], bool]
    message: str


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    target: State
    guards: tuple[Guard, ...] = ()
    actions: tuple[Action, ...] = ()


_APPROVED = Guard(
    "vetting_approved", lambda p, _: p.vetting is V.APPROVED, "vetting did not approve"
)
_SEAT = Guard("seat_held", lambda p, _: p.seat in (S.HELD, S.CONFIRMED), "no seat is held")
_NO_FUNDS = Guard(
    "funds_missing",
    lambda p, _: p.funding in (F.REJECTED, F.DEOBLIGATED),
    "funding is not in a rejected or released state",
)
_ITO = Guard(
    "ito_issued",
    lambda _, c: c.ito_issued,
    "no current Invitational Travel Order (never issued, or recalled or superseded)",
)

COMMANDS: Mapping[Command, Rule] = {
    Command.SUBMIT: Rule(frozenset({ST.DRAFT}), ST.SUBMITTED),
    Command.WITHDRAW: Rule(CANCELLABLE, ST.WITHDRAWN),
    Command.CANCEL: Rule(CANCELLABLE, ST.CANCELLED),
    Command.RETRY_FUNDING: Rule(
        frozenset({ST.FUNDING_REJECTED}),
        ST.FUNDING,
        (_APPROVED, _SEAT, _NO_FUNDS),
        (Action.REQUEST_FUNDING,),
    ),
    Command.START_TRAINING: Rule(frozenset({ST.READY_FOR_TRAVEL}), ST.IN_TRAINING, (_ITO,)),
    Command.COMPLETE: Rule(frozenset({ST.IN_TRAINING}), ST.COMPLETED),
    Command.TERMINATE: Rule(frozenset({ST.IN_TRAINING}), ST.TRAINING_TERMINATED),
}


def decide(progress: Progress, command: Command, context: Context = Context()) -> Outcome:
    """The outcome of a command; TransitionRefused (listing why) when state or a guard says no."""
    rule = COMMANDS[command]
    if progress.state not in rule.sources:
        allowed = ", ".join(sorted(rule.sources))
        raise TransitionRefused(
            f"cannot {command.value.replace('_', ' ')} a nomination in state {progress.state} "
            f"(allowed from: {allowed})",
            failed=["state"],
        )
    failed = [g for g in rule.guards if not g.holds(progress, context)]
    if failed:
        raise TransitionRefused(
            f"cannot {command.value.replace('_', ' ')}: " + "; ".join(g.message for g in failed),
            failed=[g.name for g in failed],
        )
    moved = move(progress, rule.target)
    if Action.REQUEST_FUNDING in rule.actions:
        moved = replace(moved, funding=Funding.REQUESTED)
    return Outcome(moved, rule.actions)

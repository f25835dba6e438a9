"""The command table: who may do what from which state, under which guards."""

from __future__ import annotations

import pytest

from nomination.domain.commands import COMMANDS, Command, Context, decide
from nomination.domain.errors import TransitionRefused
from nomination.domain.machine import ALLOWED, Action, Fact, Progress, record, settle
from nomination.domain.states import CANCELLABLE, Funding, Seat, State, Vetting


def test_rejected_funding_waits_and_a_retry_requests_it_again() -> None:
    funding = Progress(State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED)
    rejected = settle(record(funding, Fact.OBLIGATION_REJECTED) or funding).progress

    retried = decide(rejected, Command.RETRY_FUNDING)

    assert rejected.state is State.FUNDING_REJECTED
    assert retried.progress.state is State.FUNDING
    assert retried.progress.funding is Funding.REQUESTED
    assert retried.actions == (Action.REQUEST_FUNDING,)


def test_retry_funding_is_refused_without_a_held_seat() -> None:
    rejected = Progress(State.FUNDING_REJECTED, Seat.RELEASED, Vetting.APPROVED, Funding.REJECTED)

    with pytest.raises(TransitionRefused) as refused:
        decide(rejected, Command.RETRY_FUNDING)

    assert refused.value.extra["failed"] == ["seat_held"]


def test_training_starts_only_with_an_issued_travel_order() -> None:
    ready = Progress(State.READY_FOR_TRAVEL, Seat.CONFIRMED, Vetting.APPROVED, Funding.OBLIGATED)

    with pytest.raises(TransitionRefused) as refused:
        decide(ready, Command.START_TRAINING, Context(ito_issued=False))
    started = decide(ready, Command.START_TRAINING, Context(ito_issued=True))

    assert refused.value.extra["failed"] == ["ito_issued"]
    assert started.progress.state is State.IN_TRAINING


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("command", [Command.WITHDRAW, Command.CANCEL])
def test_withdrawal_and_cancellation_are_possible_exactly_before_training(
    state: State, command: Command
) -> None:
    p = Progress(state)

    if state in CANCELLABLE:
        assert decide(p, command).progress.state is COMMANDS[command].target
    else:
        with pytest.raises(TransitionRefused):
            decide(p, command)


@pytest.mark.parametrize("command", list(Command))
def test_every_command_target_is_an_allowed_edge_from_each_source(command: Command) -> None:
    rule = COMMANDS[command]

    for source in rule.sources:
        assert rule.target in ALLOWED[source]

"""The nomination state machine, exhaustively: every reachable situation, fact and command."""

from __future__ import annotations

import contextlib
from collections import deque
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nomination.domain.commands import Command, Context, decide
from nomination.domain.errors import InvalidTransition, TransitionRefused
from nomination.domain.machine import (
    ALLOWED,
    FACTS,
    Action,
    Fact,
    Progress,
    move,
    needs_funding_request,
    record,
    settle,
)
from nomination.domain.states import (
    ACTIVE,
    PIPELINE,
    TERMINAL,
    Funding,
    Seat,
    State,
    Vetting,
)

START = Progress(State.SUBMITTED)


def _successors(p: Progress) -> list[Progress]:
    found = []
    for fact in Fact:
        recorded = record(p, fact)
        if recorded is not None:
            found.append(settle(recorded).progress)
            found.append(settle(recorded, funding_refused=True).progress)
    for command in Command:
        for context in (Context(ito_issued=False), Context(ito_issued=True)):
            with contextlib.suppress(TransitionRefused):
                found.append(decide(p, command, context).progress)
    return found


def _explore() -> tuple[set[Progress], set[tuple[State, State]]]:
    seen, edges, queue = {START}, set(), deque([START])
    while queue:
        current = queue.popleft()
        for nxt in _successors(current):
            if nxt.state is not current.state:
                edges.add((current.state, nxt.state))
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen, edges


REACHABLE, EDGES = _explore()


def test_every_reachable_situation_moves_only_along_the_allowed_graph() -> None:
    allowed = {(a, b) for a, targets in ALLOWED.items() for b in targets}

    pipeline_edges = {edge for edge in allowed if edge[0] is not State.DRAFT}

    assert pipeline_edges == EDGES


def test_every_state_of_the_specification_is_reachable_from_submission() -> None:
    reached = {p.state for p in REACHABLE}

    assert reached == set(State) - {State.DRAFT}


def test_terminal_states_have_no_way_out() -> None:
    for state in TERMINAL:
        assert ALLOWED[state] == frozenset()


def test_no_fact_ever_moves_a_terminal_nomination() -> None:
    ended = [p for p in REACHABLE if p.state in TERMINAL]

    for p in ended:
        for fact in Fact:
            recorded = record(p, fact)
            if recorded is not None:
                assert settle(recorded).progress.state is p.state


@pytest.mark.parametrize("fact", list(Fact))
def test_a_fact_recorded_twice_changes_nothing_the_second_time(fact: Fact) -> None:
    for p in REACHABLE:
        once = record(p, fact)
        if once is None:
            continue

        again = record(once, fact)

        assert again is None


@pytest.mark.parametrize("fact", list(Fact))
def test_a_fact_moves_only_its_own_sub_status(fact: Fact) -> None:
    aspect = FACTS[fact].aspect
    for p in REACHABLE:
        recorded = record(p, fact)
        if recorded is None:
            continue

        untouched = {"seat", "vetting", "funding"} - {aspect}

        assert all(getattr(recorded, a) == getattr(p, a) for a in untouched)
        assert recorded.state is p.state


def test_approval_with_a_held_seat_requests_funding_and_moves_to_funding() -> None:
    seated = Progress(State.VETTING, seat=Seat.HELD, vetting=Vetting.PENDING)

    outcome = settle(record(seated, Fact.VETTING_APPROVED) or seated)

    assert outcome.actions == (Action.REQUEST_FUNDING,)
    assert outcome.progress == Progress(
        State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED
    )


def test_approval_before_any_seat_news_waits_without_requesting_funding() -> None:
    submitted = Progress(State.SUBMITTED)

    outcome = settle(record(submitted, Fact.VETTING_APPROVED) or submitted)

    assert outcome.actions == ()
    assert outcome.progress.state is State.VETTING


def test_seat_held_after_an_early_approval_requests_funding() -> None:
    approved = Progress(State.VETTING, vetting=Vetting.APPROVED)

    outcome = settle(record(approved, Fact.SEAT_HELD) or approved)

    assert outcome.actions == (Action.REQUEST_FUNDING,)
    assert outcome.progress.state is State.FUNDING


def test_a_waitlisted_approved_nomination_requests_funding_only_when_promoted() -> None:
    waiting = settle(Progress(State.SUBMITTED, seat=Seat.WAITLISTED, vetting=Vetting.APPROVED))

    promoted = settle(record(waiting.progress, Fact.SEAT_HELD) or waiting.progress)

    assert waiting.actions == ()
    assert waiting.progress.state is State.WAITLISTED
    assert promoted.actions == (Action.REQUEST_FUNDING,)
    assert promoted.progress.state is State.FUNDING


def test_a_second_approval_while_funding_is_requested_requests_nothing() -> None:
    funding = Progress(State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED)

    assert record(funding, Fact.VETTING_APPROVED) is None
    assert settle(funding).actions == ()


def test_obligation_and_confirmed_seat_make_the_nomination_ready_for_travel() -> None:
    funding = Progress(State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED)

    obligated = settle(record(funding, Fact.OBLIGATION_RECORDED) or funding).progress
    ready = settle(record(obligated, Fact.SEAT_CONFIRMED) or obligated).progress

    assert obligated.state is State.FUNDING
    assert ready.state is State.READY_FOR_TRAVEL


def test_seat_confirmed_before_the_obligation_arrives_still_ends_ready_for_travel() -> None:
    funding = Progress(State.FUNDING, Seat.HELD, Vetting.APPROVED, Funding.REQUESTED)

    confirmed = settle(record(funding, Fact.SEAT_CONFIRMED) or funding).progress
    ready = settle(record(confirmed, Fact.OBLIGATION_RECORDED) or confirmed).progress

    assert confirmed.state is State.FUNDING
    assert ready.state is State.READY_FOR_TRAVEL


def test_a_late_seat_hold_never_downgrades_a_confirmed_seat() -> None:
    ready = Progress(State.READY_FOR_TRAVEL, Seat.CONFIRMED, Vetting.APPROVED, Funding.OBLIGATED)

    assert record(ready, Fact.SEAT_HELD) is None
    assert record(ready, Fact.SEAT_WAITLISTED) is None


def test_a_case_opened_after_the_decision_does_not_undo_it() -> None:
    approved = Progress(State.VETTING, vetting=Vetting.APPROVED)

    assert record(approved, Fact.CASE_OPENED) is None


def test_suspension_then_approval_resumes_at_the_funding_step() -> None:
    seated = Progress(State.VETTING, seat=Seat.HELD, vetting=Vetting.PENDING)

    suspended = settle(record(seated, Fact.VETTING_SUSPENDED) or seated)
    resumed = settle(record(suspended.progress, Fact.VETTING_APPROVED) or suspended.progress)

    assert suspended.progress.state is State.VETTING_SUSPENDED
    assert suspended.actions == ()
    assert resumed.progress.state is State.FUNDING
    assert resumed.actions == (Action.REQUEST_FUNDING,)


def test_a_denial_is_final_whatever_arrives_after_it() -> None:
    denied = settle(Progress(State.VETTING, seat=Seat.HELD, vetting=Vetting.DENIED)).progress

    late = [record(denied, f) for f in (Fact.VETTING_APPROVED, Fact.VETTING_SUSPENDED)]

    assert denied.state is State.VETTING_DENIED
    assert late == [None, None]


def test_expired_approval_goes_back_to_vetting_and_keeps_seat_and_funds() -> None:
    ready = Progress(State.READY_FOR_TRAVEL, Seat.CONFIRMED, Vetting.APPROVED, Funding.OBLIGATED)

    revetting = settle(record(ready, Fact.VETTING_EXPIRED) or ready).progress
    again = settle(record(revetting, Fact.VETTING_APPROVED) or revetting)

    assert revetting == replace(ready, state=State.VETTING, vetting=Vetting.PENDING)
    assert again.progress.state is State.READY_FOR_TRAVEL
    assert again.actions == ()


def test_a_move_off_the_graph_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(InvalidTransition):
        move(Progress(State.DRAFT), State.READY_FOR_TRAVEL)


def test_facts_move_nothing_outside_the_pipeline() -> None:
    for state in set(State) - PIPELINE:
        p = Progress(state, seat=Seat.HELD, vetting=Vetting.APPROVED)

        assert settle(p).progress == p
        assert settle(p).actions == ()


def test_the_duplicate_rule_covers_every_state_between_submission_and_the_end_of_training() -> None:
    assert set(State) - TERMINAL - {State.DRAFT} == ACTIVE


facts = st.lists(st.sampled_from(list(Fact)), max_size=25)


@settings(max_examples=300, deadline=None)
@given(facts)
def test_any_order_of_news_requests_funding_at_most_once_per_request_cycle(
    sequence: list[Fact],
) -> None:
    p, requests = START, 0
    for fact in sequence:
        recorded = record(p, fact)
        if recorded is None:
            continue
        outcome = settle(recorded)
        requests += outcome.actions.count(Action.REQUEST_FUNDING)
        p = outcome.progress

    assert requests <= 1  # facts alone never re-request: after a rejection only a retry does
    assert requests == 0 or p.funding is not Funding.NONE


@settings(max_examples=300, deadline=None)
@given(facts)
def test_any_order_of_news_ends_where_the_facts_say(sequence: list[Fact]) -> None:
    p = START
    for fact in sequence:
        recorded = record(p, fact)
        if recorded is not None:
            p = settle(recorded).progress

    if p.vetting is Vetting.DENIED:
        assert p.state is State.VETTING_DENIED
    lost = p.seat is Seat.RELEASED or p.vetting is Vetting.CANCELLED  # the manager cancels these
    if p.state is State.READY_FOR_TRAVEL and not lost:
        assert (p.vetting, p.funding, p.seat) == (
            Vetting.APPROVED,
            Funding.OBLIGATED,
            Seat.CONFIRMED,
        )
    assert not needs_funding_request(p)

"""The declared event flow binds each service's handlers, or refuses to start."""

from __future__ import annotations

import types
from typing import Any

import pytest

from shared.contracts.flow import FLOW, FlowMismatch, Subscription, bind, flow_table
from shared.contracts.nomination.v1 import NominationSubmittedV1, NominationWithdrawnV1

FLOW_OF_TWO = (
    Subscription(NominationSubmittedV1, "desk", "when_nomination_submitted_note_it", "notes"),
    Subscription(NominationWithdrawnV1, "desk", "when_nomination_withdrawn_forget_it", "forgets"),
)


def _module(**handlers: Any) -> types.ModuleType:
    module = types.ModuleType("desk.entrypoints.reactions")
    for name, handler in handlers.items():
        setattr(module, name, handler)
    return module


async def test_declared_handlers_are_bound_and_given_what_they_need() -> None:
    seen: list[tuple[str, Any]] = []

    async def when_nomination_submitted_note_it(event: Any, envelope: Any, uow: Any) -> None:
        seen.append(("noted", event))

    async def when_nomination_withdrawn_forget_it(
        event: Any, envelope: Any, uow: Any, *, policy: str
    ) -> None:
        seen.append((policy, event))

    module = _module(
        when_nomination_submitted_note_it=when_nomination_submitted_note_it,
        when_nomination_withdrawn_forget_it=when_nomination_withdrawn_forget_it,
    )

    reactions = bind(FLOW_OF_TWO, "desk", module, {"policy": "strict"})
    await reactions[NominationSubmittedV1]("e1", None, None)
    await reactions[NominationWithdrawnV1]("e2", None, None)

    assert seen == [("noted", "e1"), ("strict", "e2")]
    assert reactions[NominationWithdrawnV1].__name__ == "when_nomination_withdrawn_forget_it"


def test_a_declared_handler_missing_from_the_service_refuses_the_start() -> None:
    async def when_nomination_submitted_note_it(event: Any, envelope: Any, uow: Any) -> None:
        return None

    with pytest.raises(FlowMismatch, match="when_nomination_withdrawn_forget_it"):
        bind(FLOW_OF_TWO, "desk", _module(
            when_nomination_submitted_note_it=when_nomination_submitted_note_it
        ), {})  # fmt: skip


def test_a_handler_the_flow_does_not_declare_refuses_the_start() -> None:
    async def handler(event: Any, envelope: Any, uow: Any) -> None:
        return None

    module = _module(
        when_nomination_submitted_note_it=handler,
        when_nomination_withdrawn_forget_it=handler,
        when_class_cancelled_panic=handler,
    )

    with pytest.raises(FlowMismatch, match="when_class_cancelled_panic"):
        bind(FLOW_OF_TWO, "desk", module, {})


def test_a_handler_needing_something_the_bootstrap_lacks_refuses_the_start() -> None:
    async def needs(event: Any, envelope: Any, uow: Any, *, clock: Any) -> None:
        return None

    module = _module(
        when_nomination_submitted_note_it=needs, when_nomination_withdrawn_forget_it=needs
    )

    with pytest.raises(FlowMismatch, match="clock"):
        bind(FLOW_OF_TWO, "desk", module, {})


def test_every_declared_event_is_consumed_once_per_consumer_and_says_what_happens() -> None:
    pairs = [(s.event.TYPE, s.consumer) for s in FLOW]

    assert len(pairs) == len(set(pairs))
    assert all(s.does and s.handler.startswith("when_") for s in FLOW)
    assert len(flow_table()) == len(FLOW)

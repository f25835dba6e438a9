"""Property: for ANY sequence of facts, a travel order is current only while the gate holds.

Hypothesis draws sequences of what other services announce (vetting decisions and lapses, seat
and money movements, class changes) and of what people do (issue, withdraw, retry funding,
start training), applies them through the real reactions and use cases on the real database,
and after every step checks: at most one order is current, and a current order of a nomination
that has not started training passes the very gate that issues orders - judged now, with the
English rule as of the order's issue day. Every recalled order has a reason and its event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from nomination.adapters.repositories.nominations import nomination_of
from nomination.adapters.tables import travel_order
from nomination.domain.gate import gate_problems
from nomination.domain.rules import Rules
from nomination.entrypoints.reactions import reactions
from nomination.service_layer.screening import facts_of
from services.nomination.tests.integration.support import BASE, TODAY, World, status_of
from services.nomination.tests.integration.their import Their
from shared.auth.principal import system_actor
from shared.contracts.catalog.v1 import ClassChangedV1, ClassScheduledV1
from shared.contracts.envelope import IntegrationEvent

RULES = Rules()
REACT = reactions(RULES)


@dataclass
class Scene:
    world: World
    nomination: dict[str, Any]
    their: Their
    klass: ClassScheduledV1
    class_version: int = 1


async def _apply(world: World, event: IntegrationEvent) -> None:
    async with world.runtime.uow(system_actor("test"), cause_event_id="property") as uow:
        await REACT[type(event)](event, None, uow)
        await uow.commit()


def _moved(scene: Scene, days: int) -> ClassChangedV1:
    scene.class_version += 1
    k = scene.klass
    return ClassChangedV1(
        **{
            **k.model_dump(),
            "start_date": k.start_date + timedelta(days=days),
            "end_date": k.end_date + timedelta(days=days),
            "report_date": k.report_date + timedelta(days=days),
            "version": scene.class_version,
        }
    )


async def _http(scene: Scene, action: str) -> None:
    await scene.world.client.post(
        f"{BASE}/{scene.nomination['id']}/{action}", headers=scene.world.as_("sco", "GTM")
    )


STEPS: dict[str, Any] = {
    "approved": lambda s: _apply(s.world, s.their.approved()),
    "approved_until_before_report": lambda s: _apply(
        s.world, s.their.approved(valid_until=s.klass.report_date - timedelta(days=1))
    ),
    "suspended": lambda s: _apply(s.world, s.their.suspended()),
    "denied": lambda s: _apply(s.world, s.their.denied()),
    "expired": lambda s: _apply(s.world, s.their.expired()),
    "seat_held": lambda s: _apply(s.world, s.their.seat_held()),
    "seat_confirmed": lambda s: _apply(s.world, s.their.seat_confirmed()),
    "seat_released": lambda s: _apply(s.world, s.their.seat_released("released_by_manager")),
    "obligated": lambda s: _apply(s.world, s.their.obligated()),
    "rejected": lambda s: _apply(s.world, s.their.rejected()),
    "deobligated": lambda s: _apply(s.world, s.their.deobligated("23456.78", "0.00")),
    "class_moved_later": lambda s: _apply(s.world, _moved(s, 400)),
    "class_moved_earlier": lambda s: _apply(s.world, _moved(s, -2)),
    "issue": lambda s: _http(s, "ito"),
    "withdraw": lambda s: _http(s, "withdraw"),
    "retry_funding": lambda s: _http(s, "retry-funding"),
    "start_training": lambda s: _http(s, "start-training"),
}
# Issuing is drawn more often, so most sequences have an order to break.
STEP = st.sampled_from([*STEPS, "issue", "issue"])


async def _ready(world: World) -> Scene:
    klass = await world.catalog()
    nomination = await world.submitted(klass)
    their = Their(nomination)
    for event in (
        their.case_opened(),
        their.approved(),
        their.seat_held(),
        their.obligated(),
        their.seat_confirmed(),
    ):
        await _apply(world, event)
    scene = Scene(world, nomination, their, klass)
    await _http(scene, "ito")
    return scene


async def _orders(world: World, nomination_id: UUID) -> list[Any]:
    async with world.runtime.sessions() as session:
        rows = await session.execute(
            select(travel_order)
            .where(travel_order.c.nomination_id == nomination_id)
            .order_by(travel_order.c.version)
        )
        return list(rows)


async def _check(scene: Scene, step: str) -> None:
    world = scene.world
    nomination_id = UUID(scene.nomination["id"])
    orders = await _orders(world, nomination_id)
    current = [o for o in orders if o.superseded_at is None and o.recalled_at is None]
    assert len(current) <= 1, step
    for order in orders:
        assert (order.recalled_at is None) == (order.recall_reason is None)
    row = await status_of(world.runtime, nomination_id)
    if current and row.training_started_on is None:
        order = current[0]
        async with world.runtime.uow(system_actor("test")) as uow:
            facts = await facts_of(uow, nomination_of(row))
        missing = gate_problems(
            facts, RULES, on=datetime.now(UTC).date(), english_on=order.issued_at.date()
        )
        assert missing == [], (step, row.status, [p.code for p in missing])
    recalled = sum(o.recalled_at is not None for o in orders)
    events = [e for e in await world.outbox(nomination_id) if "ito_recalled" in e.type]
    assert len(events) == recalled


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=10))
async def test_an_order_is_current_only_while_every_gate_condition_holds(
    world: World, steps: list[str]
) -> None:
    await world.country("GTM")
    scene = await _ready(world)
    await _check(scene, "issued")

    for step in steps:
        await STEPS[step](scene)
        await _check(scene, step)

    assert datetime.now(UTC).date() >= TODAY

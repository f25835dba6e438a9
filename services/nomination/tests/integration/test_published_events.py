"""What leaves the service on `imet.nomination.events`: every contract type, keyed by nomination,
valid against its model, and never a piece of personal data (ADR 0005)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from services.nomination.tests.integration.support import BASE, Bus, Until, World
from services.nomination.tests.integration.their import to_ready
from shared.contracts.nomination import v1 as contract
from shared.contracts.registry import published_events
from shared.messaging.kafka import physical_topic
from shared.runner import build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.waiting import eventually

PERSONAL_KEYS = {
    "family_names", "given_names", "date_of_birth", "place_of_birth", "passport_number", "sex",
    "medical_reference", "medical_cleared_on", "security_reference", "english_tests",
}  # fmt: skip


async def _unpublished(world: World) -> int:
    outbox = world.runtime.definition.tables.outbox
    async with world.runtime.sessions() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_every_event_type_is_published_keyed_by_nomination_without_personal_data(
    world: World, bus: Bus, until: Until, topic_prefix: str
) -> None:
    sco = world.as_("sco", "GTM")
    travelling, _ = await to_ready(world, bus, until)
    await world.client.post(f"{BASE}/{travelling['id']}/ito", headers=sco)
    await world.client.post(f"{BASE}/{travelling['id']}/start-training", headers=sco)
    await world.client.post(f"{BASE}/{travelling['id']}/complete", headers=sco)
    withdrawn = await world.submitted()
    await world.client.post(f"{BASE}/{withdrawn['id']}/withdraw", headers=sco)
    revetted = await world.submitted()
    candidate_url = f"{BASE}/candidates/{revetted['candidate_id']}"
    etag = (await world.client.get(candidate_url, headers=sco)).headers["etag"]
    await world.client.patch(
        candidate_url, json={"unit_name": "Batallón 9"}, headers=sco | {"If-Match": etag}
    )
    recalled, _ = await to_ready(world, bus, until)
    await world.client.post(f"{BASE}/{recalled['id']}/ito", headers=sco)
    await world.client.post(f"{BASE}/{recalled['id']}/withdraw", headers=sco)
    cancelled = await world.draft()
    await world.client.post(
        f"{BASE}/{cancelled['id']}/cancel",
        json={"reason": "duplicate entry"},
        headers=world.as_("admin"),
    )
    ours = {n["id"]: n for n in (travelling, withdrawn, revetted, recalled, cancelled)}
    candidates = [
        (await world.client.get(f"{BASE}/candidates/{n['candidate_id']}", headers=sco)).json()
        for n in ours.values()
    ]

    async with running(build_relay(world.runtime).run):
        await eventually(lambda: _unpublished(world), lambda n: n == 0)
    records = [
        r for r in await read_all(physical_topic(contract.TOPIC, topic_prefix))
        if r.key.decode() in ours
    ]  # fmt: skip

    types = {headers_of(r)["ce_type"] for r in records}
    assert types == {m.TYPE for m in published_events().values() if m.TOPIC == contract.TOPIC}
    for record in records:
        headers, body = headers_of(record), json.loads(record.value)
        assert record.key.decode() == body["nomination_id"] == headers["ce_subject"]
        published_events()[headers["ce_type"]].model_validate(body)
        assert not _keys(body) & PERSONAL_KEYS
        for person in candidates:
            for personal in ("family_names", "given_names", "date_of_birth", "passport_number"):
                assert person[personal] not in record.value.decode()

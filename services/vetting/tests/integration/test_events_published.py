"""What vetting publishes on `imet.vetting.events`, read back from the broker after the relay."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from shared.contracts.vetting.v1 import VettingApprovedV1
from shared.messaging.kafka import physical_topic
from shared.runner import build_relay
from tests.helpers.fixtures import auth, running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.waiting import eventually
from vetting.adapters.tables import platform

from .support import open_case_now

PERSONAL = {
    "name",
    "names",
    "first_name",
    "last_name",
    "given_names",
    "family_name",
    "full_name",
    "date_of_birth",
    "dob",
    "birth_date",
    "place_of_birth",
    "passport",
    "passport_number",
    "phone",
    "email",
    "person_fingerprint",
    "rationale",
}


async def _unpublished(runtime: Any) -> int:
    o = platform.outbox.c
    async with runtime.sessions() as session:
        stmt = select(func.count()).select_from(platform.outbox).where(o.published_at.is_(None))
        return int((await session.execute(stmt)).scalar_one())


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


async def test_a_decision_is_published_as_a_cloudevent_keyed_by_the_case(
    client: httpx.AsyncClient, runtime: Any, token: Any, topic_prefix: str
) -> None:
    case = await open_case_now(runtime)
    await client.post(
        f"/api/v1/vetting/cases/{case.id}/decisions",
        json={
            "result": "approved",
            "reason_code": "cleared",
            "rationale": "Checked: John Doe, born 1990.",
        },
        headers=auth(token("vetter")),
    )

    async with running(build_relay(runtime).run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    records = [
        r
        for r in await read_all(physical_topic("imet.vetting.events", topic_prefix))
        if r.key == str(case.id).encode()
    ]

    assert [headers_of(r)["ce_type"] for r in records] == [
        "imet.vetting.case_opened.v1",
        "imet.vetting.approved.v1",
    ]
    approved = VettingApprovedV1.model_validate_json(records[1].value)
    assert (approved.case_id, approved.nomination_id, approved.automatic) == (
        case.id,
        case.nomination_id,
        False,
    )
    assert headers_of(records[1])["ce_source"] == "/imet/vetting"
    assert b"John Doe" not in records[1].value


async def test_no_published_vetting_event_carries_personal_data(
    runtime: Any, topic_prefix: str
) -> None:
    await open_case_now(runtime)

    async with running(build_relay(runtime).run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    records = await read_all(physical_topic("imet.vetting.events", topic_prefix))

    assert records
    leaked = {headers_of(r)["ce_type"]: _keys(json.loads(r.value)) & PERSONAL for r in records}
    assert all(not keys for keys in leaked.values()), leaked

"""The admins' dead-letter routes of the gateway, against the real broker and PostgreSQL.

Authorization (401 without a token, 403 for every role but admin), problem+json for bad and
unknown ids, list / show / replay of a dead letter written to a DLQ topic as a consumer writes
one, and the audit row of a replay (ADR 0106).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import jwt
import pytest

from gateway.signing.issuer import TokenIssuer
from shared.messaging.kafka import dlq_topic, physical_topic
from tests.helpers.kafka import headers_of, produce, read_all
from tests.helpers.timing import scaled

DLQ = "/api/v1/ops/dlq"
LOGICAL = "imet.catalog.events"
ROUTES = [("GET", DLQ, None), ("GET", f"{DLQ}/x.dlq:0:1", None),
          ("POST", f"{DLQ}/replay", {"all": True, "dry_run": True})]  # fmt: skip


@pytest.fixture(scope="module")
def dlq_gateway(start_gateway: Any, gateway_db: str, topic_prefix: str) -> Iterator[str]:
    with start_gateway(database_url=gateway_db) as url:
        yield url


@pytest.fixture
async def http(dlq_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=dlq_gateway, timeout=scaled(30)) as client:
        yield client


def _bearer(issuer: TokenIssuer, role: str, subject: str = "ops-tester") -> dict[str, str]:
    country = "GTM" if role == "sco" else None
    return {"Authorization": f"Bearer {issuer.issue(subject, [role], country=country)}"}


async def _seed(topic_prefix: str) -> tuple[str, str]:
    topic = physical_topic(LOGICAL, topic_prefix)
    key = f"gw-{uuid.uuid4()}"
    headers = [
        ("ce_id", str(uuid.uuid4()).encode()), ("ce_type", b"imet.catalog.course_published.v1"),
        ("x-dlq-consumer", b"funding"), ("x-dlq-original-topic", topic.encode()),
        ("x-dlq-original-partition", b"0"), ("x-dlq-original-offset", b"3"),
        ("x-dlq-error-type", b"ValueError"), ("x-dlq-error-code", b"reaction.error"),
        ("x-dlq-attempts", b"3"),
    ]  # fmt: skip
    await produce(dlq_topic(topic), [(key.encode(), json.dumps({"k": key}).encode(), headers)])
    return topic, key


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_without_a_token_every_route_answers_401(
    http: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    response = await http.request(method, path, json=body)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("role", ["sco", "vetter", "funding_officer", "catalog_manager",
                                  "auditor"])  # fmt: skip
async def test_every_role_but_admin_gets_403(
    http: httpx.AsyncClient, issuer: TokenIssuer, role: str, method: str, path: str, body: Any
) -> None:
    response = await http.request(method, path, json=body, headers=_bearer(issuer, role))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_bad_ids_are_400_unknown_ones_404_a_bad_selection_422(
    http: httpx.AsyncClient, issuer: TokenIssuer, topic_prefix: str
) -> None:
    admin = _bearer(issuer, "admin")
    known = dlq_topic(physical_topic(LOGICAL, topic_prefix))
    cases = [
        (await http.get(f"{DLQ}/not-an-id", headers=admin), 400),
        (await http.get(f"{DLQ}/{physical_topic(LOGICAL, topic_prefix)}:0:1", headers=admin), 400),
        (await http.get(f"{DLQ}/{known}:0:99999999999", headers=admin), 404),
        (await http.get(f"{DLQ}/other.dlq:0:1", headers=admin), 404),
        (await http.get(DLQ, params={"topic": "imet.nope.events"}, headers=admin), 400),
        (await http.post(f"{DLQ}/replay", json={"ids": ["x"]}, headers=admin), 400),
        (
            await http.post(
                f"{DLQ}/replay", json={"ids": [f"{known}:0:99999999999"]}, headers=admin
            ),
            404,
        ),
        (
            await http.post(f"{DLQ}/replay", json={"all": True, "topic": LOGICAL}, headers=admin),
            422,
        ),
        (await http.post(f"{DLQ}/replay", json={}, headers=admin), 422),
    ]

    assert [r.status_code for r, _ in cases] == [status for _, status in cases]
    assert all(r.headers["content-type"] == "application/problem+json" for r, _ in cases)


async def test_an_admin_lists_shows_and_replays_a_dead_letter_and_the_replay_is_audited(
    http: httpx.AsyncClient, issuer: TokenIssuer, topic_prefix: str, gateway_db: str
) -> None:
    topic, key = await _seed(topic_prefix)
    admin = _bearer(issuer, "admin", subject=f"admin-{uuid.uuid4().hex[:8]}")

    listed = await http.get(DLQ, params={"topic": LOGICAL, "limit": 1000}, headers=admin)
    assert listed.status_code == 200, listed.text
    [item] = [i for i in listed.json()["items"] if i["key"] == key]
    shown = await http.get(f"{DLQ}/{item['id']}", headers=admin)
    dry = await http.post(f"{DLQ}/replay", json={"ids": [item["id"]], "dry_run": True},
                          headers=admin)  # fmt: skip
    after_dry = [r for r in await read_all(topic) if r.key == key.encode()]
    done = await http.post(f"{DLQ}/replay", json={"ids": [item["id"]]}, headers=admin)
    replayed = [r for r in await read_all(topic) if r.key == key.encode()]
    audit = await _audit(gateway_db, item["id"])

    assert item["error"]["code"] == "reaction.error"
    assert shown.status_code == 200
    assert shown.json()["payload"] == {"k": key}
    assert shown.json()["headers"]["x-dlq-consumer"] == "funding"
    assert dry.json() == {"dry_run": True, "count": 1, "replayed": [
        {"id": item["id"], "topic": topic, "partition": 0, "offset": None}]}  # fmt: skip
    assert after_dry == []
    assert done.status_code == 200, done.text
    assert done.json()["replayed"][0]["offset"] == replayed[0].offset
    assert len(replayed) == 1
    assert headers_of(replayed[0])["x-dlq-replayed-from"] == item["id"]
    assert headers_of(replayed[0])["x-dlq-replayed-by"] == f"admin:{admin_subject(admin)}"
    assert [(a["action"], a["actor"], json.loads(a["after"])) for a in audit] == [
        ("dlq.replayed", admin_subject(admin), {"to": [topic]})
    ]


def admin_subject(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


async def _audit(url: str, entity_id: str) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT action, actor, after FROM audit_log WHERE entity_type = 'dead_letter' "
            "AND entity_id = $1 ORDER BY id", entity_id,
        )  # fmt: skip
        return [dict(row) for row in rows]
    finally:
        await conn.close()


async def test_the_routes_are_documented_for_admins_with_a_bearer_token(
    http: httpx.AsyncClient,
) -> None:
    document = (await http.get("/openapi.json")).json()

    operations = {
        f"{method.upper()} {path}": op
        for path, item in document["paths"].items() if path.startswith(DLQ)
        for method, op in item.items() if method in ("get", "post")
    }  # fmt: skip
    assert set(operations) == {f"GET {DLQ}", f"GET {DLQ}/{{dlq_id}}", f"POST {DLQ}/replay"}
    for op in operations.values():
        assert op["security"] == [{"bearerAuth": []}, {"oauth2": []}]
        assert {"401", "403"} <= set(op["responses"])
        assert op["tags"] == ["gateway.ops"]
    [param] = operations[f"GET {DLQ}/{{dlq_id}}"]["parameters"]
    assert param["schema"]["pattern"].endswith(r"\.dlq:[0-9]{1,10}:[0-9]{1,19}$")

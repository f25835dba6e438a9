"""A key's first answer is the answer: a retry replays it with one effect, another body under
the key is refused, concurrent duplicates run once, keys are per principal; without a key, or
with an invalid one, nothing is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.http.problems import PROBLEM_BASE
from tests.helpers.fixtures import auth
from tests.integration.http.idempotency.support import (
    THINGS,
    effects,
    stored,
    token_for,
    unique,
)


async def test_a_retry_returns_the_first_answer_and_has_one_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, key = unique("t"), unique("k")

    first = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))
    retry = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]
    assert await effects(sessions, thing) == 1


async def test_the_same_key_with_another_body_is_a_422_problem_and_no_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, other, key = unique("t"), unique("t"), unique("k")
    await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    reused = await client.post(THINGS, json={"key": other, "value": 1}, headers=headers(key))

    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"] == PROBLEM_BASE + "idempotency-key-reused"
    assert await effects(sessions, other) == 0


async def test_concurrent_duplicates_have_exactly_one_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, key = unique("t"), unique("k")

    responses = await asyncio.gather(
        *(
            client.post(THINGS, json={"key": thing, "value": 7}, headers=headers(key))
            for _ in range(10)
        )
    )

    ran = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(ran) == 1
    assert len(ran) + len(replayed) + len(in_progress) == 10
    assert all(r.content == ran[0].content for r in replayed)
    assert all(r.json()["type"] == PROBLEM_BASE + "idempotency-in-progress" for r in in_progress)
    assert all(r.headers["retry-after"] == "1" for r in in_progress)
    assert await effects(sessions, thing) == 1


async def test_a_business_rule_refusal_is_stored_and_replayed(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")

    first = await client.post(THINGS, json={"key": thing, "value": 13}, headers=headers(key))
    retry = await client.post(THINGS, json={"key": thing, "value": 13}, headers=headers(key))

    assert first.status_code == 409
    assert retry.status_code == 409
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["content-type"] == "application/problem+json"
    assert retry.json()["type"] == first.json()["type"] == PROBLEM_BASE + "conflict"
    [row] = await stored(sessions, subject)
    assert (row.state, row.status_code) == ("done", 409)


async def test_keys_are_scoped_per_principal(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    alice, bob = token_for(unique("alice")), token_for(unique("bob"))
    key, thing_a, thing_b = unique("k"), unique("t"), unique("t")

    by_alice = await client.post(
        THINGS, json={"key": thing_a, "value": 1}, headers=auth(alice) | {"Idempotency-Key": key}
    )
    by_bob = await client.post(
        THINGS, json={"key": thing_b, "value": 2}, headers=auth(bob) | {"Idempotency-Key": key}
    )

    assert by_alice.status_code == by_bob.status_code == 201
    assert "idempotent-replayed" not in by_bob.headers
    assert by_bob.json()["key"] == thing_b
    assert await effects(sessions, thing_a) == 1
    assert await effects(sessions, thing_b) == 1


async def test_an_invalid_key_is_a_400_problem_and_no_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing = unique("t")

    response = await client.post(
        THINGS, json={"key": thing, "value": 1}, headers=headers("x" * 201)
    )

    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM_BASE + "invalid-idempotency-key"
    assert await effects(sessions, thing) == 0


async def test_a_request_without_a_key_stores_nothing(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], subject: str
) -> None:
    thing = unique("t")

    response = await client.post(
        THINGS, json={"key": thing, "value": 1}, headers=auth(token_for(subject))
    )

    assert response.status_code == 201
    assert await stored(sessions, subject) == []
    assert await effects(sessions, thing) == 1

"""Tokens over time: expiry after a short lifetime, and key rotation without downtime."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from gateway.clients.model import ClientSpec
from gateway.clients.store import ClientStore
from gateway.signing.keys import ensure_dev_keys, rotate_keys
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from shared.settings import PlatformSettings
from tests.helpers.timing import scaled

TOKEN = "/api/v1/auth/token"
TTL = max(3, round(scaled(3)))  # long enough for the first call, even on a slow machine
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    ensure_dev_keys(tmp_path / "keys")
    return tmp_path / "keys"


def _verifier(keys: Path) -> TokenVerifier:
    platform = PlatformSettings()
    return TokenVerifier(FileJwksSource(keys / "jwks.json"), platform.auth_issuer,
                         platform.auth_audience, leeway_seconds=0)  # fmt: skip


@pytest.fixture
async def credentials(gateway_db: str) -> tuple[str, str]:
    store = ClientStore.from_url(gateway_db, pool_size=1)
    spec = ClientSpec.of(f"lifecycle {uuid.uuid4().hex[:6]}", ["auditor"], None)
    client, secret = await store.create(spec, actor="operator:test")
    await store.aclose()
    return client.client_id, secret


@pytest.fixture
def short_lived_gateway(start_gateway: Any, gateway_db: str, keys: Path) -> Iterator[str]:
    with start_gateway(with_verifier=_verifier(keys), database_url=gateway_db, key_dir=keys,
                       token_ttl_seconds=TTL) as url:  # fmt: skip
        yield url


@pytest.fixture
def rotating_gateway(start_gateway: Any, gateway_db: str, keys: Path) -> Iterator[str]:
    with start_gateway(with_verifier=_verifier(keys), database_url=gateway_db,
                       key_dir=keys) as url:  # fmt: skip
        yield url


async def _token(http: httpx.AsyncClient, credentials: tuple[str, str]) -> str:
    response = await http.post(TOKEN, data=GRANT, auth=credentials)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_stops_opening_the_api_when_its_lifetime_is_over(
    short_lived_gateway: str, credentials: tuple[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=short_lived_gateway, timeout=scaled(10)) as http:
        token = await _token(http, credentials)
        fresh = await http.get("/api/v1/catalog/courses", headers=_bearer(token))
        expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
        # Not a guess at how long things take: the moment is the token's own `exp` claim.
        await asyncio.sleep(max(0.0, expires_at - time.time()))

        stale = await http.get("/api/v1/catalog/vetting", headers=_bearer(token))

    assert fresh.status_code == 200
    assert stale.status_code == 401
    assert stale.json()["reason"] == "expired"


async def test_rotation_signs_new_tokens_with_the_new_key_and_keeps_old_ones_valid(
    rotating_gateway: str, credentials: tuple[str, str], keys: Path
) -> None:
    async with httpx.AsyncClient(base_url=rotating_gateway, timeout=scaled(10)) as http:
        old_token = await _token(http, credentials)

        rotated = rotate_keys(keys)
        new_token = await _token(http, credentials)
        published = (await http.get("/.well-known/jwks.json")).json()
        old_answer = await http.get("/api/v1/catalog/courses", headers=_bearer(old_token))
        new_answer = await http.get("/api/v1/catalog/courses", headers=_bearer(new_token))

    old_kid = jwt.get_unverified_header(old_token)["kid"]
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid == rotated.current.kid != old_kid
    assert {key["kid"] for key in published["keys"]} == {old_kid, new_kid}
    assert (old_answer.status_code, new_answer.status_code) == (200, 200)

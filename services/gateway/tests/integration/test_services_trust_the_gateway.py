"""Defense in depth in production's shape: a service verifies every request itself, with the
keys it fetches from the gateway's JWKS URL (AUTH_JWKS_URL=http://gateway:8000/.well-known/...).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.clients.model import ClientSpec
from gateway.clients.store import ClientStore
from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys, generate_key
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from shared.settings import PlatformSettings
from tests.helpers.timing import scaled

ServiceClient = Callable[[str], Awaitable[httpx.AsyncClient]]


@pytest.fixture(scope="module")
def issuing_gateway(
    start_gateway: Any, gateway_db: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    keys: Path = tmp_path_factory.mktemp("gateway-keys")
    ensure_dev_keys(keys)
    platform = PlatformSettings()
    verifier = TokenVerifier(FileJwksSource(keys / "jwks.json"), platform.auth_issuer,
                             platform.auth_audience)  # fmt: skip
    with start_gateway(with_verifier=verifier, database_url=gateway_db, key_dir=keys) as url:
        yield url


async def test_a_service_verifies_a_client_credentials_token_with_the_gateways_jwks_url(
    issuing_gateway: str,
    gateway_db: str,
    service_client: ServiceClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = ClientStore.from_url(gateway_db, pool_size=1)
    client, secret = await store.create(
        ClientSpec.of(f"agency {uuid.uuid4().hex[:6]}", ["catalog_manager"], None),
        actor="operator:test",
    )
    await store.aclose()
    async with httpx.AsyncClient(base_url=issuing_gateway, timeout=scaled(10)) as http:
        answer = await http.post("/api/v1/auth/token", data={"grant_type": "client_credentials"},
                                 auth=(client.client_id, secret))  # fmt: skip
    monkeypatch.setenv("AUTH_JWKS_URL", f"{issuing_gateway}/.well-known/jwks.json")
    monkeypatch.delenv("AUTH_JWKS_FILE", raising=False)
    catalog = await service_client("catalog")
    platform = PlatformSettings()
    stranger = TokenIssuer(generate_key(), platform.auth_issuer, platform.auth_audience).issue(
        client.client_id, ["catalog_manager"]
    )

    accepted = await catalog.get("/api/v1/catalog/courses", headers=_bearer(answer.json()))
    refused = await catalog.get("/api/v1/catalog/courses", headers=_bearer(
        {"access_token": stranger}))  # fmt: skip

    assert accepted.status_code == 200
    assert refused.status_code == 401
    assert refused.json()["reason"] == "unknown_kid"


def _bearer(answer: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {answer['access_token']}"}

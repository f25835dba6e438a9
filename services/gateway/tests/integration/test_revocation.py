"""Revoking a client cuts off the tokens it already holds, on every gateway, within seconds.

Through real gateways (two replicas on one database), real PostgreSQL and `imet clients
revoke`: the token opens the API, the client is revoked, and within a bounded wait the very
same token is refused by both replicas although each had it in its verified-token cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from gateway.clients.model import ClientSpec
from gateway.clients.store import ClientStore
from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys
from imet.cli import app as cli_app
from imet.infra.process import free_port
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from shared.settings import PlatformSettings
from tests.helpers.waiting import eventually

TOKEN = "/api/v1/auth/token"
API = "/api/v1/catalog/courses"
REFRESH_SECONDS = 0.5
# The revocation must show within a few refresh intervals; generous for a loaded 2-core box.
BOUND_SECONDS = 15.0


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    ensure_dev_keys(tmp_path / "keys")
    return tmp_path / "keys"


def _verifier(keys: Path) -> TokenVerifier:
    platform = PlatformSettings()
    return TokenVerifier(FileJwksSource(keys / "jwks.json"), platform.auth_issuer,
                         platform.auth_audience)  # fmt: skip


@pytest.fixture
async def credentials(gateway_db: str) -> tuple[str, str]:
    store = ClientStore.from_url(gateway_db, pool_size=1)
    spec = ClientSpec.of(f"revocation {uuid.uuid4().hex[:6]}", ["auditor"], None)
    client, secret = await store.create(spec, actor="operator:test")
    await store.aclose()
    return client.client_id, secret


@pytest.fixture
def replicas(start_gateway: Any, gateway_db: str, keys: Path) -> Iterator[list[str]]:
    """Two gateways sharing one database and one key folder, as two pods of a Deployment."""
    settings = {"database_url": gateway_db, "key_dir": keys,
                "revocation_refresh_seconds": REFRESH_SECONDS}  # fmt: skip
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(start_gateway(with_verifier=_verifier(keys), **settings))
            for _ in range(2)
        ]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_revoked_clients_token_is_refused_by_every_gateway_within_seconds(
    replicas: list[str], credentials: tuple[str, str], gateway_db: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.post(replicas[0] + TOKEN, auth=credentials,
                                 data={"grant_type": "client_credentials"})  # fmt: skip
        token = answer.json()["access_token"]
        before = [(await http.get(url + API, headers=_bearer(token))).status_code
                  for url in replicas]  # fmt: skip

        monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_db)
        # The CLI runs its own event loop: give it a thread, as a shell would a process.
        revoked = await asyncio.to_thread(
            CliRunner().invoke, cli_app, ["clients", "revoke", credentials[0]]
        )
        revoked_at = time.monotonic()

        async def statuses() -> list[httpx.Response]:
            return [await http.get(url + API, headers=_bearer(token)) for url in replicas]

        after = await eventually(
            statuses, lambda rs: all(r.status_code == 401 for r in rs), timeout=BOUND_SECONDS
        )
        took = time.monotonic() - revoked_at

    assert before == [200, 200]
    assert revoked.exit_code == 0, revoked.output
    assert [r.status_code for r in after] == [401, 401], f"after {took:.1f} s"
    assert {r.json()["reason"] for r in after} == {"revoked"}
    assert all('error="invalid_token"' in r.headers["www-authenticate"] for r in after)


async def test_tokens_of_other_clients_and_of_people_keep_working_after_a_revocation(
    replicas: list[str], credentials: tuple[str, str], gateway_db: str, keys: Path
) -> None:
    store = ClientStore.from_url(gateway_db, pool_size=1)
    other, other_secret = await store.create(
        ClientSpec.of(f"other {uuid.uuid4().hex[:6]}", ["auditor"], None), actor="operator:test"
    )
    platform = PlatformSettings()
    person = TokenIssuer(ensure_dev_keys(keys).current, platform.auth_issuer,
                         platform.auth_audience).issue("a-person", ["auditor"])  # fmt: skip
    async with httpx.AsyncClient(base_url=replicas[0], timeout=10) as http:
        grant = {"grant_type": "client_credentials"}
        revoked_token = (await http.post(TOKEN, auth=credentials, data=grant)).json()
        other_token = (await http.post(TOKEN, auth=(other.client_id, other_secret),
                                       data=grant)).json()  # fmt: skip

        await store.revoke(credentials[0], actor="operator:test")
        await store.aclose()
        refused = await eventually(
            lambda: http.get(API, headers=_bearer(revoked_token["access_token"])),
            lambda r: r.status_code == 401, timeout=BOUND_SECONDS,
        )  # fmt: skip
        other_answer = await http.get(API, headers=_bearer(other_token["access_token"]))
        person_answer = await http.get(API, headers=_bearer(person))

    assert refused.status_code == 401
    assert other_answer.status_code == 200
    assert person_answer.status_code == 200


async def test_a_gateway_that_cannot_load_its_revocation_list_refuses_client_tokens(
    start_gateway: Any, keys: Path
) -> None:
    unreachable = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/nothing"
    platform = PlatformSettings()
    issuer = TokenIssuer(ensure_dev_keys(keys).current, platform.auth_issuer,
                         platform.auth_audience)  # fmt: skip
    client_token = issuer.issue("imet_0123456789abcdef0123", ["auditor"],
                                client_id="imet_0123456789abcdef0123")  # fmt: skip
    person_token = issuer.issue("a-person", ["auditor"])

    with start_gateway(with_verifier=_verifier(keys), database_url=unreachable, key_dir=keys,
                       revocation_refresh_seconds=REFRESH_SECONDS) as url:  # fmt: skip
        async with httpx.AsyncClient(base_url=url, timeout=10) as http:
            client_answer = await http.get(API, headers=_bearer(client_token))
            person_answer = await http.get(API, headers=_bearer(person_token))

    assert client_answer.status_code == 503
    assert client_answer.json()["type"].endswith("/revocations-unavailable")
    assert client_answer.headers["retry-after"] == "1"
    assert person_answer.status_code == 200

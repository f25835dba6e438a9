"""OAuth2 client credentials at the gateway, against real PostgreSQL and real TCP.

RFC 6749 section 5.1 answers and section 5.2 errors, the tokens' claims, their use through the
gateway, discovery, and the brute-force limit of the endpoint.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from gateway.clients.model import Client, ClientSpec
from gateway.clients.store import ClientStore
from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import SigningKey, ensure_dev_keys, generate_key
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from shared.settings import PlatformSettings
from tests.helpers.timing import scaled

TOKEN = "/api/v1/auth/token"
GRANT = {"grant_type": "client_credentials"}
Register = Callable[..., Awaitable[tuple[Client, str]]]


@pytest.fixture(scope="module")
def issuer_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("issuer-keys")
    ensure_dev_keys(directory)
    return directory


@pytest.fixture(scope="module")
def own_verifier(issuer_keys: Path) -> TokenVerifier:
    platform = PlatformSettings()
    return TokenVerifier(FileJwksSource(issuer_keys / "jwks.json"), platform.auth_issuer,
                         platform.auth_audience, leeway_seconds=0)  # fmt: skip


@pytest.fixture(scope="module")
def token_gateway(
    start_gateway: Any, gateway_db: str, issuer_keys: Path, own_verifier: TokenVerifier
) -> Iterator[str]:
    with start_gateway(with_verifier=own_verifier, database_url=gateway_db, key_dir=issuer_keys,
                       token_requests_per_minute_per_client=5) as url:  # fmt: skip
        yield url


@pytest.fixture
async def http(token_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=token_gateway, timeout=scaled(10)) as client:
        yield client


@pytest.fixture(scope="module")
async def store(gateway_db: str) -> AsyncIterator[ClientStore]:
    clients = ClientStore.from_url(gateway_db, pool_size=2)
    yield clients
    await clients.aclose()


@pytest.fixture
def register(store: ClientStore) -> Register:
    async def _register(
        roles: tuple[str, ...] = ("auditor",),
        country: str | None = None,
        scopes: tuple[str, ...] = (),
    ) -> tuple[Client, str]:
        spec = ClientSpec.of(f"test system {uuid.uuid4().hex[:6]}", roles, country, scopes)
        return await store.create(spec, actor="operator:test")

    return _register


def _assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def test_a_client_gets_a_bearer_token_with_http_basic(
    http: httpx.AsyncClient, register: Register, own_verifier: TokenVerifier
) -> None:
    client, secret = await register(roles=("vetter",))

    response = await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    principal = own_verifier.verify(body["access_token"])
    assert principal.subject == client.client_id
    assert principal.client_id == client.client_id
    assert principal.roles == frozenset({"vetter"})


async def test_a_client_may_authenticate_in_the_form_and_narrow_its_scopes(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register(roles=("sco",), country="GTM", scopes=("read", "write"))

    response = await http.post(TOKEN, data={**GRANT, "client_id": client.client_id,
                                            "client_secret": secret, "scope": "read"})  # fmt: skip

    assert response.status_code == 200
    assert response.json()["scope"] == "read"
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert (claims["country"], claims["scope"], claims["roles"]) == ("GTM", "read", ["sco"])


async def test_an_issued_token_opens_the_api_and_a_forged_one_does_not(
    http: httpx.AsyncClient, register: Register, issuer_keys: Path
) -> None:
    client, secret = await register()
    token = (await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret))).json()
    current = ensure_dev_keys(issuer_keys).current
    forger = SigningKey(current.kid, "EdDSA", generate_key().private_key)
    platform = PlatformSettings()
    forged = TokenIssuer(forger, platform.auth_issuer, platform.auth_audience).issue(
        client.client_id, ["admin"], client_id=client.client_id
    )

    allowed = await http.get("/api/v1/catalog/courses", headers=_bearer(token["access_token"]))
    refused = await http.get("/api/v1/catalog/courses", headers=_bearer(forged))

    assert allowed.status_code == 200
    assert refused.status_code == 401
    assert refused.json()["reason"] == "bad_signature"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_wrong_secret_is_invalid_client_with_a_basic_challenge(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()

    response = await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret + "x"))

    _assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic ")


async def test_an_unknown_client_gets_the_same_answer_as_a_wrong_secret(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()
    wrong = await http.post(TOKEN, data=GRANT, auth=(client.client_id, "imet_secret_guess"))

    unknown = await http.post(TOKEN, data=GRANT, auth=("imet_" + uuid.uuid4().hex[:20], secret))

    _assert_oauth_error(unknown, 401, "invalid_client")
    assert unknown.json() == wrong.json()


async def test_a_revoked_client_gets_no_new_token(
    http: httpx.AsyncClient, register: Register, store: ClientStore
) -> None:
    client, secret = await register()
    before = await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret))

    await store.revoke(client.client_id, actor="operator:test")
    after = await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret))

    assert before.status_code == 200
    _assert_oauth_error(after, 401, "invalid_client")


async def test_another_grant_type_is_unsupported(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()

    form = {"grant_type": "password", "username": "x", "password": "y"}

    response = await http.post(TOKEN, data=form, auth=(client.client_id, secret))

    _assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({}, "no grant_type"),
        ({"grant_type": "client_credentials", "client_secret": "s"}, "basic and form secret"),
    ],
)
async def test_malformed_requests_are_invalid_request(
    http: httpx.AsyncClient, register: Register, form: dict[str, str], why: str
) -> None:
    client, secret = await register()

    response = await http.post(TOKEN, data=form, auth=(client.client_id, secret))

    _assert_oauth_error(response, 400, "invalid_request")


async def test_a_repeated_parameter_is_invalid_request(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()

    response = await http.post(
        TOKEN, content=b"grant_type=client_credentials&scope=a&scope=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(client.client_id, secret),
    )  # fmt: skip

    _assert_oauth_error(response, 400, "invalid_request")


async def test_a_json_body_is_invalid_request(http: httpx.AsyncClient, register: Register) -> None:
    client, secret = await register()

    response = await http.post(TOKEN, json=GRANT, auth=(client.client_id, secret))

    _assert_oauth_error(response, 400, "invalid_request")


async def test_a_scope_the_client_is_not_allowed_is_invalid_scope(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register(scopes=("read",))

    response = await http.post(TOKEN, data={**GRANT, "scope": "read admin"},
                               auth=(client.client_id, secret))  # fmt: skip

    _assert_oauth_error(response, 400, "invalid_scope")


async def test_an_oversized_token_request_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        TOKEN, content=b"grant_type=client_credentials&pad=" + b"x" * 10_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip

    _assert_oauth_error(response, 413, "invalid_request")


async def test_guessing_secrets_for_a_client_is_cut_off_with_429(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()
    guesses = [
        await http.post(TOKEN, data=GRANT, auth=(client.client_id, f"guess-{n}")) for n in range(5)
    ]

    refused = await http.post(TOKEN, data=GRANT, auth=(client.client_id, secret))

    assert {r.status_code for r in guesses} == {401}
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_client_that_knows_its_secret_never_uses_up_its_failure_budget(
    http: httpx.AsyncClient, register: Register
) -> None:
    client, secret = await register()
    credentials = (client.client_id, secret)

    answers = [await http.post(TOKEN, data=GRANT, auth=credentials) for _ in range(7)]

    assert {r.status_code for r in answers} == {200}


async def test_discovery_names_the_issuer_jwks_and_token_endpoint(
    http: httpx.AsyncClient, token_gateway: str
) -> None:
    response = await http.get("/.well-known/openid-configuration")

    document = response.json()
    assert document["issuer"] == PlatformSettings().auth_issuer
    assert document["jwks_uri"] == f"{token_gateway}/.well-known/jwks.json"
    assert document["token_endpoint"] == f"{token_gateway}{TOKEN}"
    assert document["grant_types_supported"] == ["client_credentials"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post"
    }  # fmt: skip


async def test_the_jwks_publishes_public_keys_only(
    http: httpx.AsyncClient, issuer_keys: Path
) -> None:
    response = await http.get("/.well-known/jwks.json")

    keys = response.json()["keys"]
    assert [k["kid"] for k in keys] == [ensure_dev_keys(issuer_keys).current.kid]
    assert all("d" not in key for key in keys)
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_client_credentials_are_off_without_a_gateway_database(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(TOKEN, data=GRANT, auth=("imet_x", "secret"))

    _assert_oauth_error(response, 400, "unsupported_grant_type")

"""The FastAPI dependencies: 401 with a Bearer challenge, 403 without a fitting role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from gateway.signing.issuer import TokenIssuer
from shared.auth.principal import Principal, Role
from shared.auth.tokens import TokenVerifier
from shared.http.auth import CurrentPrincipal, require_roles
from shared.http.problems import install_problem_handlers


@pytest.fixture
async def client(verifier: TokenVerifier) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.verifier = verifier
    install_problem_handlers(app)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"subject": principal.subject}

    @app.post("/decisions")
    async def decide(
        principal: Annotated[Principal, Depends(require_roles(Role.VETTER))],
    ) -> dict[str, str]:
        return {"decided_by": principal.subject}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_request_without_token_gets_a_401_problem_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/me")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert response.json()["type"] == "https://imet.example/problems/unauthorized"


async def test_invalid_token_gets_a_401_with_invalid_token_error(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    expired = issuer.issue("user-1", ["vetter"], ttl=-5)

    response = await client.get("/me", headers=_bearer(expired))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["reason"] == "expired"


async def test_authorization_header_of_another_scheme_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401


async def test_valid_token_identifies_the_caller(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.get("/me", headers=_bearer(issuer.issue("auditor-9", ["auditor"])))

    assert response.json() == {"subject": "auditor-9"}


async def test_caller_without_the_required_role_gets_403(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.post("/decisions", headers=_bearer(issuer.issue("a-1", ["auditor"])))

    assert response.status_code == 403
    assert response.json()["type"] == "https://imet.example/problems/forbidden"


async def test_caller_with_the_required_role_passes(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.post("/decisions", headers=_bearer(issuer.issue("v-1", ["vetter"])))

    assert response.json() == {"decided_by": "v-1"}


async def test_admin_passes_every_role_requirement(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    response = await client.post("/decisions", headers=_bearer(issuer.issue("root", ["admin"])))

    assert response.status_code == 200

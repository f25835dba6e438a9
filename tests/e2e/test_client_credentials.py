"""An agency system through the running stack: registered with `imet clients create`, it gets
a token at the gateway's token endpoint and a service (which verifies the token itself) acts on
it; once revoked, it gets no new token and the one it holds is refused within seconds."""

from __future__ import annotations

import asyncio
import json
import os

import httpx
import pytest
from typer.testing import CliRunner

from imet.cli import app
from imet.stack import Stack
from tests.e2e.driver import CATALOG
from tests.helpers.waiting import eventually


async def _cli(stack: Stack, *args: str) -> str:
    """`imet ...` as an operator would run it (in a thread: the command runs its own loop)."""
    env = {**os.environ, "GATEWAY_DATABASE_URL": stack.databases["gateway"].url}
    result = await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


@pytest.fixture
async def agency_client(stack: Stack) -> dict[str, str]:
    created = await _cli(stack, "clients", "create", "--name", "Agency catalog sync",
                         "--role", "catalog_manager", "--json")  # fmt: skip
    return dict(json.loads(created.splitlines()[0]))


async def test_a_registered_client_uses_the_api_until_it_is_revoked(
    stack: Stack, gateway: httpx.AsyncClient, agency_client: dict[str, str]
) -> None:
    credentials = (agency_client["client_id"], agency_client["client_secret"])
    grant = {"grant_type": "client_credentials"}
    issued = await gateway.post("/api/v1/auth/token", data=grant, auth=credentials)
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}

    courses = await gateway.get(f"{CATALOG}/courses?limit=1", headers=bearer)
    await _cli(stack, "clients", "revoke", agency_client["client_id"])
    refused = await gateway.post("/api/v1/auth/token", data=grant, auth=credentials)
    # The token it already holds stops working within seconds (ADR 0056), not at its expiry.
    held = await eventually(
        lambda: gateway.get(f"{CATALOG}/courses?limit=1", headers=bearer),
        lambda r: r.status_code == 401, timeout=20,
    )  # fmt: skip

    assert issued.status_code == 200
    assert courses.status_code == 200
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert held.status_code == 401
    assert held.json()["reason"] == "revoked"

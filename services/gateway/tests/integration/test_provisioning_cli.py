"""`imet provision` and `imet migrate` know the gateway's schema, without changing what they do
for the four services (production without GATEWAY_DB_PASSWORD provisions them alone)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from imet.cli import app
from imet.provision import SERVICES, drop_database, service_url
from tests.helpers.infra import WorkerDatabase, admin_url


@pytest.fixture
def scratch(worker_db: WorkerDatabase, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    name = f"{worker_db.database}_prov{secrets.token_hex(2)}"
    prefix = f"{name}_"
    passwords = {s: secrets.token_hex(8) for s in (*SERVICES, "gateway")}
    monkeypatch.setenv("DATABASE_URL", admin_url())
    try:
        yield {"name": name, "prefix": prefix, "passwords": passwords}
    finally:
        roles = [f"{prefix}{s}" for s in passwords]
        asyncio.run(drop_database(admin_url(), name, roles))


def _provision(scratch: dict[str, Any]) -> Any:
    return CliRunner().invoke(
        app, ["provision", "--database", scratch["name"], "--role-prefix", scratch["prefix"]]
    )


def test_provision_creates_the_gateway_schema_and_migrate_upgrades_it(
    scratch: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_DB_PASSWORD", scratch["passwords"]["gateway"])
    provisioned = _provision(scratch)
    url = service_url(admin_url(), scratch["name"], f"{scratch['prefix']}gateway",
                      scratch["passwords"]["gateway"])  # fmt: skip
    monkeypatch.setenv("GATEWAY_DATABASE_URL", url)

    migrated = CliRunner().invoke(app, ["migrate", "gateway"])

    assert provisioned.exit_code == 0, provisioned.output
    assert f"gateway: schema gateway, role {scratch['prefix']}gateway" in provisioned.stdout
    assert migrated.exit_code == 0, migrated.output
    assert "gateway: at head" in migrated.stdout


def test_production_without_a_gateway_password_provisions_the_services_only(
    scratch: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMET_ENV", "production")
    monkeypatch.delenv("GATEWAY_DB_PASSWORD", raising=False)
    for service in SERVICES:
        monkeypatch.setenv(f"{service.upper()}_DB_PASSWORD", scratch["passwords"][service])

    result = _provision(scratch)

    assert result.exit_code == 0, result.output
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == list(SERVICES)

"""`imet clients ...` and `imet keys ...` against the gateway's schema in real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from typer.testing import CliRunner

from gateway.signing.keys import ensure_dev_keys, load_private_keys
from imet.cli import app


@pytest.fixture
def cli(gateway_db: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", gateway_db)
    runner = CliRunner()

    def _run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return _run


def _audit(url: str, client_id: str) -> list[dict[str, Any]]:
    async def _rows() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT action, actor, before, after FROM audit_log WHERE entity_id = $1 "
                "ORDER BY id", client_id,
            )  # fmt: skip
            return [dict(row) for row in rows]
        finally:
            await conn.close()

    return asyncio.run(_rows())


def test_create_prints_the_secret_once_and_audits_without_it(cli: Any, gateway_db: str) -> None:
    created = cli("clients", "create", "--name", "Embassy Guatemala", "--role", "sco",
                  "--country", "GTM", "--scope", "nominations", "--actor", "operator:ana",
                  "--json")  # fmt: skip

    assert created.exit_code == 0, created.output
    printed = json.loads(created.stdout.splitlines()[0])
    assert printed["client_secret"].startswith("imet_secret_")
    assert (printed["roles"], printed["country"]) == (["sco"], "GTM")
    (audit,) = _audit(gateway_db, printed["client_id"])
    assert (audit["action"], audit["actor"]) == ("client.created", "operator:ana")
    assert printed["client_secret"] not in json.dumps(audit, default=str)


def test_list_shows_clients_and_never_a_secret(cli: Any) -> None:
    created = json.loads(cli("clients", "create", "--name", "Listed", "--role", "auditor",
                             "--json").stdout.splitlines()[0])  # fmt: skip

    listed = cli("clients", "list", "--json")

    assert listed.exit_code == 0, listed.output
    mine = [c for c in json.loads(listed.stdout) if c["client_id"] == created["client_id"]]
    assert [c["status"] for c in mine] == ["active"]
    assert created["client_secret"] not in listed.stdout


def test_revoke_marks_the_client_revoked_and_audits_who(cli: Any, gateway_db: str) -> None:
    created = json.loads(cli("clients", "create", "--name", "Retired", "--role", "auditor",
                             "--json").stdout.splitlines()[0])  # fmt: skip

    revoked = cli("clients", "revoke", created["client_id"], "--actor", "operator:ben")

    assert revoked.exit_code == 0, revoked.output
    assert "every gateway refuses the tokens it holds within about 2 s" in revoked.stdout
    actions = [(a["action"], a["actor"]) for a in _audit(gateway_db, created["client_id"])]
    assert actions[-1] == ("client.revoked", "operator:ben")
    listed = json.loads(cli("clients", "list", "--active", "--json").stdout)
    assert created["client_id"] not in {c["client_id"] for c in listed}


def test_an_sco_client_without_country_is_refused_by_the_cli(cli: Any) -> None:
    result = cli("clients", "create", "--name", "No country", "--role", "sco")

    assert result.exit_code == 2
    assert "country" in result.output


def test_revoking_an_unknown_client_fails(cli: Any) -> None:
    result = cli("clients", "revoke", "imet_does_not_exist")

    assert result.exit_code == 1


def test_keys_rotate_makes_a_new_current_key_and_keeps_the_old_one(tmp_path: Path) -> None:
    old = ensure_dev_keys(tmp_path).current

    result = CliRunner().invoke(app, ["keys", "rotate", "--key-dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    kids = [key.kid for key in load_private_keys(tmp_path).keys]
    assert kids[1] == old.kid != kids[0]
    assert f"{kids[0]}  EdDSA   current (signs)" in result.stdout

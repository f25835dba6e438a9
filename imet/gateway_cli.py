"""`imet clients ...` and `imet keys ...`: the gateway's client registrations and signing keys.

The logic lives in `gateway.clients` and `gateway.signing`; this module only reads options,
finds the database and key folder, and prints.

- Database: GATEWAY_DATABASE_URL (the gateway's own role); in dev, the URL `imet run` left in
  var/run/gateway-database-url.
- Key folder: --key-dir, else GATEWAY_KEY_DIR, else IMET_KEY_DIR, else var/keys.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

T = TypeVar("T")
GATEWAY_URL_FILE = "gateway-database-url"

clients_app = typer.Typer(
    no_args_is_help=True,
    help="Client registrations of agency systems (OAuth2 client credentials at the gateway).",
)
keys_app = typer.Typer(no_args_is_help=True, help="The gateway's token-signing keys.")


def _default_actor() -> str:
    return f"operator:{getpass.getuser()}"


def _database_url() -> str:
    from imet.stack_state import var_dir

    url = os.environ.get("GATEWAY_DATABASE_URL")
    if url:
        return url
    recorded = var_dir() / "run" / GATEWAY_URL_FILE
    if os.environ.get("IMET_ENV") != "production" and recorded.exists():
        return recorded.read_text().strip()
    typer.echo("error: set GATEWAY_DATABASE_URL (the gateway's database role)", err=True)
    raise typer.Exit(2)


def _with_store(use: Callable[[Any], Awaitable[T]]) -> T:
    from gateway.clients.store import ClientStore

    async def _run() -> T:
        store = ClientStore.from_url(_database_url(), pool_size=1)
        try:
            return await use(store)
        finally:
            await store.aclose()

    return asyncio.run(_run())


@clients_app.command("create")
def create(
    name: str = typer.Option(..., help="What the client is, e.g. 'Embassy Guatemala SCO system'."),
    role: list[str] = typer.Option(..., help="A role of its tokens; repeat for several."),
    country: str = typer.Option(None, help="ISO 3166-1 alpha-3 country (required with sco)."),
    scope: list[str] = typer.Option([], help="An allowed scope; repeat for several."),
    actor: str = typer.Option(None, help="Who registers it (default: operator:<os user>)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Register a client; prints its client_id and its secret, which is shown only now."""
    from gateway.clients.model import ClientSpec, InvalidClient

    try:
        spec = ClientSpec.of(name, role, country, scope)
    except InvalidClient as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    client, secret = _with_store(lambda store: store.create(spec, actor=actor or _default_actor()))
    if as_json:
        typer.echo(json.dumps({**client.public(), "client_secret": secret}))
    else:
        typer.echo(f"client_id:     {client.client_id}")
        typer.echo(f"client_secret: {secret}")
    typer.echo("The secret is shown only now; only its hash is stored. Keep it in the "
               "client's secret store.", err=True)  # fmt: skip


@clients_app.command("list")
def list_clients(
    active: bool = typer.Option(False, "--active", help="Only clients that may get tokens."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Every registered client (never a secret)."""
    clients = _with_store(lambda store: store.list(include_revoked=not active))
    if as_json:
        typer.echo(json.dumps([_listed(c) for c in clients], default=str))
        return
    if not clients:
        typer.echo("no clients")
        return
    typer.echo(f"{'client_id':26} {'status':8} {'roles':22} {'country':7} {'scopes':20} name")
    for c in clients:
        typer.echo(f"{c.client_id:26} {c.status:8} {','.join(c.roles):22} "
                   f"{c.country or '-':7} {' '.join(c.scopes) or '-':20} {c.name}")  # fmt: skip


def _listed(client: Any) -> dict[str, Any]:
    return {**client.public(), "created_at": client.created_at, "created_by": client.created_by,
            "revoked_at": client.revoked_at, "revoked_by": client.revoked_by}  # fmt: skip


@clients_app.command("revoke")
def revoke(
    client_id: str = typer.Argument(..., help="The client to revoke."),
    actor: str = typer.Option(None, help="Who revokes it (default: operator:<os user>)."),
) -> None:
    """Revoke a client: no new token, and every gateway refuses the tokens it holds within
    seconds (GATEWAY_REVOCATION_REFRESH_SECONDS)."""
    from gateway.clients.store import UnknownClient
    from gateway.settings import GatewaySettings

    try:
        client = _with_store(lambda store: store.revoke(client_id, actor=actor or _default_actor()))
    except UnknownClient as exc:
        typer.echo(f"error: no client {client_id}", err=True)
        raise typer.Exit(1) from exc
    refresh = GatewaySettings().revocation_refresh_seconds
    typer.echo(f"revoked {client.client_id} at {client.revoked_at:%Y-%m-%d %H:%M:%S %Z}; every "
               f"gateway refuses the tokens it holds within about {refresh:g} s")  # fmt: skip


def _key_dir(key_dir: Path | None) -> Path:
    from imet.stack_state import var_dir

    if key_dir is not None:
        return key_dir
    for name in ("GATEWAY_KEY_DIR", "IMET_KEY_DIR"):
        if os.environ.get(name):
            return Path(os.environ[name])
    return var_dir() / "keys"


_KEY_DIR_OPTION = typer.Option(None, help="Key folder (default: GATEWAY_KEY_DIR or var/keys).")


def _print_keys(keyset: Any) -> None:
    for index, key in enumerate(keyset.keys):
        role = "current (signs)" if index == 0 else "published"
        typer.echo(f"{key.kid}  {key.algorithm:6}  {role}")


@keys_app.command("rotate")
def rotate(
    key_dir: Path = _KEY_DIR_OPTION,
    keep: int = typer.Option(3, min=2, help="Keys kept published, the new one included."),
    stage: bool = typer.Option(
        False, help="Publish the new key without signing with it yet (several gateways)."
    ),
) -> None:
    """New signing key; the previous ones stay published until tokens they signed expire."""
    from gateway.signing.keys import rotate_keys, stage_key

    folder = _key_dir(key_dir)
    keyset = stage_key(folder, keep=keep) if stage else rotate_keys(folder, keep=keep)
    _print_keys(keyset)
    if stage:
        typer.echo(
            f"staged {keyset.keys[1].kid}: promote it with `imet keys promote "
            f"{keyset.keys[1].kid}` once every gateway and JWKS cache has it (>= 5 min)"
        )


@keys_app.command("promote")
def promote(
    kid: str = typer.Argument(..., help="A published key to sign with from now on."),
    key_dir: Path = _KEY_DIR_OPTION,
) -> None:
    """Make a staged key the current signing key."""
    from gateway.signing.keys import promote_key

    try:
        _print_keys(promote_key(_key_dir(key_dir), kid))
    except KeyError as exc:
        typer.echo(f"error: {exc.args[0]}", err=True)
        raise typer.Exit(1) from exc


@keys_app.command("list")
def list_keys(key_dir: Path = _KEY_DIR_OPTION) -> None:
    """The keys of the folder, current first (public information only)."""
    from gateway.signing.keys import load_private_keys

    _print_keys(load_private_keys(_key_dir(key_dir)))

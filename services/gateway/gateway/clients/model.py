"""A client registration: who an agency system is, and what its tokens may claim.

Rules:
- Roles are the human roles of SPEC section 8; `service` is the system's own actor and is
  never granted to a client. At least one role.
- Role `sco` is country-scoped: a client with it has a country (ISO 3166-1 alpha-3).
- Scopes are RFC 6749 scope tokens (printable ASCII without space, quote or backslash); a
  token request may ask for a subset of the allowed scopes, and gets all of them by default.
- The secret is shown once, when the client is created; only its hash is kept.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.auth.principal import Role
from shared.contracts.types import COUNTRY_RE

CLIENT_ROLES = frozenset(role.value for role in Role if role is not Role.SERVICE)
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]{1,100}")
NAME_MAX = 200
CLIENT_ID_PREFIX = "imet_"
SECRET_PREFIX = "imet_secret_"  # noqa: S105 - a marker, not a secret


class InvalidClient(ValueError):
    """A registration that breaks a rule (the message says which)."""


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    roles: tuple[str, ...]
    country: str | None
    scopes: tuple[str, ...]
    status: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def public(self) -> dict[str, object]:
        """Everything but the secret (which is never stored): for audit rows and listings."""
        return {
            "client_id": self.client_id, "name": self.name, "roles": list(self.roles),
            "country": self.country, "scopes": list(self.scopes), "status": self.status,
        }  # fmt: skip


@dataclass(frozen=True)
class ClientSpec:
    """A validated request to register a client."""

    name: str
    roles: tuple[str, ...]
    country: str | None
    scopes: tuple[str, ...]

    @classmethod
    def of(
        cls, name: str, roles: Iterable[str], country: str | None, scopes: Iterable[str] = ()
    ) -> ClientSpec:
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise InvalidClient(f"name must be 1-{NAME_MAX} characters")
        role_set = sorted({role.strip() for role in roles if role.strip()})
        if not role_set:
            raise InvalidClient("give at least one role")
        unknown = [role for role in role_set if role not in CLIENT_ROLES]
        if unknown:
            raise InvalidClient(
                f"unknown role(s) {', '.join(unknown)}; a client may have "
                f"{', '.join(sorted(CLIENT_ROLES))}"
            )
        if country is not None:
            country = country.strip().upper()
            if not COUNTRY_RE.match(country):
                raise InvalidClient(f"country must be ISO 3166-1 alpha-3 (GTM), got {country!r}")
        if Role.SCO in role_set and country is None:
            raise InvalidClient("role sco is country-scoped: give a country")
        scope_set = sorted({scope for item in scopes for scope in item.split()})
        bad = [scope for scope in scope_set if not SCOPE_TOKEN.fullmatch(scope)]
        if bad:
            raise InvalidClient(f"malformed scope(s): {bad}")
        return cls(name, tuple(role_set), country, tuple(scope_set))


def new_client_id() -> str:
    return CLIENT_ID_PREFIX + secrets.token_hex(10)


def new_secret() -> str:
    """256 random bits; the prefix lets secret scanners recognise a leaked one."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def granted_scopes(client: Client, requested: str | None) -> tuple[str, ...] | None:
    """The scopes a token gets: all allowed ones by default, else the requested subset.

    None when the request names a scope the client is not allowed (RFC 6749 invalid_scope).
    """
    if requested is None or not requested.strip():
        return client.scopes
    wanted = sorted(set(requested.split()))
    if any(scope not in client.scopes for scope in wanted):
        return None
    return tuple(wanted)

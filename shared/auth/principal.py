"""Who is acting: the verified claims of a bearer token, or a service reacting to an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    SCO = "sco"
    VETTER = "vetter"
    FUNDING_OFFICER = "funding_officer"
    CATALOG_MANAGER = "catalog_manager"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str] = field(default_factory=frozenset)
    country: str | None = None
    client_id: str | None = None
    token_id: str | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_sco_only(self) -> bool:
        """An SCO without a wider role: everything it sees is scoped to its own country."""
        wider = {Role.ADMIN, Role.AUDITOR, Role.VETTER, Role.FUNDING_OFFICER, Role.CATALOG_MANAGER}
        return Role.SCO in self.roles and not self.roles.intersection(wider)

    def can_see_country(self, country: str) -> bool:
        if not self.is_sco_only:
            return True
        return self.country == country


def system_actor(service: str) -> Principal:
    """The actor of changes a service makes on its own when it reacts to an event."""
    return Principal(subject=f"system:{service}", roles=frozenset({Role.SERVICE}))

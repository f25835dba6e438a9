"""The country and personal-data rules the use cases apply to the objects they load.

They run inside the use cases, not in the routes, because they judge the loaded object (a
nomination's country is known only once it is read; an import rejects one row at a time). Who
may call a route at all is `entrypoints/authorization.py`.
"""

from __future__ import annotations

from shared.auth.principal import Principal, Role
from shared.errors import Forbidden


def sees_personal_data(principal: Principal) -> bool:
    """The SCO of the candidate's country, vetters and admins see personal data (ADR 0005)."""
    return principal.has_any(Role.SCO, Role.VETTER, Role.ADMIN)


def require_own_country(principal: Principal, country: str) -> None:
    """An SCO acts only for its own country (admins for any)."""
    if principal.is_sco_only and principal.country != country:
        raise Forbidden(f"An SCO of {principal.country} cannot act for {country}.")

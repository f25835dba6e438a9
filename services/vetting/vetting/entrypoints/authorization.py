"""Who may do what in vetting, used by the routes.

Vetters (and admins) decide and keep the registry; auditors read everything; an SCO reads the
status of its own country's cases only, and registers and reads its own country's units (it
names the candidates' units). Another country's object is 404 to an SCO; lists are filtered.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.principal import Principal, Role
from shared.errors import Forbidden
from shared.http.auth import require_roles

Vetter = Annotated[Principal, Depends(require_roles(Role.VETTER))]
CaseReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR, Role.SCO))]
FullReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR))]
UnitWriter = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.SCO))]
UnitReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR, Role.SCO))]


def scope_country(principal: Principal, country: str | None) -> tuple[str | None, bool]:
    """The country filter a reader is held to; False when an SCO asked for another country."""
    if not principal.is_sco_only:
        return country, True
    return principal.country, country is None or country == principal.country


def require_own_country(principal: Principal, country: str, doing: str) -> None:
    """An SCO acts only for its own country (403)."""
    if principal.is_sco_only and principal.country != country:
        raise Forbidden(f"An SCO of {principal.country} cannot {doing} of {country}.")


def refuse_flagged_filter(principal: Principal, flagged: bool | None) -> None:
    """Possible duplicates are a vetter's lead, not for an SCO (403)."""
    if principal.is_sco_only and flagged is not None:
        raise Forbidden("The flagged filter is not available to an SCO.")

"""Who may read or change what in funding, used by the routes: the role sets per kind of data,
and an SCO's scoping to its own country."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles

# Funding data: funding officers and auditors see everything, an SCO only its own country.
FundsReader = Annotated[
    Principal, Depends(require_roles(Role.FUNDING_OFFICER, Role.AUDITOR, Role.SCO))
]
# Fiscal-year data (appropriations, consistency): not country data, so no SCO.
BudgetReader = Annotated[Principal, Depends(require_roles(Role.FUNDING_OFFICER, Role.AUDITOR))]
FundsWriter = Annotated[Principal, Depends(require_roles(Role.FUNDING_OFFICER))]


def visible_country(principal: Principal, requested: str | None) -> tuple[str | None, bool]:
    """The country filter a list really uses, and whether the list can have rows at all: an
    SCO's lists are limited to its own country, whatever it asked for."""
    if not principal.is_sco_only:
        return requested, True
    if requested is not None and requested != principal.country:
        return requested, False
    return principal.country, principal.country is not None

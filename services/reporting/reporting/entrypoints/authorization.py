"""Who may read the reports: auditors, funding officers and administrators see every country;
an SCO sees its own country only (asking for another one is 403; without a country filter its
own is applied). Administrators keep the country reference data."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.principal import Principal, Role
from shared.errors import Forbidden
from shared.http.auth import require_roles

ReportReader = Annotated[
    Principal, Depends(require_roles(Role.AUDITOR, Role.FUNDING_OFFICER, Role.SCO))
]
Administrator = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def scope_country(principal: Principal, country: str | None) -> str | None:
    """The country filter a reader is held to (403 when an SCO asks for another country)."""
    if not principal.is_sco_only:
        return country
    if country is not None and country != principal.country:
        raise Forbidden(f"An SCO of {principal.country} cannot read the reports of {country}.")
    return principal.country

"""Who may do what in nomination, used by the routes.

An SCO creates, edits, submits and withdraws its own country's candidates and nominations;
vetters, funding officers, auditors and catalog managers read; a funding officer may also retry
funding; administrators cancel and keep the country reference data (admins pass every role
check, `shared.http.auth.require_roles`). Another country's object is 404 to an SCO and lists
are filtered; acting for another country is 403 (`require_own_country`, applied by the use
cases to the object they load). Personal data is shown only to `sees_personal_data` roles.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from nomination.service_layer.authorization import require_own_country, sees_personal_data
from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles

__all__ = [
    "Admin",
    "CandidateReader",
    "FundingRetrier",
    "Nominator",
    "Reader",
    "require_own_country",
    "sees_personal_data",
]

Reader = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.SCO, Role.VETTER, Role.FUNDING_OFFICER, Role.AUDITOR, Role.CATALOG_MANAGER
        )
    ),
]
CandidateReader = Annotated[
    Principal, Depends(require_roles(Role.SCO, Role.VETTER, Role.FUNDING_OFFICER, Role.AUDITOR))
]
Nominator = Annotated[Principal, Depends(require_roles(Role.SCO))]
FundingRetrier = Annotated[Principal, Depends(require_roles(Role.SCO, Role.FUNDING_OFFICER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]

"""Who may do what in the catalog. Reading the catalog is open to every authenticated role
(`CurrentPrincipal`); changing it needs `catalog_manager` (or `admin`); who sits in a class
(its seats, by nomination id) is for catalog managers and auditors. The catalog holds no
country's data, so no country rule applies here."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles

Manager = Annotated[Principal, Depends(require_roles(Role.CATALOG_MANAGER))]
SeatReader = Annotated[Principal, Depends(require_roles(Role.CATALOG_MANAGER, Role.AUDITOR))]

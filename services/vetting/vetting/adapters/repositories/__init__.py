"""The SQL repositories of the vetting aggregates (one module per aggregate)."""

from __future__ import annotations

from vetting.adapters.repositories.cases import SqlCaseRepository
from vetting.adapters.repositories.nominations import SqlClosedNominations
from vetting.adapters.repositories.registry import SqlRegistryRepository
from vetting.adapters.repositories.units import SqlUnitRepository

__all__ = [
    "SqlCaseRepository",
    "SqlClosedNominations",
    "SqlRegistryRepository",
    "SqlUnitRepository",
]

"""SQL repositories of the read model (one module per source of facts)."""

from reporting.adapters.repositories.facts import (
    SqlAllocationRepository,
    SqlCaseRepository,
    SqlCourseRepository,
    SqlLineRepository,
)
from reporting.adapters.repositories.nominations import SqlNominationRepository
from reporting.adapters.repositories.reference import (
    SqlCountryRepository,
    SqlPositionRepository,
)

__all__ = [
    "SqlAllocationRepository",
    "SqlCaseRepository",
    "SqlCountryRepository",
    "SqlCourseRepository",
    "SqlLineRepository",
    "SqlNominationRepository",
    "SqlPositionRepository",
]

"""Repositories: load and store the catalog's aggregates (SQLAlchemy Core on the uow session)."""

from catalog.adapters.repositories.classes import ClassRepository
from catalog.adapters.repositories.courses import CourseRepository
from catalog.adapters.repositories.institutions import InstitutionRepository
from catalog.adapters.repositories.seats import SeatRepository

__all__ = ["ClassRepository", "CourseRepository", "InstitutionRepository", "SeatRepository"]

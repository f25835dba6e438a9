"""Repositories of the funding unit of work, one module per aggregate (SQLAlchemy Core); they
load and store domain objects, never hand out rows."""

from funding.adapters.repositories.allocations import AllocationRepository
from funding.adapters.repositories.appropriations import AppropriationRepository
from funding.adapters.repositories.catalog import CatalogReadModel
from funding.adapters.repositories.ledger import LedgerRepository
from funding.adapters.repositories.obligations import ObligationRepository
from funding.adapters.repositories.programs import ProgramRepository
from funding.adapters.repositories.reference import MissingReferenceData, ReferenceData
from funding.adapters.repositories.requests import RequestRepository

__all__ = [
    "AllocationRepository",
    "AppropriationRepository",
    "CatalogReadModel",
    "LedgerRepository",
    "MissingReferenceData",
    "ObligationRepository",
    "ProgramRepository",
    "ReferenceData",
    "RequestRepository",
]

"""Repositories per aggregate: they load and store domain objects, never hand out rows."""

from nomination.adapters.repositories.candidates import CandidateRepository
from nomination.adapters.repositories.imports import ImportJobRepository
from nomination.adapters.repositories.nominations import NominationRepository
from nomination.adapters.repositories.reference import ReferenceRepository
from nomination.adapters.repositories.travel_orders import TravelOrderRepository

__all__ = [
    "CandidateRepository",
    "ImportJobRepository",
    "NominationRepository",
    "ReferenceRepository",
    "TravelOrderRepository",
]

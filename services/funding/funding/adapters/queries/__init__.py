"""Read side: the funding lists and views (filters + keyset pagination), one module per resource.

The only package the routes read through (`from funding.adapters import queries`). Lists and
single reads return the row as a plain dict (the route's schema validates it); appropriations,
balances and the consistency check are computed views (frozen dataclasses). An SCO's country
scoping is decided by the route, before it asks.
"""

from __future__ import annotations

from funding.adapters.queries.allocations import (
    get_allocation,
    list_allocation_changes,
    list_allocations,
)
from funding.adapters.queries.appropriations import (
    AppropriationView,
    get_appropriation,
    list_appropriations,
)
from funding.adapters.queries.balances import CountryBalance, get_balance, list_balances
from funding.adapters.queries.common import Rows
from funding.adapters.queries.consistency import (
    ConsistencyReport,
    CountryConsistency,
    FiscalYearConsistency,
    check_consistency,
)
from funding.adapters.queries.ledger import list_ledger_entries
from funding.adapters.queries.obligations import (
    get_funding_request,
    get_obligation,
    list_funding_requests,
    list_obligations,
)
from funding.adapters.queries.programs import get_program, list_programs, program_execution
from funding.adapters.queries.reference import (
    get_reference_row,
    list_parameters,
    list_penalty_rules,
    list_tla_rates,
    list_travel_costs,
    reference_label,
)

__all__ = [
    "AppropriationView",
    "ConsistencyReport",
    "CountryBalance",
    "CountryConsistency",
    "FiscalYearConsistency",
    "Rows",
    "check_consistency",
    "get_allocation",
    "get_appropriation",
    "get_balance",
    "get_funding_request",
    "get_obligation",
    "get_program",
    "get_reference_row",
    "list_allocation_changes",
    "list_allocations",
    "list_appropriations",
    "list_balances",
    "list_funding_requests",
    "list_ledger_entries",
    "list_obligations",
    "list_parameters",
    "list_penalty_rules",
    "list_programs",
    "list_tla_rates",
    "list_travel_costs",
    "program_execution",
    "reference_label",
]

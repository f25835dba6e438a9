"""Changing reference data: the TLA matrix, travel costs, penalty rules and parameters.

Reference data is read by everyone and changed by funding officers. Each change is audited
(before / after) and applies to lines costed or released afterwards; existing obligations
keep the amounts they were obligated with.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from funding.domain.errors import InvalidParameter, PenaltyRuleExists, ReferenceDataNotFound
from funding.service_layer.unit_of_work import FundingUnitOfWork, Precondition, ReferenceTable
from shared.errors import Conflict, PreconditionRequired

PERCENT = "percent"


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, Decimal | UUID | date | datetime) else v for k, v in row.items()
    }


async def _change(
    uow: FundingUnitOfWork,
    table: ReferenceTable,
    key: Any,
    values: dict[str, Any],
    precondition: Precondition,
) -> dict[str, Any]:
    before = await uow.reference.row(table, key, lock=True)
    if before is None:
        raise ReferenceDataNotFound(f"No {table.replace('_', ' ')} {key}.")
    precondition(before["version"])
    after = await uow.reference.update(table, key, values)
    uow.audit(
        f"{table}.changed",
        table,
        str(key),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    await uow.commit()
    return after


async def change_tla_rate(
    uow: FundingUnitOfWork,
    rate_id: UUID,
    lodging: Decimal,
    meals: Decimal,
    precondition: Precondition,
) -> dict[str, Any]:
    """Change the daily lodging and meals of one cell of the TLA matrix (the matrix always has
    its eight cells: government quarters, government mess and dependents, yes or no)."""
    return await _change(
        uow, "tla_rate", rate_id, {"lodging_per_day": lodging, "meals_per_day": meals}, precondition
    )


async def change_parameter(
    uow: FundingUnitOfWork, name: str, value: Decimal, precondition: Precondition
) -> dict[str, Any]:
    """Change a numeric parameter (incidentals per day, default travel cost, PME share); a
    percentage stays within 0-100."""
    current = await uow.reference.row("funding_parameter", name)
    if current is not None and current["unit"] == PERCENT and value > 100:
        raise InvalidParameter(f"{name} is a percentage: 0-100, not {value}.")
    return await _change(uow, "funding_parameter", name, {"value": value}, precondition)


async def change_penalty_rule(
    uow: FundingUnitOfWork, code: str, values: dict[str, Any], precondition: Precondition
) -> dict[str, Any]:
    """Change a penalty rule's conditions, charge, priority or activity."""
    return await _change(uow, "penalty_rule", code, values, precondition)


async def add_penalty_rule(uow: FundingUnitOfWork, values: dict[str, Any]) -> dict[str, Any]:
    """Add a penalty rule; it takes part in decisions at its priority from now on."""
    try:
        row = await uow.reference.insert("penalty_rule", values | {"version": 1})
    except KeyError:
        raise PenaltyRuleExists(
            f"A penalty rule {values['code']!r} exists: change it instead."
        ) from None
    uow.audit("penalty_rule.added", "penalty_rule", row["code"], after=_jsonable(row))
    await uow.commit()
    return row


async def set_travel_cost(
    uow: FundingUnitOfWork,
    country: str,
    amount: Decimal,
    note: str | None,
    precondition: Precondition | None,
) -> tuple[dict[str, Any], bool]:
    """Set a country's round-trip travel cost (a country without one uses the default travel
    cost parameter). Changing an existing one needs its current version (If-Match). Returns
    the row and whether it was created."""
    existing = await uow.reference.row("travel_cost", country, lock=True)
    if existing is None:
        try:
            row = await uow.reference.insert(
                "travel_cost", {"country": country, "amount": amount, "note": note, "version": 1}
            )
        except KeyError:
            raise Conflict(
                f"{country}'s travel cost was created meanwhile: read it, then change it."
            ) from None
        uow.audit("travel_cost.set", "travel_cost", country, after=_jsonable(row))
        await uow.commit()
        return row, True
    if precondition is None:
        raise PreconditionRequired(f"{country} has a travel cost: send If-Match to change it.")
    return await _change(
        uow, "travel_cost", country, {"amount": amount, "note": note}, precondition
    ), False

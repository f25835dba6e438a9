"""In-memory reference data: TLA matrix, travel costs, penalty rules, parameters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from funding.adapters.repositories.reference import MissingReferenceData
from funding.domain.costing import TlaRate
from funding.domain.penalties import CourseKind, Initiator, PenaltyRule, Trigger
from funding.service_layer.unit_of_work import ReferenceTable
from services.funding.tests.unit.fakes.store import (
    KEYS,
    FundingStore,
)


class FakeReference:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def tla_rates(self) -> list[TlaRate]:
        return [
            TlaRate(
                r["government_quarters"],
                r["government_mess"],
                r["with_dependents"],
                r["lodging_per_day"],
                r["meals_per_day"],
            )
            for r in self.store.reference["tla_rate"].values()
        ]

    async def travel_cost(self, country: str) -> Decimal | None:
        found = self.store.reference["travel_cost"].get(country)
        return found["amount"] if found else None

    async def parameter(self, name: str) -> Decimal:
        found = self.store.reference["funding_parameter"].get(name)
        if found is None:
            raise MissingReferenceData(f"funding parameter {name!r} is missing")
        return Decimal(found["value"])

    async def penalty_rules(self) -> list[PenaltyRule]:
        return [
            PenaltyRule(
                code=r["code"],
                trigger=Trigger(r["trigger"]),
                initiated_by=Initiator(r["initiated_by"]),
                course_kind=CourseKind(r["course_kind"]),
                within_days_before_start=r["within_days_before_start"],
                percent_of_tuition=r["percent_of_tuition"],
                prorate_by_attendance=r["prorate_by_attendance"],
                waived_when_refilled=r["waived_when_refilled"],
                priority=r["priority"],
                active=r["active"],
            )
            for r in self.store.reference["penalty_rule"].values()
        ]

    async def row(
        self, name: ReferenceTable, key: Any, *, lock: bool = False
    ) -> dict[str, Any] | None:
        found = self.store.reference[name].get(key)
        return dict(found) if found else None

    async def insert(self, name: ReferenceTable, values: dict[str, Any]) -> dict[str, Any]:
        key = values[KEYS[name]]
        if key in self.store.reference[name]:
            raise KeyError("a row with this key exists")
        row = {"version": 1} | values | {"updated_at": self.store.now()}
        self.store.reference[name][key] = row
        return dict(row)

    async def update(
        self, name: ReferenceTable, key: Any, values: dict[str, Any]
    ) -> dict[str, Any]:
        row = self.store.reference[name][key]
        row.update(values, version=row["version"] + 1, updated_at=self.store.now())
        return dict(row)

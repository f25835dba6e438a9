"""Costing a training line from the read model and the reference data (no state changes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from funding.domain.calendar import course_days
from funding.domain.catalog_facts import LineReference
from funding.domain.costing import (
    DEFAULT_TRAVEL_COST,
    INCIDENTALS_PER_DAY,
    CostEstimate,
    TlaOptions,
    estimate_cost,
    select_tla_rate,
)
from funding.domain.obligation import RejectionReason
from funding.service_layer.unit_of_work import FundingUnitOfWork


@dataclass(frozen=True)
class CostedLine:
    reference: LineReference
    options: TlaOptions
    estimate: CostEstimate
    travel_is_default: bool

    @property
    def days(self) -> int:
        return self.estimate.living.days


async def cost_line(
    uow: FundingUnitOfWork,
    class_id: uuid.UUID,
    country: str,
    with_dependents: bool,
    *,
    government_quarters: bool | None = None,
    government_mess: bool | None = None,
) -> CostedLine | RejectionReason:
    """Tuition of the class's fiscal year + travel for the country (or the default) + TLA for
    the housing situation (the schoolhouse's quarters and mess unless overridden) x course days.
    The reason when the class or its course is unknown, or the course has no tuition for the
    class's fiscal year."""
    ref = await uow.catalog.line_reference(class_id)
    if ref is None:
        return RejectionReason.CLASS_UNKNOWN
    tuition = await uow.catalog.tuition(ref.masl_id, ref.class_fiscal_year)
    if tuition is None:
        return RejectionReason.NO_TUITION_RATE
    travel = await uow.reference.travel_cost(country)
    travel_is_default = travel is None
    if travel is None:
        travel = await uow.reference.parameter(DEFAULT_TRAVEL_COST)
    options = TlaOptions(
        ref.government_quarters if government_quarters is None else government_quarters,
        ref.government_mess if government_mess is None else government_mess,
        with_dependents,
    )
    rate = select_tla_rate(await uow.reference.tla_rates(), options)
    estimate = estimate_cost(
        tuition=tuition,
        travel=travel,
        rate=rate,
        incidentals_per_day=await uow.reference.parameter(INCIDENTALS_PER_DAY),
        days=course_days(ref.start_date, ref.end_date),
    )
    return CostedLine(ref, options, estimate, travel_is_default)

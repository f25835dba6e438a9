"""`POST /api/v1/funding/estimates`: a dry-run cost estimate of a training line."""

from __future__ import annotations

from fastapi import APIRouter

from funding.domain.errors import ClassUnknown, NoTuitionRate
from funding.domain.obligation import RejectionReason
from funding.entrypoints.authorization import FundsReader
from funding.entrypoints.http.deps import RuntimeDep
from funding.entrypoints.http.schemas.estimates import (
    EstimatePublic,
    EstimateRequest,
    LivingAllowancePublic,
)
from funding.service_layer.costing import cost_line
from shared.errors import Forbidden

router = APIRouter(prefix="/api/v1/funding/estimates", tags=["estimates"])


@router.post("", response_model=EstimatePublic)
async def estimate_cost(
    body: EstimateRequest, principal: FundsReader, runtime: RuntimeDep
) -> EstimatePublic:
    """What a training line in this class would cost, changing nothing: tuition of the class's
    fiscal year + round-trip travel for the country (or the default) + living allowance (TLA
    lodging and meals by government quarters / mess and dependents, plus incidentals per day)
    x course days (end - start + 1). The schoolhouse's quarters and mess apply unless
    overridden. 422 `class-unknown` / `no-tuition-rate` when funding cannot cost it yet."""
    if not principal.can_see_country(body.country):
        raise Forbidden("An SCO estimates training lines of its own country only.")
    async with runtime.uow(principal) as uow:
        costed = await cost_line(
            uow,
            body.class_id,
            body.country,
            body.with_dependents,
            government_quarters=body.government_quarters,
            government_mess=body.government_mess,
        )
    if costed is RejectionReason.CLASS_UNKNOWN:
        raise ClassUnknown(f"Funding does not know class {body.class_id} (or its course) yet.")
    if isinstance(costed, RejectionReason):
        raise NoTuitionRate("The class's course has no tuition rate for the class's fiscal year.")
    cost, ref, living = costed.estimate, costed.reference, costed.estimate.living
    return EstimatePublic(
        class_id=ref.class_id,
        masl_id=ref.masl_id,
        country=body.country,
        class_fiscal_year=ref.class_fiscal_year,
        course_days=costed.days,
        tuition=cost.tuition,
        travel=cost.travel,
        travel_is_default=costed.travel_is_default,
        government_quarters=costed.options.government_quarters,
        government_mess=costed.options.government_mess,
        with_dependents=body.with_dependents,
        total=cost.total,
        living_allowance=LivingAllowancePublic(
            lodging_per_day=living.lodging_per_day,
            meals_per_day=living.meals_per_day,
            incidentals_per_day=living.incidentals_per_day,
            per_day=living.per_day,
            days=living.days,
            total=living.total,
        ),
    )

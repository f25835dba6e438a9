"""`/api/v1/funding/reference/...`: TLA matrix, travel costs, penalty rules and parameters.
Everyone signed in reads them; funding officers (and admins) change them, with If-Match."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from funding.adapters import queries
from funding.domain.errors import ReferenceDataNotFound
from funding.entrypoints.authorization import FundsWriter
from funding.entrypoints.http.deps import RuntimeDep, precondition_for
from funding.entrypoints.http.schemas.reference import (
    ParameterPublic,
    ParameterUpdate,
    PenaltyRuleCreate,
    PenaltyRulePublic,
    PenaltyRuleUpdate,
    TlaRatePublic,
    TlaRateUpdate,
    TravelCostPage,
    TravelCostPublic,
    TravelCostSet,
)
from funding.service_layer import reference_data
from shared.contracts.types import CountryCode
from shared.http.auth import CurrentPrincipal
from shared.http.etag import IfMatchHeader, parse_if_match, set_etag
from shared.http.pagination import Page, PageQuery

router = APIRouter(prefix="/api/v1/funding/reference", tags=["reference"])
routers = [router]
CountryPath = Annotated[CountryCode, Path(description="ISO 3166-1 alpha-3")]
RuleCode = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,49}$")]
ParameterName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,49}$")]


async def _one(runtime: RuntimeDep, name: str, key: Any, response: Response) -> dict[str, Any]:
    async with runtime.sessions() as session:
        row = await queries.get_reference_row(session, name, key)
    if row is None:
        raise ReferenceDataNotFound(f"No {queries.reference_label(name)} {key}.")
    set_etag(response, key, row["version"])
    return row


@router.get("/tla-rates", response_model=Page[TlaRatePublic])
async def list_tla_rates(
    principal: CurrentPrincipal, runtime: RuntimeDep, page: PageQuery
) -> Page[TlaRatePublic]:
    """The TLA matrix: daily lodging and meals by government quarters / mess available and by
    dependents (eight cells, always complete). Incidentals: the `incidentals_per_day` parameter."""
    async with runtime.sessions() as session:
        rows, nxt = await queries.list_tla_rates(session, page)
    return Page[TlaRatePublic](
        items=[TlaRatePublic.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.get("/tla-rates/{rate_id}", response_model=TlaRatePublic)
async def get_tla_rate(
    rate_id: UUID, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> TlaRatePublic:
    """One cell of the TLA matrix, with the ETag a change needs."""
    return TlaRatePublic.model_validate(await _one(runtime, "tla_rate", rate_id, response))


@router.patch("/tla-rates/{rate_id}", response_model=TlaRatePublic)
async def change_tla_rate(
    rate_id: UUID,
    body: TlaRateUpdate,
    principal: FundsWriter,
    runtime: RuntimeDep,
    if_match: IfMatchHeader,
    response: Response,
) -> TlaRatePublic:
    """Change one cell of the TLA matrix; lines costed afterwards use it. Needs If-Match."""
    async with runtime.uow(principal) as uow:
        row = await reference_data.change_tla_rate(
            uow,
            rate_id,
            body.lodging_per_day,
            body.meals_per_day,
            precondition_for(if_match, rate_id),
        )
    set_etag(response, rate_id, row["version"])
    return TlaRatePublic.model_validate(row)


@router.get("/travel-costs", response_model=TravelCostPage)
async def list_travel_costs(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[CountryCode | None, Query()] = None,
) -> TravelCostPage:
    """Round-trip travel cost per country (a country without one uses `default_travel_cost`)."""
    async with runtime.sessions() as session:
        rows, nxt = await queries.list_travel_costs(session, page, country)
    return TravelCostPage(items=[TravelCostPublic.model_validate(r) for r in rows], next_cursor=nxt)


@router.get("/travel-costs/{country}", response_model=TravelCostPublic)
async def get_travel_cost(
    country: CountryPath, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> TravelCostPublic:
    """One country's round-trip travel cost used in its training lines' estimates."""
    return TravelCostPublic.model_validate(await _one(runtime, "travel_cost", country, response))


@router.put(
    "/travel-costs/{country}",
    response_model=TravelCostPublic,
    responses={201: {"description": "Created"}},
)
async def set_travel_cost(
    country: CountryPath,
    body: TravelCostSet,
    principal: FundsWriter,
    runtime: RuntimeDep,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> TravelCostPublic:
    """Set a country's round-trip travel cost; changing an existing one needs If-Match."""
    precondition = None if if_match is None else precondition_for(parse_if_match(if_match), country)
    async with runtime.uow(principal) as uow:
        row, created = await reference_data.set_travel_cost(
            uow, country, body.amount, body.note, precondition
        )
    if created:
        response.status_code = 201
        response.headers["Location"] = f"{router.prefix}/travel-costs/{country}"
    set_etag(response, country, row["version"])
    return TravelCostPublic.model_validate(row)


@router.get("/penalty-rules", response_model=Page[PenaltyRulePublic])
async def list_penalty_rules(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    page: PageQuery,
    trigger: Literal["cancellation", "non_completion"] | None = None,
    active: bool | None = None,
) -> Page[PenaltyRulePublic]:
    """Cancellation and non-completion charges as data: for a released line the first active
    rule (by priority) whose trigger, initiator, course kind and window match decides the
    charge (a % of tuition, optionally prorated by days attended); no match, no charge."""
    async with runtime.sessions() as session:
        rows, nxt = await queries.list_penalty_rules(session, page, trigger=trigger, active=active)
    return Page[PenaltyRulePublic](
        items=[PenaltyRulePublic.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.get("/penalty-rules/{code}", response_model=PenaltyRulePublic)
async def get_penalty_rule(
    code: RuleCode, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> PenaltyRulePublic:
    """One penalty rule: when it applies and what it charges."""
    return PenaltyRulePublic.model_validate(await _one(runtime, "penalty_rule", code, response))


@router.post("/penalty-rules", status_code=201, response_model=PenaltyRulePublic)
async def add_penalty_rule(
    body: PenaltyRuleCreate, principal: FundsWriter, runtime: RuntimeDep, response: Response
) -> PenaltyRulePublic:
    """Add a penalty rule; it decides releases from now on at its priority (409: code exists)."""
    async with runtime.uow(principal) as uow:
        row = await reference_data.add_penalty_rule(uow, body.model_dump())
    response.headers["Location"] = f"{router.prefix}/penalty-rules/{row['code']}"
    set_etag(response, row["code"], row["version"])
    return PenaltyRulePublic.model_validate(row)


@router.put("/penalty-rules/{code}", response_model=PenaltyRulePublic)
async def replace_penalty_rule(
    code: RuleCode,
    body: PenaltyRuleUpdate,
    principal: FundsWriter,
    runtime: RuntimeDep,
    if_match: IfMatchHeader,
    response: Response,
) -> PenaltyRulePublic:
    """Replace a penalty rule's conditions and charge (`active: false` retires it). If-Match."""
    async with runtime.uow(principal) as uow:
        row = await reference_data.change_penalty_rule(
            uow, code, body.model_dump(), precondition_for(if_match, code)
        )
    set_etag(response, code, row["version"])
    return PenaltyRulePublic.model_validate(row)


@router.get("/parameters", response_model=Page[ParameterPublic])
async def list_parameters(
    principal: CurrentPrincipal, runtime: RuntimeDep, page: PageQuery
) -> Page[ParameterPublic]:
    """Numeric parameters of the cost model and the planning checks."""
    async with runtime.sessions() as session:
        rows, nxt = await queries.list_parameters(session, page)
    return Page[ParameterPublic](
        items=[ParameterPublic.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.get("/parameters/{name}", response_model=ParameterPublic)
async def get_parameter(
    name: ParameterName, principal: CurrentPrincipal, runtime: RuntimeDep, response: Response
) -> ParameterPublic:
    """One parameter of the cost model or the planning checks, with its unit."""
    return ParameterPublic.model_validate(await _one(runtime, "funding_parameter", name, response))


@router.patch("/parameters/{name}", response_model=ParameterPublic)
async def change_parameter(
    name: ParameterName,
    body: ParameterUpdate,
    principal: FundsWriter,
    runtime: RuntimeDep,
    if_match: IfMatchHeader,
    response: Response,
) -> ParameterPublic:
    """Change a parameter (a percentage stays within 0-100). Needs If-Match."""
    async with runtime.uow(principal) as uow:
        row = await reference_data.change_parameter(
            uow, name, body.value, precondition_for(if_match, name)
        )
    set_etag(response, name, row["version"])
    return ParameterPublic.model_validate(row)

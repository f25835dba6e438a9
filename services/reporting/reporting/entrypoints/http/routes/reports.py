"""`/api/v1/reports/{fmtr,funnel,utilization,vetting-turnaround}`: the reports as JSON, a table
as CSV or PDF, the chart as SVG or PNG (`?format=` or `Accept`, ADR 0136)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from reporting.adapters import queries
from reporting.domain.facts import CountryRef
from reporting.domain.fmtr import FmtrScope, fmtr_report
from reporting.domain.funnel import FunnelScope, funnel_report
from reporting.domain.turnaround import turnaround_report
from reporting.domain.utilization import utilization_report
from reporting.entrypoints.authorization import ReportReader, scope_country
from reporting.entrypoints.http.deps import NowDep, RuntimeDep, SettingsDep
from reporting.entrypoints.http.formats import Format, answer, negotiate
from reporting.entrypoints.http.schemas.reports import ReportPublic
from shared.contracts.types import fiscal_year_of

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Country = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")]
FiscalYear = Annotated[int | None, Query(ge=1990, le=2100)]
Region = Annotated[str | None, Query(min_length=1, max_length=40, examples=["SOUTHCOM"])]
Table = Annotated[
    str | None,
    Query(max_length=40, description="csv/pdf: which table (default: the first)"),
]
FORMATS_DOC = (
    "json (the whole report), csv or pdf (one table, see `table`), svg or png (the report's "
    "chart). Without it, the `Accept` header decides (none or */*: json)."
)
_BINARY = {"schema": {"type": "string", "format": "binary"}}
OUTPUTS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {},
            "application/pdf": _BINARY,
            "image/svg+xml": {},
            "image/png": _BINARY,
        },
        "description": "The report (JSON), a table (CSV, PDF) or its chart (SVG, PNG)",
    },
    406: {"description": "The Accept header names no format a report has"},
}


def requested_format(
    request: Request,
    fmt: Annotated[Format | None, Query(alias="format", description=FORMATS_DOC)] = None,
) -> Format:
    return negotiate(fmt, request.headers.get("accept"))


FormatDep = Annotated[Format, Depends(requested_format)]


async def _filters(
    runtime: RuntimeDep, country: str | None, fiscal_year: int | None, region: str | None
) -> tuple[queries.ReportFilters, dict[str, CountryRef]]:
    async with runtime.sessions() as session:
        refs = await queries.countries(session)
    return queries.ReportFilters(country, fiscal_year, region).resolve(refs), refs


@router.get("/fmtr", response_model=ReportPublic, responses=OUTPUTS)
async def get_fmtr(
    principal: ReportReader,
    fmt: FormatDep,
    runtime: RuntimeDep,
    now: NowDep,
    fiscal_year: Annotated[
        int | None, Query(ge=1990, le=2100, description="Default: the last completed FY")
    ] = None,
    country: Country = None,
    region: Region = None,
    include_excluded: bool = False,
    table: Table = None,
) -> ReportPublic | Response:
    """The Foreign Military Training Report of a fiscal year: per country, students trained
    (a student counts once however many courses) and the total cost (tuition, travel, TLA and
    cancellation penalties); per training activity, the course (MASL, title), schoolhouse,
    location and number trained. NATO members, Australia, Japan and New Zealand (reference
    data) are left out unless `include_excluded=true`. Without `fiscal_year`: the fiscal year
    that ended last (the one the report due on 31 January covers). Tables: `countries`,
    `activities`."""
    country = scope_country(principal, country)
    fiscal_year = fiscal_year or fiscal_year_of(now.date()) - 1
    _, refs = await _filters(runtime, country, fiscal_year, region)
    scope = FmtrScope(fiscal_year, include_excluded, country, region)
    async with runtime.sessions() as session:
        agg = await queries.aggregated.fmtr_aggregates(session, scope, refs)
        courses = await queries.courses(session)
    return await answer(fmtr_report(scope, agg, courses, refs), fmt, table)


@router.get("/funnel", response_model=ReportPublic, responses=OUTPUTS)
async def get_funnel(
    principal: ReportReader,
    fmt: FormatDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
    country: Country = None,
    fiscal_year: FiscalYear = None,
    region: Region = None,
    stuck_after_days: Annotated[int | None, Query(ge=1, le=365)] = None,
    table: Table = None,
) -> ReportPublic | Response:
    """The pipeline funnel: nominations by current state (with the median days spent in each
    state, measured on the stays that ended, and how many are stuck in an open state longer
    than `stuck_after_days`), and by country, fiscal year and state. Tables: `states`,
    `by_country`."""
    country = scope_country(principal, country)
    f, _ = await _filters(runtime, country, fiscal_year, region)
    scope = FunnelScope(stuck_after_days or settings.stuck_after_days, fiscal_year, country,
                        region)  # fmt: skip
    async with runtime.sessions() as session:
        agg = await queries.aggregated.funnel_aggregates(session, f, now, scope.stuck_after_days)
    return await answer(funnel_report(scope, agg), fmt, table)


@router.get("/utilization", response_model=ReportPublic, responses=OUTPUTS)
async def get_utilization(
    principal: ReportReader,
    fmt: FormatDep,
    runtime: RuntimeDep,
    country: Country = None,
    fiscal_year: FiscalYear = None,
    region: Region = None,
    table: Table = None,
) -> ReportPublic | Response:
    """Funding utilization per country and fiscal year: allocated, obligated (what the lines
    finally hold), available, lapsed, the PME share of the obligated money, penalties, and a
    warning when more is obligated than allocated. Table: `countries`."""
    country = scope_country(principal, country)
    f, _ = await _filters(runtime, country, fiscal_year, region)
    async with runtime.sessions() as session:
        allocations = await queries.allocations(session, f)
        sums = await queries.aggregated.line_sums(session, f)
        courses = await queries.courses(session)
    filters = {"country": country, "fiscal_year": fiscal_year, "region": region}
    return await answer(utilization_report(allocations, sums, courses, filters), fmt, table)


@router.get("/vetting-turnaround", response_model=ReportPublic, responses=OUTPUTS)
async def get_vetting_turnaround(
    principal: ReportReader,
    fmt: FormatDep,
    runtime: RuntimeDep,
    now: NowDep,
    country: Country = None,
    fiscal_year: FiscalYear = None,
    region: Region = None,
    table: Table = None,
) -> ReportPublic | Response:
    """Vetting turnaround per country and month a case was opened: opened, decided, open,
    overdue (and by how many working days), median and p90 working days to the first result.
    Tables: `months`, `by_month` (every country in scope, what the chart draws)."""
    country = scope_country(principal, country)
    f, _ = await _filters(runtime, country, fiscal_year, region)
    async with runtime.sessions() as session:
        groups = await queries.aggregated.turnaround_groups(session, f, now.date())
    filters = {"country": country, "fiscal_year": fiscal_year, "region": region}
    return await answer(turnaround_report(groups, now.date(), filters), fmt, table)

"""`/api/v1/vetting/statistics`: vetting workload and turnaround."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from vetting.adapters import queries
from vetting.domain.statistics import median_turnaround, median_turnaround_by_country
from vetting.entrypoints.authorization import FullReader
from vetting.entrypoints.http.deps import NowDep, RuntimeDep
from vetting.entrypoints.http.schemas.common import problems
from vetting.entrypoints.http.schemas.statistics import CountryStatistics, StatisticsPublic

router = APIRouter(prefix="/api/v1/vetting/statistics", tags=["statistics"])


@router.get("", response_model=StatisticsPublic, responses=problems(422))
async def get_statistics(
    principal: FullReader,
    runtime: RuntimeDep,
    now: NowDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    fiscal_year: Annotated[
        int | None, Query(ge=1990, le=2100, description="Cases opened in this FY")
    ] = None,
) -> StatisticsPublic:
    """Open, pending-confirmation, suspended and overdue cases, and the median working days from
    the start of a vetting cycle to its first human result (approved, suspended or denied; a
    confirmed decision counts on the day of its confirmation), per country and overall.
    Automatic results and cancellations are not vetting work and are not in the median.
    """
    filters = queries.CaseFilters(country=country, fiscal_year=fiscal_year)
    async with runtime.sessions() as session:
        counts = {c.country: c for c in await queries.status_counts(session, filters, now.on)}
        spans = await queries.decision_spans(session, filters)
    medians = median_turnaround_by_country(spans)
    by_country = []
    for code in sorted(set(counts) | set(medians)):
        c = counts.get(code) or queries.StatusCounts(code, 0, 0, 0, 0)
        decided, median = medians.get(code, (0, None))
        by_country.append(
            CountryStatistics(
                country=code,
                open=c.open,
                pending_confirmation=c.pending_confirmation,
                suspended=c.suspended,
                overdue=c.overdue,
                decisions_counted=decided,
                median_working_days_to_decision=median,
            )
        )
    return StatisticsPublic(
        as_of=now.on,
        open=sum(c.open for c in by_country),
        pending_confirmation=sum(c.pending_confirmation for c in by_country),
        suspended=sum(c.suspended for c in by_country),
        overdue=sum(c.overdue for c in by_country),
        median_working_days_to_decision=median_turnaround(spans),
        by_country=by_country,
    )

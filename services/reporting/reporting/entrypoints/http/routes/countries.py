"""`/api/v1/reports/countries`: country reference data (names, regions, FMTR exclusions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from reporting.adapters import queries
from reporting.domain.facts import CountryRef
from reporting.entrypoints.authorization import Administrator, ReportReader
from reporting.entrypoints.http.deps import RuntimeDep
from reporting.entrypoints.http.schemas.reports import CountryPage, CountryPublic, CountryPut
from reporting.service_layer.projections import put_country

router = APIRouter(prefix="/api/v1/reports/countries", tags=["countries"])

Code = Annotated[str, Path(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")]


@router.get("", response_model=CountryPage)
async def list_countries(principal: ReportReader, runtime: RuntimeDep) -> CountryPage:
    """Every country the reports know: name, region, and whether the FMTR leaves it out."""
    async with runtime.sessions() as session:
        refs = await queries.countries(session)
    items = [
        CountryPublic(code=r.code, name=r.name, region=r.region, fmtr_excluded=r.fmtr_excluded)
        for r in sorted(refs.values(), key=lambda r: r.code)
    ]
    return CountryPage(items=items)


@router.put("/{code}", response_model=CountryPublic)
async def put_country_reference(
    code: Code, body: CountryPut, principal: Administrator, runtime: RuntimeDep
) -> CountryPublic:
    """Set a country's name, region and FMTR exclusion (administrators; audited)."""
    ref = CountryRef(code, body.name, body.region, body.fmtr_excluded)
    async with runtime.uow(principal) as uow:
        await put_country(uow, ref)
    return CountryPublic(code=code, **body.model_dump())

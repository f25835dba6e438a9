"""`/api/v1/nominations/countries/{iso3}`: sanctions, ECL exemptions (admin reference data)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from nomination.adapters import queries
from nomination.entrypoints.authorization import Admin, Reader
from nomination.entrypoints.http.deps import RuntimeDep, location
from nomination.entrypoints.http.schemas.countries import (
    CountryList,
    CountryPublic,
    CountryPut,
    CountryRevisionPublic,
    CountryRevisions,
)
from nomination.entrypoints.http.views import PREFIX, country_public
from nomination.service_layer import countries as use_cases
from shared.http.etag import set_etag

router = APIRouter(prefix=f"{PREFIX}/countries", tags=["countries"])
Iso3 = Annotated[
    str, Path(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3", examples=["GTM"])
]


@router.get("", response_model=CountryList)
async def list_countries(principal: Reader, runtime: RuntimeDep) -> CountryList:
    """Every country in the reference data (about 150 at most: not paginated)."""
    async with runtime.sessions() as session:
        rows = await queries.all_countries(session)
    return CountryList(items=[country_public(r) for r in rows])


@router.get("/{iso3}", response_model=CountryPublic)
async def get_country(
    iso3: Iso3, principal: Reader, runtime: RuntimeDep, response: Response
) -> CountryPublic:
    """A country's status: under sanctions (no new nominations) and the fiscal years whose
    students are exempt from in-country ECL testing (tested on arrival)."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.get_country(uow, iso3)
    set_etag(response, iso3, row.version)
    return country_public(row)


@router.put("/{iso3}", response_model=CountryPublic)
async def put_country(
    iso3: Iso3,
    body: CountryPut,
    principal: Admin,
    runtime: RuntimeDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> CountryPublic:
    """Create (201) or replace (200, `If-Match` required) a country's reference data; every
    change is kept as a version. Imposing sanctions cancels the country's nominations that are
    drafts or in the pipeline (reason `sanctions`, U.S.-initiated), with their compensations."""
    async with runtime.uow(principal) as uow:
        row, created, cancelled = await use_cases.put_country(
            uow, principal, iso3, body.model_dump(), if_match
        )
    if created:
        response.status_code = 201
        response.headers["Location"] = location(router.prefix, iso3)
    set_etag(response, iso3, row.version)
    return country_public(row, cancelled)


@router.get("/{iso3}/revisions", response_model=CountryRevisions)
async def list_country_revisions(
    iso3: Iso3, principal: Reader, runtime: RuntimeDep
) -> CountryRevisions:
    """Every version of a country's reference data, oldest first (who changed it, when)."""
    async with runtime.uow(principal) as uow:
        await use_cases.get_country(uow, iso3)
        rows = await uow.reference.country_revisions(iso3)
    return CountryRevisions(
        iso3=iso3, items=[CountryRevisionPublic.model_validate(asdict(r)) for r in rows]
    )

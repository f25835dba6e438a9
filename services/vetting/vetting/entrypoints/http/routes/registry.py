"""`/api/v1/vetting/registry`: units with credible derogatory information, and their remediation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from shared.http.etag import etag_for, not_modified, set_etag
from shared.http.pagination import PageQuery
from vetting.adapters import queries
from vetting.domain.errors import RegistryEntryNotFound
from vetting.entrypoints.authorization import FullReader, Vetter
from vetting.entrypoints.http.deps import NowDep, OptionalIfMatch, RuntimeDep, version_check
from vetting.entrypoints.http.schemas.common import ONE_LINE, problems
from vetting.entrypoints.http.schemas.registry import (
    RegistryEntryCreate,
    RegistryEntryPage,
    RegistryEntryPublic,
    RemediationCreate,
    registry_public,
)
from vetting.service_layer import registry

router = APIRouter(prefix="/api/v1/vetting/registry", tags=["registry"])


@router.get("", response_model=RegistryEntryPage, responses=problems(400, 422))
async def list_registry_entries(
    principal: FullReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    active: Annotated[bool | None, Query(description="Not remediated yet")] = None,
    unit_name: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=300,
            pattern=ONE_LINE,
            description="Matched ignoring case and spacing",
        ),
    ] = None,
) -> RegistryEntryPage:
    """Registry entries, newest first; remediated ones stay listed (`active=false`). Vetters and
    auditors; an SCO has no access to the registry.
    """
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_registry(
            session, page, country=country, active=active, unit_name=unit_name
        )
    return RegistryEntryPage(items=[registry_public(r) for r in rows], next_cursor=next_cursor)


@router.post("", status_code=201, response_model=RegistryEntryPublic, responses=problems(409, 422))
async def add_registry_entry(
    body: RegistryEntryCreate,
    response: Response,
    principal: Vetter,
    runtime: RuntimeDep,
    now: NowDep,
) -> RegistryEntryPublic:
    """Put a unit on the registry: by its registry identity (`unit_id`), or by `unit_name` (and
    `parent_unit_id`) - a unit not registered yet is registered now - with the source
    reference and a summary; `include_subunits` covers the units below it too. From now on it
    blocks the vetting of every member: new cases are denied (or held for review, per policy),
    no member can be approved until remediation is recorded, and every approval a member holds
    that is still valid is suspended at once (reason `unit_listed`: the nomination leaves
    ready_for_travel and its travel order is recalled; vetters find them with
    `GET /cases?reason_code=unit_listed`). One active entry per unit (409
    `unit-already-listed`). Audited.
    """
    command = registry.AddRegistryEntry(
        body.country, body.unit_name, body.source_reference, body.summary,
        unit_id=body.unit_id, parent_unit_id=body.parent_unit_id,
        include_subunits=body.include_subunits,
    )  # fmt: skip
    async with runtime.uow(principal) as uow:
        entry = await registry.add_registry_entry(uow, command, now)
    response.headers["Location"] = f"{router.prefix}/{entry.id}"
    set_etag(response, entry.id, entry.version)
    return registry_public(entry)


@router.get("/{entry_id}", response_model=RegistryEntryPublic, responses=problems(404, 422))
async def get_registry_entry(
    entry_id: UUID, request: Request, response: Response, principal: FullReader, runtime: RuntimeDep
) -> RegistryEntryPublic | Response:
    """One registry entry, with its remediation when recorded."""
    async with runtime.sessions() as session:
        entry = await queries.registry_entry(session, entry_id)
    if entry is None:
        raise RegistryEntryNotFound(f"No registry entry {entry_id}.")
    cached = not_modified(request, etag_for(entry.id, entry.version))
    if cached is not None:
        return cached
    set_etag(response, entry.id, entry.version)
    return registry_public(entry)


@router.post(
    "/{entry_id}/subunits",
    response_model=RegistryEntryPublic,
    responses=problems(400, 404, 409, 412, 422),
)
async def extend_registry_entry(
    entry_id: UUID,
    response: Response,
    principal: Vetter,
    runtime: RuntimeDep,
    now: NowDep,
    if_match: OptionalIfMatch,
) -> RegistryEntryPublic:
    """Extend an active entry to every unit below its unit: their members are blocked too, and
    the still-valid approvals they hold are suspended at once (`unit_listed`). A remediated
    entry cannot be extended (409). Audited.
    """
    async with runtime.uow(principal) as uow:
        entry = await registry.extend_registry_entry(
            uow, entry_id, now, check=version_check(if_match)
        )
    set_etag(response, entry.id, entry.version)
    return registry_public(entry)


@router.post(
    "/{entry_id}/remediation",
    response_model=RegistryEntryPublic,
    responses=problems(400, 404, 409, 412, 422),
)
async def remediate_registry_entry(
    entry_id: UUID,
    body: RemediationCreate,
    response: Response,
    principal: Vetter,
    runtime: RuntimeDep,
    now: NowDep,
    if_match: OptionalIfMatch,
) -> RegistryEntryPublic:
    """Remove a unit from the registry by recording its remediation (notes, reference). The
    entry stays in the history, inactive; the unit no longer blocks vetting. A remediated entry
    cannot be remediated again (409). Audited.
    """
    command = registry.RemediateRegistryEntry(body.remediation_notes, body.remediation_reference)
    async with runtime.uow(principal) as uow:
        entry = await registry.remediate_registry_entry(
            uow, entry_id, command, now, check=version_check(if_match)
        )
    set_etag(response, entry.id, entry.version)
    return registry_public(entry)

"""Country reference data: sanctions flag and ECL exemptions per fiscal year (admin-managed).

Every change is a new version (kept in `country_revision`). Imposing sanctions cancels the
country's nominations that have not ended and are not in training (U.S.-initiated), in the same
transaction: no nomination of a sanctioned country stays in the pipeline.
"""

from __future__ import annotations

from typing import Any

from nomination.domain.errors import CountryNotFound
from nomination.domain.reference import Country
from nomination.domain.states import CANCELLABLE
from nomination.service_layer.process import cancel_each
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal
from shared.http.etag import etag_for, parse_if_match


def country_view(row: Country) -> dict[str, Any]:
    return {
        "name": row.name,
        "sanctioned": row.sanctioned,
        "sanctions_reason": row.sanctions_reason,
        "ecl_exempt_fiscal_years": sorted(row.ecl_exempt_fiscal_years),
        "version": row.version,
    }


async def put_country(
    uow: NominationUnitOfWork,
    principal: Principal,
    iso3: str,
    values: dict[str, Any],
    if_match: str | None,
) -> tuple[Country, bool, int]:
    """Create or replace a country's reference data; (row, created, nominations cancelled).

    Replacing needs `If-Match` with the current ETag (412 when stale); creating needs none."""
    current = await uow.reference.country_record(iso3, for_update=True)
    if current is not None:
        parse_if_match(if_match).check(etag_for(iso3, current.version))
    version = 1 if current is None else current.version + 1
    values = {**values, "ecl_exempt_fiscal_years": sorted(set(values["ecl_exempt_fiscal_years"]))}
    saved = await uow.reference.save_country(
        {**values, "iso3": iso3, "version": version}, principal.subject
    )
    cancelled: list[Any] = []
    if saved.sanctioned and (current is None or not current.sanctioned):
        ids = await uow.nominations.ids_in_country(iso3, CANCELLABLE)
        cancelled = await cancel_each(
            uow, ids, "sanctions", "us_government", detail="sanctions_imposed"
        )
    uow.audit(
        "country.changed" if current is not None else "country.created", "country", iso3,
        before=country_view(current) if current is not None else None,
        after={**country_view(saved), "nominations_cancelled": len(cancelled)},
    )  # fmt: skip
    await uow.commit()
    return saved, current is None, len(cancelled)


async def get_country(uow: NominationUnitOfWork, iso3: str) -> Country:
    row = await uow.reference.country_record(iso3)
    if row is None:
        raise CountryNotFound(f"No reference data for country {iso3}.")
    return row

"""A candidate's unit: a registry identity (vetting's) or, failing that, free text.

With `unit_id` the unit must be one vetting announced for the candidate's country (the read
model of `vetting.unit_registered`; a brand-new unit may take a moment to arrive: 422
`unit-unknown`, retry), and `unit_name` becomes the registry's name. A later free-text
`unit_name` that names another unit drops the identity (the person moved to a unit the
registry does not know by id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nomination.domain.candidate import normalize_name
from nomination.domain.errors import UnitMismatch, UnitUnknown
from nomination.service_layer.unit_of_work import NominationUnitOfWork


def _same(a: str | None, b: str | None) -> bool:
    return normalize_name(a or "") == normalize_name(b or "")


async def with_unit(
    uow: NominationUnitOfWork,
    country: str,
    values: dict[str, Any],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`values` with the unit's registry name (or without a stale identity)."""
    unit_id = values.get("unit_id")
    if unit_id is not None:
        unit = await uow.reference.unit(unit_id)
        if unit is None or unit.country != country:
            raise UnitUnknown(
                f"No unit {unit_id} of {country} in the vetting registry.", field="unit_id"
            )
        if values.get("unit_name") is not None and not _same(values["unit_name"], unit.name):
            raise UnitMismatch(
                f"unit_name does not name unit {unit_id} ({unit.name!r}).", field="unit_name"
            )
        return {**values, "unit_name": unit.name}
    if (
        current is not None
        and "unit_name" in values
        and "unit_id" not in values
        and current.get("unit_id") is not None
        and not _same(values["unit_name"], current.get("unit_name"))
    ):
        return {**values, "unit_id": None}
    return values

"""Registry look-back: listing a unit re-reviews the approvals its members already hold.

Listing (or extending an entry to the unit's subunits) suspends, in the same transaction, every
approval still valid today of a case linked to the unit (and to its subunits when the entry
covers them) - and, as a flag for the vetter, of a case named only by free text that matches
the unit's name in the country: each becomes `suspended` with reason `unit_listed` and
`vetting.approval_suspended` tells the pipeline (the nomination leaves ready_for_travel, its
travel order is recalled). Vetters find them with `GET /cases?reason_code=unit_listed`; after
remediation a vetter may approve again. Cases of closed nominations are left alone. Cases named
by free text get linked to the unit when it is the only unit of that name.
"""

from __future__ import annotations

from uuid import UUID

from shared.observability import get_logger
from vetting.domain.moment import Moment
from vetting.domain.registry import RegistryEntry
from vetting.domain.units import Unit
from vetting.service_layer.audit import case_snapshot, decision_snapshot
from vetting.service_layer.unit_of_work import VettingUnitOfWork

log = get_logger("vetting.lookback")


async def review_members(
    uow: VettingUnitOfWork, entry: RegistryEntry, unit: Unit, now: Moment
) -> list[UUID]:
    """Suspend the still-valid approvals of the listed unit's members; the cases suspended."""
    units = await uow.units.with_subunits(unit.id) if entry.include_subunits else [unit.id]
    if len(await uow.units.named(unit.country, unit.name)) == 1:
        await uow.cases.link_named_to_unit(unit.country, unit.name, unit.id)
    suspended = []
    for case_id in await uow.cases.approved_members(units, unit.country, unit.name, now.on):
        case = await uow.cases.get(case_id, lock=True)
        if case is None:
            continue
        before = case_snapshot(case)
        decision = case.suspend_for_listing(entry_id=entry.id, by=uow.actor.subject, when=now)
        if decision is None:
            continue
        await uow.cases.save(case, now.at)
        uow.audit(
            "case.suspended_by_registry", "vetting_case", str(case.id),
            before=before, after=case_snapshot(case) | decision_snapshot(decision),
        )  # fmt: skip
        suspended.append(case.id)
    log.info("vetting.registry_lookback", entry_id=str(entry.id), suspended=len(suspended))
    return suspended

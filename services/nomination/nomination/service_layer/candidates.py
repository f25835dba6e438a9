"""Candidates: created and corrected by the SCO of their country, read by vetters (ADR 0005).

Personal data (date and place of birth, passport number) is returned only to roles that need it
(the SCO of the candidate's country, vetters, admins); every such read is audited as
`candidate.personal_data_read`. The audit trail itself never holds personal values.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from nomination.domain.candidate import (
    Candidate,
    Person,
    changed_vetted_fields,
    name_change_unbacked,
    person_fingerprint,
)
from nomination.domain.errors import (
    CandidateNotFound,
    ConstraintViolated,
    DuplicateCandidate,
    DuplicateNomination,
    NameChangeNeedsNewPassport,
    NotEditable,
)
from nomination.domain.rules import Rules
from nomination.domain.states import TERMINAL, State
from nomination.domain.travel_order import is_data_complete
from nomination.service_layer import revetting
from nomination.service_layer.authorization import require_own_country, sees_personal_data
from nomination.service_layer.changes import add_history
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from nomination.service_layer.units import with_unit
from shared.auth.principal import Principal
from shared.errors import PreconditionFailed
from shared.http.etag import IfMatch, etag_for

# Fields whose values the audit trail may hold (everything else is personal).
_AUDITABLE = (
    "country", "service", "rank", "pay_grade", "unit_name", "unit_id", "position", "version",
    "vetted_revision",
)  # fmt: skip


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, UUID) else value


def candidate_audit(row: Candidate, changed: list[str] | None = None) -> dict[str, Any]:
    view = {k: _plain(getattr(row, k)) for k in _AUDITABLE}
    view["id"] = str(row.id)
    if changed is not None:
        view["changed_fields"] = sorted(changed)
    return view


async def visible_candidate(
    uow: NominationUnitOfWork, principal: Principal, candidate_id: UUID, *, for_update: bool = False
) -> Candidate:
    row = await uow.candidates.get(candidate_id, for_update=for_update)
    if row is None or not principal.can_see_country(row.country):
        raise CandidateNotFound(f"No candidate {candidate_id}.")
    return row


async def add_candidate(
    uow: NominationUnitOfWork, principal: Principal, values: dict[str, Any], key: bytes
) -> Candidate:
    """Stage a new candidate (the caller commits)."""
    require_own_country(principal, values["country"])
    values = await with_unit(uow, values["country"], values)
    values = {**values, "id": uuid4(), "created_by": principal.subject}
    row = await uow.candidates.add(_with_fingerprint(values, key))
    if row is None:
        raise DuplicateCandidate("A candidate with this passport number already exists.")
    uow.audit("candidate.created", "candidate", str(row.id), after=candidate_audit(row))
    return row


async def create_candidate(
    uow: NominationUnitOfWork, principal: Principal, values: dict[str, Any], key: bytes
) -> Candidate:
    """Register a candidate of the SCO's own country; one candidate per passport and country.
    Drafts may be incomplete: names and country suffice until a nomination is submitted."""
    row = await add_candidate(uow, principal, values, key)
    await uow.commit()
    return row


async def read_candidate(
    uow: NominationUnitOfWork, principal: Principal, candidate_id: UUID
) -> Candidate:
    """A candidate; a read that returns personal data is audited (who read whose data, when)."""
    row = await visible_candidate(uow, principal, candidate_id)
    if sees_personal_data(principal):
        uow.audit("candidate.personal_data_read", "candidate", str(row.id))
        await uow.commit()
    return row


async def update_candidate(
    uow: NominationUnitOfWork,
    principal: Principal,
    candidate_id: UUID,
    if_match: IfMatch,
    values: dict[str, Any],
    key: bytes,
    rules: Rules | None = None,
) -> Candidate:
    """Correct a candidate. The country never changes; identity corrections move the person's
    fingerprint on every open nomination (and may reveal a duplicate: 409). A change of a vetted
    fact (names, date or place of birth, unit, service, rank) sends every active nomination of
    the person back to vetting - seat and funds stay held, the travel order is recalled - and
    asks vetting to re-open the case (`nomination.candidate_changed`). New names need the new
    passport's number (422 otherwise). Other fields (position, English results...) change
    without re-vetting; the travel orders are judged again."""
    row = await visible_candidate(uow, principal, candidate_id, for_update=True)
    if_match.check(etag_for(row.id, row.version))
    require_own_country(principal, row.country)
    uow.rules = rules
    if "country" in values and values["country"] != row.country:
        raise NotEditable("A candidate's country cannot change: register a new candidate.")
    before = row.values()
    values = await with_unit(uow, row.country, values, before)
    if name_change_unbacked(before, values):
        raise NameChangeNeedsNewPassport(
            "The names are exactly as on the passport: new names need the new passport's number "
            "(passport_number) in the same correction.",
            fields=["family_names", "given_names", "passport_number"],
        )
    vetted = changed_vetted_fields(before, values)
    merged = {**before, **values}
    fingerprint = _with_fingerprint(merged, key)["person_fingerprint"]
    changes = {**values, "person_fingerprint": fingerprint}
    if vetted:
        changes["vetted_revision"] = row.vetted_revision + 1
    try:
        new = await uow.candidates.update(row.id, row.version, changes)
    except ConstraintViolated:
        raise DuplicateCandidate("A candidate with this passport number already exists.") from None
    if new is None:  # cannot happen under the row lock; refuse rather than overwrite
        raise PreconditionFailed("The candidate changed while you updated it: read it again.")
    await _refresh_nominations(uow, new, identity_changed=fingerprint != row.person_fingerprint)
    if vetted:
        await revetting.reopen_for_candidate(uow, new, vetted)
    else:
        await revetting.review_candidate_orders(uow, new)
    changed = [k for k in values if values[k] != before[k]]
    uow.audit(
        "candidate.updated", "candidate", str(row.id),
        before=candidate_audit(row), after=candidate_audit(new, changed),
    )  # fmt: skip
    await uow.commit()
    return new


def _with_fingerprint(values: dict[str, Any], key: bytes) -> dict[str, Any]:
    person = Person(
        family_names=values["family_names"],
        given_names=values["given_names"],
        country=values["country"],
        date_of_birth=values.get("date_of_birth"),
    )
    return {**values, "person_fingerprint": person_fingerprint(key, person)}


async def _refresh_nominations(
    uow: NominationUnitOfWork, candidate: Candidate, *, identity_changed: bool
) -> None:
    """Carry the candidate's new fingerprint and completeness onto its open nominations."""
    open_states = [s for s in State if s not in TERMINAL]
    person = candidate.person
    for nomination_id in await uow.nominations.ids_of_candidate(candidate.id, open_states):
        row = await uow.nominations.get(nomination_id, for_update=True)
        if row is None:
            continue
        changes: dict[str, Any] = {}
        if identity_changed and row.active:
            changes["person_fingerprint"] = candidate.person_fingerprint
        complete = is_data_complete(person, row.medical_cleared_on, row.security_screened_on)
        if complete and row.data_complete_on is None and row.status != State.DRAFT:
            changes["data_complete_on"] = uow.clock().date()
        if changes:
            try:
                async with uow.savepoint():
                    new = await uow.nominations.update(row, changes)
            except ConstraintViolated:
                raise DuplicateNomination(
                    "After this correction the person would hold two active nominations "
                    "for one class."
                ) from None
            await add_history(
                uow, new, "fact", reason="candidate_corrected", detail={"fields": sorted(changes)}
            )
            uow.audit(
                "nomination.candidate_corrected", "nomination", str(row.id),
                before=row.audit_view(), after=new.audit_view(),
            )  # fmt: skip

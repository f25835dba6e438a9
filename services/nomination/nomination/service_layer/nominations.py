"""Nominations: create a draft, edit it, submit it through validation at the door.

A draft may be incomplete and is freely editable by its SCO. Submitting runs every rule of
`domain.submission` and either stores nothing (422 listing every failure) or moves the
nomination into the pipeline and publishes `nomination.submitted`, which sets catalog (seat)
and vetting (case) going. The duplicate rule is also a partial unique index, so two concurrent
submissions of the same person for the same class cannot both pass.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from nomination.domain import events
from nomination.domain.candidate import person_fingerprint
from nomination.domain.commands import Command
from nomination.domain.errors import (
    ConstraintViolated,
    DuplicateNomination,
    NominationInvalid,
    NominationNotFound,
    NotEditable,
)
from nomination.domain.nomination import Nomination
from nomination.domain.states import PIPELINE, State
from nomination.domain.submission import Problem, Submission, submission_problems
from nomination.domain.travel_order import is_data_complete
from nomination.service_layer.authorization import require_own_country
from nomination.service_layer.candidates import visible_candidate
from nomination.service_layer.changes import add_history, apply_outcome
from nomination.service_layer.config import Config
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal
from shared.http.etag import IfMatch, etag_for

# Screening records are collected while the pipeline runs; everything else is fixed at submit.
SCREENING_FIELDS = frozenset(
    {"medical_cleared_on", "medical_reference", "security_screened_on", "security_reference"}
)


def invalid(problems: list[Problem]) -> NominationInvalid:
    codes = ", ".join(sorted({p.code for p in problems}))
    return NominationInvalid(
        f"The nomination fails: {codes}.",
        errors=[{"code": p.code, "field": p.field, "message": p.message} for p in problems],
    )


async def visible_nomination(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    *,
    for_update: bool = False,
) -> Nomination:
    """The nomination if the caller may see it; an SCO of another country gets 404, not 403."""
    row = await uow.nominations.get(nomination_id, for_update=for_update)
    return seen_by(principal, nomination_id, row)


def seen_by(principal: Principal, nomination_id: UUID, row: Nomination | None) -> Nomination:
    """`row` if it exists and the caller may see it (a read that loaded it itself, ADR 0155);
    an SCO of another country gets 404, not 403."""
    if row is None or not principal.can_see_country(row.country):
        raise NominationNotFound(f"No nomination {nomination_id}.")
    return row


async def _course_of_class(uow: NominationUnitOfWork, class_id: UUID, masl_id: str | None) -> str:
    """The class's MASL from the catalog read model, or the one the SCO gave for a class we
    have not heard of yet (the class must be known by submission)."""
    klass = await uow.reference.class_facts(class_id)
    if klass is not None:
        if masl_id is not None and masl_id != klass.masl_id:
            raise invalid(
                [Problem("course-mismatch", "masl_id", "the class belongs to another course")]
            )
        return klass.masl_id
    if masl_id is None:
        raise invalid(
            [
                Problem(
                    "class-unknown",
                    "class_id",
                    "unknown class: give its masl_id, or wait for the catalog",
                )
            ]
        )
    return masl_id


async def add_draft(
    uow: NominationUnitOfWork, principal: Principal, values: dict[str, Any]
) -> Nomination:
    """Stage a draft nomination (the caller commits)."""
    candidate = await visible_candidate(uow, principal, values["candidate_id"])
    require_own_country(principal, candidate.country)
    masl_id = await _course_of_class(uow, values["class_id"], values.pop("masl_id", None))
    if await uow.nominations.open_for(candidate.id, values["class_id"]) is not None:
        raise DuplicateNomination("The candidate already has an open nomination for this class.")
    try:
        async with uow.savepoint():
            row = await uow.nominations.add(
                {
                    **values,
                    "id": uuid4(),
                    "country": candidate.country,
                    "masl_id": masl_id,
                    "status": State.DRAFT.value,
                    "created_by": principal.subject,
                }
            )
    except ConstraintViolated:
        raise DuplicateNomination(
            "The candidate already has an open nomination for this class."
        ) from None
    await add_history(uow, row, "transition", reason="created", to_state=State.DRAFT)
    uow.emit(events.NominationCreated(row))
    uow.audit("nomination.created", "nomination", str(row.id), after=row.audit_view())
    return row


async def create_nomination(
    uow: NominationUnitOfWork, principal: Principal, values: dict[str, Any]
) -> Nomination:
    """Create a DRAFT nomination of a candidate of the SCO's own country for a class. A draft may
    be incomplete; a class the catalog has not announced yet needs its `masl_id`."""
    row = await add_draft(uow, principal, values)
    await uow.commit()
    return row


async def update_nomination(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    if_match: IfMatch,
    values: dict[str, Any],
    today: date,
) -> Nomination:
    """Drafts are freely editable; in the pipeline only screening records (medical clearance,
    security screening) may be added; after that nothing changes."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    if_match.check(etag_for(row.id, row.version))
    require_own_country(principal, row.country)
    state = State(row.status)
    if state is not State.DRAFT:
        fixed = sorted(set(values) - SCREENING_FIELDS)
        if state not in PIPELINE or fixed:
            raise NotEditable(
                f"In state {state} these fields cannot change: {', '.join(fixed) or 'any'}.",
                fields=fixed,
            )
    if "class_id" in values or "masl_id" in values:
        class_id = values.get("class_id", row.class_id)
        values["masl_id"] = await _course_of_class(uow, class_id, values.get("masl_id"))
    if state is not State.DRAFT and row.data_complete_on is None:
        candidate = await uow.candidates.get(row.candidate_id)
        merged = {**row.values(), **values}
        if candidate is not None and is_data_complete(
            candidate.person, merged["medical_cleared_on"], merged["security_screened_on"]
        ):
            values["data_complete_on"] = today
    try:
        async with uow.savepoint():
            new = await uow.nominations.update(row, values)
    except ConstraintViolated:
        raise DuplicateNomination(
            "The candidate already has an open nomination for this class."
        ) from None
    if state is not State.DRAFT:
        await add_history(
            uow, new, "fact", reason="screening_recorded", detail={"fields": sorted(values)}
        )
    uow.audit(
        "nomination.updated",
        "nomination",
        str(row.id),
        before=row.audit_view(),
        after=new.audit_view(),
    )
    await uow.commit()
    return new


async def submit(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    config: Config,
    today: date,
) -> Nomination:
    """Validation at the door, then into the pipeline. Every failed rule is listed; nothing is
    stored on failure. Rules: candidate data complete; country registered and not sanctioned;
    class known, open (or full: waitlist) and not started; fiscal year = the class's; English
    requirement met (ECL within its validity, TOEFL iBT where the school asks for it; ECL-exempt
    countries test on arrival); E-IMET funding only for a course whose certification has not
    lapsed; no other active nomination of the same person for the class."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    outcome = row.decide(Command.SUBMIT)
    candidate = await uow.candidates.get(row.candidate_id, for_update=True)
    assert candidate is not None  # a foreign key guarantees it
    person = candidate.person
    fingerprint = person_fingerprint(config.fingerprint_key, person)
    klass = await uow.reference.class_facts(row.class_id)
    course = await uow.reference.course_facts(klass.masl_id) if klass else None
    duplicate = fingerprint is not None and await uow.nominations.person_is_active_in_class(
        row.class_id, fingerprint, other_than=row.id
    )
    problems = submission_problems(
        submission=Submission(
            row.country, row.class_id, row.masl_id, row.fiscal_year, row.funding_source
        ),
        person=person,
        klass=klass,
        course=course,
        country=await uow.reference.country_facts(row.country),
        duplicate=duplicate,
        rules=config.rules,
        today=today,
    )
    if problems or klass is None:
        raise invalid(problems)
    values: dict[str, Any] = {
        "submitted_at": uow.clock(),
        "person_fingerprint": fingerprint,
        "masl_id": klass.masl_id,
    }
    if is_data_complete(person, row.medical_cleared_on, row.security_screened_on):
        values["data_complete_on"] = today
    try:
        async with uow.savepoint():
            new = await apply_outcome(
                uow, row, outcome, reason="submitted", values=values, action="nomination.submitted"
            )
    except ConstraintViolated:
        raise DuplicateNomination(
            "The person already has an active nomination for this class."
        ) from None
    uow.emit(
        events.NominationSubmitted(
            new, klass, person.unit_name or "", candidate.vetted_revision, candidate.unit_id
        )
    )
    return new


async def submit_nomination(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    config: Config,
    today: date,
) -> Nomination:
    """Submit a draft (see `submit` for the rules checked at the door)."""
    row = await submit(uow, principal, nomination_id, config, today)
    await uow.commit()
    return row

"""Continuous screening: the gate is asked at issue, at start of training, and after every change.

`facts_of` gathers what the gate looks at for one nomination (its row, the candidate, the
catalog read model, the country). `review_travel_order` runs after every change of a
nomination (`changes.apply_outcome`), of its candidate or of its course and class: while the
nomination has a current order and training has not started, the order stays current only if
the gate still holds - otherwise it is recalled at once, in the same transaction as the change
that broke it, with the reason, the failed items, a history entry, an audit row and
`nomination.ito_recalled`. Once training started the order has been used: it stays the record.
"""

from __future__ import annotations

from nomination.domain import events
from nomination.domain.candidate import english_tests_of
from nomination.domain.gate import GateFacts, gate_problems
from nomination.domain.nomination import Nomination
from nomination.domain.rules import Rules
from nomination.domain.submission import Problem, eimet_problem
from nomination.domain.travel_order import RecallReason, TravelOrder, recall_reason
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.observability import get_logger

log = get_logger("nomination.screening")


async def facts_of(uow: NominationUnitOfWork, row: Nomination) -> GateFacts:
    """The gate's inputs for the nomination `row`, as this service knows them now."""
    progress = row.progress
    klass = await uow.reference.class_facts(row.class_id)
    course = await uow.reference.course_facts(klass.masl_id if klass else row.masl_id)
    candidate = await uow.candidates.get(row.candidate_id)
    return GateFacts(
        state=progress.state,
        seat=progress.seat,
        vetting=progress.vetting,
        vetting_valid_until=row.vetting_valid_until,
        funding=progress.funding,
        funding_source=row.funding_source,
        fiscal_year=row.fiscal_year,
        medical_cleared_on=row.medical_cleared_on,
        security_screened_on=row.security_screened_on,
        data_complete_on=row.data_complete_on,
        klass=klass,
        course=course,
        country=await uow.reference.country_facts(row.country),
        english_tests=english_tests_of(candidate.english_tests) if candidate else (),
    )


async def funding_refusal(uow: NominationUnitOfWork, row: Nomination) -> Problem | None:
    """Why money may not be asked for this line today (E-IMET: the course's certification must
    hold on the day the obligation is requested), or None."""
    if row.funding_source != "eimet":
        return None
    course = await uow.reference.course_facts(row.masl_id)
    if course is None:
        return Problem("course-unknown", "masl_id", "the course is not in the catalog")
    return eimet_problem(row.funding_source, course, uow.clock().date())


async def review_travel_order(
    uow: NominationUnitOfWork, row: Nomination, *, rules: Rules | None = None
) -> TravelOrder | None:
    """Recall the nomination's current order if the gate no longer holds; the recalled order.

    `rules` default to the unit of work's (set for every reaction and every use case that
    changes what a setting applies to); without them only setting-free facts are judged.
    """
    if row.training_started_on is not None:
        return None
    order = await uow.travel_orders.current(row.id)
    if order is None:
        return None
    facts = await facts_of(uow, row)
    missing = gate_problems(
        facts, rules or uow.rules, on=uow.clock().date(), english_on=order.issued_at.date()
    )
    if not missing:
        return None
    reason = recall_reason(facts.state, facts.vetting, row.status_reason, [p.code for p in missing])
    return await recall(uow, row, order, reason, missing)


async def recall(
    uow: NominationUnitOfWork,
    row: Nomination,
    order: TravelOrder,
    reason: RecallReason,
    missing: list[Problem],
) -> TravelOrder:
    """Recall `order`: it is never usable again; the record says when, why and what failed."""
    codes = [p.code for p in missing]
    recalled = await uow.travel_orders.recall(
        order.id, uow.clock(), reason.value, {"missing": codes}
    )
    await uow.nominations.add_history(
        row.id, kind="document", actor=uow.actor.subject, cause_event_id=uow.cause_event_id,
        reason="ito_recalled",
        detail={"number": order.number, "version": order.version, "recall_reason": reason.value,
                "missing": codes},
    )  # fmt: skip
    uow.emit(events.TravelOrderRecalled(row, recalled, reason, codes))
    uow.audit(
        "travel_order.recalled", "nomination", str(row.id),
        before={"number": order.number, "version": order.version, "status": "current"},
        after={"number": order.number, "version": order.version, "status": "recalled",
               "recall_reason": reason.value, "missing": codes},
    )  # fmt: skip
    log.info(
        "travel_order.recalled",
        nomination_id=str(row.id),
        version=order.version,
        reason=reason.value,
    )
    return recalled

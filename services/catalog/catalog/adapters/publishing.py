"""Domain event -> published contract (`shared.contracts.catalog.v1`) -> outbox, via the uow.

The only place a catalog contract is built: the units of work (SQL and the fast tier's fake)
call `stage` with the domain events a use case emitted. Course and class events carry the
aggregate's full current state. Several `ClassChanged` of one class in one emission are
published once, after that class's seat events, so a consumer's read model ends on the final
state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar
from uuid import UUID

from catalog.domain import events as domain
from catalog.domain.course import Course, EimetPolicy, Institution
from catalog.domain.offering import CourseClass
from shared.contracts.catalog import v1
from shared.contracts.envelope import IntegrationEvent

CourseEventT = TypeVar("CourseEventT", v1.CoursePublishedV1, v1.CourseChangedV1)
ClassEventT = TypeVar("ClassEventT", v1.ClassScheduledV1, v1.ClassChangedV1)


def course_state(
    model: type[CourseEventT], course: Course, institution: Institution, eimet: EimetPolicy
) -> CourseEventT:
    """The course's full state; `eimet_certified_through` is the catalog's one definition of
    when an E-IMET certification lapses (consumers compare dates with it)."""
    requirement = course.english_requirement
    return model(
        masl_id=course.masl_id,
        title=course.title,
        category=course.category.value,
        institution=v1.InstitutionRefV1(
            institution_id=institution.id,
            name=institution.name,
            location=institution.location,
            government_quarters=institution.government_quarters,
            government_mess=institution.government_mess,
        ),
        duration_weeks=course.duration_weeks,
        english_requirement=(
            v1.EnglishRequirementV1(test=requirement.test.value, min_score=requirement.min_score)
            if requirement
            else None
        ),
        eimet_certified_on=course.eimet_certified_on,
        eimet_certified_through=eimet.certified_through(course.eimet_certified_on),
        dedicated_international=course.dedicated_international,
        min_class_size=course.min_class_size,
        max_class_size=course.max_class_size,
        tuition=[
            v1.TuitionRateV1(fiscal_year=fy, amount=amount)
            for fy, amount in sorted(course.tuition.items())
        ],
        active=course.active,
        version=course.version,
    )


def class_state(model: type[ClassEventT], offering: CourseClass) -> ClassEventT:
    return model(
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=offering.fiscal_year,
        start_date=offering.start_date,
        end_date=offering.end_date,
        report_date=offering.report_date,
        capacity=offering.capacity,
        status=offering.status.value,
        seats_held=offering.seats_held,
        seats_confirmed=offering.seats_confirmed,
        version=offering.version,
    )


def seat_event(event: domain.SeatEvent) -> IntegrationEvent:
    match event:
        case domain.SeatHeld():
            return v1.SeatHeldV1(
                class_id=event.class_id,
                masl_id=event.masl_id,
                nomination_id=event.nomination_id,
                hold_expires_at=event.hold_expires_at,
                seats_available=event.seats_available,
                promoted_from_waitlist=event.promoted_from_waitlist,
                backfills_nomination_id=event.backfills_nomination_id,
            )
        case domain.SeatWaitlisted():
            return v1.SeatWaitlistedV1(
                class_id=event.class_id,
                masl_id=event.masl_id,
                nomination_id=event.nomination_id,
                position=event.position,
            )
        case domain.SeatConfirmed():
            return v1.SeatConfirmedV1(
                class_id=event.class_id, masl_id=event.masl_id, nomination_id=event.nomination_id
            )
        case domain.SeatReleased():
            return v1.SeatReleasedV1(
                class_id=event.class_id,
                masl_id=event.masl_id,
                nomination_id=event.nomination_id,
                reason=event.reason.value,
                was=event.was.value,
            )


class Outbox(Protocol):
    """Where contracts are staged: a unit of work's `publish` (written on commit)."""

    def publish(self, event: IntegrationEvent) -> None: ...


def stage(
    uow: Outbox, events: Iterable[domain.DomainEvent], classes: Mapping[UUID, CourseClass]
) -> None:
    """Publish domain events in order (through the uow's outbox); `classes` are the classes
    whose final state `ClassScheduled`/`ClassChanged` carry."""
    ordered = list(events)
    last_change = {
        e.class_id: i for i, e in enumerate(ordered) if isinstance(e, domain.ClassChanged)
    }
    for i, event in enumerate(ordered):
        if isinstance(event, domain.ClassChanged) and last_change[event.class_id] != i:
            continue  # published once, at its last place, with the final state
        uow.publish(contract_of(event, classes))


def contract_of(event: domain.DomainEvent, classes: Mapping[UUID, CourseClass]) -> IntegrationEvent:
    """The contract a domain event is published as."""
    match event:
        case domain.CoursePublished(course=course, institution=institution, eimet=eimet):
            return course_state(v1.CoursePublishedV1, course, institution, eimet)
        case domain.CourseChanged(course=course, institution=institution, eimet=eimet):
            return course_state(v1.CourseChangedV1, course, institution, eimet)
        case domain.ClassScheduled():
            return class_state(v1.ClassScheduledV1, classes[event.class_id])
        case domain.ClassChanged():
            return class_state(v1.ClassChangedV1, classes[event.class_id])
        case domain.ClassCancelled():
            return v1.ClassCancelledV1(
                class_id=event.class_id,
                masl_id=event.masl_id,
                reason=event.reason_code,  # never the manager's words (ADR 0057)
                cancelled_at=event.cancelled_at,
                affected_nomination_ids=list(event.affected_nomination_ids),
            )
        case _:
            return seat_event(event)

"""Events of a small program, as the four producers publish them, for the reporting tests."""

from __future__ import annotations

import random
import string
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.contracts.catalog.v1 import CoursePublishedV1, InstitutionRefV1, TuitionRateV1
from shared.contracts.envelope import IntegrationEvent, build_headers, encode_value
from shared.contracts.funding.v1 import (
    AllocationSetV1,
    DeobligatedV1,
    ObligationRecordedV1,
    PenaltyChargedV1,
)
from shared.contracts.nomination.v1 import (
    CandidateChangedV1,
    NominationCreatedV1,
    NominationStateChangedV1,
    NominationSubmittedV1,
    TrainingEndedV1,
)
from shared.contracts.vetting.v1 import CaseOpenedV1, VettingApprovedV1
from shared.messaging.kafka import physical_topic
from tests.helpers.kafka import produce

FY = 2026
USED: set[str] = set()


def new_country() -> str:
    while True:
        code = "R" + "".join(random.choices(string.ascii_uppercase, k=2))
        if code not in USED:
            USED.add(code)
            return code


def new_masl() -> str:
    return "Q" + "".join(random.choices(string.digits, k=6))


def course(masl: str, title: str = "Course", category: str = "technical") -> CoursePublishedV1:
    return CoursePublishedV1(
        masl_id=masl, title=title, category=category,  # type: ignore[arg-type]
        institution=InstitutionRefV1(institution_id=uuid.uuid4(), name=f"School of {title}",
                                     location="Fort Test, TX", government_quarters=True,
                                     government_mess=True),
        duration_weeks=Decimal("8.0"), english_requirement=None, eimet_certified_on=None,
        dedicated_international=False, min_class_size=1, max_class_size=30,
        tuition=[TuitionRateV1(fiscal_year=FY, amount=Decimal("20000.00"))], version=1,
    )  # fmt: skip


class Story:
    """The events of one nomination, in the order its producers publish them."""

    def __init__(
        self, country: str, masl: str, candidate: uuid.UUID | None = None, unit: str = "Unit"
    ) -> None:
        self.id = uuid.uuid4()
        self.country, self.masl = country, masl
        self.candidate = candidate or uuid.uuid4()
        self.class_id = uuid.uuid4()
        self.state = "draft"
        self.nomination: list[IntegrationEvent] = []
        self.funding: list[IntegrationEvent] = []
        self.vetting: list[IntegrationEvent] = []
        base = {"nomination_id": self.id, "country": country}
        self.nomination.append(
            NominationCreatedV1(
                **base, class_id=self.class_id, masl_id=masl, fiscal_year=FY, funding_source="imet"
            )
        )
        self.nomination.append(NominationSubmittedV1(
            **base, candidate_id=self.candidate, person_fingerprint="f" * 64, unit_name=unit,
            class_id=self.class_id, masl_id=masl, fiscal_year=FY, funding_source="imet",
            start_date=date(2026, 6, 1), end_date=date(2026, 7, 26),
            report_date=date(2026, 5, 31), submitted_at=datetime.now(UTC),
        ))  # fmt: skip
        self.move("submitted")

    def move(self, to_state: str) -> Story:
        self.nomination.append(NominationStateChangedV1(
            nomination_id=self.id, country=self.country, from_state=self.state,  # type: ignore[arg-type]
            to_state=to_state,  # type: ignore[arg-type]
        ))  # fmt: skip
        self.state = to_state
        return self

    def unit_changed(self, unit: str) -> Story:
        self.nomination.append(CandidateChangedV1(
            nomination_id=self.id, country=self.country, candidate_id=self.candidate,
            changed_fields=["unit_name"], person_fingerprint="f" * 64, unit_name=unit,
            vetted_revision=2, changed_at=datetime.now(UTC),
        ))  # fmt: skip
        return self

    def vetted(self, opened: date, decided: date | None) -> Story:
        case = uuid.uuid4()
        base = {"case_id": case, "nomination_id": self.id, "country": self.country}
        self.vetting.append(
            CaseOpenedV1(
                **base,
                candidate_id=self.candidate,
                unit_name="Unit",
                opened_on=opened,
                due_on=opened + timedelta(days=14),
            )
        )
        if decided is not None:
            self.vetting.append(VettingApprovedV1(
                **base, candidate_id=self.candidate, valid_until=decided + timedelta(days=365),
                decided_at=datetime(decided.year, decided.month, decided.day, 15, tzinfo=UTC),
            ))  # fmt: skip
        return self

    def obligated(self, tuition: str, travel: str, tla: str) -> Story:
        amount = Decimal(tuition) + Decimal(travel) + Decimal(tla)
        self.obligation = uuid.uuid4()
        self.funding.append(ObligationRecordedV1(
            nomination_id=self.id, country=self.country, fiscal_year=FY,
            obligation_id=self.obligation, class_id=self.class_id, masl_id=self.masl,
            funding_source="imet", amount=amount, tuition=Decimal(tuition),
            travel=Decimal(travel), living_allowance=Decimal(tla),
        ))  # fmt: skip
        return self

    def released(self, returned: str, penalty: str, reason: str) -> Story:
        base = {"nomination_id": self.id, "country": self.country, "fiscal_year": FY,
                "obligation_id": self.obligation}  # fmt: skip
        if Decimal(penalty) > 0:
            self.funding.append(PenaltyChargedV1(**base, amount=Decimal(penalty), rule="r"))
        self.funding.append(
            DeobligatedV1(
                **base,
                amount_returned=Decimal(returned),
                penalty_amount=Decimal(penalty),
                reason=reason,
            )
        )  # type: ignore[arg-type]
        return self

    def trained(self, completed: bool = True, days: int = 56) -> Story:
        self.move("in_training")
        self.nomination.append(TrainingEndedV1(
            nomination_id=self.id, country=self.country, class_id=self.class_id,
            completed=completed, days_attended=days, ended_on=date(2026, 7, 26),
        ))  # fmt: skip
        return self.move("completed" if completed else "training_terminated")

    def vetted_events(self) -> list[IntegrationEvent]:
        self.vetted(date(2026, 3, 2), date(2026, 3, 6))
        return [*self.nomination, *self.vetting]

    def events(self) -> list[IntegrationEvent]:
        return [*self.nomination, *self.vetting, *self.funding]


def allocation(country: str, amount: str) -> AllocationSetV1:
    return AllocationSetV1(allocation_id=uuid.uuid4(), country=country, fiscal_year=FY,
                           amount=Decimal(amount), reason="initial_allocation")  # fmt: skip


async def publish(prefix: str, events: list[IntegrationEvent]) -> None:
    """Produce the events, each on its topic, in order."""
    by_topic: dict[str, list[Any]] = {}
    for event in events:
        headers = build_headers(event_id=str(uuid.uuid4()), event_type=event.TYPE,
                                source="/imet/test", subject=event.aggregate_id(),
                                time=datetime.now(UTC))  # fmt: skip
        by_topic.setdefault(physical_topic(event.TOPIC, prefix), []).append(
            (event.aggregate_id().encode(), encode_value(event.body()),
             [(k, v.encode()) for k, v in headers.items()])
        )  # fmt: skip
    for topic, records in by_topic.items():
        await produce(topic, records)

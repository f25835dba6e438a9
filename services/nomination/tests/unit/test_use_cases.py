"""Nomination use cases on the in-memory unit of work (no PostgreSQL, no broker): drafts,
validation at the door, withdrawal, sanctions and bulk import, asserting what was stored and
the contracts the outbox would hold."""

from __future__ import annotations

import pytest

from nomination.domain.errors import DuplicateNomination, NominationInvalid
from nomination.domain.states import State
from nomination.service_layer import nominations
from nomination.service_layer.countries import put_country
from nomination.service_layer.imports import ImportLine, import_program
from nomination.service_layer.lifecycle import withdraw_nomination
from services.nomination.tests.unit.builders import (
    CONFIG,
    TODAY,
    FakeNomination,
    admin,
    candidate_values,
    sco,
)
from shared.contracts.nomination import v1
from shared.http.etag import etag_for


async def test_a_draft_is_stored_and_announced_and_a_second_open_one_is_refused() -> None:
    fake = FakeNomination()

    draft = await fake.draft()

    assert draft.state is State.DRAFT
    assert fake.types(draft.id) == ["created"]
    async with fake.uow(sco()) as uow:
        with pytest.raises(DuplicateNomination):
            await nominations.create_nomination(
                uow, sco(),
                {"candidate_id": draft.candidate_id, "class_id": draft.class_id,
                 "fiscal_year": draft.fiscal_year, "funding_source": "imet"},
            )  # fmt: skip
    assert len(fake.store.nominations) == 1


async def test_a_complete_draft_enters_the_pipeline_and_asks_for_seat_and_vetting() -> None:
    fake = FakeNomination()

    nomination = await fake.submitted()

    assert nomination.state is State.SUBMITTED
    assert nomination.person_fingerprint is not None
    assert nomination.data_complete_on == TODAY
    submitted = [e for e in fake.published if isinstance(e, v1.NominationSubmittedV1)]
    assert [e.nomination_id for e in submitted] == [nomination.id]
    assert submitted[0].person_fingerprint == nomination.person_fingerprint
    assert fake.types(nomination.id) == ["created", "state_changed", "submitted"]


async def test_an_incomplete_candidate_fails_at_the_door_and_nothing_is_stored() -> None:
    fake = FakeNomination()
    draft = await fake.draft(date_of_birth=None, english_tests=[])
    published = list(fake.published)

    async with fake.uow(sco()) as uow:
        with pytest.raises(NominationInvalid) as refused:
            await nominations.submit_nomination(uow, sco(), draft.id, CONFIG, TODAY)

    fields = {e["field"] for e in refused.value.extra["errors"]}
    assert {"candidate.date_of_birth", "candidate.english_tests"} <= fields
    assert (await fake.get(draft.id)).state is State.DRAFT
    assert fake.published == published


async def test_a_withdrawal_ends_the_nomination_and_waits_for_the_compensations() -> None:
    fake = FakeNomination()
    nomination = await fake.submitted()

    async with fake.uow(sco()) as uow:
        ended = await withdraw_nomination(uow, sco(), nomination.id, "family reasons")

    assert ended.state is State.WITHDRAWN
    assert ended.compensations  # seat release and vetting cancellation awaited
    withdrawn = [e for e in fake.published if isinstance(e, v1.NominationWithdrawnV1)]
    assert withdrawn[0].from_state == "submitted"
    assert withdrawn[0].reason == "not_stated"  # the SCO's words stay in the service


async def test_imposing_sanctions_cancels_the_countrys_nominations_in_the_same_change() -> None:
    fake = FakeNomination()
    nomination = await fake.submitted("QSA")

    async with fake.uow(admin()) as uow:
        country, created, cancelled = await put_country(
            uow, admin(), "QSA",
            {"name": "Country QSA", "sanctioned": True, "sanctions_reason": "test",
             "ecl_exempt_fiscal_years": []},
            etag_for("QSA", 1),
        )  # fmt: skip

    assert (created, cancelled) == (False, 1)
    assert country.sanctioned
    assert country.version == 2
    assert (await fake.get(nomination.id)).state is State.CANCELLED
    cancel = [e for e in fake.published if isinstance(e, v1.NominationCancelledV1)]
    assert [(e.reason, e.initiated_by) for e in cancel] == [("sanctions", "us_government")]


async def test_an_import_row_that_fails_stores_and_publishes_nothing_and_the_others_go_on() -> None:
    fake = FakeNomination()
    await fake.country()
    klass = await fake.catalog()
    row = {"class_id": klass.class_id, "fiscal_year": klass.fiscal_year, "funding_source": "imet"}
    good = ImportLine(1, candidate_values(), dict(row))
    foreign = ImportLine(2, candidate_values("HND"), dict(row))

    async with fake.uow(sco()) as uow:
        result = await import_program(
            uow, sco(), [good, foreign], submit_rows=False, config=CONFIG, today=TODAY
        )

    assert [line.status for line in result.lines] == ["created", "rejected"]
    assert len(fake.store.nominations) == 1
    assert len(fake.store.candidates) == 1
    assert fake.types() == ["created"]

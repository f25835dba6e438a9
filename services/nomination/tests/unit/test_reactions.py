"""The process manager's reactions as the consumer binds them (`definition.reactions()`), on the
in-memory unit of work: facts recorded in any order, funding asked for exactly once, denial and
class cancellation ending a nomination, news repeated under another id changing nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from nomination.domain.nomination import Nomination
from nomination.domain.states import State
from services.nomination.tests.unit.builders import (
    TODAY,
    FakeNomination,
    Reactions,
    deliver,
    reactions,
)
from shared.contracts.catalog import v1 as catalog
from shared.contracts.nomination import v1 as nomination_v1
from shared.contracts.vetting import v1 as vetting

__all__ = ["reactions"]


def seat_held(n: Nomination) -> catalog.SeatHeldV1:
    return catalog.SeatHeldV1(
        class_id=n.class_id,
        masl_id=n.masl_id,
        nomination_id=n.id,
        hold_expires_at=datetime.now(UTC) + timedelta(days=10),
        seats_available=10,
    )


def approved(n: Nomination) -> vetting.VettingApprovedV1:
    return vetting.VettingApprovedV1(
        case_id=uuid.uuid4(),
        nomination_id=n.id,
        country=n.country,
        candidate_id=n.candidate_id,
        valid_until=TODAY + timedelta(days=365),
        decided_at=datetime.now(UTC),
    )


async def test_funding_is_requested_once_seat_and_vetting_hold_whatever_arrives_first(
    reactions: Reactions,
) -> None:
    first, second = FakeNomination(), FakeNomination()
    a = await first.submitted()
    b = await second.submitted()

    await deliver(reactions, first, seat_held(a))
    await deliver(reactions, first, approved(a))
    await deliver(reactions, second, approved(b))
    await deliver(reactions, second, seat_held(b))

    for fake, n in ((first, a), (second, b)):
        stored = await fake.get(n.id)
        assert stored.state is State.FUNDING
        assert stored.funding_request_id is not None
        requests = [e for e in fake.published if isinstance(e, nomination_v1.FundingRequestedV1)]
        assert [r.request_id for r in requests] == [stored.funding_request_id]


async def test_the_same_news_under_another_event_id_changes_nothing(reactions: Reactions) -> None:
    fake = FakeNomination()
    n = await fake.submitted()
    held = seat_held(n)
    await deliver(reactions, fake, held)
    before, published = await fake.get(n.id), len(fake.published)

    await deliver(reactions, fake, held)

    assert (await fake.get(n.id)).version == before.version
    assert len(fake.published) == published


async def test_a_denial_ends_the_nomination_and_leaves_the_seat_to_release(
    reactions: Reactions,
) -> None:
    fake = FakeNomination()
    n = await fake.submitted()
    await deliver(reactions, fake, seat_held(n))

    await deliver(
        reactions, fake,
        vetting.VettingDeniedV1(case_id=uuid.uuid4(), nomination_id=n.id, country=n.country,
                                decided_at=datetime.now(UTC), reason_code="derogatory_information"),
    )  # fmt: skip

    stored = await fake.get(n.id)
    assert stored.state is State.VETTING_DENIED
    assert stored.compensations == {"seat_release": "pending"}


async def test_a_cancelled_class_cancels_its_open_nominations(reactions: Reactions) -> None:
    fake = FakeNomination()
    n = await fake.submitted()

    await deliver(
        reactions, fake,
        catalog.ClassCancelledV1(class_id=n.class_id, masl_id=n.masl_id,
                                 reason="insufficient_enrollment",
                                 cancelled_at=datetime.now(UTC), affected_nomination_ids=[]),
    )  # fmt: skip

    assert (await fake.get(n.id)).state is State.CANCELLED
    cancelled = [e for e in fake.published if isinstance(e, nomination_v1.NominationCancelledV1)]
    assert [(e.reason, e.initiated_by) for e in cancelled] == [("class_cancelled", "us_government")]

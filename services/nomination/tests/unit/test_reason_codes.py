"""Every reason the nomination service can give for a state change is a published code.

A reason outside `StateChangeReason` would be published as `other` (the set is open: nothing
breaks, but the reason is lost), so the list must cover every source of reasons: the state
machine's facts, the cancellations, and the other services' reason codes that move a
nomination. When one of those sets gains a code, this test names it.
"""

from __future__ import annotations

from typing import get_args

from nomination.domain.ending import CancelReason
from nomination.domain.machine import Fact
from shared.contracts.catalog.v1 import SeatReleaseReason
from shared.contracts.funding.v1 import RejectionReason
from shared.contracts.nomination.v1 import NominationStateChangedV1, StateChangeReason
from shared.contracts.vetting.v1 import ReasonCode

COMMANDS = ("submitted", "withdrawn_by_sco", "funding_retried", "reported", "completed",
            "terminated", "promoted_from_waitlist", "class_full")  # fmt: skip


def test_every_source_of_a_state_change_reason_is_a_published_code() -> None:
    sources = {
        *COMMANDS,
        *(fact.value for fact in Fact),
        *get_args(CancelReason),
        *get_args(ReasonCode),
        *get_args(RejectionReason),
        *(f"seat_released_{reason}" for reason in get_args(SeatReleaseReason)),
    }

    missing = sources - set(get_args(StateChangeReason))

    assert missing == set(), f"add to StateChangeReason: {sorted(missing)}"


def test_a_persons_words_given_as_a_reason_are_published_as_other() -> None:
    event = NominationStateChangedV1.model_validate({
        "nomination_id": "5f0c3d1e-0000-4000-8000-000000000001", "country": "GTM",
        "from_state": "in_training", "to_state": "training_terminated",
        "reason": "Lt. Ana Morales returned home on medical grounds",
    })  # fmt: skip

    assert event.reason == "other"

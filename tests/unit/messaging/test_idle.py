"""When an idle consumer stops fetching, and what wakes it."""

from __future__ import annotations

import time

from shared.messaging.idle import IdleFetching


def test_a_consumer_pauses_only_after_the_idle_time_without_activity() -> None:
    idle = IdleFetching(["t"], pause_after=0.2, poll_every=1.0)
    idle._last_activity = time.monotonic() - 0.3

    assert idle.should_pause()
    idle.active()
    assert not idle.should_pause()


def test_a_notification_for_one_of_its_topics_wakes_it_and_others_do_not() -> None:
    idle = IdleFetching(["mine"], pause_after=0.2, poll_every=1.0)
    idle._last_activity = time.monotonic() - 1.0

    idle.on_published("someone-elses")
    woken_by_other = idle.wake.is_set()
    idle.on_published("mine")

    assert not woken_by_other
    assert idle.wake.is_set()
    assert not idle.should_pause()

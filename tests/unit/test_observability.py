"""W3C traceparent parsing: what may continue a trace in a service or an event."""

from __future__ import annotations

import pytest

from shared.observability import child_traceparent, parse_traceparent

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


def test_a_valid_traceparent_is_continued_in_a_new_span() -> None:
    child = child_traceparent(f"00-{TRACE}-{PARENT}-01")

    version, trace_id, span_id, flags = child.split("-")
    assert (version, trace_id, flags) == ("00", TRACE, "01")
    assert span_id != PARENT
    assert len(span_id) == 16


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        f"00-{TRACE.upper()}-{PARENT}-01",
        f"00-{TRACE}-{PARENT}-1",
        f"00-{TRACE}-{PARENT}-01-extra",
        f"ff-{TRACE}-{PARENT}-01",
        f"0-{TRACE}-{PARENT}-01",
        f"00-{'0' * 32}-{PARENT}-01",
        f"00-{TRACE}-{'0' * 16}-01",
        f"00-{TRACE}-{PARENT}-0\n",
        f"01-{TRACE}-{PARENT}-01-" + "x" * 600,
    ],
)
def test_an_invalid_traceparent_starts_a_fresh_trace(value: str | None) -> None:
    assert parse_traceparent(value) is None

    child = child_traceparent(value)

    assert parse_traceparent(child) is not None
    assert child.split("-")[1] != TRACE


def test_a_later_version_is_read_as_version_00_without_its_extra_fields() -> None:
    assert parse_traceparent(f"01-{TRACE}-{PARENT}-03-more") == (TRACE, PARENT, "03")
    assert child_traceparent(f"01-{TRACE}-{PARENT}-03-more").startswith(f"00-{TRACE}-")

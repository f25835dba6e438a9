"""W3C trace context at the edge: only a valid inbound traceparent continues a trace.

Anything else a client sends in `traceparent` is replaced by a fresh trace before it reaches a
service (and its `tracestate`, which belongs to that trace, is dropped with it).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

ECHO = "/api/v1/catalog/things"
TRACE = "0af7651916cd43dd8448eb211c80319c"
VALID = f"00-{TRACE}-b7ad6b7169203331-01"

INVALID = {
    "upper-case hex": f"00-{TRACE.upper()}-b7ad6b7169203331-01",
    "non-hex trace id": "00-" + "g" * 32 + "-b7ad6b7169203331-01",
    "short trace id": f"00-{TRACE[:-1]}-b7ad6b7169203331-01",
    "long parent id": f"00-{TRACE}-b7ad6b71692033310-01",
    "all-zero trace id": "00-" + "0" * 32 + "-b7ad6b7169203331-01",
    "all-zero parent id": f"00-{TRACE}-" + "0" * 16 + "-01",
    "version ff": f"ff-{TRACE}-b7ad6b7169203331-01",
    "non-hex version": f"zz-{TRACE}-b7ad6b7169203331-01",
    "three-digit flags": f"00-{TRACE}-b7ad6b7169203331-011",
    "flags smuggling text": f"00-{TRACE}-b7ad6b7169203331-<script>",
    "version 00 with extra field": f"{VALID}-extra",
    "far too long": f"01-{TRACE}-b7ad6b7169203331-01-" + "a" * 4096,
    "three fields": f"00-{TRACE}-b7ad6b7169203331",
}


def _traceparent(echoed: dict[str, Any]) -> str:
    values = [value for name, value in echoed["headers"] if name == "traceparent"]
    assert len(values) == 1, values
    return str(values[0])


def _tracestate(echoed: dict[str, Any]) -> list[str]:
    return [value for name, value in echoed["headers"] if name == "tracestate"]


@pytest.mark.parametrize("sent", INVALID.values(), ids=INVALID.keys())
async def test_an_invalid_traceparent_is_replaced_by_a_fresh_trace(
    client: httpx.AsyncClient, auth: dict[str, str], sent: str
) -> None:
    response = await client.get(ECHO, headers={**auth, "traceparent": sent})

    assert response.status_code == 200
    forwarded = _traceparent(response.json())
    version, trace_id, parent_id, flags = forwarded.split("-")
    assert (version, flags) == ("00", "01")
    assert (len(trace_id), len(parent_id)) == (32, 16)
    assert trace_id != TRACE
    assert int(trace_id, 16) != 0
    assert int(parent_id, 16) != 0
    assert forwarded.lower() == forwarded


async def test_a_later_version_continues_the_trace_as_version_00(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    sent = f"01-{TRACE}-b7ad6b7169203331-00-future-field"

    response = await client.get(ECHO, headers={**auth, "traceparent": sent})

    version, trace_id, parent_id, flags = _traceparent(response.json()).split("-")
    assert (version, trace_id, flags) == ("00", TRACE, "00")
    assert parent_id != "b7ad6b7169203331"


async def test_tracestate_travels_only_with_a_valid_traceparent(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    state = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"

    kept = await client.get(ECHO, headers={**auth, "traceparent": VALID, "tracestate": state})
    dropped = await client.get(
        ECHO, headers={**auth, "traceparent": INVALID["non-hex trace id"], "tracestate": state}
    )
    alone = await client.get(ECHO, headers={**auth, "tracestate": state})

    assert _tracestate(kept.json()) == [state]
    assert _tracestate(dropped.json()) == []
    assert _tracestate(alone.json()) == []

"""One nomination submit is one trace across HTTP and Kafka (ADR 0090).

A stack of its own (tracing is off in the shared e2e stack) with `IMET_TRACING=file:...`: every
process appends its spans as JSON lines to a file of its own. The client submits with a
traceparent of its own; the spans of that trace must link, parent by parent, the vetting
consumer's handling of the submission to the gateway's request span: vetting CONSUMER <-
nomination relay PRODUCER <- nomination HTTP server span <- gateway aiohttp CLIENT span <-
gateway SERVER span <- the client. The events vetting stages while handling it continue the
trace (their PRODUCER spans descend from the CONSUMER span), and the log lines of the trace
carry its trace id.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.signing.issuer import issue_dev_token
from imet.provision import drop_database
from imet.stack import Stack, StackOptions
from tests.e2e.driver import NOMINATIONS, Driver, until
from tests.helpers.infra import RUN_ID_ENV, admin_url, bootstrap_servers, worker_id
from tests.helpers.timing import scaled
from tests.helpers.waiting import eventually

Span = dict[str, Any]


@pytest.fixture(scope="module")
def traced_stack() -> Iterator[Stack]:
    name = f"imet_e2e{os.environ[RUN_ID_ENV]}_{worker_id()}_tr"
    var = Path(tempfile.mkdtemp(prefix="imet-e2e-tracing-"))
    options = StackOptions.random_ports(
        database=name,
        topic_prefix=f"{name}.",
        role_prefix=f"{name}_",
        var=var,
        seed=False,
        admin_url=admin_url(),
        bootstrap_servers=bootstrap_servers(),
        extra_env={
            "LOG_LEVEL": "INFO",
            "LOG_JSON": "true",
            "KAFKA_FETCH_MAX_WAIT_MS": "10",
            "IMET_TRACING": f"file:{var}/spans/{{service}}-{{pid}}.jsonl",
        },
    )
    running = Stack(options)
    running.start(say=lambda *_: None)
    try:
        yield running
    finally:
        running.stop()
        roles = [d.role for d in running.databases.values()]
        asyncio.run(drop_database(options.admin_url or "", name, roles))
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture
async def traced_gateway(traced_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=traced_stack.gateway_url, timeout=scaled(30)) as c:
        yield c


def read_spans(stack: Stack, trace_id: str) -> list[Span]:
    spans: list[Span] = []
    for path in sorted((stack.options.var / "spans").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                span = json.loads(line)
                if span["trace_id"] == trace_id:
                    spans.append(span)
    return spans


def ancestry(span: Span, by_id: dict[str, Span]) -> list[Span]:
    """The span and its parents, nearest first, as far as the trace's spans go."""
    chain = [span]
    while (parent := by_id.get(chain[-1]["parent_span_id"] or "")) is not None:
        chain.append(parent)
    return chain


def handled_by_vetting(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s["service"] == "imet-vetting" and s["kind"] == "CONSUMER"]


async def test_a_submission_is_one_trace_from_the_gateway_to_the_vetting_consumer(
    traced_stack: Stack, traced_gateway: httpx.AsyncClient
) -> None:
    driver = Driver(
        traced_gateway, lambda role, country=None: issue_dev_token(
            traced_stack.key_dir, role, country=country
        )
    )  # fmt: skip
    country = await driver.country()
    klass = await driver.course_with_class(capacity=4, tuition="18500.00")
    await driver.appropriation(klass["fiscal_year"])
    await driver.allocation(country, klass["fiscal_year"], "750000.00")
    nomination = await driver.nominate(country, klass, submit=False)

    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)
    path = f"{NOMINATIONS}/{nomination['id']}/submit"
    headers = {**driver.headers("sco", country), "traceparent": f"00-{trace_id}-{client_span}-01"}

    async def submit() -> httpx.Response | None:
        response = await traced_gateway.post(path, headers=headers)
        if response.status_code == 422 and "class-unknown" in response.text:
            return None  # the class's event has not reached nomination yet
        return response

    response = await until(submit, what="the traced submission")
    assert response.status_code == 200, response.text

    async def probe() -> list[Span]:
        return read_spans(traced_stack, trace_id)

    def complete(spans: list[Span]) -> bool:
        by_id = {s["span_id"]: s for s in spans}
        return any(
            ancestry(s, by_id)[-1]["parent_span_id"] == client_span
            and any(p["parent_span_id"] == s["span_id"] and p["kind"] == "PRODUCER" for p in spans)
            for s in handled_by_vetting(spans)
        )

    spans = await eventually(probe, complete, timeout=60, what="vetting's span in the trace")
    by_id = {s["span_id"]: s for s in spans}
    assert handled_by_vetting(spans), sorted((s["service"], s["name"]) for s in spans)
    consumer = next(
        s
        for s in handled_by_vetting(spans)
        if ancestry(s, by_id)[-1]["parent_span_id"] == client_span
    )
    chain = ancestry(consumer, by_id)
    hops = [(s["service"], s["kind"]) for s in chain]
    # Nearest first: vetting handles the record the nomination relay sent for the row the
    # submit request staged, which the gateway forwarded for the client.
    assert hops[0] == ("imet-vetting", "CONSUMER"), hops
    assert hops[1] == ("imet-nomination", "PRODUCER"), hops
    assert ("imet-nomination", "SERVER") in hops, hops
    assert hops[-2:] == [("imet-gateway", "CLIENT"), ("imet-gateway", "SERVER")], hops
    assert hops.index(("imet-nomination", "SERVER")) == len(hops) - 3, hops
    assert chain[-1]["attributes"].get("http.method", "POST") == "POST"
    # The events vetting staged while handling it carry its span's context onward.
    follow_ups = [s for s in spans if s["parent_span_id"] == consumer["span_id"]]
    assert any(s["kind"] == "PRODUCER" and s["service"] == "imet-vetting" for s in follow_ups)
    # The SQL of the request is in the trace too (SQLAlchemy instrumentation).
    assert any(s["service"] == "imet-nomination" and s["kind"] == "CLIENT" for s in spans)

    # The log lines written inside the trace name it and their span: the nomination's
    # transition to submitted (in the request), vetting's opening of the case (in its CONSUMER
    # span) and - the trace goes on - nomination's move to vetting when it hears of the case.
    async def lines() -> list[dict[str, Any]]:
        return [
            entry
            for name in ("nomination", "vetting")
            for line in (traced_stack.log_dir / f"{name}.log").read_text().splitlines()
            if trace_id in line and (entry := json.loads(line))["trace_id"] == trace_id
        ]

    wanted = {("nomination.transition", "submitted"), ("vetting.case_opened", None),
              ("nomination.transition", "vetting")}  # fmt: skip
    logged = await eventually(
        lines, lambda got: wanted <= {(e["event"], e.get("to_state")) for e in got}, timeout=30
    )
    ids = {e["span_id"] for e in logged}
    # A span is written when it ends, after its log lines.
    spans = await eventually(probe, lambda got: ids <= {s["span_id"] for s in got}, timeout=30)
    by_id = {s["span_id"]: s for s in spans}
    spans_of = {(e["event"], e.get("to_state")): by_id.get(e["span_id"], {}) for e in logged}
    server = next(s for s in chain if s["service"] == "imet-nomination" and s["kind"] == "SERVER")
    assert spans_of[("nomination.transition", "submitted")] == server, logged
    assert spans_of[("vetting.case_opened", None)] == consumer, logged
    assert spans_of[("nomination.transition", "vetting")]["kind"] == "CONSUMER", logged

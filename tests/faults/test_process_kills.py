"""SIGKILL mid-stream: each service's consumer, each active relay, an API process mid-request.

A killed process is started again at once, as an orchestrator would; recovery is measured from
the kill to the fact that shows the role working again (events applied by the restarted
consumer, the standby relay holding the lock, the API answering the client's retry).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import asyncpg
import pytest

from imet.services import DOMAIN_SERVICES
from tests.faults.program import ImportCall
from tests.faults.scenario import Scenario
from tests.helpers.timing import scaled

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(scaled(900))]

TAKEOVER_SECONDS = 10.0  # "the standby takes over within seconds"


async def _kill_each_consumer(s: Scenario) -> tuple[float, float]:
    start = time.monotonic()
    recovered: dict[str, float] = {}
    for service in DOMAIN_SERVICES:
        name = s.fs.instances(service, "consumer")[0]
        before = await s.fs.applied(service)
        killed = time.monotonic()
        await asyncio.to_thread(s.fs.kill, name)
        await asyncio.to_thread(s.fs.stack.restart_instance, name, wait=False)

        async def applies_again(service: str = service, before: int = before) -> bool:
            return await s.fs.applied(service) > before

        await s.until(applies_again, what=f"{service}'s restarted consumer applying events")
        recovered[service] = round(time.monotonic() - killed, 2)
    s.notes["kill_to_applying_again_s"] = recovered
    return start, time.monotonic()


async def test_each_services_consumer_sigkilled_mid_stream_applies_every_event_once(
    scenario: Scenario,
) -> None:
    scenario.name = "SIGKILL each consumer"

    result = await scenario.run(_kill_each_consumer)

    assert result.violations == []
    assert set(scenario.notes["kill_to_applying_again_s"]) == set(DOMAIN_SERVICES)


async def _kill_each_active_relay(s: Scenario) -> tuple[float, float]:
    start = time.monotonic()
    takeover: dict[str, float] = {}
    for service in DOMAIN_SERVICES:
        leader = await s.until(lambda service=service: s.fs.relay_leader(service),
                               what=f"a {service} relay leader")  # fmt: skip
        killed = time.monotonic()
        await asyncio.to_thread(s.fs.kill, leader)

        async def standby_leads(service: str = service, old: str = leader) -> bool:
            return (await s.fs.relay_leader(service)) not in (None, old)

        await s.until(standby_leads, what=f"the {service} standby relay taking the lead")
        takeover[service] = round(time.monotonic() - killed, 2)
        await asyncio.to_thread(s.fs.stack.restart_instance, leader, wait=False)
    s.notes["standby_takeover_s"] = takeover
    return start, time.monotonic()


async def test_active_relay_sigkilled_mid_stream_hands_over_to_the_standby_within_seconds(
    scenario: Scenario,
) -> None:
    scenario.name = "SIGKILL active relay"

    result = await scenario.run(_kill_each_active_relay)

    assert result.violations == []
    takeover = scenario.notes["standby_takeover_s"]
    assert max(takeover.values()) <= TAKEOVER_SECONDS, takeover


class _KillMidRequest:
    """Kills the nomination API process while a phase-B import is being processed there: the
    fact is the import's Idempotency-Key claimed ('pending') in the nomination schema."""

    def __init__(self) -> None:
        self.target: ImportCall | None = None

    async def fault(self, s: Scenario) -> tuple[float, float]:
        assert s.program is not None
        target = await s.until(lambda: self._in_progress(s), what="an import in progress")
        self.target = target
        name = s.fs.instances("nomination", "http")[0]
        start = time.monotonic()
        await asyncio.to_thread(s.fs.kill, name)
        s.notes["key_state_at_kill"] = await _key_state(s, target.key)
        await asyncio.to_thread(s.fs.stack.restart_instance, name)
        s.notes["api_back_s"] = round(time.monotonic() - start, 2)
        await s.until(lambda: _value(target.answer), what="the client's retry answered",
                      timeout=180)  # fmt: skip
        end = time.monotonic()
        s.notes["client_attempts"] = dict(Counter(str(code) for code in target.statuses))
        s.notes["kill_to_answer_s"] = round(end - start, 2)
        return start, end

    async def _in_progress(self, s: Scenario) -> ImportCall | None:
        assert s.program is not None
        for call in [c for c in s.program.imports if c.answer is None]:
            if await _key_state(s, call.key) == "pending":
                return call
        return None


async def _key_state(s: Scenario, key: str) -> str | None:
    conn = await asyncpg.connect(s.fs.admin_dsn)
    try:
        state: str | None = await conn.fetchval(
            "SELECT state FROM nomination.idempotency_key WHERE key = $1", key
        )
        return state
    finally:
        await conn.close()


async def _value(value: Any) -> Any:
    return value


async def test_api_process_sigkilled_mid_request_the_clients_retry_gets_one_answer_and_one_effect(
    scenario: Scenario,
) -> None:
    scenario.name = "SIGKILL API process mid-request"
    killer = _KillMidRequest()

    result = await scenario.run(killer.fault)
    target = killer.target
    assert target is not None
    assert target.answer is not None
    replay = await scenario.driver.client.post(
        "/api/v1/nominations/imports",
        params={"submit": "true"},
        json={"rows": target.rows},
        headers=scenario.driver.headers("sco", target.country, **{"Idempotency-Key": target.key}),
    )

    assert result.violations == []
    if scenario.notes["key_state_at_kill"] == "done":  # the answer was stored just before
        assert target.replayed
    assert target.answer["created"] + target.answer["existing"] == len(target.rows)
    assert replay.status_code == 200
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json() == target.answer

"""The period of availability has a start: FY N funds are never obligated before FY N begins,
unless a funding officer records advance availability (ADR 0061)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from funding.adapters.tables import funding_request, ledger_entry
from funding.domain.penalties import Initiator
from funding.entrypoints.jobs import decide_available_once
from funding.service_layer.obligate import request_funding
from funding.service_layer.release import release_for_cancellation
from services.funding.tests.integration.support import ACTOR, country, course, funded, known
from shared.contracts.funding.v1 import AppropriationSetV1, ObligationRecordedV1
from shared.contracts.types import fiscal_year_bounds
from tests.helpers.fixtures import auth

TODAY = datetime.now(UTC).date()


async def _status(runtime: Any, nomination_id: Any) -> str:
    async with runtime.sessions() as s:
        return str(
            (
                await s.execute(
                    select(funding_request.c.status).where(
                        funding_request.c.nomination_id == nomination_id
                    )
                )
            ).scalar_one()
        )


async def _ledger_entries(runtime: Any, nomination_id: Any) -> int:
    async with runtime.sessions() as s:
        query = select(func.count()).where(ledger_entry.c.nomination_id == nomination_id)
        return int((await s.execute(query)).scalar_one())


async def test_a_request_before_its_fiscal_year_begins_waits_and_obligates_nothing(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")}, advance_from=None)
    request = c.request(code)

    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)
        published = list(uow.published)

    assert published == []
    assert await _status(runtime, request.nomination_id) == "pending_availability"
    assert await _ledger_entries(runtime, request.nomination_id) == 0


async def test_the_job_obligates_waiting_requests_from_the_fiscal_years_first_day(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")}, advance_from=None)
    request = c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)
    first_day, _ = fiscal_year_bounds(fiscal_year)

    await decide_available_once(runtime, first_day - timedelta(days=1))
    waited = await _status(runtime, request.nomination_id)
    await decide_available_once(runtime, first_day)

    assert waited == "pending_availability"
    assert await _status(runtime, request.nomination_id) == "obligated"
    assert await _ledger_entries(runtime, request.nomination_id) >= 1


async def test_advance_availability_is_an_audited_officers_act_that_decides_waiting_requests(
    make_runtime: Any, service_client: Any, token: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")}, advance_from=None)
    request = c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)
    path = f"/api/v1/funding/appropriations/{fiscal_year}"
    etag = (await client.get(path, headers=officer)).headers["ETag"]
    body = {"available_from": TODAY.isoformat(), "reason": "State apportioned funds early"}

    no_etag = await client.post(f"{path}/advance-availability", json=body, headers=officer)
    later = await client.post(
        f"{path}/advance-availability",
        json={**body, "available_from": date(fiscal_year, 1, 1).isoformat()},
        headers=officer | {"If-Match": etag},
    )
    as_sco = await client.post(
        f"{path}/advance-availability", json=body, headers=auth(token("sco", country=code))
    )
    status_before = await _status(runtime, request.nomination_id)
    advanced = await client.post(
        f"{path}/advance-availability", json=body, headers=officer | {"If-Match": etag}
    )
    audit = await client.get(
        "/api/v1/funding/audit",
        params={"entity_id": str(fiscal_year), "action": "appropriation.availability_advanced"},
        headers=auth(token("auditor")),
    )
    outbox = runtime.definition.tables.outbox
    async with runtime.sessions() as s:
        events = (
            await s.execute(
                select(outbox.c.type, outbox.c.payload).where(
                    outbox.c.payload["fiscal_year"].astext == str(fiscal_year)
                )
            )
        ).all()

    assert no_etag.status_code == 428
    assert later.status_code == 422
    assert later.headers["content-type"] == "application/problem+json"
    assert as_sco.status_code == 403
    assert status_before == "pending_availability"
    assert advanced.status_code == 200
    assert advanced.json()["available_from"] == TODAY.isoformat()
    assert advanced.json()["availability_reason"] == "State apportioned funds early"
    assert await _status(runtime, request.nomination_id) == "obligated"
    assert [r["after"]["available_from"] for r in audit.json()["items"]] == [TODAY.isoformat()]
    assert any(
        t == AppropriationSetV1.TYPE and p["available_from"] == TODAY.isoformat() for t, p in events
    )
    assert any(t == ObligationRecordedV1.TYPE for t, _ in events)


async def test_a_withdrawal_closes_a_request_that_waited_for_availability(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")}, advance_from=None)
    request = c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)

    async with runtime.uow(ACTOR) as uow:
        await release_for_cancellation(
            uow, request.nomination_id, c.masl_id, initiated_by=Initiator.COUNTRY,
            cancelled_on=TODAY, reason="withdrawn", today=TODAY,
        )  # fmt: skip
    first_day, _ = fiscal_year_bounds(fiscal_year)
    await decide_available_once(runtime, first_day)

    assert await _status(runtime, request.nomination_id) == "withdrawn"
    assert await _ledger_entries(runtime, request.nomination_id) == 0

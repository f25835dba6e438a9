"""The database refuses what the program use cases never do (ADR 0115, 0116): a line beyond
its quantity, an approved D line, a fill whose difference is not actual - estimate; and two
concurrent requests for the last student of a line fill it once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from funding.adapters.program_tables import country_program, program_line
from funding.domain.obligation import RequestStatus
from funding.domain.penalties import Initiator
from funding.domain.program import Priority, ProgramStatus
from funding.service_layer import programs
from funding.service_layer.obligate import request_funding
from funding.service_layer.release import release_for_cancellation
from services.funding.tests.integration.support import ACTOR, country, course, funded, known

NOW = datetime.now(UTC)


async def _program_row(runtime: Any, fiscal_year: int) -> uuid.UUID:
    program_id = uuid.uuid4()
    async with runtime.sessions() as s:
        await s.execute(
            insert(country_program).values(
                id=program_id, country=country(), fiscal_year=fiscal_year, status="planned",
                created_by="test",
            )
        )  # fmt: skip
        await s.commit()
    return program_id


def _line(program_id: uuid.UUID, **values: Any) -> Any:
    row = {
        "id": uuid.uuid4(), "program_id": program_id, "masl_id": "D000001", "quantity": 1,
        "priority": "A", "work_control_number": uuid.uuid4().hex[:10], "funding_source": "imet",
        "status": "approved",
    }  # fmt: skip
    return insert(program_line).values(**(row | values))


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"quantity": 1, "filled": 2}, "ck_program_line_filled_within_quantity"),
        ({"priority": "D", "status": "approved"}, "ck_program_line_deferred_never_approved"),
        ({"quantity": 0}, "ck_program_line_quantity_positive"),
    ],
)
async def test_a_line_never_holds_what_the_rules_forbid(
    make_runtime: Any, fiscal_year: int, values: dict[str, Any], constraint: str
) -> None:
    runtime = await make_runtime("funding")
    program_id = await _program_row(runtime, fiscal_year)

    async with runtime.sessions() as s:
        with pytest.raises(IntegrityError, match=constraint):
            await s.execute(_line(program_id, **values))


async def test_two_requests_for_the_last_student_of_a_line_fill_it_once(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    code = country()
    c = course(fiscal_year, category="pme")
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("20000.00")})
    async with runtime.uow(ACTOR) as uow:
        program = await programs.draft_program(
            uow, code, fiscal_year,
            [programs.LineSpec(c.masl_id, 1, Priority.A, "W-1")], NOW,
        )  # fmt: skip
    async with runtime.uow(ACTOR) as uow:
        approved = await programs.approve_program(uow, program.id, NOW)
    first, second = c.request(code), c.request(code)

    async def ask(request: Any) -> RequestStatus:
        async with runtime.uow(ACTOR) as uow:
            return (await request_funding(uow, request, NOW.date())).status

    statuses = await asyncio.gather(ask(first), ask(second))

    assert approved.status is ProgramStatus.APPROVED
    assert sorted(statuses) == sorted(
        [RequestStatus.OBLIGATED, RequestStatus.PENDING_PROGRAM_EXCEPTION]
    )
    async with runtime.uow(ACTOR) as uow:
        line = (await uow.programs.get(program.id)).lines[0]  # type: ignore[union-attr]
    assert (line.filled, line.status.value) == (1, "filled")


async def test_a_released_obligation_opens_its_seat_again_in_postgresql(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    code = country()
    c = course(fiscal_year, category="pme")
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("20000.00")})
    async with runtime.uow(ACTOR) as uow:
        program = await programs.draft_program(
            uow, code, fiscal_year, [programs.LineSpec(c.masl_id, 1, Priority.A, "W-1")], NOW
        )
    async with runtime.uow(ACTOR) as uow:
        await programs.approve_program(uow, program.id, NOW)
    first, second = c.request(code), c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, first, NOW.date())

    async with runtime.uow(ACTOR) as uow:
        await release_for_cancellation(
            uow, first.nomination_id, c.masl_id, initiated_by=Initiator.US_GOVERNMENT,
            cancelled_on=NOW.date(), reason="withdrawn", today=NOW.date(),
        )  # fmt: skip
    async with runtime.uow(ACTOR) as uow:
        decided = await request_funding(uow, second, NOW.date())
    async with runtime.uow(ACTOR) as uow:
        line = (await uow.programs.get(program.id)).lines[0]  # type: ignore[union-attr]

    assert decided.status is RequestStatus.OBLIGATED
    assert (line.filled, line.status.value) == (1, "filled")

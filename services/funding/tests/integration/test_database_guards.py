"""The database itself refuses what the use cases never do: a second line of defense."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from funding.adapters.tables import allocation, obligation
from funding.service_layer.obligate import request_funding
from services.funding.tests.integration.support import ACTOR, country, course, funded, known

TODAY = datetime.now(UTC).date()
COPY = ", ".join(col.name for col in obligation.c if col.name != "id")
DUPLICATE = text(
    f"INSERT INTO obligation (id, {COPY}) "  # noqa: S608 - column names of the table itself
    f"SELECT gen_random_uuid(), {COPY} FROM obligation WHERE nomination_id = :n"
)


async def test_an_allocation_can_never_be_obligated_beyond_its_amount(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    ids = await funded(runtime, fiscal_year, {country(): Decimal("1000.00")})
    (allocation_id,) = ids.values()
    overdraw = (
        update(allocation)
        .where(allocation.c.id == allocation_id)
        .values(obligated=Decimal("1000.01"))
    )

    async with runtime.sessions() as s:
        with pytest.raises(IntegrityError, match="ck_allocation_anti_deficiency"):
            await s.execute(overdraw)


async def test_allocations_can_never_exceed_the_appropriation(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    await funded(runtime, fiscal_year, {country(): Decimal("900.00")}, amount=Decimal("1000.00"))
    one_more = insert(allocation).values(
        id=uuid.uuid4(), country=country(), fiscal_year=fiscal_year, amount=Decimal("100.01")
    )
    shrink = text("UPDATE appropriation SET amount = 899.99 WHERE fiscal_year = :fy")

    async with runtime.sessions() as s:
        with pytest.raises(DBAPIError, match="exceed its appropriation"):
            await s.execute(one_more)
    async with runtime.sessions() as s:
        with pytest.raises(DBAPIError, match="exceed its appropriation"):
            await s.execute(shrink, {"fy": fiscal_year})


async def test_a_nomination_can_never_hold_two_active_obligations(
    make_runtime: Any, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})
    request = c.request(code)
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, request, TODAY)

    async with runtime.sessions() as s:
        with pytest.raises(IntegrityError, match="uq_obligation_active_nomination"):
            await s.execute(DUPLICATE, {"n": request.nomination_id})

    async with runtime.sessions() as s:
        lines = (
            await s.execute(
                select(obligation.c.id).where(obligation.c.nomination_id == request.nomination_id)
            )
        ).all()
    assert len(lines) == 1

"""Country programs and their training lines (SQLAlchemy Core), line fills, program exceptions
and year-end runs (ADR 0115-0117)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.program_tables import (
    country_program,
    program_exception,
    program_line,
    program_line_fill,
    year_end_run,
)
from funding.domain.program import (
    OPEN,
    CountryProgram,
    LineCost,
    LineStatus,
    Priority,
    ProgramLine,
    ProgramStatus,
)


def _line(row: RowMapping) -> ProgramLine:
    cost = (
        LineCost(row["tuition"], row["travel"], row["living_allowance"])
        if row["tuition"] is not None
        else None
    )
    return ProgramLine(
        id=row["id"],
        program_id=row["program_id"],
        masl_id=row["masl_id"],
        quantity=row["quantity"],
        priority=Priority(row["priority"]),
        work_control_number=row["work_control_number"],
        funding_source=row["funding_source"],
        category=row["category"],
        cost=cost,
        cost_problem=row["cost_problem"],
        costed_at=row["costed_at"],
        status=LineStatus(row["status"]),
        filled=row["filled"],
        obligated=row["obligated"],
        version=row["version"],
    )


def _line_values(line: ProgramLine) -> dict[str, Any]:
    return {
        "masl_id": line.masl_id,
        "quantity": line.quantity,
        "priority": line.priority.value,
        "work_control_number": line.work_control_number,
        "funding_source": line.funding_source,
        "category": line.category,
        "tuition": line.cost.tuition if line.cost else None,
        "travel": line.cost.travel if line.cost else None,
        "living_allowance": line.cost.living_allowance if line.cost else None,
        "cost_problem": line.cost_problem,
        "costed_at": line.costed_at,
        "status": line.status.value,
        "filled": line.filled,
        "obligated": line.obligated,
    }


class ProgramRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _lines(self, program_id: uuid.UUID) -> list[ProgramLine]:
        stmt = (
            select(program_line)
            .where(program_line.c.program_id == program_id)
            .order_by(program_line.c.created_at, program_line.c.work_control_number)
        )
        return [_line(r) for r in (await self.session.execute(stmt)).mappings()]

    async def _program(self, row: RowMapping | None) -> CountryProgram | None:
        if row is None:
            return None
        return CountryProgram(
            id=row["id"],
            country=row["country"],
            fiscal_year=row["fiscal_year"],
            status=ProgramStatus(row["status"]),
            version=row["version"],
            lines=await self._lines(row["id"]),
        )

    async def add(self, program: CountryProgram, actor: str) -> None:
        stmt = (
            pg_insert(country_program)
            .values(
                id=program.id,
                country=program.country,
                fiscal_year=program.fiscal_year,
                status=program.status.value,
                created_by=actor,
            )
            .on_conflict_do_nothing(index_elements=["country", "fiscal_year"])
            .returning(country_program.c.id)
        )
        if (await self.session.execute(stmt)).scalar_one_or_none() is None:
            raise KeyError((program.country, program.fiscal_year))
        for line in program.lines:
            await self.add_line(line)

    async def get(self, program_id: uuid.UUID, *, lock: bool = False) -> CountryProgram | None:
        stmt = select(country_program).where(country_program.c.id == program_id)
        if lock:
            stmt = stmt.with_for_update()
        return await self._program((await self.session.execute(stmt)).mappings().first())

    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> CountryProgram | None:
        stmt = select(country_program).where(
            country_program.c.country == country, country_program.c.fiscal_year == fiscal_year
        )
        if lock:
            stmt = stmt.with_for_update()
        return await self._program((await self.session.execute(stmt)).mappings().first())

    async def approved(self, fiscal_year: int) -> list[CountryProgram]:
        stmt = (
            select(country_program)
            .where(
                country_program.c.fiscal_year == fiscal_year,
                country_program.c.status == ProgramStatus.APPROVED.value,
            )
            .order_by(country_program.c.country)
        )
        rows = list((await self.session.execute(stmt)).mappings())
        found = [await self._program(r) for r in rows]
        return [p for p in found if p is not None]

    async def save(self, program: CountryProgram, *, approved_by: str | None = None) -> None:
        values: dict[str, Any] = {
            "status": program.status.value,
            "version": country_program.c.version + 1,
            "updated_at": datetime.now(UTC),
        }
        if approved_by is not None:
            values |= {"approved_by": approved_by, "approved_at": datetime.now(UTC)}
        await self.session.execute(
            update(country_program).where(country_program.c.id == program.id).values(**values)
        )
        program.version += 1

    async def add_line(self, line: ProgramLine) -> None:
        stmt = (
            pg_insert(program_line)
            .values(id=line.id, program_id=line.program_id, **_line_values(line))
            .on_conflict_do_nothing(index_elements=["program_id", "work_control_number"])
            .returning(program_line.c.id)
        )
        if (await self.session.execute(stmt)).scalar_one_or_none() is None:
            raise KeyError(line.work_control_number)

    async def save_line(self, line: ProgramLine) -> None:
        await self.session.execute(
            update(program_line)
            .where(program_line.c.id == line.id)
            .values(
                **_line_values(line),
                version=program_line.c.version + 1,
                updated_at=datetime.now(UTC),
            )
        )
        line.version += 1

    async def open_line(self, country: str, fiscal_year: int, masl_id: str) -> ProgramLine | None:
        stmt = (
            select(program_line)
            .join(country_program, country_program.c.id == program_line.c.program_id)
            .where(
                country_program.c.country == country,
                country_program.c.fiscal_year == fiscal_year,
                country_program.c.status == ProgramStatus.APPROVED.value,
                program_line.c.masl_id == masl_id,
                program_line.c.status.in_([s.value for s in OPEN]),
                program_line.c.filled < program_line.c.quantity,
            )
            .order_by(case((program_line.c.priority == "A", 0), else_=1), program_line.c.created_at)
            .limit(1)
            .with_for_update(of=program_line)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else _line(row)

    async def record_fill(
        self,
        line: ProgramLine,
        request_id: uuid.UUID,
        nomination_id: uuid.UUID,
        obligation_id: uuid.UUID,
        estimated: Decimal,
        actual: Decimal,
    ) -> None:
        await self.session.execute(
            program_line_fill.insert().values(
                line_id=line.id,
                request_id=request_id,
                nomination_id=nomination_id,
                obligation_id=obligation_id,
                estimated=estimated,
                actual=actual,
                difference=actual - estimated,
            )
        )

    async def line_filled_by(self, obligation_id: uuid.UUID) -> ProgramLine | None:
        stmt = (
            select(program_line)
            .join(program_line_fill, program_line_fill.c.line_id == program_line.c.id)
            .where(program_line_fill.c.obligation_id == obligation_id)
            .with_for_update(of=program_line)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else _line(row)

    async def has_exception(self, request_id: uuid.UUID) -> bool:
        stmt = select(program_exception.c.request_id).where(
            program_exception.c.request_id == request_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def record_exception(self, request_id: uuid.UUID, reason: str, actor: str) -> None:
        await self.session.execute(
            pg_insert(program_exception)
            .values(request_id=request_id, reason=reason, actor=actor)
            .on_conflict_do_nothing()
        )

    async def record_run(
        self,
        run_id: uuid.UUID,
        fiscal_year: int,
        dry_run: bool,
        reason: str,
        actor: str,
        result: dict[str, Any],
    ) -> None:
        await self.session.execute(
            year_end_run.insert().values(
                id=run_id,
                fiscal_year=fiscal_year,
                dry_run=dry_run,
                reason=reason,
                actor=actor,
                result=result,
            )
        )

"""Country programs with their lines, and program vs execution per line (ADR 0115)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.program_tables import country_program, program_line, program_line_fill
from funding.adapters.queries.common import Rows, one_row, page_rows, where_equal
from funding.adapters.tables import allocation, obligation
from shared.http.pagination import PageParams

ZERO = Decimal("0.00")


def _line_row(row: dict[str, Any]) -> dict[str, Any]:
    parts = (row["tuition"], row["travel"], row["living_allowance"])
    unit = sum(parts, ZERO) if row["tuition"] is not None else None
    return row | {
        "unit_cost": unit,
        "estimated_cost": unit * row["quantity"] if unit is not None else None,
        "counted": row["priority"] != "D" and row["status"] != "cancelled",
    }


async def _lines(session: AsyncSession, program_id: UUID) -> list[dict[str, Any]]:
    stmt = (
        select(program_line)
        .where(program_line.c.program_id == program_id)
        .order_by(program_line.c.created_at, program_line.c.work_control_number)
    )
    return [_line_row(dict(r)) for r in (await session.execute(stmt)).mappings()]


async def get_program(session: AsyncSession, program_id: UUID) -> dict[str, Any] | None:
    row = await one_row(session, select(country_program).where(country_program.c.id == program_id))
    if row is None:
        return None
    lines = await _lines(session, program_id)
    ceiling = (
        await session.execute(
            select(allocation.c.amount).where(
                allocation.c.country == row["country"],
                allocation.c.fiscal_year == row["fiscal_year"],
            )
        )
    ).scalar_one_or_none()
    counted = [ln for ln in lines if ln["counted"]]
    return row | {
        "lines": lines,
        "ceiling": ceiling,
        "approved_total": sum((ln["estimated_cost"] or ZERO for ln in counted), ZERO),
        "pme_total": sum(
            (ln["estimated_cost"] or ZERO for ln in counted if ln["category"] == "pme"), ZERO
        ),
        "priority_a_total": sum(
            (ln["estimated_cost"] or ZERO for ln in counted if ln["priority"] == "A"), ZERO
        ),
    }


async def list_programs(
    session: AsyncSession, page: PageParams, *, country: str | None, fiscal_year: int | None
) -> Rows:
    """Newest fiscal year first, then by country (without their lines)."""
    t = country_program
    stmt = where_equal(select(t), (t.c.country, country), (t.c.fiscal_year, fiscal_year))
    return await page_rows(session, stmt, page, [t.c.fiscal_year.desc(), t.c.country])


async def program_execution(session: AsyncSession, program_id: UUID) -> dict[str, Any] | None:
    """Per line: planned (quantity, estimate) vs executed (filled, obligated now, actual -
    estimate); obligations released since they filled the line count in `released`."""
    program = await get_program(session, program_id)
    if program is None:
        return None
    f, o = program_line_fill, obligation
    stmt = (
        select(
            f.c.line_id,
            func.count().label("fills"),
            func.coalesce(func.sum(f.c.estimated), 0).label("estimated"),
            func.coalesce(func.sum(f.c.actual), 0).label("actual"),
            func.coalesce(func.sum(f.c.difference), 0).label("difference"),
            func.coalesce(func.sum(o.c.outstanding), 0).label("obligated"),
            func.count().filter(o.c.status == "released").label("released"),
        )
        .join(o, o.c.id == f.c.obligation_id)
        .join(program_line, program_line.c.id == f.c.line_id)
        .where(program_line.c.program_id == program_id)
        .group_by(f.c.line_id)
    )
    executed = {r["line_id"]: dict(r) for r in (await session.execute(stmt)).mappings()}
    rows = []
    for ln in program["lines"]:
        e = executed.get(ln["id"], {})
        rows.append(
            {
                "line_id": ln["id"],
                "work_control_number": ln["work_control_number"],
                "masl_id": ln["masl_id"],
                "priority": ln["priority"],
                "status": ln["status"],
                "planned_quantity": ln["quantity"],
                "planned_cost": ln["estimated_cost"] or ZERO,
                "filled": ln["filled"],
                "released": e.get("released", 0),
                "estimated_filled": Decimal(e.get("estimated", 0)),
                "actual_obligated": Decimal(e.get("actual", 0)),
                "difference": Decimal(e.get("difference", 0)),
                "obligated_now": Decimal(e.get("obligated", 0)),
            }
        )
    return {
        "program_id": program["id"],
        "country": program["country"],
        "fiscal_year": program["fiscal_year"],
        "status": program["status"],
        "ceiling": program["ceiling"],
        "lines": rows,
        "planned_total": program["approved_total"],
        "filled": sum(r["filled"] for r in rows),
        "planned_quantity": sum(r["planned_quantity"] for r in rows if r["status"] != "cancelled"),
        "obligated_total": sum((r["actual_obligated"] for r in rows), ZERO),
        "difference_total": sum((r["difference"] for r in rows), ZERO),
    }

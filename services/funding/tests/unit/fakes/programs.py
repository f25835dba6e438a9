"""In-memory country programs, their lines, line fills, program exceptions, year-end runs."""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal
from typing import Any

from funding.domain.program import OPEN, CountryProgram, Priority, ProgramLine, ProgramStatus
from services.funding.tests.unit.fakes.store import ConstraintViolated, FundingStore


def _check(line: ProgramLine) -> None:
    """The line's CHECKs: quantity positive, filled within quantity, D never approved."""
    if line.quantity <= 0 or not 0 <= line.filled <= line.quantity:
        raise ConstraintViolated(f"line {line.id}: filled {line.filled} of {line.quantity}")
    if line.priority is Priority.D and line.status.value not in ("planned", "cancelled"):
        raise ConstraintViolated(f"line {line.id}: a D line is {line.status}")


class FakePrograms:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    def _line_slot(self, line: ProgramLine) -> tuple[CountryProgram, int]:
        program = self.store.programs[line.program_id]
        for i, known in enumerate(program.lines):
            if known.id == line.id:
                return program, i
        raise KeyError(line.id)

    async def add(self, program: CountryProgram, actor: str) -> None:
        if await self.find(program.country, program.fiscal_year) is not None:
            raise KeyError((program.country, program.fiscal_year))
        for line in program.lines:
            _check(line)
        self.store.programs[program.id] = copy.deepcopy(program)

    async def get(self, program_id: uuid.UUID, *, lock: bool = False) -> CountryProgram | None:
        found = self.store.programs.get(program_id)
        return copy.deepcopy(found) if found else None

    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> CountryProgram | None:
        for p in self.store.programs.values():
            if (p.country, p.fiscal_year) == (country, fiscal_year):
                return copy.deepcopy(p)
        return None

    async def approved(self, fiscal_year: int) -> list[CountryProgram]:
        found = [
            p
            for p in self.store.programs.values()
            if p.fiscal_year == fiscal_year and p.status is ProgramStatus.APPROVED
        ]
        return [copy.deepcopy(p) for p in sorted(found, key=lambda p: p.country)]

    async def save(self, program: CountryProgram, *, approved_by: str | None = None) -> None:
        stored = self.store.programs[program.id]
        stored.status = program.status
        stored.version += 1
        program.version = stored.version

    async def add_line(self, line: ProgramLine) -> None:
        program = self.store.programs[line.program_id]
        if any(ln.work_control_number == line.work_control_number for ln in program.lines):
            raise KeyError(line.work_control_number)
        _check(line)
        program.lines.append(copy.deepcopy(line))

    async def save_line(self, line: ProgramLine) -> None:
        _check(line)
        program, i = self._line_slot(line)
        line.version += 1
        program.lines[i] = copy.deepcopy(line)

    async def open_line(self, country: str, fiscal_year: int, masl_id: str) -> ProgramLine | None:
        program = await self.find(country, fiscal_year)
        if program is None or program.status is not ProgramStatus.APPROVED:
            return None
        open_lines = [
            ln
            for ln in program.lines
            if ln.masl_id == masl_id and ln.status in OPEN and ln.filled < ln.quantity
        ]
        open_lines.sort(key=lambda ln: ln.priority is not Priority.A)
        return open_lines[0] if open_lines else None

    async def record_fill(
        self,
        line: ProgramLine,
        request_id: uuid.UUID,
        nomination_id: uuid.UUID,
        obligation_id: uuid.UUID,
        estimated: Decimal,
        actual: Decimal,
    ) -> None:
        if any(f["request_id"] == request_id for f in self.store.line_fills):
            raise ConstraintViolated(f"request {request_id} filled a line twice")
        self.store.line_fills.append(
            {
                "line_id": line.id,
                "request_id": request_id,
                "nomination_id": nomination_id,
                "obligation_id": obligation_id,
                "estimated": estimated,
                "actual": actual,
                "difference": actual - estimated,
            }
        )

    async def line_filled_by(self, obligation_id: uuid.UUID) -> ProgramLine | None:
        fill = next((f for f in self.store.line_fills if f["obligation_id"] == obligation_id), None)
        if fill is None:
            return None
        for program in self.store.programs.values():
            for line in program.lines:
                if line.id == fill["line_id"]:
                    return copy.deepcopy(line)
        return None

    async def has_exception(self, request_id: uuid.UUID) -> bool:
        return request_id in self.store.program_exceptions

    async def record_exception(self, request_id: uuid.UUID, reason: str, actor: str) -> None:
        self.store.program_exceptions.setdefault(request_id, (reason, actor))

    async def record_run(
        self,
        run_id: uuid.UUID,
        fiscal_year: int,
        dry_run: bool,
        reason: str,
        actor: str,
        result: dict[str, Any],
    ) -> None:
        self.store.year_end_runs.append(
            {"id": run_id, "fiscal_year": fiscal_year, "dry_run": dry_run, "result": result}
        )

"""Country programs on the fakes: drafting costs the lines with the real cost model, approval
is gated by the planning checks, requests fill approved lines (never beyond the quantity),
a request outside the program waits for an exception, the year-end run moves unused ceiling
to another country's priority-B PME line - and the ledger stays consistent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funding.domain.errors import ProgramChecksFailed, RequestNotHeld
from funding.domain.obligation import RequestStatus
from funding.domain.penalties import Initiator
from funding.domain.program import LineStatus, Priority, ProgramStatus
from funding.service_layer import programs, year_end
from funding.service_layer.obligate import approve_exception, request_funding
from funding.service_layer.release import release_for_cancellation
from services.funding.tests.unit.builders import (
    FY,
    NOW,
    TODAY,
    Course,
    FakeFunding,
    country,
    course,
)

D = Decimal


def spec(c: Course, quantity: int, priority: str, wcn: str) -> programs.LineSpec:
    return programs.LineSpec(c.masl_id, quantity, Priority(priority), wcn)


async def _draft(
    fake: FakeFunding, code: str, *specs: programs.LineSpec
) -> programs.CountryProgram:
    async with fake.uow() as uow:
        return await programs.draft_program(uow, code, FY, list(specs), NOW)


async def _approve(fake: FakeFunding, program_id: object) -> programs.CountryProgram:
    async with fake.uow() as uow:
        return await programs.approve_program(uow, program_id, NOW)  # type: ignore[arg-type]


async def test_lines_are_costed_per_student_with_the_cost_model() -> None:
    fake, pme, code = FakeFunding(), course(tuition="10000.00", days=10, category="pme"), country()
    await fake.known(pme)

    program = await _draft(
        fake, code, spec(pme, 3, "A", "W-1"), programs.LineSpec("D999999", 1, Priority.B, "W-2")
    )

    known, unknown = program.lines
    assert (known.unit_cost, known.estimated_cost, known.category) == (
        pme.cost,
        pme.cost * 3,
        "pme",
    )
    assert (unknown.cost, unknown.cost_problem) == (None, "class_unknown")
    assert [a.action for a in fake.store.audits][-1] == "program.drafted"


async def test_a_program_short_of_pme_is_refused_with_each_failed_check_then_corrected() -> None:
    fake, code = FakeFunding(), country()
    pme, tech = course(category="pme"), course()
    await fake.known(pme)
    await fake.known(tech)
    await fake.funded({code: D("60000.00")})
    program = await _draft(fake, code, spec(pme, 1, "A", "W-1"), spec(tech, 2, "B", "W-2"))

    with pytest.raises(ProgramChecksFailed) as refused:
        await _approve(fake, program.id)
    async with fake.uow() as uow:
        await programs.add_line(uow, program.id, spec(pme, 2, "B", "W-3"), NOW)
    approved = await _approve(fake, program.id)

    [check] = refused.value.extra["checks"]
    assert (check["code"], check["value"], check["threshold"]) == (
        "pme_share",
        str(pme.cost),
        "30000.00",
    )
    assert approved.status is ProgramStatus.APPROVED
    assert {ln.status for ln in approved.lines} == {LineStatus.APPROVED}
    [event] = fake.published("program_approved")
    assert (event["country"], event["pme_total"], event["lines"]) == (code, str(pme.cost * 3), 3)


async def test_requests_fill_a_line_up_to_its_quantity_and_the_next_waits_for_an_exception() -> (
    None
):
    fake, code, pme = FakeFunding(), country(), course(category="pme")
    await fake.known(pme)
    await fake.funded({code: D("50000.00")})
    program = await _draft(fake, code, spec(pme, 2, "A", "W-1"))
    await _approve(fake, program.id)
    first, second, third = (pme.request(code) for _ in range(3))

    for request in (first, second, third):
        async with fake.uow() as uow:
            await request_funding(uow, request, TODAY)

    assert [r.status for r in (first, second, third)] == [
        RequestStatus.OBLIGATED,
        RequestStatus.OBLIGATED,
        RequestStatus.PENDING_PROGRAM_EXCEPTION,
    ]
    [line] = fake.store.programs[program.id].lines
    assert (line.filled, line.status) == (2, LineStatus.FILLED)
    assert [f["difference"] for f in fake.store.line_fills] == [D("0.00"), D("0.00")]
    assert len(fake.published("program_line_filled")) == 2
    assert len(fake.published("obligation_recorded")) == 2

    async with fake.uow() as uow:
        decided = await approve_exception(uow, third.request_id, "SCTW exception", TODAY)

    assert decided.status is RequestStatus.OBLIGATED
    assert "funding_request.program_exception" in [a.action for a in fake.store.audits]
    assert fake.consistent(code)
    async with fake.uow() as uow:
        with pytest.raises(RequestNotHeld):
            await approve_exception(uow, third.request_id, "again", TODAY)


async def test_countries_without_an_approved_program_are_funded_as_before() -> None:
    fake, code, c = FakeFunding(), country(), course()
    await fake.known(c)
    await fake.funded({code: D("100000.00")})
    await _draft(fake, code, spec(c, 1, "A", "W-1"))  # planned, not approved
    request = c.request(code)

    async with fake.uow() as uow:
        await request_funding(uow, request, TODAY)

    assert request.status is RequestStatus.OBLIGATED
    assert fake.store.line_fills == []


async def test_year_end_pulls_back_unused_ceiling_to_another_country_s_b_pme_line() -> None:
    fake, donor, taker = FakeFunding(), "AAA", "BBB"
    pme, tech = course(category="pme"), course()
    await fake.known(pme)
    await fake.known(tech)
    unit = pme.cost
    await fake.funded({donor: unit * 4, taker: unit * 2})
    p1 = await _draft(fake, donor, spec(pme, 2, "A", "D-1"))
    p2 = await _draft(fake, taker, spec(pme, 1, "A", "T-1"), spec(pme, 2, "B", "T-2"))
    await _approve(fake, p1.id)
    await _approve(fake, p2.id)

    async with fake.uow() as uow:
        dry = await year_end.run_year_end(uow, FY, dry_run=True, reason="review")
    untouched = fake.store.stored_balances(donor, FY)
    async with fake.uow() as uow:
        run = await year_end.run_year_end(uow, FY, dry_run=False, reason="year end")

    assert dry.plan.pulled_back == run.plan.pulled_back == unit * 2
    assert untouched.available == unit * 4
    assert [(g.country, g.work_control_number, g.amount) for g in run.plan.grants] == [
        (taker, "T-2", unit)
    ]
    assert fake.store.stored_balances(donor, FY).available == unit * 2
    assert fake.store.stored_balances(taker, FY).available == unit * 3
    assert fake.consistent(donor)
    assert fake.consistent(taker)
    assert [k for k in fake.store.types() if k.startswith(("ceiling", "year_end"))] == [
        "ceiling_pulled_back",
        "ceiling_redistributed",
        "year_end_run_completed",
    ]
    reasons = [c.reason for c in fake.store.allocation_changes]
    assert any("year-end pull-back" in r for r in reasons)
    assert any("T-2" in r for r in reasons)


async def test_a_released_obligation_opens_its_seat_on_the_line_again() -> None:
    fake, code, pme = FakeFunding(), country(), course(category="pme")
    await fake.known(pme)
    await fake.funded({code: D("20000.00")})
    program = await _draft(fake, code, spec(pme, 1, "A", "W-1"))
    await _approve(fake, program.id)
    first, second = pme.request(code), pme.request(code)
    async with fake.uow() as uow:
        await request_funding(uow, first, TODAY)

    async with fake.uow() as uow:
        await release_for_cancellation(
            uow, first.nomination_id, pme.masl_id, initiated_by=Initiator.US_GOVERNMENT,
            cancelled_on=TODAY, reason="withdrawn", today=TODAY,
        )  # fmt: skip
    reopened = fake.store.programs[program.id].lines[0]
    async with fake.uow() as uow:
        await request_funding(uow, second, TODAY)

    assert (reopened.filled, reopened.status) == (0, LineStatus.APPROVED)
    assert second.status is RequestStatus.OBLIGATED
    assert fake.store.programs[program.id].lines[0].filled == 1
    assert fake.consistent(code)

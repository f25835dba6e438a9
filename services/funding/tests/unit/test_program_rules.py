"""The pure rules of country programs: the planning checks that gate approval, filling a line,
the year-end pull-back and redistribution (no unit of work)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from funding.domain.program import (
    CountryProgram,
    LineCost,
    LineFull,
    LineStatus,
    Priority,
    ProgramLine,
    Thresholds,
    failed,
    planning_checks,
)
from funding.domain.year_end import Candidate, CountryPosition, plan_year_end

D = Decimal
PROGRAM = uuid.uuid4()


def line(
    priority: str = "A",
    *,
    unit: str | None = "10000.00",
    quantity: int = 1,
    category: str = "technical",
    status: LineStatus = LineStatus.PLANNED,
    filled: int = 0,
) -> ProgramLine:
    return ProgramLine(
        id=uuid.uuid4(),
        program_id=PROGRAM,
        masl_id="D000001",
        quantity=quantity,
        priority=Priority(priority),
        work_control_number=f"W-{uuid.uuid4().hex[:6]}",
        category=category,
        cost=LineCost(D(unit), D("0.00"), D("0.00")) if unit else None,
        cost_problem=None if unit else "class_unknown",
        status=status,
        filled=filled,
    )


def checks_of(*lines: ProgramLine, ceiling: str = "100000.00") -> dict[str, dict[str, object]]:
    program = CountryProgram(PROGRAM, "GTM", 2027, lines=list(lines))
    return {c.code: c.view() for c in failed(planning_checks(program, D(ceiling), Thresholds()))}


def test_a_program_with_half_its_ceiling_on_pme_and_a_lines_within_it_passes() -> None:
    assert checks_of(line("A", unit="50000.00", category="pme"), line("B", unit="60000.00")) == {}


def test_a_pme_share_below_half_the_ceiling_fails_with_value_and_threshold() -> None:
    found = checks_of(line("A", unit="40000.00", category="pme"), line("A", unit="30000.00"))

    assert set(found) == {"pme_share"}
    assert (found["pme_share"]["value"], found["pme_share"]["threshold"]) == (
        "40000.00",
        "50000.00",
    )


def test_priority_a_lines_above_the_ceiling_fail() -> None:
    found = checks_of(line("A", unit="60000.00", category="pme", quantity=2))

    assert set(found) == {"priority_a_total"}
    assert (found["priority_a_total"]["value"], found["priority_a_total"]["threshold"]) == (
        "120000.00",
        "100000.00",
    )


def test_d_lines_never_count_but_an_open_d_line_fails() -> None:
    pme = line("A", unit="50000.00", category="pme")

    assert checks_of(pme, line("D", unit="900000.00")) == {}
    assert set(checks_of(pme, line("D", status=LineStatus.APPROVED))) == {"no_deferred_in_total"}


def test_a_line_without_current_rates_fails_the_costing_check_and_names_itself() -> None:
    uncosted = line("B", unit=None)

    found = checks_of(line("A", unit="50000.00", category="pme"), uncosted)

    assert set(found) == {"costed_with_current_rates"}
    assert found["costed_with_current_rates"]["value"] == (
        f"{uncosted.work_control_number}:class_unknown"
    )


def test_thresholds_are_parameters() -> None:
    program = CountryProgram(
        PROGRAM, "GTM", 2027, lines=[line("A", unit="30000.00", category="pme")]
    )

    strict = failed(planning_checks(program, D("100000.00"), Thresholds(D("50"), D("100"))))
    lenient = failed(planning_checks(program, D("100000.00"), Thresholds(D("25"), D("20"))))

    assert [c.code for c in strict] == ["pme_share"]
    assert [c.code for c in lenient] == ["priority_a_total"]


def test_a_line_takes_students_up_to_its_quantity_and_records_the_difference() -> None:
    ln = line("A", unit="10000.00", quantity=2, status=LineStatus.APPROVED)

    first = ln.fill(D("10500.00"))
    status_after_first = ln.status
    second = ln.fill(D("9800.00"))

    assert (first, second) == (D("500.00"), D("-200.00"))
    assert (status_after_first, ln.status, ln.filled) == (
        LineStatus.PARTIALLY_FILLED,
        LineStatus.FILLED,
        2,
    )
    with pytest.raises(LineFull):
        ln.fill(D("10000.00"))


def test_a_planned_or_cancelled_line_takes_nobody() -> None:
    for status in (LineStatus.PLANNED, LineStatus.CANCELLED):
        with pytest.raises(LineFull):
            line(status=status).fill(D("1.00"))


def _position(
    code: str, ceiling: str, used: str, expected: str, *candidates: Candidate
) -> CountryPosition:
    return CountryPosition(code, uuid.uuid4(), D(ceiling), D(used), D(expected), candidates)


def test_unused_ceiling_is_pulled_back_and_given_to_another_country_s_b_pme_line() -> None:
    wanted = Candidate(uuid.uuid4(), "B-PME-1", D("30000.00"))
    donor = _position("AAA", "100000.00", "40000.00", "20000.00")  # unused 40000
    taker = _position("BBB", "50000.00", "30000.00", "50000.00", wanted)  # shortfall 30000

    plan = plan_year_end([taker, donor])

    assert [(p.country, p.amount) for p in plan.pull_backs] == [("AAA", D("40000.00"))]
    assert [(g.country, g.line_id, g.amount) for g in plan.grants] == [
        ("BBB", wanted.line_id, D("30000.00"))
    ]
    assert plan.left_unallocated == D("10000.00")


def test_redistribution_never_exceeds_what_was_pulled_back_nor_the_shortfall() -> None:
    big = Candidate(uuid.uuid4(), "B-1", D("90000.00"))
    donor = _position("AAA", "100000.00", "95000.00", "0.00")  # unused 5000
    taker = _position("BBB", "10000.00", "0.00", "12000.00", big)  # shortfall 2000
    other = _position("CCC", "10000.00", "0.00", "99000.00", Candidate(uuid.uuid4(), "B-2", D("1")))

    plan = plan_year_end([donor, taker, other])

    assert [(g.country, g.amount) for g in plan.grants] == [
        ("BBB", D("2000.00")),
        ("CCC", D("1")),
    ]
    assert plan.redistributed <= plan.pulled_back


def test_nothing_moves_when_every_country_needs_its_ceiling() -> None:
    plan = plan_year_end([_position("AAA", "100.00", "50.00", "50.00")])

    assert (plan.pull_backs, plan.grants) == ([], [])

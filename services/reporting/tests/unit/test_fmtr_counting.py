"""The FMTR's counting rules on hand-computed fixtures.

Guatemala (GTM), fiscal year 2026, course A (D100001: tuition 20,000, travel 2,500, TLA 3,500
= 26,000 a line) and course B (D100002: 10,000 + 1,000 + 2,000 = 13,000):
- student 1 trained in A and in B (completed both): counted ONCE; 26,000 + 13,000;
- student 2 withdrawn after obligation in A: 50% penalty 10,000 kept, 16,000 returned;
- student 3 terminated in A after 14 of 56 days: prorated tuition 20,000 x 14/56 = 5,000,
  travel 2,500 stays, TLA 3,500 x 14/56 = 875 stays; 17,625 returned -> 8,375;
- Norway (NOR, NATO) trains one student in A: left out unless asked.
Units: students 1 and 3 serve in different units, student 2 (never trained) in a third one,
which no activity lists.
GTM: 2 students, 3 trained lines, tuition 35,000, travel 6,000, TLA 6,375, penalties 10,000,
total 57,375.
"""

from __future__ import annotations

import uuid
from decimal import Decimal as D

from reporting.domain.facts import CountryRef, CourseFact, LineFact, NominationFact
from reporting.domain.fmtr import FmtrScope, build_fmtr, line_cost

FY = 2026
A, B = "D100001", "D100002"
COURSES = {
    A: CourseFact(A, "Infantry Officer Basic", "pme", "Army Infantry School", "Fort Moore, GA"),
    B: CourseFact(B, "Aircraft Maintenance", "technical", "Air Tech School", "Sheppard AFB, TX"),
}
COUNTRIES = {
    "GTM": CountryRef("GTM", "Guatemala", "SOUTHCOM", False),
    "NOR": CountryRef("NOR", "Norway", "EUCOM", True),
}
S1, S2, S3, S4 = (uuid.uuid4() for _ in range(4))


INF, AVN, WDR = "1st Infantry Battalion", "Aviation Squadron 2", "Withdrawn Unit"


def _nom(student: uuid.UUID, masl: str, state: str, trained: bool, country: str = "GTM",
         unit: str = INF):  # fmt: skip
    return NominationFact(uuid.uuid4(), country, FY, masl, student, state, trained, None, unit)


def _line(n: NominationFact, amount: str, tuition: str, travel: str, tla: str, **kw: D):
    return LineFact(n.nomination_id, n.country, n.fiscal_year, n.masl_id, D(amount), D(tuition),
                    D(travel), D(tla), **kw)  # fmt: skip


N1A = _nom(S1, A, "completed", True)
N1B = _nom(S1, B, "completed", True)
N2 = _nom(S2, A, "withdrawn", False, unit=WDR)
N3 = _nom(S3, A, "training_terminated", True, unit=AVN)
N4 = _nom(S4, A, "completed", True, country="NOR")
NOMINATIONS = [N1A, N1B, N2, N3, N4]
LINES = [
    _line(N1A, "26000.00", "20000.00", "2500.00", "3500.00"),
    _line(N1B, "13000.00", "10000.00", "1000.00", "2000.00"),
    _line(N2, "26000.00", "20000.00", "2500.00", "3500.00", returned=D("16000.00"),
          penalties_charged=D("10000.00")),
    _line(N3, "26000.00", "20000.00", "2500.00", "3500.00", returned=D("17625.00"),
          penalties_charged=D("5000.00")),
    _line(N4, "26000.00", "20000.00", "2500.00", "3500.00"),
]  # fmt: skip


def _report(**scope: object):
    return build_fmtr(FmtrScope(FY, **scope), NOMINATIONS, LINES, COURSES, COUNTRIES)  # type: ignore[arg-type]


def test_a_completed_line_costs_what_was_obligated_split_as_obligated() -> None:
    cost = line_cost(LINES[0], trained=True)

    assert (cost.tuition, cost.travel, cost.living_allowance, cost.penalties) == (
        D("20000.00"), D("2500.00"), D("3500.00"), D("0.00"),
    )  # fmt: skip


def test_a_line_withdrawn_after_obligation_costs_only_its_penalty() -> None:
    cost = line_cost(LINES[2], trained=False)

    assert cost.penalties == D("10000.00")
    assert cost.total == D("10000.00")


def test_a_line_still_waiting_for_its_student_costs_nothing_yet() -> None:
    assert line_cost(LINES[0], trained=False).total == D("0.00")


def test_a_terminated_line_costs_prorated_tuition_whole_travel_and_the_tla_of_the_days() -> None:
    cost = line_cost(LINES[3], trained=True)

    assert (cost.tuition, cost.travel, cost.living_allowance, cost.penalties) == (
        D("5000.00"), D("2500.00"), D("875.00"), D("0.00"),
    )  # fmt: skip


def test_a_student_with_two_courses_counts_once_and_the_totals_are_hand_computed() -> None:
    report = _report()

    rows = report.table("countries").records()
    assert rows == [
        {
            "country": "GTM", "country_name": "Guatemala", "region": "SOUTHCOM",
            "students_trained": 2, "training_lines": 3, "tuition": D("35000.00"),
            "travel": D("6000.00"), "living_allowance": D("6375.00"),
            "penalties": D("10000.00"), "total_cost": D("57375.00"),
        }
    ]  # fmt: skip


def test_each_training_activity_lists_its_course_schoolhouse_number_trained_and_units() -> None:
    report = _report()

    assert report.table("activities").records() == [
        {"country": "GTM", "masl_id": A, "title": "Infantry Officer Basic",
         "schoolhouse": "Army Infantry School", "location": "Fort Moore, GA",
         "number_trained": 2, "units": (INF, AVN), "cost": D("44375.00")},
        {"country": "GTM", "masl_id": B, "title": "Aircraft Maintenance",
         "schoolhouse": "Air Tech School", "location": "Sheppard AFB, TX",
         "number_trained": 1, "units": (INF,), "cost": D("13000.00")},
    ]  # fmt: skip


def test_excluded_countries_are_left_out_unless_asked() -> None:
    default = _report()
    asked = _report(include_excluded=True)

    assert [r["country"] for r in default.table("countries").records()] == ["GTM"]
    nor = asked.table("countries").records()[1]
    assert (nor["country"], nor["students_trained"], nor["total_cost"]) == (
        "NOR", 1, D("26000.00"),
    )  # fmt: skip
    assert asked.table("countries").totals[3] == 3  # type: ignore[index]


def test_the_region_and_country_filters_keep_only_their_countries() -> None:
    assert _report(region="EUCOM", include_excluded=True).table("countries").rows[0][0] == "NOR"
    assert _report(country="NOR").table("countries").rows == ()


def test_another_fiscal_year_is_not_counted() -> None:
    report = build_fmtr(FmtrScope(FY + 1), NOMINATIONS, LINES, COURSES, COUNTRIES)

    assert report.table("countries").rows == ()

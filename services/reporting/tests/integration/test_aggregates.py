"""The pre-aggregated projections (ADR 0140) filled from facts by the statements the
projections use (what the migration and the bench loader run) give the same aggregates as the
facts through Python, on the facts of `test_reports_in_sql.py`: the FMTR, the funnel (exact
medians, stuck stays), utilization's line sums and the vetting turnaround."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from reporting.adapters import queries
from reporting.adapters.aggregates import statements
from reporting.adapters.tables import nomination, state_span, training_line, vetting_case
from reporting.domain import fmtr, turnaround
from reporting.domain.facts import CountryRef
from reporting.domain.funnel import FunnelScope, aggregate
from reporting.domain.utilization import line_sums
from services.reporting.tests.integration.support import new_country, new_masl

NOW = datetime(2026, 6, 1, tzinfo=UTC)


async def _project(session: Any, ids: list[uuid.UUID]) -> None:
    for stmt in statements(lambda column: column.in_(ids), 1):
        await session.execute(stmt)


PATHS = [
    ["submitted", "vetting", "funding", "ready_for_travel"],
    ["submitted", "vetting", "vetting_denied"],
    ["submitted", "vetting"],
    ["submitted", "vetting", "waitlisted"],
    ["submitted"],
]


async def test_the_funnel_projection_equals_the_funnel_of_the_facts(runtime: Any) -> None:
    countries = [new_country(), new_country()]
    masl = new_masl()
    noms, spans = [], []
    for i in range(40):
        nid, path = uuid.uuid4(), PATHS[i % len(PATHS)]
        t = NOW - timedelta(days=90 - i, hours=i)
        for j, state in enumerate(path):
            stay = timedelta(days=(i * 7 + j * 3) % 23 + 0.25 * j)
            left = t + stay if j < len(path) - 1 else None
            spans.append({"nomination_id": nid, "state": state, "entered_at": t,
                          "left_at": left})  # fmt: skip
            t = left or t
        noms.append({"nomination_id": nid, "country": countries[i % 2],
                     "fiscal_year": 2026 - i % 3, "masl_id": masl, "class_id": uuid.uuid4(),
                     "candidate_id": uuid.uuid4(),
                     "state": path[-1], "state_since": t})  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(nomination), noms)
        await session.execute(insert(state_span), spans)
        await _project(session, [n["nomination_id"] for n in noms])

    for filters in (
        queries.ReportFilters(country=countries[0]),
        queries.ReportFilters(country=countries[1], fiscal_year=2025),
    ):
        scope = FunnelScope(stuck_after_days=30)
        async with runtime.sessions() as session:
            in_sql = await queries.aggregated.funnel_aggregates(session, filters, NOW, 30)
            facts = aggregate(scope, await queries.nominations(session, filters),
                              await queries.spans(session, filters), NOW)  # fmt: skip
        assert in_sql == facts
        assert sum(in_sql.by_group.values()) > 0
        assert sum(in_sql.measured.values()) > 0
        assert sum(in_sql.stuck.values()) > 0


async def test_the_line_sums_projection_equal_the_sums_of_the_facts(runtime: Any) -> None:
    countries, masls = [new_country(), new_country()], [new_masl(), new_masl()]
    rows = []
    for i in range(30):
        amount = Decimal(1000 + 137 * i) + Decimal("0.25")
        returned = amount + 5 if i % 7 == 0 else Decimal(i % 3 * 100)  # net below zero: 0
        rows.append({"nomination_id": uuid.uuid4(), "country": countries[i % 2],
                     "fiscal_year": 2025 + i % 3 % 2, "masl_id": masls[i % 3 % 2], "amount": amount,
                     "tuition": amount / 2, "travel": Decimal(100), "living_allowance": Decimal(50),
                     "returned": returned, "lapsed": Decimal(i % 4 * 10),
                     "penalties_charged": Decimal(i % 5 * 20),
                     "penalties_refunded": Decimal(i % 3 * 30)})  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(training_line), rows)
        await _project(session, [r["nomination_id"] for r in rows])
    for filters in (
        queries.ReportFilters(country=countries[0]),
        queries.ReportFilters(country=countries[1], fiscal_year=2025),
    ):
        async with runtime.sessions() as session:
            in_sql = await queries.aggregated.line_sums(session, filters)
            facts = line_sums(await queries.lines(session, filters))
        assert in_sql == facts
        assert sum(s.lines for s in in_sql) > 0


async def test_the_fmtr_projection_equals_the_fmtr_of_the_facts(runtime: Any) -> None:
    """Two courses for one student, a withdrawal that paid a penalty, a terminated student
    with prorated tuition, a line still waiting, an excluded country, another fiscal year."""
    here, there, excluded = new_country(), new_country(), new_country()
    refs = {excluded: CountryRef(excluded, "Excludia", "EUCOM", True),
            there: CountryRef(there, "There", "AFRICOM", False)}  # fmt: skip
    a, b = new_masl(), new_masl()
    noms, lines = [], []
    for i in range(36):
        nid, country = uuid.uuid4(), (here, there, excluded)[i % 3]
        student = uuid.uuid4() if i % 4 else None  # no candidate id: counted by nomination
        trained = i % 5 != 0
        noms.append({"nomination_id": nid, "country": country, "fiscal_year": 2025 + i % 7 // 6,
                     "masl_id": (a, b)[i % 2], "class_id": uuid.uuid4(), "candidate_id": student,
                     "state": "completed" if trained else "withdrawn", "state_since": NOW,
                     "trained": trained,
                     "unit_name": None if i % 7 == 3 else f"Unit {i % 4}"})  # fmt: skip
        if i % 3 == 1 and student is not None:  # the same student in the other course
            noms.append({**noms[-1], "nomination_id": uuid.uuid4(), "masl_id": (b, a)[i % 2]})
        if i % 9 == 8:
            continue  # no line (yet)
        amount = Decimal(20000 + 250 * i) + Decimal("0.50")
        returned = Decimal(0) if i % 4 == 0 else Decimal(3000 + 10 * i)
        lines.append({"nomination_id": nid, "country": country, "fiscal_year": noms[-1][
            "fiscal_year"], "masl_id": noms[-1]["masl_id"], "amount": amount,
            "tuition": Decimal(12000), "travel": Decimal(2500), "living_allowance": Decimal(3500),
            "returned": returned, "lapsed": Decimal(i % 2 * 100),
            "penalties_charged": Decimal(i % 6 * 900), "penalties_refunded": Decimal(i % 4 * 100),
        })  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(nomination), noms)
        await session.execute(insert(training_line), lines)
        await _project(session, [n["nomination_id"] for n in noms])
    for scope in (
        fmtr.FmtrScope(2025, country=here),
        fmtr.FmtrScope(2025, country=there, region="AFRICOM"),
        fmtr.FmtrScope(2025, country=excluded),
        fmtr.FmtrScope(2025, include_excluded=True, country=excluded),
        fmtr.FmtrScope(2026, country=here),
    ):
        filters = queries.ReportFilters(scope.country, scope.fiscal_year)
        async with runtime.sessions() as session:
            in_sql = await queries.aggregated.fmtr_aggregates(session, scope, refs)
            facts = fmtr.aggregate(scope, await queries.nominations(session, filters),
                                   await queries.lines(session, filters), refs)  # fmt: skip
        assert in_sql == facts, scope
    assert sum(in_sql.students.values()) > 0
    assert any(cell.units for cell in in_sql.cells.values())


async def test_the_turnaround_projection_equals_the_turnaround_of_the_facts(runtime: Any) -> None:
    """Decisions across weekends and months, undecided and overdue cases, cancelled ones, a
    case without an opening day, and a fiscal year filter through the nominations."""
    countries, today = [new_country(), new_country()], date(2026, 3, 20)
    noms, cases = [], []
    for i in range(50):
        nid = uuid.uuid4()
        noms.append({"nomination_id": nid, "country": countries[i % 2],
                     "fiscal_year": 2026 - i % 4 // 3, "masl_id": "M", "class_id": uuid.uuid4(),
                     "candidate_id": None, "state": "vetting", "state_since": NOW})  # fmt: skip
        opened = None if i == 7 else date(2026, 1, 1) + timedelta(days=i * 2)
        outcome = ("approved", "denied", "suspended", "cancelled", None)[i % 5]
        decided = opened + timedelta(days=i % 13) if opened and outcome else None
        cases.append({"case_id": uuid.uuid4(), "nomination_id": nid, "country": countries[i % 2],
                      "opened_on": opened, "due_on": opened + timedelta(days=10) if opened
                      else None, "decided_on": decided, "outcome": outcome})  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(nomination), noms)
        await session.execute(insert(vetting_case), cases)
        await _project(session, [n["nomination_id"] for n in noms])
    for filters in (
        queries.ReportFilters(country=countries[0]),
        queries.ReportFilters(country=countries[1], fiscal_year=2026),
    ):
        async with runtime.sessions() as session:
            in_sql = await queries.aggregated.turnaround_groups(session, filters, today)
            facts = turnaround.aggregate(await queries.cases(session, filters), today)
        assert sorted(in_sql, key=lambda g: (g.country, g.month)) == facts
        assert sum(g.overdue for g in facts) > 0
        assert sum(g.decided for g in facts) > 0

"""The pre-aggregated projections (ADR 0140) kept by the real consumer from events on the
broker: a redelivered event changes nothing (the inbox), a withdrawal after obligation moves
the line from waiting to its penalty, and whatever order the topics arrive in, the rows the
events left equal the facts' contribution (subtracting it leaves zeros)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from reporting.adapters import queries
from reporting.adapters.aggregate_tables import AGGREGATE_TABLES, line_total
from reporting.adapters.aggregates import statements
from reporting.domain.fmtr import FmtrScope
from services.reporting.tests.integration.support import FY, Story, new_country, new_masl
from shared.contracts.envelope import IntegrationEvent, build_headers, encode_value
from shared.messaging.kafka import physical_topic
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.kafka import produce
from tests.helpers.waiting import eventually


async def publish_twice(prefix: str, events: list[IntegrationEvent]) -> None:
    """Every event twice, with the same event id (a redelivery)."""
    by_topic: dict[str, list[Any]] = {}
    for event in events:
        headers = build_headers(event_id=str(uuid.uuid4()), event_type=event.TYPE,
                                source="/imet/test", subject=event.aggregate_id(),
                                time=datetime.now(UTC))  # fmt: skip
        record = (event.aggregate_id().encode(), encode_value(event.body()),
                  [(k, v.encode()) for k, v in headers.items()])  # fmt: skip
        by_topic.setdefault(physical_topic(event.TOPIC, prefix), []).extend([record, record])
    for topic, records in by_topic.items():
        await produce(topic, records)


async def _rows(runtime: Any, country: str) -> dict[str, list[tuple[Any, ...]]]:
    async with runtime.sessions() as session:
        return {t.name: [tuple(r) for r in (await session.execute(
            select(t).where(t.c.country == country).order_by(*t.primary_key.columns))).all()]
            for t in AGGREGATE_TABLES}  # fmt: skip


async def _facts_contribution_cancels(runtime: Any, ids: list[uuid.UUID], country: str) -> None:
    """Subtracting the facts' contribution (the migration's and loader's statements) from
    what the events built leaves every measure of the country at zero."""
    async with runtime.sessions() as session, session.begin():
        for stmt in statements(lambda column: column.in_(ids), -1):
            await session.execute(stmt)
        for table in AGGREGATE_TABLES:
            measures = [c for c in table.columns if not c.primary_key]
            rows = (await session.execute(
                select(*measures).where(table.c.country == country))).all()  # fmt: skip
            assert all(v == 0 for row in rows for v in row), (table.name, rows)
        await session.rollback()


async def _fmtr(runtime: Any, country: str) -> Any:
    async with runtime.sessions() as session:
        return await queries.aggregated.fmtr_aggregates(session, FmtrScope(FY, country=country),
                                                        {})  # fmt: skip


async def test_a_redelivered_event_changes_no_aggregate(runtime: Any, topic_prefix: str) -> None:
    country, a, b = new_country(), new_masl(), new_masl()
    s1 = Story(country, a).obligated("20000.00", "2500.00", "3500.00").trained()
    s1.vetted(date(2026, 3, 2), date(2026, 3, 9))
    s2 = Story(country, b, candidate=s1.candidate).obligated("10000.00", "1000.00", "2000.00")
    s2.trained(completed=False, days=14).released("7000.00", "4000.00", "training_ended_early")
    s3 = Story(country, a).move("vetting").vetted(date(2026, 3, 3), None)
    stories = (s1, s2, s3)
    async with running(build_consumer(runtime).run):
        await publish_twice(topic_prefix, [e for s in stories for e in s.events()])

        async def settled() -> Any:
            agg = await _fmtr(runtime, country)
            costs = sorted(c.cost.total for c in agg.cells.values())
            rows = await _rows(runtime, country)
            states = {r[2] for r in rows["funnel_count"] if r[3]}
            done = costs == [6000, 26000] and states == {
                "completed",
                "training_terminated",
                "vetting",
            }
            opened = sum(r[3] for r in rows["turnaround_month"])
            return (agg, rows) if done and opened == 2 and any(
                r[4] for r in rows["turnaround_days"]) else None  # fmt: skip

        agg, rows = await eventually(settled, bool, what="the events applied", timeout=60)
    cell_a, cell_b = agg.cells[(country, a)], agg.cells[(country, b)]
    assert (cell_a.students, cell_a.trained_lines) == (1, 1)
    assert cell_a.cost.total == Decimal("26000.00")
    assert (cell_b.students, cell_b.trained_lines) == (1, 1)
    assert (cell_b.cost.tuition, cell_b.cost.total) == (Decimal("4000.00"), Decimal("6000.00"))
    funnel = {r[2]: r[3] for r in rows["funnel_count"] if r[3]}
    assert funnel == {"completed": 1, "training_terminated": 1, "vetting": 1}
    months = rows["turnaround_month"]
    assert [(m[1], m[2], m[3], m[4]) for m in months if m[3]] == [(FY, "2026-03", 2, 1)]
    assert [(d[2], d[3], d[4]) for d in rows["turnaround_days"] if d[4]] == [("2026-03", 5, 1)]
    assert [(d[2], d[3], d[4]) for d in rows["turnaround_due"] if d[4]] == [
        ("2026-03", date(2026, 3, 17), 1)
    ]
    await _facts_contribution_cancels(runtime, [s.id for s in stories], country)


async def test_a_withdrawal_after_obligation_moves_the_line_to_its_penalty(
    runtime: Any, topic_prefix: str
) -> None:
    country, masl = new_country(), new_masl()
    story = Story(country, masl).move("vetting").move("funding")
    story.obligated("20000.00", "2500.00", "3500.00")
    waiting = story.move("ready_for_travel").events()
    async with running(build_consumer(runtime).run):
        await publish_twice(topic_prefix, waiting)

        async def lines() -> list[Any]:
            async with runtime.sessions() as session:
                t = line_total.c
                stmt = select(t.nomination_country, t.trained, t.lines, t.kept, t.net).where(
                    t.country == country, t.lines > 0)  # fmt: skip
                return [tuple(r) for r in (await session.execute(stmt)).all()]

        before = await eventually(lines, lambda r: r and r[0][0] == country,
                                  what="the line waiting", timeout=60)  # fmt: skip
        assert before == [(country, False, 1, Decimal("0.00"), Decimal("26000.00"))]
        assert (await _fmtr(runtime, country)).cells[(country, masl)].cost.total == 0
        story.nomination.clear()
        story.funding.clear()
        story.move("withdrawn").released("20000.00", "6000.00", "withdrawn")
        await publish_twice(topic_prefix, story.events())

        async def withdrawn() -> tuple[list[Any], dict[str, int]]:
            rows = await _rows(runtime, country)
            return await lines(), {r[2]: r[3] for r in rows["funnel_count"] if r[3]}

        after, funnel = await eventually(
            withdrawn, lambda r: r[0] and r[0][0][4] < 26000 and "withdrawn" in r[1],
            what="the penalty", timeout=60,
        )  # fmt: skip
    assert after == [(country, False, 1, Decimal("6000.00"), Decimal("6000.00"))]
    assert funnel == {"withdrawn": 1}
    cell = (await _fmtr(runtime, country)).cells[(country, masl)]
    assert (cell.students, cell.cost.penalties, cell.cost.total) == (0, 6000, 6000)
    await _facts_contribution_cancels(runtime, [story.id], country)


async def test_an_activity_lists_the_latest_units_of_its_trained_students_only(
    runtime: Any, topic_prefix: str
) -> None:
    """Two students of different units trained in one course (one changed unit after
    training: the latest counts), a third withdrawn before training: their unit is not listed."""
    country, masl = new_country(), new_masl()
    s1 = Story(country, masl, unit="Recruit Depot").obligated("20000.00", "2500.00", "3500.00")
    s1.trained().unit_changed("1st Infantry Battalion")
    s2 = Story(country, masl, unit="Aviation Squadron 2")
    s2.obligated("20000.00", "2500.00", "3500.00").trained()
    s3 = Story(country, masl, unit="Withdrawn Unit").move("vetting").move("withdrawn")
    stories = (s1, s2, s3)
    async with running(build_consumer(runtime).run):
        await publish_twice(topic_prefix, [e for s in stories for e in s.events()])

        async def settled() -> Any:
            cell = (await _fmtr(runtime, country)).cells.get((country, masl))
            rows = await _rows(runtime, country)
            withdrawn = any(r[2] == "withdrawn" and r[3] for r in rows["funnel_count"])
            moved = "Recruit Depot" not in (cell.units if cell else ("Recruit Depot",))
            return cell if cell and cell.students == 2 and withdrawn and moved else None

        cell = await eventually(settled, bool, what="the events applied", timeout=60)
    assert cell.units == ("1st Infantry Battalion", "Aviation Squadron 2")
    rows = await _rows(runtime, country)
    assert [(r[3], r[4]) for r in rows["fmtr_unit"] if r[4]] == [
        ("1st Infantry Battalion", 1), ("Aviation Squadron 2", 1)
    ]  # fmt: skip
    await _facts_contribution_cancels(runtime, [s.id for s in stories], country)

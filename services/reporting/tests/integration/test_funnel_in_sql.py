"""The funnel the database aggregates (`queries.funnel_aggregates`, ADR 0125) gives the same
numbers as the funnel of the facts through Python (`funnel.aggregate`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from reporting.adapters import queries
from reporting.adapters.tables import nomination, state_span
from reporting.domain.funnel import FunnelScope, aggregate
from services.reporting.tests.integration.support import new_country, new_masl

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PATHS = [
    ["submitted", "vetting", "funding", "ready_for_travel"],
    ["submitted", "vetting", "vetting_denied"],
    ["submitted", "vetting"],
    ["submitted", "vetting", "waitlisted"],
    ["submitted"],
]


async def test_the_funnel_in_sql_equals_the_funnel_of_the_facts(runtime: Any) -> None:
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

    for filters in (
        queries.ReportFilters(country=countries[0]),
        queries.ReportFilters(country=countries[1], fiscal_year=2025),
    ):
        scope = FunnelScope(stuck_after_days=30)
        async with runtime.sessions() as session:
            in_sql = await queries.funnel_aggregates(session, filters, NOW, 30)
            facts = aggregate(scope, await queries.nominations(session, filters),
                              await queries.spans(session, filters), NOW)  # fmt: skip
        assert in_sql == facts
        assert sum(in_sql.by_group.values()) > 0
        assert sum(in_sql.measured.values()) > 0
        assert sum(in_sql.stuck.values()) > 0

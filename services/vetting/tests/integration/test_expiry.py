"""Approvals lapsing before the report date: the periodic job re-opens the case once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from imet.services import definition
from shared.runtime import ServiceRuntime
from tests.helpers.fixtures import running
from tests.helpers.waiting import eventually
from vetting.domain.decision import Result
from vetting.domain.validity import approval_valid_until, lapses_on
from vetting.entrypoints.jobs import EXPIRY_LOCK, expire_approvals, expire_approvals_once
from vetting.service_layer.cases import cancel_case_for_nomination

from .support import (
    SYSTEM,
    case_row,
    decide_as,
    moment_on,
    open_case_now,
    staged_events,
    submitted,
    today,
)


async def _lapsed_approval(runtime: Any, *, report_in_days: int = 30) -> Any:
    """A case approved 13 months ago for a class that reports in `report_in_days` days."""
    decided_on = today() - timedelta(days=400)
    event = submitted(report_date=today() + timedelta(days=report_in_days))
    case = await open_case_now(runtime, event, on=decided_on)
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-ana", on=decided_on)
    return case, approval_valid_until(decided_on, 12)


async def test_an_approval_lapsing_before_the_report_date_reopens_the_case_once(
    runtime: Any,
) -> None:
    case, valid_until = await _lapsed_approval(runtime)

    first = await expire_approvals_once(runtime)
    second = await expire_approvals_once(runtime)

    assert first is not None
    assert first >= 1
    assert second == 0
    row = await case_row(runtime, case.nomination_id)
    assert (row.status, row.reason_code, row.valid_until) == ("open", "approval_lapsed", None)
    assert row.cycle_started_on == today()
    events = await staged_events(runtime, case.id)
    assert [t for t, _ in events].count("imet.vetting.expired.v1") == 1
    expired = events[-1][1]
    assert expired["lapsed_on"] == lapses_on(valid_until).isoformat()
    assert expired["report_date"] == row.report_date.isoformat()


async def test_an_approval_valid_through_the_report_date_is_left_alone(runtime: Any) -> None:
    case = await open_case_now(runtime, submitted(report_date=today() + timedelta(days=40)))
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-ana")

    await expire_approvals_once(runtime)

    assert (await case_row(runtime, case.nomination_id)).status == "approved"


async def test_the_approval_of_a_withdrawn_nomination_is_not_reopened(runtime: Any) -> None:
    case, _ = await _lapsed_approval(runtime)
    async with runtime.uow(SYSTEM) as uow:
        await cancel_case_for_nomination(
            uow,
            case.nomination_id,
            reason_code="nomination_withdrawn",
            closed_as="withdrawn",
            now=moment_on(today()),
        )

    await expire_approvals_once(runtime)

    assert (await case_row(runtime, case.nomination_id)).status == "approved"


async def test_a_round_is_skipped_while_another_instance_holds_the_lock(runtime: Any) -> None:
    case, _ = await _lapsed_approval(runtime)
    other_instance = await asyncpg.connect(runtime.dsn)
    try:
        await other_instance.execute("BEGIN")
        await other_instance.execute("SELECT pg_advisory_xact_lock($1)", EXPIRY_LOCK)

        skipped = await expire_approvals_once(runtime)

        await other_instance.execute("COMMIT")
    finally:
        await other_instance.close()

    assert skipped is None
    assert (await case_row(runtime, case.nomination_id)).status == "approved"


async def test_the_expiry_job_runs_on_its_interval_until_stopped(
    monkeypatch: pytest.MonkeyPatch, platform_ready: Any
) -> None:
    monkeypatch.setenv("VETTING_EXPIRY_INTERVAL_SECONDS", "0.2")
    d = definition("vetting")
    runtime: ServiceRuntime[Any, Any] = ServiceRuntime(d, d.settings_factory())
    try:
        case, _ = await _lapsed_approval(runtime)

        async with running(lambda stop: expire_approvals(runtime, stop)):
            row = await eventually(
                lambda: case_row(runtime, case.nomination_id), lambda r: r.status == "open"
            )
    finally:
        await runtime.aclose()

    assert row.reason_code == "approval_lapsed"

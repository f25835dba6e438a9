"""Test data and probes of the vetting integration tests (unique data per call)."""

from __future__ import annotations

import itertools
import os
import random
import string
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys
from shared.auth.principal import Principal, Role
from shared.contracts.envelope import IntegrationEvent, build_headers
from shared.contracts.nomination.v1 import NominationSubmittedV1
from shared.settings import PlatformSettings
from vetting.adapters.tables import platform, vetting_case
from vetting.domain.case import VettingCase
from vetting.domain.decision import Result
from vetting.domain.moment import Moment
from vetting.service_layer.cases import OpenCase, open_case
from vetting.service_layer.decisions import DecideCase, decide_case
from vetting.settings import VettingSettings

_codes = [a + b + c for a, b, c in itertools.product(string.ascii_uppercase, repeat=3)]
random.shuffle(_codes)
_country_codes = iter(_codes)
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]


def unique_country() -> str:
    """A country code no other test of this process uses (cases are counted per country)."""
    return next(_country_codes)


def unique_unit() -> str:
    return f"{uuid.uuid4().hex[:8]} Infantry Battalion"


def today() -> date:
    """Today at the vetting office (the service counts days in its business time zone)."""
    zone = VettingSettings.model_fields["business_timezone"].default
    return datetime.now(ZoneInfo(zone)).date()


def moment_on(day: date) -> Moment:
    return Moment(at=datetime.combine(day, time(14, 0), tzinfo=UTC), on=day)


def office_now(runtime: Any) -> Moment:
    """Now, from the service's own clock (the bootstrap's, for the runtime's settings)."""
    now: Moment = runtime.definition.extra["clock"](runtime.settings)()
    return now


def submitted(**overrides: Any) -> NominationSubmittedV1:
    """A `nomination.submitted` of a new candidate (override any field)."""
    start = today() + timedelta(days=90)
    fields: dict[str, Any] = {
        "nomination_id": uuid.uuid4(),
        "country": unique_country(),
        "candidate_id": uuid.uuid4(),
        "person_fingerprint": uuid.uuid4().hex,
        "unit_name": unique_unit(),
        "class_id": uuid.uuid4(),
        "masl_id": "D177014",
        "fiscal_year": 2027,
        "funding_source": "imet",
        "start_date": start,
        "end_date": start + timedelta(days=70),
        "report_date": start - timedelta(days=2),
        "submitted_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return NominationSubmittedV1(**fields)


def open_command(event: NominationSubmittedV1) -> OpenCase:
    return OpenCase(
        nomination_id=event.nomination_id,
        candidate_id=event.candidate_id,
        person_fingerprint=event.person_fingerprint,
        country=event.country,
        unit_name=event.unit_name,
        class_id=event.class_id,
        report_date=event.report_date,
        vetted_revision=event.vetted_revision or 0,
        unit_id=event.unit_id,
    )


def cloud_event(event: IntegrationEvent, *, event_id: str | None = None) -> Record:
    """The Kafka record the nomination service's relay would produce for `event`."""
    headers = build_headers(
        event_id=event_id or str(uuid.uuid4()),
        event_type=event.TYPE,
        source="/imet/nomination",
        subject=event.aggregate_id(),
        time=datetime.now(UTC),
    )
    value = event.model_dump_json().encode()
    return event.aggregate_id().encode(), value, [(k, v.encode()) for k, v in headers.items()]


def person_token(subject: str, role: str, country: str | None = None) -> str:
    """A token for a named person (the dev-token helper names every vetter alike)."""
    platform_settings = PlatformSettings()
    keys = ensure_dev_keys(Path(os.environ["IMET_TEST_KEY_DIR"]))
    issuer = TokenIssuer(
        keys.current, platform_settings.auth_issuer, platform_settings.auth_audience
    )
    return issuer.issue(subject, [role], country=country)


async def case_row(runtime: Any, nomination_id: uuid.UUID) -> Any:
    async with runtime.sessions() as session:
        stmt = select(vetting_case).where(vetting_case.c.nomination_id == nomination_id)
        return (await session.execute(stmt)).first()


async def cases_of(runtime: Any, nomination_id: uuid.UUID) -> list[Any]:
    async with runtime.sessions() as session:
        stmt = select(vetting_case).where(vetting_case.c.nomination_id == nomination_id)
        return list(await session.execute(stmt))


async def staged_events(runtime: Any, case_id: uuid.UUID) -> list[tuple[str, dict[str, Any]]]:
    """The (type, payload) of every event the service staged for a case, in order."""
    o = platform.outbox.c
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(o.type, o.payload).where(o.aggregateid == str(case_id)).order_by(o.seq)
        )
        return [(r.type, r.payload) for r in rows]


async def applied(runtime: Any, event_id: str) -> bool:
    """The consumer applied (or skipped as duplicate) the event: its inbox row exists."""
    i = platform.inbox.c
    async with runtime.sessions() as session:
        stmt = select(i.message_id).where(i.consumer == "vetting", i.message_id == event_id)
        return (await session.execute(stmt)).first() is not None


SYSTEM = Principal(subject="system:vetting-test", roles=frozenset({Role.SERVICE}))


async def open_case_now(
    runtime: Any, event: NominationSubmittedV1 | None = None, *, on: date | None = None
) -> VettingCase:
    """Open a case as the reaction would (optionally as if on another day)."""
    event = event or submitted()
    settings = runtime.settings
    when = moment_on(on) if on else office_now(runtime)
    async with runtime.uow(SYSTEM) as uow:
        case = await open_case(uow, open_command(event), settings.policy(), when)
    assert case is not None
    return case


async def decide_as(
    runtime: Any,
    case_id: uuid.UUID,
    result: Result,
    reason: str,
    *,
    by: str,
    on: date | None = None,
) -> None:
    settings = runtime.settings
    when = moment_on(on) if on else office_now(runtime)
    actor = Principal(subject=by, roles=frozenset({Role.VETTER}))
    async with runtime.uow(actor) as uow:
        command = DecideCase(result=result, reason_code=reason, rationale="Holdings checked.")
        await decide_case(uow, case_id, command, settings.policy(), when)


async def audit_of(runtime: Any, entity_id: str) -> list[Any]:
    """The audit records of an entity, oldest first (read from the table: see the report on
    `GET /audit`, whose dependency alias the platform does not resolve)."""
    a = platform.audit_log.c
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(platform.audit_log).where(a.entity_id == entity_id).order_by(a.id)
        )
        return list(rows)

"""Bulk import as a job on the real database (ADR 0128): 202 and a job to poll, one claim per
job among concurrent workers, a job resumed after its worker died mid-job, idempotent uploads."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select, update

from nomination.adapters.tables import import_job, import_row, nomination
from nomination.entrypoints.clock import today_of
from nomination.entrypoints.http.schemas.imports import to_line
from nomination.service_layer.imports import (
    ImportLine,
    JobSettings,
    accept_import,
    claim_import,
    run_import_job,
)
from services.nomination.tests.integration.support import BASE, World
from services.nomination.tests.integration.test_countries_and_imports import row
from shared.auth.principal import Principal
from tests.helpers.waiting import eventually

SCO = Principal("sco-jobs", frozenset({"sco"}), "GTM")


class Crash(Exception):
    pass


def crashing_at(line: int) -> Any:
    def parse(number: int, raw: Any) -> ImportLine:
        if number == line:
            raise Crash(f"the worker dies at line {number}")
        return to_line(number, raw)

    return parse


async def queued(world: World, rows: list[dict[str, Any]]) -> Any:
    async with world.runtime.uow(SCO) as uow:
        accepted = await accept_import(
            uow, SCO, rows, submit_rows=False, fingerprint=uuid.uuid4().hex
        )
    return accepted.job


async def test_an_upload_answers_202_with_the_job_to_poll_until_it_completes(
    world: World,
) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    rows = [row(klass), row(klass, pay_grade="general"), row(klass, given_names="Luz")]
    sco = world.as_("sco", "GTM")

    accepted = await world.client.post(f"{BASE}/imports", json={"rows": rows}, headers=sco)
    url = accepted.headers["location"]

    assert accepted.status_code == 202
    assert url == f"{BASE}/imports/{accepted.json()['id']}"
    assert accepted.json()["rows"]["total"] == 3
    assert accepted.json()["status"] in ("queued", "running", "completed")
    done = await eventually(
        lambda: _json(world, url, sco), lambda body: body["status"] == "completed", timeout=20
    )
    assert done["rows"] == {"total": 3, "done": 3, "created": 2, "existing": 0, "rejected": 1}
    assert [line["status"] for line in done["lines"]] == ["created", "rejected", "created"]
    assert done["finished_at"] is not None
    other = await world.client.get(url, headers=world.as_("sco", "HND"))
    assert other.status_code == 404


async def _json(world: World, url: str, headers: dict[str, str]) -> Any:
    return (await world.client.get(url, headers=headers)).json()


async def test_the_same_idempotency_key_replays_the_same_job(world: World) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    headers = {**world.as_("sco", "GTM"), "Idempotency-Key": f"imp-{uuid.uuid4()}"}
    rows = [row(klass)]

    first = await world.client.post(f"{BASE}/imports", json={"rows": rows}, headers=headers)
    again = await world.client.post(f"{BASE}/imports", json={"rows": rows}, headers=headers)

    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_two_workers_claiming_at_once_get_the_job_once(world: World) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    job = await queued(world, [row(klass)])
    workers = [JobSettings(worker=f"w{n}") for n in range(4)]

    claims = await asyncio.gather(
        *(claim_import(world.runtime.uow, SCO, w, job.id) for w in workers)
    )

    assert [c.id for c in claims if c is not None] == [job.id]


async def test_a_job_whose_worker_died_mid_job_is_resumed_where_it_stopped(
    world: World,
) -> None:
    await world.country("GTM")
    klass = await world.catalog()
    rows = [row(klass, given_names=f"Nombre {n}") for n in range(5)]
    job = await queued(world, rows)
    a = JobSettings(worker="worker-a", chunk_rows=2, lease_seconds=30)
    b = JobSettings(worker="worker-b", chunk_rows=2, lease_seconds=30)
    config = world.runtime.settings.config()
    claimed = await claim_import(world.runtime.uow, SCO, a, job.id)
    assert claimed is not None

    with pytest.raises(Crash):
        await run_import_job(
            world.runtime.uow,
            claimed,
            crashing_at(3),
            settings=a,
            config=config,
            today=lambda: today_of(world.runtime),
        )
    assert await claim_import(world.runtime.uow, SCO, b, job.id) is None  # a's lease holds
    async with world.runtime.sessions() as session, session.begin():
        midway = (await session.execute(select(import_job).where(import_job.c.id == job.id))).one()
        await session.execute(  # a's lease lapses
            update(import_job).where(import_job.c.id == job.id).values(lease_until=func.now())
        )
    resumed = await claim_import(world.runtime.uow, SCO, b, job.id)
    assert resumed is not None
    done = await run_import_job(
        world.runtime.uow,
        resumed,
        to_line,
        settings=b,
        config=config,
        today=lambda: today_of(world.runtime),
    )

    assert (midway.status, midway.rows_done) == ("running", 2)
    assert (done.status, done.rows_done, done.created, done.attempts) == ("completed", 5, 5, 2)
    async with world.runtime.sessions() as session:
        results = (
            await session.execute(
                select(import_row.c.status, import_row.c.nomination_id, import_row.c.input)
                .where(import_row.c.job_id == job.id)
                .order_by(import_row.c.line)
            )
        ).all()
        made = await session.scalar(
            select(func.count())
            .select_from(nomination)
            .where(nomination.c.id.in_([r.nomination_id for r in results]))
        )
    assert [r.status for r in results] == ["created"] * 5
    assert all(r.input is None for r in results)  # the uploaded personal data is gone
    assert made == 5  # each row imported once

"""Bulk import as a job (ADR 0128) on the fakes: accepted, worked a chunk at a time, resumed by
another worker after a crash, the same job for a re-upload of the same file."""

from __future__ import annotations

from typing import Any

import pytest

from nomination.service_layer.imports import (
    ImportEmpty,
    ImportLine,
    ImportNotFound,
    JobSettings,
    accept_import,
    claim_import,
    read_import,
    run_import_job,
)
from services.nomination.tests.unit.builders import (
    CONFIG,
    TODAY,
    FakeNomination,
    candidate_values,
    sco,
)

A = JobSettings(worker="worker-a", chunk_rows=2, lease_seconds=30)
B = JobSettings(worker="worker-b", chunk_rows=2, lease_seconds=30)


class Crash(Exception):
    pass


def parser(klass: Any, crash_at: int | None = None) -> Any:
    """The jobs' row parser for the fast tier: a raw row is {"country": ..., "n": ...}."""

    def parse(line: int, raw: Any) -> ImportLine:
        if crash_at is not None and line == crash_at:
            raise Crash(f"the process dies at line {line}")
        if raw.get("bad"):
            return ImportLine(line, errors=[{"code": "missing", "field": "x", "message": "m"}])
        values = candidate_values(raw.get("country", "GTM"), given_names=f"Given {raw['n']}")
        nomination = {
            "class_id": klass.class_id, "fiscal_year": klass.fiscal_year,
            "funding_source": "imet",
        }  # fmt: skip
        return ImportLine(line, values, nomination)

    return parse


async def accepted(fake: FakeNomination, rows: list[Any], fingerprint: str = "f1") -> Any:
    async with fake.uow(sco()) as uow:
        return await accept_import(uow, sco(), rows, submit_rows=False, fingerprint=fingerprint)


async def work(fake: FakeNomination, settings: JobSettings, parse: Any) -> Any:
    job = await claim_import(fake.uow, sco(), settings)
    assert job is not None
    return await run_import_job(
        fake.uow, job, parse, settings=settings, config=CONFIG, today=lambda: TODAY
    )


async def test_an_accepted_import_is_queued_then_worked_to_one_result_per_row() -> None:
    fake = FakeNomination()
    await fake.country()
    klass = await fake.catalog()
    rows = [{"n": 1}, {"n": 2, "bad": True}, {"n": 3}, {"n": 4, "country": "HND"}, {"n": 5}]

    acc = await accepted(fake, rows)
    done = await work(fake, A, parser(klass))

    assert acc.new
    assert (acc.job.status, acc.job.rows_total) == ("queued", 5)
    assert (done.status, done.rows_done, done.created, done.existing, done.rejected) == (
        "completed", 5, 3, 0, 2,
    )  # fmt: skip
    async with fake.uow(sco()) as uow:
        _, lines = await read_import(uow, sco(), acc.job.id)
    assert [line.status for line in lines] == [
        "created", "rejected", "created", "rejected", "created",
    ]  # fmt: skip
    assert lines[3].errors[0]["code"] == "forbidden"
    assert len(fake.store.nominations) == 3
    assert all(raw is None for raw, _ in fake.store.import_rows.values())  # input erased
    assert [a.action for a in fake.audits if a.action.startswith("nomination.import")] == [
        "nomination.import_accepted", "nomination.imported",
    ]  # fmt: skip


async def test_a_job_whose_worker_died_is_resumed_by_another_from_its_first_pending_row() -> None:
    fake = FakeNomination()
    await fake.country()
    klass = await fake.catalog()
    acc = await accepted(fake, [{"n": n} for n in range(1, 6)])

    with pytest.raises(Crash):  # chunk 1 (lines 1-2) committed, chunk 2 dies
        await work(fake, A, parser(klass, crash_at=3))
    midway = fake.store.import_jobs[acc.job.id]
    assert (midway.status, midway.rows_done) == ("running", 2)
    assert await claim_import(fake.uow, sco(), B) is None  # A's lease still holds
    fake.store.import_leases[acc.job.id] = 0.0  # A's lease lapses
    done = await work(fake, B, parser(klass))

    assert (done.status, done.rows_done, done.created, done.attempts) == ("completed", 5, 5, 2)
    assert len(fake.store.nominations) == 5  # nothing imported twice


async def test_a_worker_that_lost_its_lease_stops_and_the_new_holder_finishes() -> None:
    fake = FakeNomination()
    await fake.country()
    klass = await fake.catalog()
    acc = await accepted(fake, [{"n": n} for n in range(1, 4)])
    job_a = await claim_import(fake.uow, sco(), A)
    assert job_a is not None
    fake.store.import_leases[acc.job.id] = 0.0
    job_b = await claim_import(fake.uow, sco(), B)
    assert job_b is not None

    stale = await run_import_job(
        fake.uow, job_a, parser(klass), settings=A, config=CONFIG, today=lambda: TODAY
    )
    done = await run_import_job(
        fake.uow, job_b, parser(klass), settings=B, config=CONFIG, today=lambda: TODAY
    )

    assert stale.rows_done == 0
    assert (done.status, done.created) == ("completed", 3)


async def test_a_reupload_of_the_same_file_is_the_same_job_unless_it_ended_with_rejections() -> (
    None
):
    fake = FakeNomination()
    await fake.country()
    klass = await fake.catalog()
    clean = [{"n": 1}]

    first = await accepted(fake, clean, "clean")
    while_queued = await accepted(fake, clean, "clean")
    await work(fake, A, parser(klass))
    after_done = await accepted(fake, clean, "clean")
    with_rejection = await accepted(fake, [{"n": 2, "bad": True}], "bad")
    await work(fake, A, parser(klass))
    again = await accepted(fake, [{"n": 2, "bad": True}], "bad")

    assert (while_queued.new, while_queued.job.id) == (False, first.job.id)
    assert (after_done.new, after_done.job.id, after_done.job.status) == (
        False, first.job.id, "completed",
    )  # fmt: skip
    assert again.new
    assert again.job.id != with_rejection.job.id


async def test_a_job_claimed_too_often_fails_and_another_countrys_sco_cannot_see_it() -> None:
    fake = FakeNomination()
    await fake.country()
    acc = await accepted(fake, [{"n": 1}])
    for _ in range(A.max_attempts):
        await claim_import(fake.uow, sco(), A)
        fake.store.import_leases[acc.job.id] = 0.0

    failed = await work(fake, A, parser(None))

    assert (failed.status, failed.error) == ("failed", "gave up after repeated crashes")
    async with fake.uow(sco("HND")) as uow:
        with pytest.raises(ImportNotFound):
            await read_import(uow, sco("HND"), acc.job.id)


async def test_an_upload_without_a_row_is_refused_and_queues_no_job() -> None:
    fake = FakeNomination()
    await fake.country()

    with pytest.raises(ImportEmpty):
        await accepted(fake, [])

    assert fake.store.import_jobs == {}
    assert not [a for a in fake.audits if a.action.startswith("nomination.import")]

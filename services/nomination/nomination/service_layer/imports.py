"""Bulk import of a country's program: hundreds of nominations, one result per row.

An upload is a job (ADR 0128): `accept_import` stores it (queued, one pending row per uploaded
row) and answers at once; `run_import_job` - the worker of the `jobs` role, or the API process
that accepted it - works through the pending rows a chunk at a time, each chunk's effects, row
results and progress in one transaction, so a job whose process died is resumed where it
stopped by whoever claims it next.

Each row is its own savepoint: a row that fails stores and publishes nothing, and the others go
on. A row's natural key - country + passport number + class - identifies it (ADR 0042): a file
that holds rows imported before finds the candidate and the open nomination and creates
nothing new ("existing", with the ids). A passport already registered to a different person is
refused, never overwritten. The same file uploaded again while its job is unfinished, or after
it completed without a rejected row, is that job (ADR 0128).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from nomination.domain.candidate import Candidate, Person, normalize_name
from nomination.domain.import_job import ImportJob, LineResult, RowStatus, actor_of, scope_of
from nomination.service_layer.authorization import require_own_country
from nomination.service_layer.candidates import add_candidate
from nomination.service_layer.config import Config
from nomination.service_layer.nominations import add_draft, submit
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal
from shared.errors import DomainError
from shared.observability import get_logger

log = get_logger("nomination.imports")

__all__ = ["ImportJob", "ImportLine", "LineResult", "RowStatus"]


@dataclass(frozen=True)
class ImportLine:
    """One parsed input row: the candidate's and nomination's values, or why it is unreadable."""

    line: int
    candidate: dict[str, Any] = field(default_factory=dict)
    nomination: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    import_id: UUID
    lines: list[LineResult]

    def count(self, status: RowStatus) -> int:
        return sum(1 for line in self.lines if line.status == status)


class CandidateMismatch(DomainError):
    code = "candidate-mismatch"
    title = "The passport number belongs to another person"


def _same_person(a: Person, b: Person) -> bool:
    return (
        normalize_name(a.family_names) == normalize_name(b.family_names)
        and normalize_name(a.given_names) == normalize_name(b.given_names)
        and a.date_of_birth == b.date_of_birth
    )


def _person(values: dict[str, Any]) -> Person:
    return Person(
        family_names=values["family_names"],
        given_names=values["given_names"],
        country=values["country"],
        date_of_birth=values.get("date_of_birth"),
    )


Known = dict[tuple[str, str], Candidate]


async def _import_line(
    uow: NominationUnitOfWork,
    principal: Principal,
    line: ImportLine,
    known: Known,
    *,
    submit_rows: bool,
    config: Config,
    today: date,
) -> tuple[LineResult, Candidate]:
    values = line.candidate
    require_own_country(principal, values["country"])
    candidate = known.get((values["country"], values["passport_number"]))
    if candidate is None:
        candidate = await add_candidate(uow, principal, values, config.fingerprint_key)
        existing = None  # a candidate registered just now has no nomination yet
    elif not _same_person(candidate.person, _person(values)):
        raise CandidateMismatch(
            "The passport number is registered to a candidate with other names."
        )
    else:
        existing = await uow.nominations.open_for(candidate.id, line.nomination["class_id"])
    if existing is not None:
        found = LineResult(line.line, "existing", candidate.id, existing.id, existing.status)
        return found, candidate
    row = await add_draft(uow, principal, {**line.nomination, "candidate_id": candidate.id})
    if submit_rows:
        row = await submit(uow, principal, row.id, config, today)
    return LineResult(line.line, "created", candidate.id, row.id, row.status), candidate


async def _known_candidates(uow: NominationUnitOfWork, lines: list[ImportLine]) -> Known:
    """The candidates the rows name that exist already: one query per country, not per row."""
    passports: dict[str, list[str]] = {}
    for line in lines:
        if not line.errors:
            passports.setdefault(line.candidate["country"], []).append(
                line.candidate["passport_number"]
            )
    known: Known = {}
    for country, numbers in passports.items():
        for c in await uow.candidates.by_passports(country, numbers):
            if c.passport_number is not None:
                known[(c.country, c.passport_number)] = c
    return known


def _errors_of(exc: DomainError) -> list[dict[str, Any]]:
    listed = exc.extra.get("errors")
    if isinstance(listed, list):
        return listed
    return [{"code": exc.code, "field": None, "message": exc.detail}]


async def import_lines(
    uow: NominationUnitOfWork,
    principal: Principal,
    lines: list[ImportLine],
    *,
    submit_rows: bool,
    config: Config,
    today: date,
) -> list[LineResult]:
    """Create (or find) the candidate and the nomination of each row, each in its own savepoint
    of the caller's transaction; drafts, or submitted through the same validation at the door
    when `submit_rows`. One result per row; the caller commits."""
    results: list[LineResult] = []
    known = await _known_candidates(uow, lines)
    for line in lines:
        if line.errors:
            results.append(LineResult(line.line, "rejected", errors=line.errors))
            continue
        try:
            async with uow.savepoint():
                result, candidate = await _import_line(
                    uow, principal, line, known,
                    submit_rows=submit_rows, config=config, today=today,
                )  # fmt: skip
        except DomainError as exc:
            result = LineResult(line.line, "rejected", errors=_errors_of(exc))
        else:  # kept: a later row of the same passport finds it (a rolled-back row's is gone)
            if candidate.passport_number is not None:
                known[(candidate.country, candidate.passport_number)] = candidate
        results.append(result)
    return results


async def import_program(
    uow: NominationUnitOfWork,
    principal: Principal,
    lines: list[ImportLine],
    *,
    submit_rows: bool,
    config: Config,
    today: date,
) -> ImportResult:
    """Every row of `lines` in one transaction (the use case without a job around it)."""
    results = await import_lines(
        uow, principal, lines, submit_rows=submit_rows, config=config, today=today
    )
    outcome = ImportResult(uuid4(), results)
    summary = {s: outcome.count(s) for s in ("created", "existing", "rejected")}
    uow.audit(
        "nomination.imported",
        "import",
        str(outcome.import_id),
        after={**summary, "submit": submit_rows},
    )
    await uow.commit()
    log.info("nomination.imported", import_id=str(outcome.import_id), **summary)
    return outcome


# --- the job ------------------------------------------------------------------------------

UnitOfWorkFactory = Callable[[Principal], AbstractAsyncContextManager[NominationUnitOfWork]]
ParseRow = Callable[[int, Any], ImportLine]


class ImportNotFound(DomainError):
    code = "import-not-found"
    status = 404
    title = "No such import"


class ImportEmpty(DomainError):
    code = "import-empty"
    status = 422
    title = "The import holds no rows"


@dataclass(frozen=True)
class Accepted:
    job: ImportJob
    new: bool  # False: a re-upload of a file whose job is still the answer


@dataclass(frozen=True)
class JobSettings:
    worker: str
    chunk_rows: int = 50
    lease_seconds: float = 30.0
    max_attempts: int = 5


async def accept_import(
    uow: NominationUnitOfWork,
    principal: Principal,
    rows: list[Any],
    *,
    submit_rows: bool,
    fingerprint: str,
) -> Accepted:
    """Queue an upload as a job, one pending row per uploaded row. A re-upload of the same file
    (same uploader scope, same bytes, same submit flag) while its job is unfinished, or after it
    completed without a rejected row, is that job: nothing new is queued. An upload without a
    single row (`{"rows": []}`, a CSV of its header only) is refused: no job is queued."""
    if not rows:
        raise ImportEmpty("The upload holds no rows: nothing to import.")
    scope = scope_of(principal)
    same = await uow.imports.same_upload(scope, fingerprint)
    if same is not None:
        return Accepted(same, new=False)
    job = await uow.imports.add(
        ImportJob(
            id=uuid4(),
            scope=scope,
            fingerprint=fingerprint,
            submit=submit_rows,
            actor=actor_of(principal),
            rows_total=len(rows),
        ),
        rows,
    )
    uow.audit(
        "nomination.import_accepted",
        "import",
        str(job.id),
        after={"rows": len(rows), "submit": submit_rows},
    )
    await uow.commit()
    log.info("nomination.import_accepted", import_id=str(job.id), rows=len(rows))
    return Accepted(job, new=True)


async def read_import(
    uow: NominationUnitOfWork, principal: Principal, job_id: UUID
) -> tuple[ImportJob, list[LineResult]]:
    """The job and, once it finished, the results of its rows (a poll of a running job stays
    cheap whatever the file's size); another scope's job does not exist."""
    job = await uow.imports.get(job_id)
    if job is None or (principal.is_sco_only and job.scope != scope_of(principal)):
        raise ImportNotFound("No import with this id.")
    return job, (await uow.imports.results(job_id) if job.finished else [])


async def claim_import(
    new_uow: UnitOfWorkFactory,
    actor: Principal,
    settings: JobSettings,
    job_id: UUID | None = None,
) -> ImportJob | None:
    """Claim a queued job (or one whose lease lapsed) in a short transaction of its own."""
    async with new_uow(actor) as uow:
        job = await uow.imports.claim(settings.worker, settings.lease_seconds, job_id)
        await uow.commit()
    return job


async def run_import_job(
    new_uow: UnitOfWorkFactory,
    job: ImportJob,
    parse: ParseRow,
    *,
    settings: JobSettings,
    config: Config,
    today: Callable[[], date],
) -> ImportJob:
    """Work a claimed job to its end: chunk after chunk, each chunk's rows, their results and
    the job's progress in one transaction (the job row locked, the lease extended). Stops early
    when another worker took the lease over. A job claimed `max_attempts` times fails."""
    principal = job.principal()
    if job.attempts > settings.max_attempts:
        async with new_uow(principal) as uow:
            job = await uow.imports.finish(job.id, "failed", "gave up after repeated crashes")
            await uow.commit()
        log.warning("nomination.import_failed", import_id=str(job.id), attempts=job.attempts)
        return job
    while True:
        async with new_uow(principal) as uow:
            if not await uow.imports.hold(job.id, settings.worker, settings.lease_seconds):
                log.info("nomination.import_lease_lost", import_id=str(job.id))
                return job
            pending = await uow.imports.pending(job.id, settings.chunk_rows)
            if not pending:
                job = await uow.imports.finish(job.id, "completed")
                summary = {"created": job.created, "existing": job.existing}
                uow.audit(
                    "nomination.imported",
                    "import",
                    str(job.id),
                    after={**summary, "rejected": job.rejected, "submit": job.submit},
                )
                await uow.commit()
                log.info(
                    "nomination.imported", import_id=str(job.id), rejected=job.rejected, **summary
                )
                return job
            lines = [parse(number, raw) for number, raw in pending]
            results = await import_lines(
                uow, principal, lines, submit_rows=job.submit, config=config, today=today()
            )
            job = await uow.imports.record(job.id, results)
            await uow.commit()

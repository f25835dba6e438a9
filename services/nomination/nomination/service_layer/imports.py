"""Bulk import of a country's program: hundreds of nominations in one request, one result per row.

Each row is its own savepoint: a row that fails stores and publishes nothing, and the others go
on. A row's natural key - country + passport number + class - identifies it: importing the same
file again finds the candidate and the open nomination and creates nothing new ("existing", with
the ids). A passport already registered to a different person is refused, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from uuid import UUID, uuid4

from nomination.domain.candidate import Person, normalize_name
from nomination.service_layer.authorization import require_own_country
from nomination.service_layer.candidates import add_candidate
from nomination.service_layer.config import Config
from nomination.service_layer.nominations import add_draft, submit
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal
from shared.errors import DomainError
from shared.observability import get_logger

log = get_logger("nomination.imports")

RowStatus = Literal["created", "existing", "rejected"]


@dataclass(frozen=True)
class ImportLine:
    """One parsed input row: the candidate's and nomination's values, or why it is unreadable."""

    line: int
    candidate: dict[str, Any] = field(default_factory=dict)
    nomination: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class LineResult:
    line: int
    status: RowStatus
    candidate_id: UUID | None = None
    nomination_id: UUID | None = None
    nomination_status: str | None = None
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


async def _import_line(
    uow: NominationUnitOfWork,
    principal: Principal,
    line: ImportLine,
    *,
    submit_rows: bool,
    config: Config,
    today: date,
) -> LineResult:
    values = line.candidate
    require_own_country(principal, values["country"])
    candidate = await uow.candidates.by_passport(values["country"], values["passport_number"])
    if candidate is None:
        candidate = await add_candidate(uow, principal, values, config.fingerprint_key)
    elif not _same_person(candidate.person, _person(values)):
        raise CandidateMismatch(
            "The passport number is registered to a candidate with other names."
        )
    existing = await uow.nominations.open_for(candidate.id, line.nomination["class_id"])
    if existing is not None:
        return LineResult(line.line, "existing", candidate.id, existing.id, existing.status)
    row = await add_draft(uow, principal, {**line.nomination, "candidate_id": candidate.id})
    if submit_rows:
        row = await submit(uow, principal, row.id, config, today)
    return LineResult(line.line, "created", candidate.id, row.id, row.status)


def _errors_of(exc: DomainError) -> list[dict[str, Any]]:
    listed = exc.extra.get("errors")
    if isinstance(listed, list):
        return listed
    return [{"code": exc.code, "field": None, "message": exc.detail}]


async def import_program(
    uow: NominationUnitOfWork,
    principal: Principal,
    lines: list[ImportLine],
    *,
    submit_rows: bool,
    config: Config,
    today: date,
) -> ImportResult:
    """Create (or find) the candidate and the nomination of every row; drafts, or submitted
    through the same validation at the door when `submit_rows`. One result per row."""
    results: list[LineResult] = []
    for line in lines:
        if line.errors:
            results.append(LineResult(line.line, "rejected", errors=line.errors))
            continue
        try:
            async with uow.savepoint():
                result = await _import_line(
                    uow, principal, line, submit_rows=submit_rows, config=config, today=today
                )
        except DomainError as exc:
            result = LineResult(line.line, "rejected", errors=_errors_of(exc))
        results.append(result)
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

"""A bulk import as a job (ADR 0128): one upload, its progress and one result per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from shared.auth.principal import Principal

RowStatus = Literal["created", "existing", "rejected"]
JobStatus = Literal["queued", "running", "completed", "failed"]
FINISHED: frozenset[str] = frozenset({"completed", "failed"})


@dataclass(frozen=True)
class LineResult:
    line: int
    status: RowStatus
    candidate_id: UUID | None = None
    nomination_id: UUID | None = None
    nomination_status: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportJob:
    id: UUID
    scope: str  # the uploader's country, or "*" for a role that is not scoped to one
    fingerprint: str  # sha256 of (submit flag, uploaded body)
    submit: bool
    actor: dict[str, Any]  # the uploader, whose rights every row is imported with
    rows_total: int
    status: JobStatus = "queued"
    rows_done: int = 0
    created: int = 0
    existing: int = 0
    rejected: int = 0
    attempts: int = 0
    claimed_by: str | None = None
    error: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def principal(self) -> Principal:
        a = self.actor
        return Principal(
            subject=a["subject"],
            roles=frozenset(a.get("roles", ())),
            country=a.get("country"),
            client_id=a.get("client_id"),
        )


def actor_of(principal: Principal) -> dict[str, Any]:
    return {
        "subject": principal.subject,
        "roles": sorted(principal.roles),
        "country": principal.country,
        "client_id": principal.client_id,
    }


def scope_of(principal: Principal) -> str:
    return (principal.country or "*") if principal.is_sco_only else "*"

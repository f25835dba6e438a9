"""`/api/v1/ops/dlq`: the dead letters for admins, through the gateway (ADR 0106).

- `GET /api/v1/ops/dlq?topic=&since=&limit=`: the dead letters (no payloads), oldest first per
  partition;
- `GET /api/v1/ops/dlq/{dlq_id}`: one of them with its headers, error and decoded payload;
  400 for an id that is not `<dlq topic>:<partition>:<offset>`, 404 when there is none;
- `POST /api/v1/ops/dlq/replay` `{"ids": [...]}` | `{"topic": ...}` | `{"all": true}`, with
  `dry_run`: re-publishes to the original topics (the consumers' inbox applies a record once
  however often it is replayed).

Admins only (`admin` role; 401 without a valid token, 403 for any other role), with the same
token checks as the proxy path (revoked clients refused). A replay writes one audit row per
record (`dlq.replayed`) in the gateway schema BEFORE anything is sent: without the gateway's
database there is no audit trail, so there is no replay (503). Reads are logged, not audited
(they change nothing). The broker is read by the shared `DeadLetterStore` (no consumer group).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.clients.store import ClientStore, record_operation
from gateway.revocations import RevocationList
from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenVerifier
from shared.http.auth import bearer_token, unauthorized
from shared.http.problems import ProblemException
from shared.messaging.dlq import (
    DeadLetter,
    DeadLetterFilter,
    DeadLetterId,
    DeadLetterStore,
    DeadLetterUnavailable,
    InvalidDeadLetterId,
    UnknownTopic,
)
from shared.messaging.dlq.records import ID_PATTERN
from shared.observability import get_logger
from shared.settings import PlatformSettings

PREFIX = "/api/v1/ops/dlq"
MAX_REPLAY = 1000
log = get_logger("gateway.ops_dlq")
_SECURITY: dict[str, Any] = {"security": [{"bearerAuth": []}, {"oauth2": []}]}
_ID_EXAMPLE = "imet.vetting.events.dlq:0:42"
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid bearer token (problem+json)"},
    403: {"description": "Not an admin (problem+json)"},
    503: {"description": "The broker did not answer in time (problem+json)"},
}


async def admin(request: Request) -> Principal:
    """The verified caller, an admin; 401 / 403 problem+json otherwise."""
    verifier: TokenVerifier = request.app.state.verifier
    revocations: RevocationList | None = getattr(request.app.state, "revocations", None)
    try:
        principal = await verifier.averify(bearer_token(request.headers.get("authorization")))
        if revocations is not None:
            revocations.check(principal)
    except AuthError as exc:
        raise unauthorized(exc) from None
    if Role.ADMIN not in principal.roles:
        raise ProblemException(403, "forbidden", "Forbidden", "Dead letters are for admins.")
    return principal


Admin = Annotated[Principal, Depends(admin)]


class ErrorPublic(BaseModel):
    type: str | None
    code: str | None
    detail: str | None


class DeadLetterSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _ID_EXAMPLE, "topic": "imet.vetting.events.dlq", "partition": 0, "offset": 42,
        "key": "5b1f0c1e-2a8e-4f3c-9d1a-7c2e4b6a8f10",
        "timestamp": "2026-12-04T01:02:03.456000+00:00",
        "event_id": "0d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
        "event_type": "imet.vetting.case_decided.v1", "consumer": "nomination",
        "original_topic": "imet.vetting.events", "original_partition": 0, "original_offset": 1337,
        "error": {"type": "InvalidTextRepresentationError", "code": "sqlstate.22P02",
                  "detail": None},
        "attempts": 3, "failed_at": "2026-12-04T01:02:03.400000+00:00", "replayed_from": None,
    }]})  # fmt: skip

    id: str
    topic: str
    partition: int
    offset: int
    key: str | None
    timestamp: str | None
    event_id: str | None
    event_type: str | None
    consumer: str | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    error: ErrorPublic
    attempts: int | None
    failed_at: str | None
    replayed_from: str | None


class DeadLetterDetail(DeadLetterSummary):
    headers: dict[str, str]
    payload: Any = Field(description="The value as JSON when it is JSON, else text or base64.")


class DeadLetterList(BaseModel):
    items: list[DeadLetterSummary]
    total: int = Field(description="Dead letters matching the filter (items holds `limit`).")


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"ids": [_ID_EXAMPLE], "dry_run": True}, {"topic": "imet.vetting.events"},
    ]})  # fmt: skip

    ids: list[str] | None = Field(None, min_length=1, max_length=MAX_REPLAY)
    topic: str | None = Field(None, max_length=249)
    all: Literal[True] | None = None
    dry_run: bool = False

    @model_validator(mode="after")
    def _one_selection(self) -> ReplayRequest:
        if sum(x is not None for x in (self.ids, self.topic, self.all)) != 1:
            raise ValueError("name exactly one of ids, topic or all")
        return self


class ReplayedPublic(BaseModel):
    id: str
    topic: str
    partition: int | None
    offset: int | None


class ReplayAnswer(BaseModel):
    dry_run: bool
    count: int
    replayed: list[ReplayedPublic]


def _bad_request(detail: str) -> ProblemException:
    return ProblemException(400, "bad-request", "Bad request", detail)


def _unavailable(exc: Exception) -> ProblemException:
    log.warning("dlq.broker_unavailable", error=type(exc).__name__)
    return ProblemException(503, "unavailable", "Broker unavailable",
                            "The broker did not serve the dead letters in time.",
                            headers={"Retry-After": "5"})  # fmt: skip


def _parse(text: str) -> DeadLetterId:
    try:
        return DeadLetterId.parse(text)
    except InvalidDeadLetterId as exc:
        raise _bad_request(str(exc)) from None


class DeadLetterOps:
    def __init__(self, store: DeadLetterStore, clients: Callable[[], ClientStore | None]) -> None:
        self.store = store
        self._clients = clients  # the gateway's database, when it has one

    async def find(self, where: DeadLetterFilter) -> list[DeadLetter]:
        try:
            return await self.store.find(where)
        except UnknownTopic as exc:
            raise _bad_request(str(exc)) from None
        except (DeadLetterUnavailable, OSError, TimeoutError) as exc:
            raise _unavailable(exc) from None

    async def get(self, letter_id: DeadLetterId) -> DeadLetter:
        try:
            letter = await self.store.get(letter_id)
        except (DeadLetterUnavailable, OSError, TimeoutError) as exc:
            raise _unavailable(exc) from None
        if letter is None:
            raise ProblemException(404, "not-found", "Not found", f"No dead letter {letter_id}.")
        return letter

    async def replay(self, body: ReplayRequest, principal: Principal) -> ReplayAnswer:
        if body.ids is not None:
            letters = [await self.get(i) for i in dict.fromkeys(_parse(t) for t in body.ids)]
        else:
            letters = await self.find(DeadLetterFilter(topic=body.topic))
        if len(letters) > MAX_REPLAY:
            raise _bad_request(f"{len(letters)} dead letters: replay at most {MAX_REPLAY} at a "
                               "time (name ids, or use `imet dlq replay`).")  # fmt: skip
        actor = f"admin:{principal.subject}"
        if not body.dry_run:
            store = self._clients()
            if store is None:
                raise ProblemException(503, "unavailable", "Audit trail unavailable",
                                       "Replays are audited in the gateway's database, which "
                                       "this gateway has not configured.")  # fmt: skip
            await record_operation(
                store.engine, actor=principal.subject, roles=sorted(principal.roles),
                action="dlq.replayed", entity_type="dead_letter",
                entity_ids=[str(letter.id) for letter in letters],
                after={"to": sorted({letter.id.original_topic for letter in letters})},
            )  # fmt: skip
        try:
            done = await self.store.replay(letters, actor=actor, dry_run=body.dry_run)
        except (OSError, TimeoutError) as exc:
            raise _unavailable(exc) from None
        log.info("dlq.replay", actor=principal.subject, count=len(done), dry_run=body.dry_run)
        return ReplayAnswer(
            dry_run=body.dry_run, count=len(done),
            replayed=[ReplayedPublic.model_validate(r.as_dict()) for r in done],
        )  # fmt: skip


def install_dlq_routes(
    app: FastAPI, platform: PlatformSettings, clients: Callable[[], ClientStore | None]
) -> DeadLetterOps:
    ops = DeadLetterOps(DeadLetterStore(platform), clients)
    app.openapi_tags = [*(app.openapi_tags or []), {"name": "ops", "description": (
        "Operations, admins only: the dead letters on the broker, and their replay.")}]  # fmt: skip
    router = APIRouter(prefix=PREFIX, tags=["ops"])

    @router.get("", response_model=DeadLetterList, responses=_PROBLEMS, openapi_extra=_SECURITY)
    async def list_dead_letters(
        principal: Admin,
        topic: Annotated[
            str | None,
            Query(
                max_length=249,
                description=("A topic (imet.vetting.events), its physical name or its DLQ's name"),
            ),
        ] = None,
        since: Annotated[datetime | None, Query(description="Dead-lettered at or after")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> DeadLetterList:
        """The dead letters on the broker, oldest first per partition. Admins."""
        letters = await ops.find(DeadLetterFilter(topic=topic, since=since))
        log.info("dlq.listed", actor=principal.subject, count=len(letters))
        return DeadLetterList(
            items=[DeadLetterSummary.model_validate(d.summary()) for d in letters[:limit]],
            total=len(letters),
        )

    @router.post("/replay", response_model=ReplayAnswer, openapi_extra=_SECURITY,
                 responses={**_PROBLEMS, 400: {"description": "A bad id or selection"},
                            404: {"description": "No dead letter with an id"}})  # fmt: skip
    async def replay_dead_letters(principal: Admin, body: ReplayRequest) -> ReplayAnswer:
        """Re-publish dead letters to their original topics (audited; `dry_run` sends none).
        A record replayed twice is applied once (the consumers' inbox). Admins."""
        return await ops.replay(body, principal)

    @router.get("/{dlq_id}", response_model=DeadLetterDetail, openapi_extra=_SECURITY,
                responses={**_PROBLEMS, 400: {"description": "Not a dead letter id"},
                           404: {"description": "No such dead letter"}})  # fmt: skip
    async def get_dead_letter(
        principal: Admin,
        dlq_id: Annotated[
            str,
            Path(max_length=300, examples=[_ID_EXAMPLE], json_schema_extra={"pattern": ID_PATTERN}),
        ],
    ) -> DeadLetterDetail:
        """One dead letter: headers, error, and the payload decoded. Admins."""
        letter = await ops.get(_parse(dlq_id))
        log.info("dlq.shown", actor=principal.subject, id=str(letter.id))
        return DeadLetterDetail.model_validate(letter.detail())

    app.include_router(router)
    return ops

"""`Idempotency-Key` on state-changing requests: a retry gets the first answer, not a new effect.

A POST/PUT/PATCH/DELETE that carries `Idempotency-Key` (1-200 visible ASCII characters, else
400) and a bearer token that verifies is run at most once per (principal subject, key):

1. Claim, in its own short transaction: `INSERT ... state='pending' ON CONFLICT DO NOTHING`.
   If the key already exists:
   - another request (method, path + query, body: sha256 fingerprint) -> 422
     `idempotency-key-reused`, whatever the row's state;
   - same request, 'done' -> the stored status, headers and body, plus `Idempotent-Replayed: true`;
   - same request, 'pending' -> 409 `idempotency-in-progress` with `Retry-After: 1`, unless the
     row is older than `stale_after` (default 60 s: that attempt died); then this request takes
     the row over (one taker wins: the update is conditional) and runs.
2. Record, in a second transaction after the app answered and BEFORE the answer is forwarded:
   a complete answer below 500 (except the transient 408/425/429) is stored and the row becomes
   'done'; a 5xx, a transient status or an exception before any answer deletes the row, so a
   retry runs again. Holding the answer until it is recorded costs one short transaction of
   latency and buys this: an answer a client received is always the one a retry replays (a
   process killed between answering and recording would otherwise leave the key pending, and
   the retry after `stale_after` would run again and answer differently - found by the fault
   suite's SIGKILL of an API process mid-request).

Invariants:
- The claim's `created_at` (database clock) is the attempt's ownership token: step 2 writes or
  deletes only the row it claimed, so an attempt that was declared stale and taken over cannot
  overwrite the newer attempt's result.
- Requests without the header, without a verified principal, or with other methods pass through
  untouched (the route answers 401 itself). Keys are scoped per principal subject.
- Rows older than `retention` (default 24 h) are purged every `purge_every` claims (default 100)
  by `purge_expired`, which a periodic job may also call.

Known window: if the process dies (or the request is cancelled) after the business transaction
committed but before step 2, the client got no answer, the key stays 'pending' until it is
stale, and a retry after that runs the request again. Business rules (unique constraints,
state guards) are the second line of defense against a duplicate effect.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth.principal import Principal
from shared.auth.tokens import AuthError
from shared.http.auth import bearer_token
from shared.http.problems import problem_response
from shared.observability import get_logger

HEADER = b"idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_TRANSIENT = frozenset({408, 425, 429})
# Per-response or per-connection headers: everything else the app set is replayed.
_NOT_REPLAYED = frozenset(
    {
        "date", "server", "x-request-id", "traceparent", "tracestate", "content-length",
        "transfer-encoding", "connection", "keep-alive", "set-cookie", "idempotent-replayed",
    }
)  # fmt: skip

log = get_logger("http.idempotency")


class TokenVerifierLike(Protocol):
    async def averify(self, token: str) -> Principal: ...


def request_fingerprint(method: str, target: bytes, body: bytes) -> str:
    """sha256 hex of the method, the raw path with its query string, and the raw body."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), target, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def purge_expired(
    sessions: async_sessionmaker[AsyncSession], table: Table, older_than: timedelta
) -> int:
    """Delete the keys created more than `older_than` ago (any state); returns how many."""
    async with sessions() as session, session.begin():
        result = await session.execute(
            delete(table).where(table.c.created_at < func.now() - older_than)
        )
    return cast(CursorResult[Any], result).rowcount


@dataclass
class _Captured:
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    complete: bool = False


class IdempotencyMiddleware:
    """Pure ASGI; see the module docstring for the protocol."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: async_sessionmaker[AsyncSession],
        table: Table,
        verifier: TokenVerifierLike,
        stale_after: timedelta = timedelta(seconds=60),
        retention: timedelta = timedelta(hours=24),
        purge_every: int = 100,
        max_body_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.table = table
        self.verifier = verifier
        self.stale_after = stale_after
        self.retention = retention
        self.purge_every = purge_every
        self.max_body_bytes = max_body_bytes
        self._runs = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        keys = [bytes(v).decode("latin-1") for k, v in headers if k == HEADER]
        if not keys:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if len(keys) > 1 or not _VALID_KEY.fullmatch(keys[0]):
            detail = "Idempotency-Key must be one header of 1-200 visible ASCII characters."
            response = problem_response(
                400, "invalid-idempotency-key", "Invalid Idempotency-Key", detail, instance=path
            )
            await response(scope, receive, send)
            return
        principal = await self._principal(headers)
        if principal is None:
            await self.app(scope, receive, send)
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        target = bytes(scope.get("raw_path") or path.encode())
        if scope.get("query_string"):
            target += b"?" + bytes(scope["query_string"])
        request = _Request(
            principal=principal.subject[:200],
            key=keys[0],
            method=scope["method"],
            path=target.decode("latin-1"),
            fingerprint=request_fingerprint(scope["method"], target, body),
        )
        claim = await self._claim(request)
        if isinstance(claim, datetime):
            await self._run(scope, _replaying(body, receive), send, request, claim)
        else:
            await claim(scope, receive, send)

    async def _principal(self, headers: list[tuple[bytes, bytes]]) -> Principal | None:
        authorization = next((bytes(v) for k, v in headers if k == b"authorization"), None)
        try:
            token = bearer_token(authorization.decode("latin-1") if authorization else None)
            return await self.verifier.averify(token)
        except AuthError:
            return None

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                response = problem_response(
                    413, "payload-too-large", "Request body too large",
                    f"With an Idempotency-Key a body may have at most {self.max_body_bytes} bytes.",
                    instance=scope["path"],
                )  # fmt: skip
                await response(scope, receive, send)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _claim(self, request: _Request) -> datetime | ASGIApp:
        """The ownership token of a claimed row, or the ASGI answer to send instead of running."""
        t = self.table
        this_key = (t.c.principal == request.principal) & (t.c.key == request.key)
        for _ in range(3):  # a row deleted between our insert and our read: claim again
            async with self.sessions() as session, session.begin():
                claimed = await session.scalar(
                    pg_insert(t)
                    .values(
                        principal=request.principal, key=request.key, method=request.method,
                        path=request.path, request_hash=request.fingerprint, state="pending",
                        created_at=func.now(),
                    )
                    .on_conflict_do_nothing(index_elements=[t.c.principal, t.c.key])
                    .returning(t.c.created_at)
                )  # fmt: skip
                if claimed is not None:
                    return claimed
                row = (await session.execute(select(t).where(this_key))).one_or_none()
                if row is None:
                    continue
                if row.request_hash != request.fingerprint:
                    log.info("idempotency.key_reused", **request.log)
                    return problem_response(
                        422, "idempotency-key-reused", "Idempotency-Key reused",
                        "This key was used with a different request.",
                        instance=request.plain_path,
                    )  # fmt: skip
                if row.state == "done":
                    log.info("idempotency.replayed", **request.log)
                    return _replay(row.status_code, row.response_headers, row.response_body)
                taken = await session.scalar(
                    update(t)
                    .where(this_key, t.c.state == "pending", t.c.created_at == row.created_at)
                    .where(t.c.created_at < func.now() - self.stale_after)
                    .values(created_at=func.now())
                    .returning(t.c.created_at)
                )
                if taken is not None:
                    log.warning("idempotency.stale_takeover", **request.log)
                    return taken
                break
        log.info("idempotency.in_progress", **request.log)
        return problem_response(
            409, "idempotency-in-progress", "Request in progress",
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            instance=request.plain_path, headers={"Retry-After": "1"},
        )  # fmt: skip

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, request: _Request, token: datetime
    ) -> None:
        captured = _Captured()
        held: list[Message] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = int(message["status"])
                captured.headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                captured.body.append(bytes(message.get("body", b"")))
                captured.complete = not message.get("more_body", False)
            held.append(message)

        try:
            await self.app(scope, receive, capture)
        except Exception:
            await self._settle(request, token, captured)
            raise
        await self._settle(request, token, captured)
        for message in held:
            await send(message)
        self._runs += 1
        if self.purge_every and self._runs % self.purge_every == 0:
            await self._purge()

    async def _purge(self) -> None:
        try:
            purged = await purge_expired(self.sessions, self.table, self.retention)
        except Exception as exc:  # housekeeping only: the next round tries again
            log.error("idempotency.purge_failed", error_type=type(exc).__name__)
            return
        log.info("idempotency.purged", rows=purged)

    async def _settle(self, request: _Request, token: datetime, captured: _Captured) -> None:
        """Step 2: store a final answer, free the key after a failure, else leave it pending."""
        t = self.table
        mine = (
            (t.c.principal == request.principal)
            & (t.c.key == request.key)
            & (t.c.state == "pending")
            & (t.c.created_at == token)
        )
        status = captured.status
        storable = status is not None and status < 500 and status not in _TRANSIENT
        try:
            async with self.sessions() as session, session.begin():
                if storable and captured.complete:
                    headers = [
                        [k.decode("latin-1"), v.decode("latin-1")]
                        for k, v in captured.headers
                        if k.decode("latin-1").lower() not in _NOT_REPLAYED
                    ]
                    stored = await session.scalar(
                        update(t).where(mine).returning(t.c.key).values(
                            state="done", status_code=status, response_headers=headers,
                            response_body=b"".join(captured.body), completed_at=func.now(),
                        )
                    )  # fmt: skip
                    if stored is None:
                        log.warning("idempotency.ownership_lost", **request.log)
                elif status is None or not storable:
                    await session.execute(delete(t).where(mine))
                else:
                    log.warning("idempotency.answer_incomplete", **request.log)
        except Exception as exc:  # the answer is sent already: the key stays pending until stale
            log.error("idempotency.record_failed", error_type=type(exc).__name__, **request.log)


@dataclass(frozen=True)
class _Request:
    principal: str
    key: str
    method: str
    path: str
    fingerprint: str

    @property
    def plain_path(self) -> str:
        return self.path.split("?", 1)[0]

    @property
    def log(self) -> dict[str, str]:
        """What log lines may carry: no principal, key or query (they may identify a person)."""
        return {"method": self.method, "path": self.plain_path}


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the buffered body once, then defers to the server's."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _replay(status: int, headers: list[list[str]], body: bytes) -> ASGIApp:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw += [
        (b"content-length", str(len(body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return answer

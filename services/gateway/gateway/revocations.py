"""The revocation list: the client ids whose tokens the gateway refuses (docs/adr/0056).

Invariants:
- A token issued to a revoked client is refused (401, reason `revoked`) by every gateway
  replica within `GATEWAY_REVOCATION_REFRESH_SECONDS` (plus one query) of the revocation's
  commit: each replica reloads the set of revoked client ids from its own schema
  (`gateway.client`, status `revoked`) on that interval. Revocation is final and rare, so the
  set is small and reloading it whole is both cheap and obviously right (no missed update).
- The verified-token cache cannot hide a revocation: the check runs on every proxied request,
  after the cache (one set lookup), and a newly revoked client's cache entries are dropped.
- Until the first load succeeds the list is unknown: a token naming a client is refused with
  503 (fail closed), so a replica started while its database is unreachable cannot let a
  revoked client in. Tokens without a client id (people, from an external OIDC issuer) pass.
- When a later refresh fails (database unreachable), the last loaded list stays in force (a
  revocation needs that same database), the failure is logged, and
  `imet_gateway_revocations_age_seconds` grows so that an alert can fire.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Gauge

from shared.auth.principal import Principal
from shared.auth.tokens import AuthError
from shared.http.problems import ProblemException
from shared.observability import get_logger

REFRESH_TIMEOUT_SECONDS = 5.0
log = get_logger("gateway.revocations")
_AGE = Gauge(
    "imet_gateway_revocations_age_seconds",
    "Seconds since the revocation list was last loaded (-1: never)",
)
_REVOKED = Gauge("imet_gateway_revoked_clients", "Revoked client ids the gateway refuses")

Loader = Callable[[], Awaitable[frozenset[str]]]


class RevocationList:
    """The revoked client ids, reloaded every `refresh_seconds` by `run` (one task)."""

    def __init__(
        self,
        load: Loader,
        *,
        refresh_seconds: float,
        on_revoked: Callable[[frozenset[str]], object] = lambda _: None,
    ) -> None:
        self._load = load
        self.refresh_seconds = refresh_seconds
        self._on_revoked = on_revoked
        self.revoked: frozenset[str] = frozenset()
        self.loaded_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        _AGE.set_function(self.age_seconds)

    def age_seconds(self) -> float:
        return -1.0 if self.loaded_at is None else time.monotonic() - self.loaded_at

    def check(self, principal: Principal) -> None:
        """Refuse a principal whose client is revoked (AuthError) or not yet known (503)."""
        client_id = principal.client_id
        if client_id is None:
            return
        if client_id in self.revoked:
            raise AuthError("revoked")
        if self.loaded_at is None:
            raise ProblemException(
                503, "revocations-unavailable", "Service unavailable",
                "The gateway cannot check client revocations yet; retry shortly.",
                headers={"Retry-After": "1"},
            )  # fmt: skip

    async def refresh(self) -> bool:
        """Reload the list; False (and the old list kept) when the database did not answer."""
        try:
            async with asyncio.timeout(REFRESH_TIMEOUT_SECONDS):
                revoked = await self._load()
        except Exception as exc:  # any failure of the database round trip: keep the old list
            log.warning("gateway.revocations_refresh_failed", error=type(exc).__name__,
                        age_seconds=round(self.age_seconds(), 1))  # fmt: skip
            return False
        new = revoked - self.revoked
        self.revoked = revoked
        self.loaded_at = time.monotonic()
        _REVOKED.set(len(revoked))
        if new:
            self._on_revoked(new)
            log.info("gateway.clients_revoked", client_ids=sorted(new))
        return True

    async def start(self) -> None:
        """Load once (a failure leaves the list unknown: fail closed), then keep refreshing."""
        await self.refresh()
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="gateway-revocations")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.refresh_seconds)
            if not self._stop.is_set():
                await self.refresh()

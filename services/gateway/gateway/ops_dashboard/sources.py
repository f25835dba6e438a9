"""What the dashboard shows, read from the services on each page load.

- Service APIs are called with the logged-in user's own bearer token, straight to the service
  (the gateway's upstream sessions), so each service's authorization applies as for any call:
  the page shows only what this user may read.
- The on-call gauges (ADR 0095) come from each service's `/metrics`, which the gateway reaches
  on the service port (it is not public: ADR 0055); they carry no personal data.
- Every source is bounded by `timeout` seconds and fails alone: its section says "unavailable"
  and the rest of the page still renders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from gateway.upstreams import UpstreamPool
from shared.observability import get_logger

T = TypeVar("T")
log = get_logger("gateway.ops_dashboard")

# The nomination pipeline in the order a nomination moves along it, then its off-ramps.
FUNNEL = (
    "draft",
    "submitted",
    "vetting",
    "funding",
    "ready_for_travel",
    "in_training",
    "completed",
)
OFF_RAMPS = (
    "waitlisted",
    "vetting_denied",
    "vetting_suspended",
    "funding_rejected",
    "withdrawn",
    "cancelled",
    "training_terminated",
)
SERVICES = ("catalog", "nomination", "vetting", "funding")
_WANTED = frozenset(
    {
        "imet_outbox_backlog_rows",
        "imet_outbox_oldest_unpublished_seconds",
        "imet_consumer_lag_records",
        "imet_consumer_last_applied_seconds",
        "imet_dlq_records",
        "imet_outbox_relay_leader_present",
        "imet_aggregates_by_state",
        "imet_ops_source_up",
    }
)


class SourceError(Exception):
    """A source that did not answer usefully; the message is shown on the page."""


@dataclass(frozen=True)
class Part(Generic[T]):
    """One section's data, or why it is missing."""

    value: T | None = None
    error: str | None = None


@dataclass(frozen=True)
class Sample:
    name: str
    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True)
class ServiceHealth:
    service: str
    backlog_rows: float | None = None
    oldest_unpublished_seconds: float | None = None
    lag_records: float | None = None
    last_applied_seconds: float | None = None
    relay_leader: float | None = None
    sources_down: tuple[str, ...] = ()


@dataclass
class Figures:
    """Everything one dashboard page shows."""

    generated_at: datetime
    week_start: datetime
    funnel: Part[dict[str, float]] = field(default_factory=Part)
    services: dict[str, Part[ServiceHealth]] = field(default_factory=dict)
    dlq: Part[dict[str, float]] = field(default_factory=Part)
    balances: Part[list[dict[str, Any]]] = field(default_factory=Part)
    vetting: Part[dict[str, Any]] = field(default_factory=Part)
    recalls: Part[list[dict[str, Any]]] = field(default_factory=Part)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of `now`'s ISO week."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def parse_metrics(text: str) -> list[Sample]:
    """The samples of the on-call gauges in a Prometheus text exposition (others ignored)."""
    return [
        Sample(s.name, dict(s.labels), float(s.value))
        for family in text_string_to_metric_families(text)
        if family.name in _WANTED
        for s in family.samples
    ]


def service_health(service: str, samples: list[Sample]) -> ServiceHealth:
    def one(name: str) -> float | None:
        found = [s.value for s in samples if s.name == name and s.labels.get("service") == service]
        return max(found) if found else None

    lags = [
        s.value
        for s in samples
        if s.name == "imet_consumer_lag_records" and s.labels.get("consumer") == service
    ]
    applied = [
        s.value
        for s in samples
        if s.name == "imet_consumer_last_applied_seconds" and s.labels.get("consumer") == service
    ]
    down = tuple(
        sorted(
            s.labels.get("source", "?")
            for s in samples
            if s.name == "imet_ops_source_up" and s.value == 0
        )
    )
    return ServiceHealth(
        service=service,
        backlog_rows=one("imet_outbox_backlog_rows"),
        oldest_unpublished_seconds=one("imet_outbox_oldest_unpublished_seconds"),
        lag_records=sum(lags) if lags else None,
        last_applied_seconds=min(applied) if applied else None,
        relay_leader=one("imet_outbox_relay_leader_present"),
        sources_down=down,
    )


def funnel(samples: list[Sample]) -> dict[str, float]:
    """Nominations per state (`imet_aggregates_by_state` of the nomination service)."""
    counts = {state: 0.0 for state in (*FUNNEL, *OFF_RAMPS)}
    for s in samples:
        if (
            s.name == "imet_aggregates_by_state"
            and s.labels.get("service") == "nomination"
            and s.labels.get("aggregate") == "nomination"
        ):
            counts[s.labels.get("state", "?")] = s.value
    return counts


def dlq_counts(samples: list[Sample]) -> dict[str, float]:
    """Records per dead-letter topic; every consumer of a topic reports it, so the max counts."""
    counts: dict[str, float] = {}
    for s in samples:
        if s.name == "imet_dlq_records":
            topic = s.labels.get("topic", "?")
            counts[topic] = max(counts.get(topic, 0.0), s.value)
    return dict(sorted(counts.items()))


class Sources:
    def __init__(self, pool: UpstreamPool, *, timeout: float = 5.0) -> None:
        self.pool = pool
        self.timeout = timeout

    def _session(self, service: str) -> tuple[aiohttp.ClientSession, str]:
        session = self.pool.sessions.get(service)
        if session is None:
            raise SourceError("the gateway is not started")
        [upstream] = [u for u in self.pool.table.upstreams if u.name == service]
        return session, upstream.base_url

    async def api(
        self, service: str, path: str, token: str, params: Mapping[str, str] | None = None
    ) -> Any:
        """GET a service route as the user (their token); its JSON answer or SourceError."""
        session, base = self._session(service)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with session.get(
            base + path, params=params, headers=headers, timeout=timeout
        ) as response:
            if response.status in (401, 403):
                raise SourceError(f"{service} refused this user ({response.status})")
            if response.status != 200:
                raise SourceError(f"{service} answered {response.status}")
            return await response.json(content_type=None)

    async def metrics(self, service: str) -> list[Sample]:
        session, base = self._session(service)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with session.get(base + "/metrics", timeout=timeout) as response:
            if response.status != 200:
                raise SourceError(f"{service} /metrics answered {response.status}")
            return parse_metrics((await response.read()).decode("utf-8", errors="replace"))

    async def gather(self, token: str, now: datetime) -> Figures:
        monday = week_start(now)
        figures = Figures(generated_at=now, week_start=monday)
        scraped = await asyncio.gather(*(_part(partial(self.metrics, s)) for s in SERVICES))
        by_service = dict(zip(SERVICES, scraped, strict=True))
        every: list[Sample] = []
        for service, part in by_service.items():
            if part.value is None:
                figures.services[service] = Part(error=part.error)
            else:
                every += part.value
                figures.services[service] = Part(service_health(service, part.value))
        nomination = by_service["nomination"]
        figures.funnel = (
            Part(funnel(nomination.value))
            if nomination.value is not None
            else Part(error=nomination.error)
        )
        figures.dlq = Part(dlq_counts(every)) if every else Part(error="no service answered")
        since = monday.isoformat()
        balances, vetting, recalls = await asyncio.gather(
            _part(lambda: self.api("funding", "/api/v1/funding/balances", token, {"limit": "100"})),
            _part(lambda: self.api("vetting", "/api/v1/vetting/statistics", token)),
            _part(
                lambda: self.api(
                    "nomination",
                    "/api/v1/nominations/travel-orders",
                    token,
                    {"status": "recalled", "recalled_since": since, "limit": "100"},
                )
            ),
        )
        figures.balances = _items(balances)
        figures.vetting = vetting
        figures.recalls = _items(recalls)
        return figures


def _items(part: Part[Any]) -> Part[list[dict[str, Any]]]:
    if part.value is None:
        return Part(error=part.error)
    items = part.value.get("items") if isinstance(part.value, dict) else None
    return Part(items) if isinstance(items, list) else Part(error="unexpected answer")


async def _part(read: Callable[[], Awaitable[T]]) -> Part[T]:
    try:
        return Part(await read())
    except SourceError as exc:
        return Part(error=str(exc))
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        log.warning("ops_dashboard.source_failed", error=type(exc).__name__)
        return Part(error=f"unavailable ({type(exc).__name__})")

"""One round of the relay: claim, wait for the commit-order horizon, send, mark.

Each step is a statement of its own on the relay's work connection (autocommit): no transaction
is open while the broker is asked (issue 10 #6). Claiming needs no row lock: only the leader
claims, and if two leaders ever overlap (a handover), both send and consumers drop the repeats.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.messaging.horizon import OutboxHorizon
from shared.messaging.idle import PUBLISHED_CHANNEL
from shared.messaging.metrics import BROKER_UP, PUBLISHED
from shared.messaging.relay_sender import send_rows
from shared.observability import get_logger

log = get_logger("messaging.relay")

_CLAIM = """
SELECT seq, id, aggregateid, topic, payload::text AS payload, headers::text AS headers
FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1
"""
# Mark what the broker acknowledged and wake idle consumers of those topics (idle.py).
_MARK = """
WITH marked AS (
  UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[]) AND published_at IS NULL
)
SELECT pg_notify($2, topic) FROM unnest($3::text[]) AS topic
"""


class PublishFailed(RuntimeError):
    pass


async def publish_round(
    work: asyncpg.Connection,
    horizon: OutboxHorizon,
    get_producer: Callable[[], Awaitable[AIOKafkaProducer]],
    *,
    service: str,
    batch_size: int,
    prefix: str,
    ack_timeout: float,
    aborted: Callable[[], bool],
) -> int:
    """Publish what may be published now; the number of rows marked published."""
    rows = await work.fetch(_CLAIM, batch_size)
    if not rows:
        return 0
    ready = horizon.publishable(rows)
    if not ready:
        await horizon.resolve(work, aborted)
        # Claim again: rows of the transactions we waited for are visible only now, and they
        # may come before the ones claimed above.
        ready = horizon.publishable(await work.fetch(_CLAIM, batch_size))
    if not ready:
        return 0
    try:
        producer = await get_producer()
        result = await send_rows(producer, ready, prefix=prefix, ack_timeout=ack_timeout)
    except Exception as exc:  # broker unreachable, metadata timeout, ...
        raise PublishFailed(type(exc).__name__) from exc
    if result.acked:
        await work.fetch(_MARK, result.acked, PUBLISHED_CHANNEL, sorted(result.topics))
        PUBLISHED.labels(service).inc(len(result.acked))
        BROKER_UP.labels(service, "relay").set(1)
        log.debug("outbox.published", service=service, count=len(result.acked))
    if result.failure is not None:
        raise PublishFailed(type(result.failure).__name__) from result.failure
    return len(result.acked)

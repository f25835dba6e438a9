"""Retention: prune published outbox rows and inbox rows no duplicate can need any more.

Runs in every service's `jobs` role, a minute after start and then every
`RETENTION_INTERVAL_SECONDS`, in batches of `RETENTION_BATCH_SIZE` rows, each batch a
transaction that first takes a transaction-scoped advisory lock: with several instances, one
works and the others skip the round.

- outbox: a row published more than `OUTBOX_RETENTION_DAYS` ago. The relay never reads a
  published row again; the rows are kept a while only to look into (and for a CDC switch-over).
- inbox: the inbox makes re-deliveries idempotent. Two kinds exist. (a) A replay of records
  the stored offset already covers is skipped by the offset check alone (applier.py), inbox or
  not. (b) A producer's re-send (a lost ack) arrives at a LATER offset of the same partition; a
  relay re-sends a row only until it has marked it published, which happens within seconds of
  the first send unless every relay of that service stays down. So a row is deleted only when
  its partition has been consumed up to records the producer wrote at least
  `INBOX_RETENTION_DAYS` after the event was applied (`consumer_offset.record_time`, the
  producer timestamp of the newest record applied there), and it is that old itself. A
  partition that is idle or stuck keeps its rows. Rows from before the columns existed (no
  partition) go by age alone. What this does not cover: replaying a partition by lowering its
  offset further back than `INBOX_RETENTION_DAYS` (the replay horizon) applies the events
  before the horizon again; and a relay stuck between send and mark for longer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from shared.messaging.backoff import sleep_or_stop
from shared.messaging.locks import lock_key
from shared.messaging.metrics import RETENTION_DELETED, RETENTION_RUNS
from shared.observability import get_logger

log = get_logger("messaging.retention")
FIRST_ROUND_AFTER_SECONDS = 60.0

_OUTBOX = text("""
DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox
  WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => :seconds)
  LIMIT :batch)
""")
_INBOX = text("""
DELETE FROM inbox i USING (
  SELECT n.consumer, n.message_id FROM inbox n
  LEFT JOIN consumer_offset o
    ON o.consumer = n.consumer AND o.topic = n.topic AND o.partition = n.partition
  WHERE n.received_at < now() - make_interval(secs => :seconds)
    AND (n.partition IS NULL
         OR o.record_time >= n.received_at + make_interval(secs => :seconds))
  LIMIT :batch) d
WHERE i.consumer = d.consumer AND i.message_id = d.message_id
""")


@dataclass(frozen=True)
class RetentionPolicy:
    outbox_days: float = 7.0
    inbox_days: float = 14.0
    batch_size: int = 1000

    @classmethod
    def from_settings(cls, settings: Any) -> RetentionPolicy:
        return cls(
            settings.outbox_retention_days,
            settings.inbox_retention_days,
            settings.retention_batch_size,
        )


async def prune_once(runtime: Any, policy: RetentionPolicy) -> dict[str, int] | None:
    """One round; rows deleted per table, or None when another instance holds the lock."""
    key = lock_key(f"retention:{runtime.definition.schema}")
    deleted = {"outbox": 0, "inbox": 0}
    plan = (("outbox", _OUTBOX, policy.outbox_days), ("inbox", _INBOX, policy.inbox_days))
    for table, statement, days in plan:
        while True:
            async with runtime.sessions() as session:
                locked = await session.execute(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}
                )
                if not locked.scalar_one():
                    return None
                params = {"seconds": days * 86400, "batch": policy.batch_size}
                count = (await session.execute(statement, params)).rowcount or 0
                await session.commit()
            deleted[table] += count
            RETENTION_DELETED.labels(runtime.definition.name, table).inc(count)
            if count < policy.batch_size:
                break
    return deleted


async def retention_job(
    runtime: Any,
    stop: asyncio.Event,
    *,
    policy: Callable[[Any], RetentionPolicy] = RetentionPolicy.from_settings,
) -> None:
    """The job loop: a round, then wait the interval (or stop)."""
    service = runtime.definition.name
    interval = runtime.settings.retention_interval_seconds
    wait = min(FIRST_ROUND_AFTER_SECONDS, interval)  # a process restarted often prunes too
    while not await sleep_or_stop(stop, wait):
        wait = interval
        try:
            deleted = await prune_once(runtime, policy(runtime.settings))
        except Exception as exc:
            RETENTION_RUNS.labels(service, "failed").inc()
            log.warning("retention.round_failed", service=service, error=type(exc).__name__)
            continue
        RETENTION_RUNS.labels(service, "skipped" if deleted is None else "done").inc()
        if deleted and any(deleted.values()):
            log.info("retention.pruned", service=service, **deleted)

"""The messaging invariants every fault scenario ends with (business ones: `business.py`).

For the records since the scenario's mark, read from the stack's database and the broker:
- every outbox row published; every consumer's stored offset at the end of each partition;
- every event delivered: each record of a type a consumer reacts to has its inbox row;
- no effect applied twice: no (cause event, action, entity) audited twice in any schema;
- the DLQs hold exactly the poison records, once per consumer that must reject each;
- per-key order as consumed: each consumer applies a partition in log order, skipping ids it
  already has (inbox), so what it applied per key is the first occurrence of each event id in
  the log; that order must be the producer's outbox order (`seq`) for the key.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from imet.services import DOMAIN_SERVICES, definition
from shared.messaging.kafka import LOGICAL_TOPICS, dlq_topic
from tests.helpers.kafka import end_offsets as true_end_offsets
from tests.helpers.timing import scaled

Record = ConsumerRecord[Any, Any]


# {service: {topic: event types its consumer reacts to}} (others on the topic it skips).
Consumes = dict[str, dict[str, set[str]]]


def consumed_by(env: dict[str, str]) -> Consumes:
    """What each service's consumer reacts to; its reactions read its settings from `env`."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        found: Consumes = {}
        for service in DOMAIN_SERVICES:
            topics: dict[str, set[str]] = defaultdict(set)
            for model in definition(service).reactions():
                topics[model.TOPIC].add(model.TYPE)
            found[service] = dict(topics)
        return found
    finally:
        os.environ.clear()
        os.environ.update(saved)


def headers(record: Record) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers}


# --- the broker ------------------------------------------------------------------------------
async def _consumer(servers: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    return consumer


async def end_offsets(servers: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    return await true_end_offsets(list(topics), servers=servers)


async def read_since(servers: str, starts: dict[TopicPartition, int]) -> list[Record]:
    """Every record from each partition's start offset up to its (true) end right now."""
    ends = await end_offsets(servers, sorted({tp.topic for tp in starts}))
    tps = [tp for tp in starts if ends.get(tp, 0) > starts[tp]]
    if not tps:
        return []  # (no consumer at all: aiokafka fails a stop() right after start())
    consumer = await _consumer(servers)
    try:
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, starts[tp])
        records: list[Record] = []
        remaining = set(tps)
        while remaining:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, recs in batch.items():
                records.extend(r for r in recs if r.offset < ends[tp])
                if recs and recs[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()


ALL_TOPICS = [*LOGICAL_TOPICS, *(dlq_topic(t) for t in LOGICAL_TOPICS)]


@dataclass
class Mark:
    """Where the logs and the clock stood when a scenario began."""

    offsets: dict[TopicPartition, int]
    db_time: Any

    @classmethod
    async def take(cls, servers: str, dsn: str) -> Mark:
        conn = await asyncpg.connect(dsn)
        try:
            now = await conn.fetchval("SELECT now()")
        finally:
            await conn.close()
        return cls(await end_offsets(servers, ALL_TOPICS), now)


@dataclass(frozen=True)
class Poison:
    topic: str
    key: str
    event_type: str | None  # None: not a CloudEvent at all

    def rejected_by(self, consumes: Consumes) -> set[str]:
        """The consumers that must dead-letter it: all readers of the topic for an
        undecodable record, the ones reacting to its type for a body that fails its model."""
        return {
            s
            for s in DOMAIN_SERVICES
            if self.topic in consumes[s]
            and (self.event_type is None or self.event_type in consumes[s][self.topic])
        }


@dataclass
class Findings:
    violations: list[str] = field(default_factory=list)
    dead_lettered: int = 0

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.violations.append(message)


# --- messaging ---------------------------------------------------------------------------
async def messaging_at_rest(dsn: str, servers: str, consumes: Consumes) -> list[str]:
    """What still moves: unpublished outbox rows, consumers behind the end of a partition."""
    ends = await end_offsets(servers, LOGICAL_TOPICS)
    behind: list[str] = []
    conn = await asyncpg.connect(dsn)
    try:
        for s in DOMAIN_SERVICES:
            left = await conn.fetchval(
                f"SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL"  # noqa: S608
            )
            if left:
                behind.append(f"{s}: {left} outbox rows unpublished")
            stored = {
                (r["topic"], r["partition"]): r["next_offset"]
                for r in await conn.fetch(
                    f"SELECT topic, partition, next_offset FROM {s}.consumer_offset "  # noqa: S608
                    "WHERE consumer = $1", s,
                )
            }  # fmt: skip
            for tp, end in ends.items():
                if tp.topic in consumes[s] and stored.get((tp.topic, tp.partition), 0) != end:
                    behind.append(f"{s} at {stored.get((tp.topic, tp.partition), 0)} of "
                                  f"{end} on {tp.topic}[{tp.partition}]")  # fmt: skip
    finally:
        await conn.close()
    return behind


async def wait_at_rest(
    dsn: str, servers: str, consumes: Consumes, *, stall: float = 60.0
) -> list[str]:
    """Poll until nothing is left to publish or consume; what is still behind once nothing has
    moved for `stall` seconds (scaled). A consumer that is still catching up is waited for: a
    fixed 120 s deadline failed a scenario while the reporting consumer (the one that does the
    most per event) was still applying, hundreds of records behind and advancing."""
    seen: list[str] | None = None
    moved = time.monotonic()
    while True:
        behind = await messaging_at_rest(dsn, servers, consumes)
        if not behind:
            return behind
        if behind != seen:
            seen, moved = behind, time.monotonic()
        elif time.monotonic() - moved > scaled(stall):
            return behind
        await asyncio.sleep(0.5)


async def check_messaging(
    dsn: str, servers: str, consumes: Consumes, mark: Mark, poison: list[Poison], f: Findings
) -> list[Record]:
    """The messaging invariants for everything since `mark`; returns the records read."""
    for left in await wait_at_rest(dsn, servers, consumes):
        f.violations.append(f"not delivered: {left}")
    records = await read_since(servers, mark.offsets)
    events = [r for r in records if not r.topic.endswith(".dlq")]
    dead = [r for r in records if r.topic.endswith(".dlq")]
    conn = await asyncpg.connect(dsn)
    try:
        await _check_delivered(conn, consumes, events, poison, f)
        await _check_effects_once(conn, mark, f)
        await _check_order(conn, events, f)
    finally:
        await conn.close()
    _check_dlq(dead, consumes, poison, f)
    return records


async def _check_delivered(
    conn: asyncpg.Connection,
    consumes: Consumes,
    events: list[Record],
    poison: list[Poison],
    f: Findings,
) -> None:
    poisoned = {p.key for p in poison}
    for s in DOMAIN_SERVICES:
        wanted = {
            h["ce_id"]
            for r in events
            if (h := headers(r)).get("ce_type") in consumes[s].get(r.topic, set())
            and (r.key or b"").decode(errors="replace") not in poisoned
        }
        have = {
            row["message_id"]
            for row in await conn.fetch(
                f"SELECT message_id FROM {s}.inbox WHERE consumer = $1 "  # noqa: S608
                "AND message_id = ANY($2::text[])", s, list(wanted),
            )
        }  # fmt: skip
        missing = wanted - have
        f.check(not missing, f"{s}: {len(missing)} of {len(wanted)} events never applied")


async def _check_effects_once(conn: asyncpg.Connection, mark: Mark, f: Findings) -> None:
    for s in DOMAIN_SERVICES:
        twice = await conn.fetch(
            "SELECT cause_event_id, action, entity_type, entity_id, count(*) AS n "  # noqa: S608
            f"FROM {s}.audit_log WHERE cause_event_id IS NOT NULL AND occurred_at >= $1 "
            "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 LIMIT 5",
            mark.db_time,
        )
        f.check(not twice, f"{s}: effects applied twice: {[dict(r) for r in twice]}")


async def _check_order(conn: asyncpg.Connection, events: list[Record], f: Findings) -> None:
    first: dict[str, list[str]] = defaultdict(list)  # "topic|key" -> event ids, as applied
    seen: set[str] = set()
    for r in sorted(events, key=lambda r: (r.topic, r.partition, r.offset)):
        event_id = headers(r).get("ce_id")
        if event_id is None or event_id in seen:
            continue  # not ours, or a redelivery the inbox drops
        seen.add(event_id)
        first[f"{r.topic}|{(r.key or b'').decode(errors='replace')}"].append(event_id)
    seqs: dict[str, int] = {}
    for s in DOMAIN_SERVICES:
        rows = await conn.fetch(
            f"SELECT id::text AS id, seq FROM {s}.outbox "  # noqa: S608
            "WHERE id::text = ANY($1::text[])", list(seen),
        )  # fmt: skip
        seqs.update({r["id"]: r["seq"] for r in rows})
    broken = []
    for key, ids in first.items():
        order = [seqs[i] for i in ids if i in seqs]
        if order != sorted(order):
            broken.append(key)
    f.check(not broken, f"per-key order broken for {len(broken)} keys, e.g. {broken[:3]}")


def _check_dlq(dead: list[Record], consumes: Consumes, poison: list[Poison], f: Findings) -> None:
    f.dead_lettered = len(dead)
    got = Counter(
        (headers(r).get("x-dlq-consumer"), (r.key or b"").decode(errors="replace")) for r in dead
    )
    expected = {(c, p.key) for p in poison for c in p.rejected_by(consumes)}
    unexpected = {k: n for k, n in got.items() if k not in expected}
    f.check(not unexpected, f"DLQ holds records that are not poison: {list(unexpected)[:3]}")
    twice = {k: n for k, n in got.items() if k in expected and n > 1}
    f.check(not twice, f"poison dead-lettered more than once: {twice}")
    missing = expected - got.keys()
    f.check(not missing, f"poison never dead-lettered: {sorted(missing)[:3]}")

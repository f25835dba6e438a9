"""Messaging micro-benchmarks (issue 16 item 4): our relay and consumer against raw aiokafka.

    .venv/bin/python -m bench.messaging.run [--events 2000] [--rounds 3]

One private stack (embedded PostgreSQL and Tansu; schemas migrated, demo data seeded, no service
process running), then per round, alternating A and B on the same broker:
- produce: raw `AIOKafkaProducer` (our `make_producer` settings: acks=all, linger 2 ms) sending
  N copies of a seeded catalog event to a bench topic -> events/s; then the catalog's outbox
  relay publishing N outbox rows committed at once (claim, send, mark) -> events/s;
- consume: raw `AIOKafkaConsumer` (our `make_consumer` settings, no group) reading those N
  records and decoding their JSON -> events/s; then the funding service's real consumer
  applying them (lease, inbox row, reaction on the read model, offsets, one transaction per
  `transaction_size` events) -> events/s, timed from its first applied event to its last.
Ratios relay/raw and consumer/raw per round; medians over the rounds. Results in
bench/results/messaging.{json,md}. Every process is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import TopicPartition
from sqlalchemy import event

from imet.provision import with_database
from imet.services import definition
from imet.stack import Stack, StackOptions
from shared.db.engine import plain_dsn
from shared.messaging.kafka import ensure_topics, make_consumer, make_producer, physical_topic
from shared.runner import build_consumer, build_relay
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings

RESULTS = Path(__file__).resolve().parents[1] / "results"
RAW_TOPIC = "bench.raw"
CATALOG_TOPIC = "imet.catalog.events"
_FUNDING_READS = ("imet.catalog.events", "imet.nomination.events")
_TEMPLATE = "SELECT * FROM catalog.outbox WHERE type = 'imet.catalog.course_published.v1' LIMIT 1"


async def _poll(check: Any, *, within: float, interval: float = 0.02) -> float:
    """Seconds until `check()` is true; RuntimeError past `within`."""
    start = time.monotonic()
    while not await check():
        if time.monotonic() - start > within:
            raise RuntimeError(f"not done within {within} s")
        await asyncio.sleep(interval)
    return time.monotonic()


_conns: dict[str, asyncpg.Connection] = {}


async def _count(admin: str, sql: str) -> int:
    """One long-lived connection: polling must not cost the measured paths a connect each time."""
    if admin not in _conns:
        _conns[admin] = await asyncpg.connect(admin)
    return int(await _conns[admin].fetchval(sql))


async def _raw_produce(platform: PlatformSettings, template: asyncpg.Record, n: int) -> float:
    producer = make_producer(platform, client_id="bench-raw")
    await producer.start()
    try:
        value = template["payload"].encode()
        headers = [(k, str(v).encode()) for k, v in json.loads(template["headers"]).items()]
        await producer.send_and_wait(RAW_TOPIC, value, key=b"warm-up")
        start = time.monotonic()
        futures = [
            await producer.send(RAW_TOPIC, value, key=str(i).encode(), headers=headers)
            for i in range(n)
        ]
        await asyncio.gather(*futures)
        return n / (time.monotonic() - start)
    finally:
        await producer.stop()


async def _relay_publish(admin: str, template: asyncpg.Record, n: int) -> tuple[float, list[str]]:
    """Commit N outbox rows at once (the relay is running) and time until all are published."""
    ids = [uuid.uuid4() for _ in range(n)]
    rows = []
    for new in ids:
        headers = json.loads(template["headers"])
        headers["ce_id"] = str(new)
        rows.append((new, template["aggregatetype"], str(uuid.uuid4()), template["type"],
                     template["topic"], template["payload"], json.dumps(headers)))  # fmt: skip
    conn = await asyncpg.connect(admin)
    try:
        async with conn.transaction():
            await conn.executemany(
                "INSERT INTO catalog.outbox (id, aggregatetype, aggregateid, type, topic, payload,"
                " headers, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb,"
                " clock_timestamp())",
                rows,
            )
        start = time.monotonic()

        async def published() -> bool:
            left = await conn.fetchval(
                "SELECT count(*) FROM catalog.outbox WHERE published_at IS NULL"
            )
            return int(left) == 0

        end = await _poll(published, within=300)
    finally:
        await conn.close()
    return n / (end - start), [str(i) for i in ids]


async def _raw_consume(platform: PlatformSettings, since: dict[int, int], n: int) -> float:
    consumer = make_consumer(platform, client_id="bench-raw-consumer")
    await consumer.start()
    try:
        tps = [TopicPartition(CATALOG_TOPIC, p) for p in sorted(since)]
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, since[tp.partition])
        seen, start = 0, time.monotonic()
        while seen < n:
            batches = await consumer.getmany(*tps, timeout_ms=500, max_records=500)
            for records in batches.values():
                for record in records:
                    json.loads(record.value or b"{}")
                    seen += 1
            if time.monotonic() - start > 300:
                raise RuntimeError(f"raw consumer read {seen} of {n}")
        return n / (time.monotonic() - start)
    finally:
        await consumer.stop()


async def _consumer_apply(
    funding: ServiceRuntime[Any, Any], admin: str, ids: list[str], *, settle: bool = False
) -> float:
    async def applied_count() -> int:
        if admin not in _conns:
            _conns[admin] = await asyncpg.connect(admin)
        found = await _conns[admin].fetchval(
            "SELECT count(*) FROM funding.inbox WHERE message_id = ANY($1::text[])", ids
        )
        return int(found)

    statements = _StatementCounter(funding)
    consumer = build_consumer(funding)
    stop = asyncio.Event()
    task = asyncio.ensure_future(consumer.run(stop))
    try:

        async def started() -> bool:
            return await applied_count() > 0

        async def applied() -> bool:
            return await applied_count() >= len(ids)

        first = await _poll(started, within=120)
        last = await _poll(applied, within=300)
        if settle:  # the warm-up: every seeded event applied, none left for the first round
            await _settled(admin, funding.platform)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        statements.detach()
    _last_statements[:] = [statements.count / len(ids)]
    starts = await _conns[admin].fetch(
        "SELECT received_at, count(*) AS n FROM funding.inbox WHERE message_id = ANY($1::text[])"
        " GROUP BY received_at ORDER BY received_at",
        ids,
    )
    gaps = [
        (b["received_at"] - a["received_at"]).total_seconds() for a, b in itertools.pairwise(starts)
    ]
    _last_transactions[:] = [len(starts), max(gaps, default=0.0), statistics.median(gaps or [0.0])]
    return len(ids) / max(last - first, 1e-6)


async def _settled(admin: str, platform: PlatformSettings) -> None:
    """Until the funding consumer's stored offsets reach the end of every partition it reads
    (a quiet inbox is no sign: one transaction of seeded events can take seconds here)."""
    topics = [physical_topic(t, platform.kafka_topic_prefix) for t in _FUNDING_READS]
    ends = {(t, p): e for t in topics for p, e in (await _ends(platform, t)).items()}

    async def caught_up() -> bool:
        rows = await _conns[admin].fetch(
            "SELECT topic, partition, next_offset FROM funding.consumer_offset"
            " WHERE consumer = 'funding'"
        )
        stored = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        return all(stored.get(k, 0) >= end for k, end in ends.items())

    await _poll(caught_up, within=300, interval=0.2)


_last_transactions: list[float] = []


_last_statements: list[float] = []


class _StatementCounter:
    """SQL statements the service's engine sends (the consumer's unit-of-work sessions); the
    consumer's own offset/lease connections are plain asyncpg and not counted."""

    def __init__(self, runtime: ServiceRuntime[Any, Any]) -> None:
        self.count = 0
        self.engine = runtime.engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def detach(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def _ends(platform: PlatformSettings, topic: str = CATALOG_TOPIC) -> dict[int, int]:
    consumer = make_consumer(platform, client_id="bench-ends")
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer._client.force_metadata_update()  # first metadata fetch
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        ends = await consumer.end_offsets(tps)
        return {tp.partition: int(off) for tp, off in ends.items()}
    finally:
        await consumer.stop()


async def _measure(stack: Stack, events: int, rounds: int) -> dict[str, Any]:
    admin = plain_dsn(with_database(stack.admin_url, stack.options.database))
    os.environ.update(stack.platform_env())
    platform = PlatformSettings()
    await ensure_topics(stack.bootstrap_servers, [RAW_TOPIC], 4)
    catalog = ServiceRuntime(definition("catalog"), definition("catalog").settings_factory())
    funding = ServiceRuntime(definition("funding"), definition("funding").settings_factory())
    relay = build_relay(catalog)
    stop = asyncio.Event()
    relay_task = asyncio.ensure_future(relay.run(stop))
    conn = await asyncpg.connect(admin)
    template = await conn.fetchrow(_TEMPLATE)
    await conn.close()
    assert template is not None, "the seed published no course"
    out: list[dict[str, float]] = []
    try:
        unpublished = "SELECT count(*) FROM catalog.outbox WHERE published_at IS NULL"
        await _poll(lambda: _zero(admin, unpublished), within=120)  # the seed's rows first
        # The funding consumer catches up on the whole seed before the first measured round
        # (waiting for the template's event alone left seeded events to the first round).
        await _consumer_apply(funding, admin, [str(template["id"])], settle=True)
        for _ in range(rounds):
            raw_produce = await _raw_produce(platform, template, events)
            since = await _ends(platform)
            relay_rate, ids = await _relay_publish(admin, template, events)
            raw_consume = await _raw_consume(platform, since, events)
            apply_rate = await _consumer_apply(funding, admin, ids)
            out.append({
                "raw_produce_per_s": round(raw_produce, 1),
                "relay_publish_per_s": round(relay_rate, 1),
                "relay_over_raw": round(relay_rate / raw_produce, 3),
                "raw_consume_per_s": round(raw_consume, 1),
                "consumer_apply_per_s": round(apply_rate, 1),
                "consumer_over_raw": round(apply_rate / raw_consume, 3),
                "consumer_statements_per_event": round(_last_statements[0], 2),
                "consumer_transactions": _last_transactions[0],
                "consumer_max_gap_s": round(_last_transactions[1], 3),
                "consumer_median_gap_s": round(_last_transactions[2], 4),
            })  # fmt: skip
            print(json.dumps(out[-1]))
    finally:
        stop.set()
        await asyncio.wait_for(relay_task, timeout=30)
        await catalog.aclose()
        await funding.aclose()
        for conn in _conns.values():
            await conn.close()
        _conns.clear()
    medians = {k: round(statistics.median(r[k] for r in out), 3) for k in out[0]}
    return {"events_per_round": events, "rounds": out, "median": medians}


async def _zero(admin: str, sql: str) -> bool:
    return await _count(admin, sql) == 0


def _markdown(result: dict[str, Any]) -> str:
    m = result["median"]
    lines = [
        "# Messaging micro-benchmarks (issue 16 item 4)",
        "",
        "`.venv/bin/python -m bench.messaging.run` (part of `make bench`): the catalog's outbox",
        "relay and the funding service's consumer against raw aiokafka with the same client",
        "settings, on",
        f"the same embedded broker (Tansu), {result['events_per_round']} events a round, "
        f"{len(result['rounds'])} rounds alternated; medians. Measured {result['measured_at']}, "
        f"{result['cores']} cores, load average {result['load_average']}.",
        "",
        "| path | raw aiokafka, events/s | ours, events/s | ours / raw |",
        "|---|---:|---:|---:|",
        f"| publish (relay: claim, send acks=all, mark) | {m['raw_produce_per_s']} | "
        f"{m['relay_publish_per_s']} | {m['relay_over_raw']} |",
        f"| consume (consumer: inbox, reaction, offsets, commit) | {m['raw_consume_per_s']} | "
        f"{m['consumer_apply_per_s']} | {m['consumer_over_raw']} |",
        "",
        f"SQL statements per applied event (the funding unit of work's session; offsets and "
        f"leases are on their own connections): {m['consumer_statements_per_event']}.",
        "",
        "Goal (issue 16): consumer apply rate >= 0.5x the raw consume rate.",
        "",
        "Rounds:",
        "",
        "| round | raw produce | relay | ratio | raw consume | consumer | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(result["rounds"], 1):
        lines.append(
            f"| {i} | {r['raw_produce_per_s']} | {r['relay_publish_per_s']} | "
            f"{r['relay_over_raw']} | {r['raw_consume_per_s']} | {r['consumer_apply_per_s']} | "
            f"{r['consumer_over_raw']} |"
        )
    return "\n".join(lines + _baseline_lines(result.get("baseline"), m)) + "\n"


def _baseline_lines(baseline: dict[str, Any] | None, now: dict[str, Any]) -> list[str]:
    """The consume path before and now, when the JSON names a baseline (kept across runs)."""
    if not baseline:
        return []
    b = baseline["median"]
    keys = [
        ("raw consume, events/s", "raw_consume_per_s"),
        ("consumer apply, events/s", "consumer_apply_per_s"),
        ("consumer / raw", "consumer_over_raw"),
        ("SQL statements per applied event", "consumer_statements_per_event"),
        ("consumer transactions per round", "consumer_transactions"),
        ("longest gap between its transactions, s", "consumer_max_gap_s"),
        ("median gap between its transactions, s", "consumer_median_gap_s"),
    ]
    lines = [
        "",
        f"Consume path before and now (medians; before = {baseline['label']}, measured "
        f"{baseline['measured_at']}, load average {baseline['load_average']}):",
        "",
        "| | before | now |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {b.get(key, '-')} | {now.get(key, '-')} |" for label, key in keys]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)  # always a private embedded stack
    var = Path(tempfile.mkdtemp(prefix="imet-msgbench-"))
    options = StackOptions.random_ports(
        var=var,
        database="msgbench",
        role_prefix="msgbench_",
        service_processes=(),
        gateway=False,
    )
    stack = Stack(options)
    stack.start(say=lambda *_: None)
    try:
        result = asyncio.run(_measure(stack, args.events, args.rounds))
    finally:
        stack.stop()
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["cores"] = os.cpu_count()
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    previous = RESULTS / "messaging.json"
    if previous.exists():  # the baseline a change is compared with stays until removed by hand
        baseline = json.loads(previous.read_text()).get("baseline")
        if baseline:
            result["baseline"] = baseline
    (RESULTS / "messaging.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "messaging.md").write_text(_markdown(result))
    print(json.dumps(result["median"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Send outbox rows so that no later row of a partition can land before an earlier one.

The producer cannot be idempotent (the dev broker rejects InitProducerId, ENVIRONMENT.md), so
the broker will not reorder-protect us. Without that, a batch that fails (expired, timed out)
while a later batch of the same partition is already queued lets the later one succeed: e2
lands, e1 does not, and the re-send puts e1 after e2 (issue 10 #3). So, per partition:
- rows are packed, in `seq` order, into ONE record batch (`create_batch`/`send_batch`); the
  broker appends a batch atomically, in order;
- the next batch of that partition is built only after the previous one was acknowledged
  (stop-and-wait: at most one batch per partition in flight);
- on the first failure nothing more is sent to that partition in this round; the rows from the
  failed batch on stay unpublished and the next round starts from the first of them.
Partitions go in parallel. Hence, for every partition, the FIRST occurrence of each row on the
log is in `seq` order; a batch that failed but was written after all shows up again later as
duplicates, which consumers drop (inbox). The partition is computed here with Kafka's default
partitioner (murmur2 of the key), the same one every Kafka client uses.
Tracing on: each row is sent inside a PRODUCER span, a child of the `traceparent` stored with
the row, and the record carries that span's context instead; the spans end when the batch is
acknowledged or refused (ADR 0090).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from opentelemetry.trace import Span

from shared.messaging.kafka import physical_topic
from shared.tracing import end_publish_spans, start_publish_span

_partitioner = DefaultPartitioner()


@dataclass
class SendResult:
    acked: list[Any] = field(default_factory=list)  # outbox ids the broker acknowledged
    topics: set[str] = field(default_factory=set)  # physical topics that received records
    failure: BaseException | None = None


def _headers(row: Any, topic: str, partition: int) -> tuple[list[tuple[str, bytes]], Span | None]:
    """The record's headers, and its PRODUCER span when tracing is on."""
    attrs = json.loads(row["headers"])
    publish = start_publish_span(
        topic=topic, partition=partition, event_id=str(row["id"]),
        event_type=str(attrs.get("ce_type", "")), traceparent=attrs.get("traceparent"),
    )  # fmt: skip
    if publish is not None:
        attrs["traceparent"] = publish[1]
    headers = [(k, str(v).encode()) for k, v in attrs.items()]
    # CloudEvents "sequence" extension: the outbox order, zero-padded so it sorts as text.
    headers.append(("ce_sequence", f"{row['seq']:020d}".encode()))
    return headers, publish[0] if publish is not None else None


async def send_rows(
    producer: AIOKafkaProducer, rows: list[Any], *, prefix: str, ack_timeout: float
) -> SendResult:
    """Send `rows` (in seq order); what was acknowledged, and the first failure if any."""
    by_partition: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for row in rows:
        topic = physical_topic(row["topic"], prefix)
        partitions = sorted(await producer.partitions_for(topic))
        key = row["aggregateid"].encode()
        by_partition[(topic, _partitioner(key, partitions, partitions))].append(row)
    outcomes = await asyncio.gather(
        *(
            _drain(producer, topic, partition, part_rows, ack_timeout)
            for (topic, partition), part_rows in by_partition.items()
        )
    )
    result = SendResult()
    for ((topic, _), _), (acked, failure) in zip(by_partition.items(), outcomes, strict=True):
        result.acked.extend(acked)
        if acked:
            result.topics.add(topic)
        if failure is not None and result.failure is None:
            result.failure = failure
    return result


async def _drain(
    producer: AIOKafkaProducer, topic: str, partition: int, rows: list[Any], ack_timeout: float
) -> tuple[list[Any], BaseException | None]:
    acked: list[Any] = []
    start = 0
    # A row that did not fit keeps its headers (and span) for the next batch.
    pending: tuple[list[tuple[str, bytes]], Span | None] | None = None
    while start < len(rows):
        batch = producer.create_batch()
        spans: list[Span] = []
        end = start
        while end < len(rows):
            row = rows[end]
            headers, span = pending or _headers(row, topic, partition)
            pending = None
            appended = batch.append(
                key=row["aggregateid"].encode(),
                value=row["payload"].encode(),
                timestamp=None,
                headers=headers,
            )
            if appended is None:
                pending = headers, span
                break  # full; the first record always fits, whatever its size
            if span is not None:
                spans.append(span)
            end += 1
        batch.close()
        try:
            future = await producer.send_batch(batch, topic, partition=partition)
            done, _ = await asyncio.wait({future}, timeout=ack_timeout)
            if not done:
                raise TimeoutError(f"no acknowledgement within {ack_timeout:.1f}s")
            future.result()
        except Exception as exc:  # stop this partition: nothing later may overtake
            end_publish_spans([*spans, *([pending[1]] if pending and pending[1] else [])], exc)
            return acked, exc
        end_publish_spans(spans)
        acked.extend(row["id"] for row in rows[start:end])
        start = end
    return acked, None

"""Reading the dead-letter topics straight from the broker, and replaying their records.

No consumer group and no commits: the reader assigns the partitions, reads each from its
beginning offset to its end offset and stops, so listing changes nothing on the broker. The end
is the fetched high watermark (`fetched_log_ends`: the dev broker's ListOffsets can trail it).

A replay re-publishes a dead letter to the topic its DLQ belongs to - the original key, value
and headers, the original partition when it still exists, plus `x-dlq-replayed-from/-at/-by` -
and never deletes anything from the DLQ (Kafka cannot; a second replay publishes again). What
makes it safe is the consumer: the event id is the same, so the inbox lets a replayed event
through only while its row says `dead_lettered`, and then marks it applied (inbox.py): a
record replayed twice is applied once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.messaging.dlq.records import (
    DeadLetter,
    DeadLetterFilter,
    DeadLetterId,
    dlq_topics,
)
from shared.messaging.kafka import fetched_log_ends, make_consumer, make_producer
from shared.messaging.metrics import DLQ_REPLAYED
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.dlq")


class DeadLetterUnavailable(RuntimeError):
    """The broker did not serve the dead-letter topics in time."""


@dataclass(frozen=True)
class Replayed:
    id: DeadLetterId
    topic: str
    partition: int | None
    offset: int | None  # None for a dry run

    def as_dict(self) -> dict[str, object]:
        return {"id": str(self.id), "topic": self.topic, "partition": self.partition,
                "offset": self.offset}  # fmt: skip


Progress = Callable[[DeadLetter, Replayed], None]


class DeadLetterStore:
    def __init__(self, platform: PlatformSettings, *, timeout: float = 30.0) -> None:
        self.platform = platform
        self.timeout = timeout
        self.topics = dlq_topics(platform.kafka_topic_prefix)

    @contextlib.asynccontextmanager
    async def _consumer(self) -> AsyncIterator[AIOKafkaConsumer]:
        kafka = make_consumer(self.platform, client_id="imet-dlq-reader")
        try:
            await asyncio.wait_for(kafka.start(), timeout=self.timeout)
            yield kafka
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(kafka.stop(), timeout=5)

    async def _partitions(self, kafka: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
        await kafka._client.force_metadata_update()
        found = {t: sorted(kafka.partitions_for_topic(t) or ()) for t in topics}
        return [TopicPartition(t, p) for t, parts in found.items() for p in parts]

    async def _bounds(
        self, kafka: AIOKafkaConsumer, tps: list[TopicPartition]
    ) -> dict[TopicPartition, tuple[int, int]]:
        if not tps:
            return {}
        starts = await kafka.beginning_offsets(tps)
        reported = await kafka.end_offsets(tps)
        busy = [tp for tp in tps if reported[tp] > starts[tp]]
        ends = dict(reported)
        if busy:
            ends |= await fetched_log_ends(self.platform, busy, reported, wait_seconds=self.timeout)
        return {tp: (starts[tp], ends[tp]) for tp in tps if ends[tp] > starts[tp]}

    async def _read(
        self, kafka: AIOKafkaConsumer, bounds: dict[TopicPartition, tuple[int, int]]
    ) -> list[DeadLetter]:
        """Every record of `bounds` (partition -> [start, end)), in (topic, partition, offset)."""
        if not bounds:
            return []
        kafka.assign(list(bounds))
        for tp, (start, _) in bounds.items():
            kafka.seek(tp, start)
        letters: list[DeadLetter] = []
        remaining = set(bounds)
        deadline = asyncio.get_running_loop().time() + self.timeout
        while remaining:
            if asyncio.get_running_loop().time() > deadline:
                raise DeadLetterUnavailable("the broker did not serve the dead letters in time")
            batches = await kafka.getmany(*remaining, timeout_ms=200)
            for tp, records in batches.items():
                letters += [DeadLetter.of(r) for r in records if r.offset < bounds[tp][1]]
            for tp in list(remaining):
                # The position, not the last offset seen: it also passes gaps in the log
                # (control records, compacted or deleted offsets).
                if await kafka.position(tp) >= bounds[tp][1]:
                    remaining.discard(tp)
                    kafka.pause(tp)
        return sorted(letters, key=lambda letter: letter.id)

    async def find(self, where: DeadLetterFilter | None = None) -> list[DeadLetter]:
        """The dead letters matching `where`, oldest first per partition."""
        where = where or DeadLetterFilter()
        topics = where.topics(self.topics, self.platform.kafka_topic_prefix)
        async with self._consumer() as kafka:
            bounds = await self._bounds(kafka, await self._partitions(kafka, topics))
            letters = await self._read(kafka, bounds)
        return [letter for letter in letters if where.matches(letter)]

    async def get(self, letter_id: DeadLetterId) -> DeadLetter | None:
        """One dead letter; None when its topic is not a DLQ of ours or the offset holds none."""
        if letter_id.topic not in self.topics:
            return None
        tp = TopicPartition(letter_id.topic, letter_id.partition)
        async with self._consumer() as kafka:
            if tp not in await self._partitions(kafka, [letter_id.topic]):
                return None
            bounds = await self._bounds(kafka, [tp])
            start, end = bounds.get(tp, (0, 0))
            if not start <= letter_id.offset < end:
                return None
            letters = await self._read(kafka, {tp: (letter_id.offset, letter_id.offset + 1)})
        return next((letter for letter in letters if letter.id == letter_id), None)

    async def replay(
        self,
        letters: list[DeadLetter],
        *,
        actor: str,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> list[Replayed]:
        """Re-publish each letter to its original topic (in order); nothing is sent on a dry run."""
        done: list[Replayed] = []
        producer = None if dry_run or not letters else make_producer(
            self.platform, client_id="imet-dlq-replay"
        )  # fmt: skip
        try:
            partitions: dict[str, set[int]] = {}
            if producer is not None:
                await asyncio.wait_for(producer.start(), timeout=self.timeout)
            for letter in letters:
                target = letter.id.original_topic
                if producer is not None and target not in partitions:
                    partitions[target] = await producer.partitions_for(target)
                wanted = letter.original_partition()
                partition = wanted if wanted in partitions.get(target, {wanted}) else None
                offset = None
                if producer is not None:
                    sent = await producer.send_and_wait(
                        target, value=letter.value, key=letter.key, partition=partition,
                        headers=letter.replay_headers(actor=actor, now=datetime.now(UTC)),
                    )  # fmt: skip
                    partition, offset = sent.partition, sent.offset
                    DLQ_REPLAYED.labels(letter.id.topic).inc()
                    log.info("dlq.replayed", id=str(letter.id), topic=target,
                             partition=partition, offset=offset, actor=actor)  # fmt: skip
                replayed = Replayed(letter.id, target, partition, offset)
                done.append(replayed)
                if progress is not None:
                    progress(letter, replayed)
        finally:
            if producer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), timeout=5)
        return done

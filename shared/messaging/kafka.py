"""Kafka clients configured the one way we use them, and topic management.

Only the common Kafka protocol is used so production runs on Apache Kafka: no idempotent
producer or transactions (the dev broker, Tansu, rejects aiokafka's InitProducerId), explicit
partition assignment instead of group membership (ADR 0003), topics created explicitly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.helpers import create_ssl_context

from shared.settings import PlatformSettings

TOPIC_ALREADY_EXISTS = 36
LOGICAL_TOPICS = (
    "imet.catalog.events",
    "imet.nomination.events",
    "imet.vetting.events",
    "imet.funding.events",
)
MAX_REQUEST_SIZE = 10 * 1024 * 1024


def physical_topic(logical: str, prefix: str) -> str:
    """The topic on the broker: the logical contract name behind an optional isolation prefix."""
    return f"{prefix}{logical}"


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def all_physical_topics(prefix: str) -> list[str]:
    topics = [physical_topic(t, prefix) for t in LOGICAL_TOPICS]
    return topics + [dlq_topic(t) for t in topics]


class TopicError(RuntimeError):
    pass


def security_options(settings: PlatformSettings | None) -> dict[str, Any]:
    """TLS/SASL options for every aiokafka client (PLAINTEXT when nothing is configured)."""
    if settings is None or settings.kafka_security_protocol == "PLAINTEXT":
        return {}
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        cafile = str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
        options["ssl_context"] = create_ssl_context(cafile=cafile)
    if settings.kafka_security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = settings.kafka_sasl_username
        password = settings.kafka_sasl_password
        options["sasl_plain_password"] = password.get_secret_value() if password else None
    return options


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = 1,
    settings: PlatformSettings | None = None,
) -> None:
    """Create missing topics; an existing topic is fine, any other error raises.

    aiokafka does not raise on per-topic errors, so the response is checked here.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=10000, **security_options(settings)
    )
    await admin.start()
    try:
        response = await admin.create_topics(
            [
                NewTopic(name=t, num_partitions=partitions, replication_factor=replication_factor)
                for t in topics
            ]
        )
        for topic_error in response.topic_errors:
            name, code = topic_error[0], topic_error[1]
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise TopicError(f"creating topic {name} failed with error code {code}")
    finally:
        await admin.close()


def make_producer(
    settings: PlatformSettings, *, client_id: str, max_batch_size: int = 16384
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        max_batch_size=max_batch_size,
        max_request_size=MAX_REQUEST_SIZE,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        retry_backoff_ms=100,
        metadata_max_age_ms=60000,
        **security_options(settings),
    )


def make_consumer(settings: PlatformSettings, *, client_id: str) -> AIOKafkaConsumer:
    """A consumer with no group: partitions are assigned explicitly and offsets live in our DB."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        # The fetch routine's idle wake-up: a resume, an assignment or a consumed batch wake it
        # anyway, so 5 wake-ups a second (the default 0.2 s) only cost CPU in an idle consumer.
        consumer_timeout_ms=1000,
        max_partition_fetch_bytes=MAX_REQUEST_SIZE,
        fetch_max_bytes=4 * MAX_REQUEST_SIZE,
        request_timeout_ms=max(settings.kafka_request_timeout_ms, 5000),
        retry_backoff_ms=100,
        metadata_max_age_ms=30000,
        **security_options(settings),
    )


class LazyProducer:
    """A producer started on first use and dropped (stopped) after a failure."""

    def __init__(self, settings: PlatformSettings, *, client_id: str, **options: Any) -> None:
        self.settings = settings
        self.client_id = client_id
        self.options = options
        self._producer: AIOKafkaProducer | None = None

    async def get(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.settings, client_id=self.client_id, **self.options)
            try:
                await asyncio.wait_for(
                    producer.start(), timeout=self.settings.kafka_request_timeout_ms / 1000
                )
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), timeout=2)
                raise
            self._producer = producer
        return self._producer

    async def drop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=2)


async def fetched_log_ends(
    settings: PlatformSettings,
    tps: list[TopicPartition],
    reported: dict[TopicPartition, int],
    *,
    wait_seconds: float = 10.0,
) -> dict[TopicPartition, int]:
    """The end of each partition as the high watermark of a fetch response.

    ListOffsets ("latest") is what `end_offsets()` asks, and the dev broker (Tansu 0.6) answers
    it with the last batch's base offset + 1 - short of the records it serves when that batch
    held several (ENVIRONMENT.md). A fetch from just before that answer returns the rest of the
    batch and the partition's real high watermark; on Apache Kafka both agree. Partitions whose
    fetch did not answer within `wait_seconds` keep their `reported` end.
    """
    probe = make_consumer(settings, client_id="imet-log-end-probe")
    await probe.start()
    try:
        probe.assign(tps)
        for tp in tps:
            probe.seek(tp, max(reported[tp] - 1, 0))
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while any(probe.highwater(tp) is None for tp in tps):
            if asyncio.get_running_loop().time() > deadline:
                break
            await probe.getmany(*tps, timeout_ms=200)
        return {tp: max(int(probe.highwater(tp) or 0), reported[tp]) for tp in tps}
    finally:
        await probe.stop()

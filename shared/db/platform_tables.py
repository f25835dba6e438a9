"""Tables in every service schema: outbox, inbox, consumer offsets, idempotency keys, audit.

- `outbox` uses Debezium's outbox columns (`id, aggregatetype, aggregateid, type, payload`) plus
  `topic`, `headers`, `created_at`, `published_at` and an ordering `seq`, so a CDC relay could
  replace ours without touching any writer.
- `inbox` is the primary key `(consumer, message_id)`, inserted in the handler's transaction,
  with the topic/partition the event came from and its `outcome` (`applied`, `dead_lettered`).
- `consumer_offset` holds the next Kafka offset per (consumer, topic, partition), written in the
  SAME transaction as the effect: Kafka's own offset store is not used (ADR 0003); and the
  producer timestamp of the newest record applied (`record_time`), which tells the retention
  job how far a partition has been consumed (`shared/messaging/retention.py`).
- `audit_log` is append-only (a trigger refuses UPDATE and DELETE, even for the owner).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


@dataclass(frozen=True)
class PlatformTables:
    outbox: Table
    inbox: Table
    consumer_offset: Table
    idempotency_key: Table
    audit_log: Table


def platform_tables(metadata: MetaData) -> PlatformTables:
    """Add the platform tables to a service's metadata and return them."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
        Column("aggregatetype", String(100), nullable=False),
        Column("aggregateid", String(200), nullable=False),
        Column("type", String(200), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index("ix_outbox_unpublished", "seq", postgresql_where=text("published_at IS NULL")),
        Index(
            "ix_outbox_published_at",
            "published_at",
            postgresql_where=text("published_at IS NOT NULL"),
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("message_id", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("topic", String(200)),
        Column("partition", Integer),
        Column("outcome", String(20), nullable=False, server_default=text("'applied'")),
        PrimaryKeyConstraint("consumer", "message_id"),
        Index("ix_inbox_received_at", "received_at"),
    )
    consumer_offset = Table(
        "consumer_offset",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("next_offset", BigInteger, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("record_time", DateTime(timezone=True)),
        PrimaryKeyConstraint("consumer", "topic", "partition"),
    )
    idempotency_key = Table(
        "idempotency_key",
        metadata,
        Column("principal", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", Text, nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("state", String(10), nullable=False),
        Column("status_code", Integer),
        Column("response_headers", JSONB),
        Column("response_body", LargeBinary),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("completed_at", DateTime(timezone=True)),
        PrimaryKeyConstraint("principal", "key"),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(200), nullable=False),
        Column("actor_roles", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
        Column("actor_country", String(3)),
        Column("action", String(100), nullable=False),
        Column("entity_type", String(100), nullable=False),
        Column("entity_id", String(200), nullable=False),
        Column("before", JSONB),
        Column("after", JSONB),
        Column("request_id", String(200)),
        Column("cause_event_id", String(200)),
        Index("ix_audit_log_entity", "entity_type", "entity_id"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
    )
    return PlatformTables(outbox, inbox, consumer_offset, idempotency_key, audit_log)

"""Alembic helpers for the platform tables every service owns.

`create_platform_v1` is frozen: a later change of the platform tables is a NEW helper
(`upgrade_platform_v2`) called from a new revision, never an edit of this one.
`upgrade_platform_v2` (issue 10): what the retention job needs - where each inbox row came from
and its outcome, how far each partition was consumed, indexes to find old rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_platform_v1(schema: str) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("aggregatetype", sa.String(100), nullable=False),
        sa.Column("aggregateid", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column(
            "headers", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("seq", name="uq_outbox_seq"),
        schema=schema,
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["seq"], schema=schema,
        postgresql_where=sa.text("published_at IS NULL"),
    )  # fmt: skip
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer", "message_id", name="pk_inbox"),
        schema=schema,
    )
    op.create_table(
        "consumer_offset",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer", "topic", "partition", name="pk_consumer_offset"),
        schema=schema,
    )
    op.create_table(
        "idempotency_key",
        sa.Column("principal", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("response_headers", postgresql.JSONB()),
        sa.Column("response_body", sa.LargeBinary()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_key"),
        schema=schema,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column(
            "actor_roles", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("actor_country", sa.String(3)),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("entity_type", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("before", postgresql.JSONB()),
        sa.Column("after", postgresql.JSONB()),
        sa.Column("request_id", sa.String(200)),
        sa.Column("cause_event_id", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=schema,
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity_type", "entity_id"], schema=schema)
    op.create_index("ix_audit_log_occurred_at", "audit_log", ["occurred_at"], schema=schema)
    # Wake the relay as soon as an outbox row commits (NOTIFY is delivered on commit).
    op.execute(
        f"""
        CREATE FUNCTION {schema}.notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('{schema}_outbox', ''); RETURN NULL; END $$;
        """
    )
    op.execute(
        f"CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_outbox()"
    )
    # The audit trail is append-only, whoever connects.
    op.execute(
        f"""
        CREATE FUNCTION {schema}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
        """
    )
    op.execute(
        f"CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON {schema}.audit_log "
        f"FOR EACH ROW EXECUTE FUNCTION {schema}.audit_log_is_append_only()"
    )


def drop_platform_v1(schema: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS audit_log_append_only ON {schema}.audit_log")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.audit_log_is_append_only()")
    op.execute(f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.notify_outbox()")
    for table in ("audit_log", "idempotency_key", "consumer_offset", "inbox", "outbox"):
        op.drop_table(table, schema=schema)


def upgrade_platform_v2(schema: str) -> None:
    op.add_column("inbox", sa.Column("topic", sa.String(200)), schema=schema)
    op.add_column("inbox", sa.Column("partition", sa.Integer()), schema=schema)
    op.add_column(
        "inbox",
        sa.Column("outcome", sa.String(20), server_default=sa.text("'applied'"), nullable=False),
        schema=schema,
    )
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"], schema=schema)
    op.add_column(
        "consumer_offset", sa.Column("record_time", sa.DateTime(timezone=True)), schema=schema
    )
    op.create_index(
        "ix_outbox_published_at", "outbox", ["published_at"], schema=schema,
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )  # fmt: skip


def downgrade_platform_v2(schema: str) -> None:
    op.drop_index("ix_outbox_published_at", table_name="outbox", schema=schema)
    op.drop_column("consumer_offset", "record_time", schema=schema)
    op.drop_index("ix_inbox_received_at", table_name="inbox", schema=schema)
    for column in ("outcome", "partition", "topic"):
        op.drop_column("inbox", column, schema=schema)

"""Candidates, nominations, their history and travel orders.

The value lists of the check constraints and partial indexes are frozen here on purpose: a later
change of the state machine is a new revision, never an edit of this one.

Revision ID: nomination_0003
Revises: nomination_0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "nomination_0003"
down_revision = "nomination_0002"
branch_labels = None
depends_on = None

SCHEMA = "nomination"
STATES = (
    "'cancelled', 'completed', 'draft', 'funding', 'funding_rejected', 'in_training', "
    "'ready_for_travel', 'submitted', 'training_terminated', 'vetting', 'vetting_denied', "
    "'vetting_suspended', 'waitlisted', 'withdrawn'"
)
ACTIVE = (
    "status IN ('funding', 'funding_rejected', 'in_training', 'ready_for_travel', 'submitted', "
    "'vetting', 'vetting_suspended', 'waitlisted')"
)
OPEN = "NOT (status IN ('cancelled', 'completed', 'training_terminated', 'vetting_denied', 'withdrawn'))"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "candidate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("family_names", sa.String(100), nullable=False),
        sa.Column("given_names", sa.String(100), nullable=False),
        sa.Column("sex", sa.String(1)),
        sa.Column("date_of_birth", sa.Date()),
        sa.Column("place_of_birth", sa.String(100)),
        sa.Column("service", sa.String(30)),
        sa.Column("rank", sa.String(100)),
        sa.Column("pay_grade", sa.String(5)),
        sa.Column("unit_name", sa.String(200)),
        sa.Column("position", sa.String(200)),
        sa.Column("passport_number", sa.String(20)),
        sa.Column(
            "english_tests",
            postgresql.JSONB(),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("person_fingerprint", sa.String(64)),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_candidate"),
        sa.UniqueConstraint(
            "country", "passport_number", name="uq_candidate_country_passport_number"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_candidate_country_created_at_id",
        "candidate",
        ["country", "created_at", "id"],
        schema=SCHEMA,
    )
    op.create_table(
        "nomination",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("funding_source", sa.String(5), nullable=False),
        sa.Column("with_dependents", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("seat_status", sa.String(20), server_default="none", nullable=False),
        sa.Column("vetting_status", sa.String(20), server_default="none", nullable=False),
        sa.Column("funding_status", sa.String(20), server_default="none", nullable=False),
        sa.Column("status_reason", sa.Text()),
        sa.Column("vetting_case_id", sa.Uuid()),
        sa.Column("vetting_valid_until", sa.Date()),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True)),
        sa.Column("waitlist_position", sa.Integer()),
        sa.Column("funding_request_id", sa.Uuid()),
        sa.Column("obligation_id", sa.Uuid()),
        sa.Column("obligated_amount", sa.Numeric(14, 2)),
        sa.Column("penalty_amount", sa.Numeric(14, 2)),
        sa.Column(
            "compensations",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("person_fingerprint", sa.String(64)),
        sa.Column("medical_cleared_on", sa.Date()),
        sa.Column("medical_reference", sa.String(100)),
        sa.Column("security_screened_on", sa.Date()),
        sa.Column("security_reference", sa.String(100)),
        sa.Column("data_complete_on", sa.Date()),
        sa.Column("training_started_on", sa.Date()),
        sa.Column("training_ended_on", sa.Date()),
        sa.Column("days_attended", sa.Integer()),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        *_timestamps(),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_nomination"),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            [f"{SCHEMA}.candidate.id"],
            name="fk_nomination_candidate_id_candidate",
        ),
        sa.CheckConstraint(f"status IN ({STATES})", name="ck_nomination_status"),
        sa.CheckConstraint(
            "seat_status IN ('confirmed', 'held', 'none', 'released', 'waitlisted')",
            name="ck_nomination_seat_status",
        ),
        sa.CheckConstraint(
            "vetting_status IN ('approved', 'cancelled', 'denied', 'none', 'pending', 'suspended')",
            name="ck_nomination_vetting_status",
        ),
        sa.CheckConstraint(
            "funding_status IN ('deobligated', 'none', 'obligated', 'rejected', 'requested')",
            name="ck_nomination_funding_status",
        ),
        sa.CheckConstraint(
            "funding_source IN ('eimet', 'imet')", name="ck_nomination_funding_source"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_nomination_country_created_at_id",
        "nomination",
        ["country", "created_at", "id"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_nomination_created_at_id", "nomination", ["created_at", "id"], schema=SCHEMA
    )
    op.create_index("ix_nomination_class_id", "nomination", ["class_id"], schema=SCHEMA)
    op.create_index("ix_nomination_candidate_id", "nomination", ["candidate_id"], schema=SCHEMA)
    op.create_index(
        "uq_nomination_candidate_open", "nomination", ["candidate_id", "class_id"], unique=True,
        schema=SCHEMA, postgresql_where=sa.text(OPEN),
    )  # fmt: skip
    op.create_index(
        "uq_nomination_person_active", "nomination", ["class_id", "person_fingerprint"], unique=True,
        schema=SCHEMA, postgresql_where=sa.text(ACTIVE),
    )  # fmt: skip
    op.create_table(
        "nomination_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("from_state", sa.String(30)),
        sa.Column("to_state", sa.String(30)),
        sa.Column("reason", sa.Text()),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("cause_event_id", sa.String(200)),
        sa.Column(
            "detail", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_nomination_history"),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            [f"{SCHEMA}.nomination.id"],
            name="fk_nomination_history_nomination_id_nomination",
        ),
        sa.CheckConstraint(
            "kind IN ('transition', 'fact', 'decision', 'compensation', 'document')",
            name="ck_nomination_history_kind",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_nomination_history_nomination_id_id",
        "nomination_history",
        ["nomination_id", "id"],
        schema=SCHEMA,
    )
    op.create_table(
        "travel_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("content", postgresql.JSONB(), nullable=False),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_travel_order"),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            [f"{SCHEMA}.nomination.id"],
            name="fk_travel_order_nomination_id_nomination",
        ),
        sa.UniqueConstraint(
            "nomination_id", "version", name="uq_travel_order_nomination_id_version"
        ),
        sa.UniqueConstraint("number", "version", name="uq_travel_order_number_version"),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_travel_order_current", "travel_order", ["nomination_id"], unique=True,
        schema=SCHEMA, postgresql_where=sa.text("superseded_at IS NULL"),
    )  # fmt: skip
    op.create_table(
        "ito_serial",
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("country", name="pk_ito_serial"),
        schema=SCHEMA,
    )
    # History is append-only and an issued travel order never changes (only its supersession is
    # recorded, once), whoever connects.
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.nomination_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'nomination_history is append-only'; END $$;
        """
    )
    op.execute(
        f"CREATE TRIGGER nomination_history_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.nomination_history "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.nomination_history_is_append_only()"
    )
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.travel_order_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'an issued travel order cannot be deleted'; END IF;
            IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
               OR (to_jsonb(NEW) - 'superseded_at') <> (to_jsonb(OLD) - 'superseded_at') THEN
                RAISE EXCEPTION 'an issued travel order is immutable: issue a new version';
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        f"CREATE TRIGGER travel_order_immutable BEFORE UPDATE OR DELETE ON {SCHEMA}.travel_order "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.travel_order_is_immutable()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS travel_order_immutable ON {SCHEMA}.travel_order")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.travel_order_is_immutable()")
    op.execute(
        f"DROP TRIGGER IF EXISTS nomination_history_append_only ON {SCHEMA}.nomination_history"
    )
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.nomination_history_is_append_only()")
    for table in ("ito_serial", "travel_order", "nomination_history", "nomination", "candidate"):
        op.drop_table(table, schema=SCHEMA)

"""Vetting cases, their append-only decisions and confirmations, the derogatory-unit registry.

Revision ID: vetting_0002
Revises: vetting_0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "vetting_0002"
down_revision = "vetting_0001"
branch_labels = None
depends_on = None

SCHEMA = "vetting"
APPEND_ONLY = ("decision", "decision_confirmation")


def upgrade() -> None:
    op.create_table(
        "vetting_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("person_fingerprint", sa.Text(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("unit_key", sa.Text(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("cycle_started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("flagged_possible_duplicate", sa.Boolean(), nullable=False),
        sa.Column("possible_duplicate_of", sa.Uuid()),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("reason_code", sa.String(40)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("valid_until", sa.Date()),
        sa.Column("registry_entry_id", sa.Uuid()),
        sa.Column("reused_from_case_id", sa.Uuid()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vetting_case"),
        sa.UniqueConstraint("nomination_id", name="uq_vetting_case_nomination_id"),
        sa.CheckConstraint(
            "status IN ('open', 'pending_confirmation', 'approved', 'suspended', 'denied', 'cancelled')",
            name="ck_vetting_case_status",
        ),
        sa.CheckConstraint(
            "status <> 'approved' OR valid_until IS NOT NULL",
            name="ck_vetting_case_approved_has_validity",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_vetting_case_candidate_id", "vetting_case", ["candidate_id"], schema=SCHEMA)
    op.create_index(
        "ix_vetting_case_person_fingerprint", "vetting_case", ["person_fingerprint"], schema=SCHEMA
    )
    op.create_index("ix_vetting_case_opened_at", "vetting_case", ["opened_at", "id"], schema=SCHEMA)
    op.create_index(
        "ix_vetting_case_status_due_on", "vetting_case", ["status", "due_on"], schema=SCHEMA
    )
    op.create_index(
        "ix_vetting_case_country_opened_at", "vetting_case", ["country", "opened_at"], schema=SCHEMA
    )
    op.create_index(
        "ix_vetting_case_approved_valid_until",
        "vetting_case",
        ["valid_until"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'approved'"),
    )

    op.create_table(
        "decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("cycle_started_on", sa.Date(), nullable=False),
        sa.Column("first_in_cycle", sa.Boolean(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("requires_confirmation", sa.Boolean(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.Column("reused_from_case_id", sa.Uuid()),
        sa.Column("registry_entry_id", sa.Uuid()),
        sa.PrimaryKeyConstraint("id", name="pk_decision"),
        sa.UniqueConstraint("seq", name="uq_decision_seq"),
        sa.ForeignKeyConstraint(
            ["case_id"], [f"{SCHEMA}.vetting_case.id"], name="fk_decision_case_id_vetting_case"
        ),
        sa.CheckConstraint(
            "result IN ('approved', 'suspended', 'denied', 'cancelled', 'reopened')",
            name="ck_decision_result",
        ),
        sa.CheckConstraint("length(btrim(rationale)) > 0", name="ck_decision_rationale_given"),
        schema=SCHEMA,
    )
    op.create_index("ix_decision_case_id", "decision", ["case_id", "seq"], schema=SCHEMA)

    op.create_table(
        "decision_confirmation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("confirmed_by", sa.String(200), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date()),
        sa.PrimaryKeyConstraint("id", name="pk_decision_confirmation"),
        sa.UniqueConstraint("decision_id", name="uq_decision_confirmation_decision_id"),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            [f"{SCHEMA}.decision.id"],
            name="fk_decision_confirmation_decision_id_decision",
        ),
        sa.CheckConstraint(
            "outcome IN ('confirmed', 'rejected')", name="ck_decision_confirmation_outcome"
        ),
        sa.CheckConstraint(
            "confirmed_by <> decided_by", name="ck_decision_confirmation_second_vetter"
        ),
        sa.CheckConstraint(
            "length(btrim(rationale)) > 0", name="ck_decision_confirmation_rationale_given"
        ),
        schema=SCHEMA,
    )

    op.create_table(
        "derogatory_unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("unit_name", sa.String(300), nullable=False),
        sa.Column("unit_key", sa.String(300), nullable=False),
        sa.Column("source_reference", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("added_by", sa.String(200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remediated_at", sa.DateTime(timezone=True)),
        sa.Column("remediated_by", sa.String(200)),
        sa.Column("remediation_notes", sa.Text()),
        sa.Column("remediation_reference", sa.String(300)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_derogatory_unit"),
        sa.CheckConstraint(
            "(remediated_at IS NULL) = (remediation_notes IS NULL)",
            name="ck_derogatory_unit_remediation_complete",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_derogatory_unit_active",
        "derogatory_unit",
        ["country", "unit_key"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("remediated_at IS NULL"),
    )
    op.create_index(
        "ix_derogatory_unit_added_at", "derogatory_unit", ["added_at", "id"], schema=SCHEMA
    )

    op.create_table(
        "closed_nomination",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nomination_id", name="pk_closed_nomination"),
        schema=SCHEMA,
    )

    # The decision record is append-only, whoever connects (the current result is derived).
    op.execute(
        f"""
        CREATE FUNCTION {SCHEMA}.decision_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
        """
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.decision_is_append_only()"
        )


def downgrade() -> None:
    for table in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.decision_is_append_only()")
    op.drop_table("closed_nomination", schema=SCHEMA)
    op.drop_index("ix_derogatory_unit_added_at", table_name="derogatory_unit", schema=SCHEMA)
    op.drop_index("uq_derogatory_unit_active", table_name="derogatory_unit", schema=SCHEMA)
    op.drop_table("derogatory_unit", schema=SCHEMA)
    op.drop_table("decision_confirmation", schema=SCHEMA)
    op.drop_index("ix_decision_case_id", table_name="decision", schema=SCHEMA)
    op.drop_table("decision", schema=SCHEMA)
    for index in (
        "ix_vetting_case_approved_valid_until",
        "ix_vetting_case_country_opened_at",
        "ix_vetting_case_status_due_on",
        "ix_vetting_case_opened_at",
        "ix_vetting_case_person_fingerprint",
        "ix_vetting_case_candidate_id",
    ):
        op.drop_index(index, table_name="vetting_case", schema=SCHEMA)
    op.drop_table("vetting_case", schema=SCHEMA)

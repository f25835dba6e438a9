"""Funds and ledger: appropriations with tranches, country allocations, requests, obligations and
the append-only ledger, with the database-level guards.

- Anti-Deficiency: CHECK obligated + charged + lapsed <= amount on every allocation.
- One active obligation per nomination: a partial unique index.
- Allocations within the appropriation: a trigger that locks the fiscal year's appropriation row
  and re-sums its allocations whenever an allocation is inserted or its amount changes (and when
  an appropriation's amount changes), so concurrent writers serialise and cannot overshoot.
- `ledger_entry` and `allocation_change` are append-only: a trigger refuses UPDATE and DELETE.

Revision ID: funding_0002
Revises: funding_0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "funding_0002"
down_revision = "funding_0001"
branch_labels = None
depends_on = None

S = "funding"
# Serialise on the appropriation row, then re-sum with a fresh snapshot (READ COMMITTED takes
# one per statement), so two concurrent writers can never both overshoot.
WITHIN_APPROPRIATION = """
CREATE FUNCTION funding.allocations_within_appropriation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE appropriated numeric; allocated numeric;
BEGIN
  SELECT amount INTO appropriated FROM funding.appropriation
    WHERE fiscal_year = NEW.fiscal_year FOR UPDATE;
  SELECT COALESCE(SUM(amount), 0) INTO allocated FROM funding.allocation
    WHERE fiscal_year = NEW.fiscal_year;
  IF allocated > appropriated THEN
    RAISE EXCEPTION 'allocations of FY% (%) exceed its appropriation (%)',
      NEW.fiscal_year, allocated, appropriated USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
"""


def _money(name: str, default: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.Numeric(14, 2),
        nullable=False,
        **({"server_default": sa.text("0")} if default else {}),
    )


def _stamps() -> list[sa.Column]:
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
        "appropriation",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        _money("amount"),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint("amount >= 0", name="ck_appropriation_amount_not_negative"),
        sa.PrimaryKeyConstraint("fiscal_year", name="pk_appropriation"),
        schema=S,
    )
    op.create_table(
        "tranche",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        _money("amount"),
        sa.Column("available_until", sa.Date(), nullable=False),
        _money("drawn", default=True),
        sa.CheckConstraint("amount > 0", name="ck_tranche_amount_positive"),
        sa.CheckConstraint("drawn >= 0 AND drawn <= amount", name="ck_tranche_drawn_within_amount"),
        sa.ForeignKeyConstraint(
            ["fiscal_year"],
            [f"{S}.appropriation.fiscal_year"],
            name="fk_tranche_fiscal_year_appropriation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tranche"),
        sa.UniqueConstraint(
            "fiscal_year", "available_until", name="uq_tranche_fiscal_year_available_until"
        ),
        schema=S,
    )
    op.create_table(
        "allocation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        _money("amount"),
        _money("obligated", default=True),
        _money("charged", default=True),
        _money("lapsed", default=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint("country ~ '^[A-Z]{3}$'", name="ck_allocation_country_code"),
        sa.CheckConstraint(
            "obligated >= 0 AND charged >= 0 AND lapsed >= 0",
            name="ck_allocation_balances_not_negative",
        ),
        sa.CheckConstraint(
            "obligated + charged + lapsed <= amount", name="ck_allocation_anti_deficiency"
        ),
        sa.ForeignKeyConstraint(
            ["fiscal_year"],
            [f"{S}.appropriation.fiscal_year"],
            name="fk_allocation_fiscal_year_appropriation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_allocation"),
        sa.UniqueConstraint("country", "fiscal_year", name="uq_allocation_country_fiscal_year"),
        schema=S,
    )
    op.create_table(
        "allocation_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("allocation_id", sa.Uuid(), nullable=False),
        sa.Column("previous_amount", sa.Numeric(14, 2)),
        _money("new_amount"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(200)),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            [f"{S}.allocation.id"],
            name="fk_allocation_change_allocation_id_allocation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_allocation_change"),
        schema=S,
    )
    op.create_index(
        "ix_allocation_change_allocation_id_id",
        "allocation_change",
        ["allocation_id", "id"],
        schema=S,
    )
    _create_obligation()
    _create_request_and_ledger()
    _create_guards()


def _create_obligation() -> None:
    op.create_table(
        "obligation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("allocation_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("course_category", sa.String(30), nullable=False),
        sa.Column("dedicated", sa.Boolean(), nullable=False),
        sa.Column("class_start_date", sa.Date(), nullable=False),
        sa.Column("course_days", sa.Integer(), nullable=False),
        sa.Column("funding_source", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _money("amount"),
        _money("tuition"),
        _money("travel"),
        _money("living_allowance"),
        _money("outstanding"),
        _money("penalty_amount", default=True),
        sa.Column("penalty_rule", sa.String(50)),
        sa.Column(
            "penalty_refundable", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        _money("returned_amount", default=True),
        _money("lapsed_amount", default=True),
        sa.Column("obligated_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date()),
        sa.Column("close_reason", sa.Text()),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('active', 'released', 'completed', 'terminated')",
            name="ck_obligation_status",
        ),
        sa.CheckConstraint(
            "outstanding >= 0 AND outstanding <= amount",
            name="ck_obligation_outstanding_within_amount",
        ),
        sa.CheckConstraint(
            "amount = tuition + travel + living_allowance", name="ck_obligation_amount_is_cost"
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"], [f"{S}.allocation.id"], name="fk_obligation_allocation_id_allocation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_obligation"),
        schema=S,
    )
    op.create_index(
        "uq_obligation_active_nomination", "obligation", ["nomination_id"], unique=True, schema=S,
        postgresql_where=sa.text("status = 'active'"),
    )  # fmt: skip
    op.create_index(
        "ix_obligation_country_fiscal_year_created_at",
        "obligation",
        ["country", "fiscal_year", "created_at"],
        schema=S,
    )
    op.create_index("ix_obligation_nomination_id", "obligation", ["nomination_id"], schema=S)


def _create_request_and_ledger() -> None:
    op.create_table(
        "funding_request",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("funding_source", sa.String(10), nullable=False),
        sa.Column("with_dependents", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("reason", sa.String(50)),
        sa.Column("obligation_id", sa.Uuid()),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("cause_event_id", sa.String(200)),
        sa.CheckConstraint(
            "status IN ('pending_reference_data', 'obligated', 'rejected', 'duplicate', 'withdrawn')",
            name="ck_funding_request_status",
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            [f"{S}.obligation.id"],
            name="fk_funding_request_obligation_id_obligation",
        ),
        sa.PrimaryKeyConstraint("request_id", name="pk_funding_request"),
        schema=S,
    )
    op.create_index(
        "ix_funding_request_nomination_id", "funding_request", ["nomination_id"], schema=S
    )
    for column in ("class_id", "masl_id"):
        op.create_index(
            f"ix_funding_request_{column}", "funding_request", [column], schema=S,
            postgresql_where=sa.text("status = 'pending_reference_data'"),
        )  # fmt: skip
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column(
            "posted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(3)),
        sa.Column("from_account", sa.String(20), nullable=False),
        sa.Column("to_account", sa.String(20), nullable=False),
        _money("amount"),
        sa.Column("tranche_id", sa.Uuid()),
        sa.Column("obligation_id", sa.Uuid()),
        sa.Column("nomination_id", sa.Uuid()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("request_id", sa.String(200)),
        sa.Column("cause_event_id", sa.String(200)),
        sa.CheckConstraint("amount > 0", name="ck_ledger_entry_amount_positive"),
        sa.CheckConstraint("from_account <> to_account", name="ck_ledger_entry_two_accounts"),
        sa.CheckConstraint(
            "kind IN ('appropriation', 'allocation', 'obligation', 'deobligation', 'penalty', 'adjustment', 'lapse')",
            name="ck_ledger_entry_kind",
        ),
        sa.ForeignKeyConstraint(
            ["tranche_id"], [f"{S}.tranche.id"], name="fk_ledger_entry_tranche_id_tranche"
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            [f"{S}.obligation.id"],
            name="fk_ledger_entry_obligation_id_obligation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_entry"),
        sa.UniqueConstraint("seq", name="uq_ledger_entry_seq"),
        schema=S,
    )
    op.create_index(
        "ix_ledger_entry_fiscal_year_country_seq",
        "ledger_entry",
        ["fiscal_year", "country", "seq"],
        schema=S,
    )
    op.create_index("ix_ledger_entry_obligation_id", "ledger_entry", ["obligation_id"], schema=S)


def _create_guards() -> None:
    op.execute(
        f"""
        CREATE FUNCTION {S}.refuse_change_of_history() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
        """
    )
    for table in ("ledger_entry", "allocation_change"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {S}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {S}.refuse_change_of_history()"
        )
    op.execute(WITHIN_APPROPRIATION)
    op.execute(
        f"CREATE TRIGGER allocation_within_appropriation AFTER INSERT OR UPDATE OF amount "
        f"ON {S}.allocation FOR EACH ROW EXECUTE FUNCTION {S}.allocations_within_appropriation()"
    )
    op.execute(
        f"CREATE TRIGGER appropriation_covers_allocations AFTER UPDATE OF amount "
        f"ON {S}.appropriation FOR EACH ROW EXECUTE FUNCTION {S}.allocations_within_appropriation()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS appropriation_covers_allocations ON {S}.appropriation")
    op.execute(f"DROP TRIGGER IF EXISTS allocation_within_appropriation ON {S}.allocation")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.allocations_within_appropriation()")
    for table in ("allocation_change", "ledger_entry"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {S}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.refuse_change_of_history()")
    for table in (
        "ledger_entry",
        "funding_request",
        "obligation",
        "allocation_change",
        "allocation",
        "tranche",
        "appropriation",
    ):
        op.drop_table(table, schema=S)

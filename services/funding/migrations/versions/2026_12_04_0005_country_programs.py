"""Country programs (ADR 0115-0117): programs and their training lines, line fills (estimate vs
actual), program exceptions, year-end runs; requests may wait for a program exception; the
priority-A threshold of the planning checks as reference data.

- A line never takes more students than its quantity: CHECK filled <= quantity (the use case
  decides under the line's row lock; the CHECK is the second guard).
- A priority-D line is never approved: CHECK priority <> 'D' OR status IN (planned, cancelled).

Revision ID: funding_0005
Revises: funding_platform_v2
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "funding_0005"
down_revision = "funding_platform_v2"
branch_labels = None
depends_on = None

S = "funding"
OLD = (
    "status IN ('pending_reference_data', 'pending_availability', 'obligated', 'rejected', "
    "'duplicate', 'withdrawn')"
)
NEW = (
    "status IN ('pending_reference_data', 'pending_availability', 'pending_program_exception', "
    "'obligated', 'rejected', 'duplicate', 'withdrawn')"
)
PARAMETERS = [
    (
        "priority_a_maximum_percent",
        "100.00",
        "percent",
        "Largest share of a country's ceiling its priority-A (must fund) lines may total "
        "(planning check)",
    ),
]
LINE_STATUSES = "('planned', 'approved', 'partially_filled', 'filled', 'cancelled')"


def _money(name: str, *, default: bool = False, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        name,
        sa.Numeric(14, 2),
        nullable=nullable,
        server_default=sa.text("0") if default else None,
    )


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _status_check(expression: str) -> None:
    for name in ("ck_funding_request_ck_funding_request_status", "ck_funding_request_status"):
        op.execute(f"ALTER TABLE funding.funding_request DROP CONSTRAINT IF EXISTS {name}")
    op.create_check_constraint(
        op.f("ck_funding_request_status"), "funding_request", expression, schema=S
    )


def upgrade() -> None:
    _status_check(NEW)
    op.create_table(
        "country_program",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("approved_by", sa.String(200)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint("country ~ '^[A-Z]{3}$'", name="ck_country_program_country_code"),
        sa.CheckConstraint("status IN ('planned', 'approved')", name="ck_country_program_status"),
        sa.PrimaryKeyConstraint("id", name="pk_country_program"),
        sa.UniqueConstraint(
            "country", "fiscal_year", name="uq_country_program_country_fiscal_year"
        ),
        schema=S,
    )
    op.create_table(
        "program_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(1), nullable=False),
        sa.Column("work_control_number", sa.String(30), nullable=False),
        sa.Column("funding_source", sa.String(10), nullable=False),
        sa.Column("category", sa.String(30)),
        _money("tuition", nullable=True),
        _money("travel", nullable=True),
        _money("living_allowance", nullable=True),
        sa.Column("cost_problem", sa.String(50)),
        sa.Column("costed_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filled", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _money("obligated", default=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_stamps(),
        sa.CheckConstraint("quantity > 0", name="ck_program_line_quantity_positive"),
        sa.CheckConstraint(
            "filled >= 0 AND filled <= quantity", name="ck_program_line_filled_within_quantity"
        ),
        sa.CheckConstraint("priority IN ('A', 'B', 'D')", name="ck_program_line_priority"),
        sa.CheckConstraint(f"status IN {LINE_STATUSES}", name="ck_program_line_status"),
        sa.CheckConstraint(
            "priority <> 'D' OR status IN ('planned', 'cancelled')",
            name="ck_program_line_deferred_never_approved",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            [f"{S}.country_program.id"],
            name="fk_program_line_program_id_country_program",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_program_line"),
        sa.UniqueConstraint(
            "program_id",
            "work_control_number",
            name="uq_program_line_program_id_work_control_number",
        ),
        schema=S,
    )
    op.create_index("ix_program_line_program_id", "program_line", ["program_id"], schema=S)
    op.create_index("ix_program_line_masl_id", "program_line", ["masl_id"], schema=S)
    op.create_table(
        "program_line_fill",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("line_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("obligation_id", sa.Uuid(), nullable=False),
        _money("estimated"),
        _money("actual"),
        sa.Column("difference", sa.Numeric(14, 2), nullable=False),
        sa.Column(
            "filled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "difference = actual - estimated",
            name="ck_program_line_fill_difference_is_actual_less_estimate",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], [f"{S}.program_line.id"], name="fk_program_line_fill_line_id_program_line"
        ),
        sa.ForeignKeyConstraint(
            ["obligation_id"],
            [f"{S}.obligation.id"],
            name="fk_program_line_fill_obligation_id_obligation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_program_line_fill"),
        sa.UniqueConstraint("request_id", name="uq_program_line_fill_request_id"),
        schema=S,
    )
    op.create_index("ix_program_line_fill_line_id", "program_line_fill", ["line_id"], schema=S)
    op.create_table(
        "program_exception",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            [f"{S}.funding_request.request_id"],
            name="fk_program_exception_request_id_funding_request",
        ),
        sa.PrimaryKeyConstraint("request_id", name="pk_program_exception"),
        schema=S,
    )
    op.create_table(
        "year_end_run",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("result", JSONB(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_year_end_run"),
        schema=S,
    )
    op.create_index(
        "ix_year_end_run_fiscal_year_created_at",
        "year_end_run",
        ["fiscal_year", "created_at"],
        schema=S,
    )
    parameter = sa.table(
        "funding_parameter",
        sa.column("name", sa.String),
        sa.column("value", sa.Numeric),
        sa.column("unit", sa.String),
        sa.column("description", sa.Text),
        schema=S,
    )
    op.bulk_insert(
        parameter,
        [{"name": n, "value": v, "unit": u, "description": d} for n, v, u, d in PARAMETERS],
    )


def downgrade() -> None:
    op.execute("DELETE FROM funding.funding_parameter WHERE name = 'priority_a_maximum_percent'")
    op.drop_table("year_end_run", schema=S)
    op.drop_table("program_exception", schema=S)
    op.drop_table("program_line_fill", schema=S)
    op.drop_table("program_line", schema=S)
    op.drop_table("country_program", schema=S)
    # The older schema knows no program exceptions: such requests are recorded as withdrawn.
    op.execute(
        "UPDATE funding.funding_request SET status = 'withdrawn', reason = 'downgrade' "
        "WHERE status = 'pending_program_exception'"
    )
    _status_check(OLD)

"""The period of availability has a start; requests may wait for it.

`appropriation.available_from`: the first day the fiscal year's funds may be obligated - the
fiscal year's first day unless a funding officer recorded advance availability (who, when,
why). A funding request that arrives earlier waits as `pending_availability`.

Revision ID: funding_0004
Revises: funding_0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "funding_0004"
down_revision = "funding_0003"
branch_labels = None
depends_on = None

S = "funding"
OLD = "status IN ('pending_reference_data', 'obligated', 'rejected', 'duplicate', 'withdrawn')"
NEW = (
    "status IN ('pending_reference_data', 'pending_availability', 'obligated', 'rejected', "
    "'duplicate', 'withdrawn')"
)


def _drop_status_check() -> None:
    # Earlier migrations let the naming convention prefix an already prefixed name; accept both.
    for name in ("ck_funding_request_ck_funding_request_status", "ck_funding_request_status"):
        op.execute(f"ALTER TABLE funding.funding_request DROP CONSTRAINT IF EXISTS {name}")


def upgrade() -> None:
    op.add_column("appropriation", sa.Column("available_from", sa.Date()), schema=S)
    op.execute(
        "UPDATE funding.appropriation SET available_from = make_date(fiscal_year - 1, 10, 1)"
    )
    op.alter_column("appropriation", "available_from", nullable=False, schema=S)
    op.add_column("appropriation", sa.Column("availability_reason", sa.Text()), schema=S)
    op.add_column("appropriation", sa.Column("availability_set_by", sa.String(200)), schema=S)
    op.add_column(
        "appropriation", sa.Column("availability_set_at", sa.DateTime(timezone=True)), schema=S
    )
    _drop_status_check()
    op.create_check_constraint(op.f("ck_funding_request_status"), "funding_request", NEW, schema=S)
    op.create_index(
        "ix_funding_request_fiscal_year", "funding_request", ["fiscal_year"], schema=S,
        postgresql_where=sa.text("status = 'pending_availability'"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_funding_request_fiscal_year", table_name="funding_request", schema=S)
    # The older schema knows no waiting for availability: such requests are decided again
    # when they are re-sent; they are recorded as withdrawn, never silently lost.
    op.execute(
        "UPDATE funding.funding_request SET status = 'withdrawn', reason = 'downgrade' "
        "WHERE status = 'pending_availability'"
    )
    _drop_status_check()
    op.create_check_constraint(
        op.f("ck_funding_request_ck_funding_request_status"), "funding_request", OLD, schema=S
    )
    for column in ("availability_set_at", "availability_set_by", "availability_reason"):
        op.drop_column("appropriation", column, schema=S)
    op.drop_column("appropriation", "available_from", schema=S)

"""Probe schema: platform tables and the effect table.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from shared.db.migration_helpers import create_platform_v1, drop_platform_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_v1("probe")
    op.create_table(
        "probe_effect",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column(
            "applied_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_probe_effect"),
        schema="probe",
    )


def downgrade() -> None:
    op.drop_table("probe_effect", schema="probe")
    drop_platform_v1("probe")

"""The revision of the candidate's vetted facts a case decides on.

Revision ID: vetting_0003
Revises: vetting_0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "vetting_0003"
down_revision = "vetting_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "vetting_case",
        sa.Column("vetted_revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="vetting",
    )


def downgrade() -> None:
    op.drop_column("vetting_case", "vetted_revision", schema="vetting")

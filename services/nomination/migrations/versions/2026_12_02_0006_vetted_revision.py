"""A revision number of each candidate's vetted facts.

It grows by one with every change of a vetted field (names, birth, unit, service, rank); a
vetting decision about an older revision no longer counts.

Revision ID: nomination_0006
Revises: nomination_0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "nomination_0006"
down_revision = "nomination_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "candidate",
        sa.Column("vetted_revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema="nomination",
    )


def downgrade() -> None:
    op.drop_column("candidate", "vetted_revision", schema="nomination")

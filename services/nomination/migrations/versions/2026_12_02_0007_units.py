"""Units' registry identity: a read model of `vetting.unit_registered`; candidates reference it.

Revision ID: nomination_0007
Revises: nomination_0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "nomination_0007"
down_revision = "nomination_0006"
branch_labels = None
depends_on = None

S = "nomination"


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("parent_unit_id", sa.Uuid()),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("unit_id", name="pk_unit"),
        schema=S,
    )
    op.add_column("candidate", sa.Column("unit_id", sa.Uuid()), schema=S)


def downgrade() -> None:
    op.drop_column("candidate", "unit_id", schema=S)
    op.drop_table("unit", schema=S)

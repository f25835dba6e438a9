"""The FMTR's units (ADR 0141): each nomination's unit name (latest) and the refcount of the
trained students' units per training activity, filled from the facts already there.

The facts recorded before this revision have no unit name (reporting did not keep it): the
activities' units of that history appear after `imet reporting rebuild` replays the topics.

Revision ID: reporting_0004
Revises: reporting_0003
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0004"
down_revision = "reporting_0003"
branch_labels = None
depends_on = None

S = "reporting"


def upgrade() -> None:
    op.add_column("nomination", sa.Column("unit_name", sa.Text()), schema=S)
    op.create_table(
        "fmtr_unit",
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("masl_id", sa.String(20), nullable=False),
        sa.Column("unit_name", sa.Text(), nullable=False),
        sa.Column("students", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "country", "masl_id", "unit_name",
                                name="pk_fmtr_unit"),
        schema=S,
    )  # fmt: skip
    from reporting.adapters.aggregates import everything, statements

    bind = op.get_bind()
    for stmt in statements(everything, 1, only={"fmtr_unit"}):
        bind.execute(stmt)


def downgrade() -> None:
    op.drop_table("fmtr_unit", schema=S)
    op.drop_column("nomination", "unit_name", schema=S)

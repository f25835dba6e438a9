"""The living-allowance line funding obligated, kept on the nomination for its travel order.

Revision ID: nomination_0005
Revises: nomination_0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "nomination_0005"
down_revision = "nomination_0004"
branch_labels = None
depends_on = None

SCHEMA = "nomination"
COLUMNS = (
    ("living_allowance", sa.Numeric(14, 2)),
    ("tla_lodging_per_day", sa.Numeric(14, 2)),
    ("tla_meals_per_day", sa.Numeric(14, 2)),
    ("tla_incidentals_per_day", sa.Numeric(14, 2)),
    ("tla_days", sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("nomination", sa.Column(name, type_), schema=SCHEMA)


def downgrade() -> None:
    for name, _ in reversed(COLUMNS):
        op.drop_column("nomination", name, schema=SCHEMA)

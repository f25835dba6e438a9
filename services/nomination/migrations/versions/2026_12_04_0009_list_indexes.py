"""Indexes for the nomination list filtered by state, newest first (bench/scale, ADR 0125).

`GET /api/v1/nominations?country=&status=` pages by `(created_at DESC, id DESC)`. With only
`(country, created_at, id)` the database walks the country's nominations newest first and drops
the other states: a rare state at the end of a long history costs a scan of the whole country.
`(country, status, created_at, id)` and `(status, created_at, id)` serve the page directly.

Revision ID: nomination_0009
Revises: nomination_0008
Create Date: 2026-12-04
"""

from alembic import op

revision = "nomination_0009"
down_revision = "nomination_0008"
branch_labels = None
depends_on = None

S = "nomination"


def upgrade() -> None:
    op.create_index(
        "ix_nomination_country_status_created_at_id",
        "nomination",
        ["country", "status", "created_at", "id"],
        schema=S,
    )
    op.create_index(
        "ix_nomination_status_created_at_id", "nomination", ["status", "created_at", "id"], schema=S
    )


def downgrade() -> None:
    op.drop_index("ix_nomination_status_created_at_id", "nomination", schema=S)
    op.drop_index("ix_nomination_country_status_created_at_id", "nomination", schema=S)

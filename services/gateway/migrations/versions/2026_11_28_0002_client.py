"""Client registrations of agency systems (OAuth2 client credentials, docs/adr/0008).

Only the argon2id hash of a secret is stored. A revoked client keeps its row (and its audit
trail): revocation is a state, never a delete.

Revision ID: gateway_0002
Revises: gateway_0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "gateway_0002"
down_revision = "gateway_0001"
branch_labels = None
depends_on = None

SCHEMA = "gateway"


def upgrade() -> None:
    op.create_table(
        "client",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("roles", postgresql.JSONB(), nullable=False),
        sa.Column("country", sa.String(3)),
        sa.Column(
            "scopes", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("status", sa.String(10), server_default="active", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String(200)),
        sa.PrimaryKeyConstraint("client_id", name="pk_client"),
        sa.CheckConstraint("status IN ('active', 'revoked')", name="ck_client_status"),
        sa.CheckConstraint(
            "(status = 'revoked') = (revoked_at IS NOT NULL)", name="ck_client_revoked_at"
        ),
        sa.CheckConstraint(
            "country IS NOT NULL OR NOT roles @> '[\"sco\"]'::jsonb", name="ck_client_sco_country"
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("client", schema=SCHEMA)

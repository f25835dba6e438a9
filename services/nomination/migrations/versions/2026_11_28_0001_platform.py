"""Platform tables of the nomination schema: outbox, inbox, consumer offsets, idempotency keys, audit.

Revision ID: nomination_0001
Revises:
Create Date: 2026-11-28
"""

from shared.db.migration_helpers import create_platform_v1, drop_platform_v1

revision = "nomination_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_v1("nomination")


def downgrade() -> None:
    drop_platform_v1("nomination")

"""Platform tables of the catalog schema: outbox, inbox, consumer offsets, idempotency keys, audit.

Revision ID: catalog_0001
Revises:
Create Date: 2026-11-28
"""

from shared.db.migration_helpers import create_platform_v1, drop_platform_v1

revision = "catalog_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_v1("catalog")


def downgrade() -> None:
    drop_platform_v1("catalog")

"""Platform tables of the gateway schema (the gateway uses only `audit_log` of them).

Revision ID: gateway_0001
Revises:
Create Date: 2026-11-28
"""

from shared.db.migration_helpers import create_platform_v1, drop_platform_v1

revision = "gateway_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_v1("gateway")


def downgrade() -> None:
    drop_platform_v1("gateway")

"""Platform tables of the reporting schema (outbox, inbox, consumer offsets, idempotency, audit),
at their v2 shape (inbox topic/partition/outcome, consumer_offset.record_time).

Revision ID: reporting_0001
Revises:
Create Date: 2026-12-04
"""

from shared.db.migration_helpers import (
    create_platform_v1,
    downgrade_platform_v2,
    drop_platform_v1,
    upgrade_platform_v2,
)

revision = "reporting_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_v1("reporting")
    upgrade_platform_v2("reporting")


def downgrade() -> None:
    downgrade_platform_v2("reporting")
    drop_platform_v1("reporting")

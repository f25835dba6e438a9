"""Platform tables v2 (issue 10): inbox topic/partition/outcome, consumer_offset.record_time,
indexes the retention job uses (shared/db/migration_helpers.py).

Revision ID: nomination_platform_v2
Revises: nomination_0007
Create Date: 2026-12-02
"""

from shared.db.migration_helpers import downgrade_platform_v2, upgrade_platform_v2

revision = "nomination_platform_v2"
down_revision = "nomination_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_platform_v2("nomination")


def downgrade() -> None:
    downgrade_platform_v2("nomination")

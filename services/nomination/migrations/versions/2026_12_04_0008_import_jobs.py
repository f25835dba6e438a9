"""Bulk imports as asynchronous jobs (ADR 0128): `import_job` and its `import_row`s.

Revision ID: nomination_0008
Revises: nomination_platform_v2
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "nomination_0008"
down_revision = "nomination_platform_v2"
branch_labels = None
depends_on = None

S = "nomination"


def upgrade() -> None:
    op.create_table(
        "import_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(3), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("submit", sa.Boolean(), nullable=False),
        sa.Column("actor", JSONB(), nullable=False),
        sa.Column("status", sa.String(16), server_default=sa.text("'queued'"), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("existing", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rejected", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('completed', 'failed', 'queued', 'running')", name="ck_import_job_status"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_job"),
        schema=S,
    )
    op.create_index("ix_import_job_fingerprint", "import_job", ["scope", "fingerprint"], schema=S)
    op.create_index(
        "ix_import_job_unfinished",
        "import_job",
        ["created_at"],
        schema=S,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_table(
        "import_row",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("input", JSONB()),
        sa.Column("status", sa.String(16), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("candidate_id", sa.Uuid()),
        sa.Column("nomination_id", sa.Uuid()),
        sa.Column("nomination_status", sa.String(40)),
        sa.Column("errors", JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.CheckConstraint(
            "status IN ('created', 'existing', 'pending', 'rejected')",
            name="ck_import_row_status",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            [f"{S}.import_job.id"],
            name="fk_import_row_job_id_import_job",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "line", name="pk_import_row"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("import_row", schema=S)
    op.drop_index("ix_import_job_unfinished", table_name="import_job", schema=S)
    op.drop_index("ix_import_job_fingerprint", table_name="import_job", schema=S)
    op.drop_table("import_job", schema=S)

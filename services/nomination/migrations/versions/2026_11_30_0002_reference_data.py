"""Catalog read model (courses, classes) and country reference data of the nomination schema.

Revision ID: nomination_0002
Revises: nomination_0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "nomination_0002"
down_revision = "nomination_0001"
branch_labels = None
depends_on = None

SCHEMA = "nomination"


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("institution_name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("english_test", sa.String(10)),
        sa.Column("english_min_score", sa.Integer()),
        sa.Column("eimet_certified_on", sa.Date()),
        sa.Column("dedicated_international", sa.Boolean(), nullable=False),
        sa.Column("duration_weeks", sa.Numeric(5, 1), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("masl_id", name="pk_course"),
        schema=SCHEMA,
    )
    op.create_table(
        "course_class",
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("class_id", name="pk_course_class"),
        schema=SCHEMA,
    )
    op.create_index("ix_course_class_masl_id", "course_class", ["masl_id"], schema=SCHEMA)
    op.create_table(
        "country",
        sa.Column("iso3", sa.String(3), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sanctioned", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("sanctions_reason", sa.Text()),
        sa.Column(
            "ecl_exempt_fiscal_years",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("iso3", name="pk_country"),
        schema=SCHEMA,
    )
    op.create_table(
        "country_revision",
        sa.Column("iso3", sa.String(3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sanctioned", sa.Boolean(), nullable=False),
        sa.Column("sanctions_reason", sa.Text()),
        sa.Column("ecl_exempt_fiscal_years", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("iso3", "version", name="pk_country_revision"),
        sa.ForeignKeyConstraint(
            ["iso3"], [f"{SCHEMA}.country.iso3"], name="fk_country_revision_iso3_country"
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("country_revision", "country", "course_class", "course"):
        op.drop_table(table, schema=SCHEMA)

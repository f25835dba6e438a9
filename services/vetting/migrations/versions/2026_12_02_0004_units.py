"""Units get a registry identity; registry entries and cases reference it.

`unit`: country + normalized name (`name_key`) + optional parent unit - unique together (a
missing parent counts as one value). Every registry entry now names its unit (existing entries
get a unit made from their country and name) and may cover the unit's subunits. At most one
active entry per unit. A case records the unit it was linked to and how: `registered` (the
candidate referenced it), `by_name` (its name matched exactly one unit), `unregistered`,
`ambiguous` (free text only: a flag for the vetter).

Revision ID: vetting_0004
Revises: vetting_0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "vetting_0004"
down_revision = "vetting_0003"
branch_labels = None
depends_on = None

S = "vetting"
NO_PARENT = "'00000000-0000-0000-0000-000000000000'::uuid"


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("parent_id", sa.Uuid()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit"),
        sa.ForeignKeyConstraint(["parent_id"], [f"{S}.unit.id"], name="fk_unit_parent_id_unit"),
        schema=S,
    )
    op.create_index(
        "uq_unit_identity", "unit",
        ["country", "name_key", sa.text(f"coalesce(parent_id, {NO_PARENT})")],
        unique=True, schema=S,
    )  # fmt: skip
    op.create_index("ix_unit_country_name_key", "unit", ["country", "name_key"], schema=S)
    op.create_index("ix_unit_parent_id", "unit", ["parent_id"], schema=S)
    op.add_column("derogatory_unit", sa.Column("unit_id", sa.Uuid()), schema=S)
    op.add_column(
        "derogatory_unit",
        sa.Column("include_subunits", sa.Boolean(), server_default=sa.false(), nullable=False),
        schema=S,
    )
    # Existing entries: one unit per (country, name key), without a parent.
    op.execute(
        """
        INSERT INTO vetting.unit (id, country, name, name_key, parent_id, created_at, created_by,
                                  version)
        SELECT DISTINCT ON (country, unit_key) gen_random_uuid(), country, unit_name, unit_key,
               NULL, added_at, added_by, 1
        FROM vetting.derogatory_unit ORDER BY country, unit_key, added_at
        """
    )
    op.execute(
        """
        UPDATE vetting.derogatory_unit d SET unit_id = u.id
        FROM vetting.unit u
        WHERE u.country = d.country AND u.name_key = d.unit_key AND u.parent_id IS NULL
        """
    )
    op.alter_column("derogatory_unit", "unit_id", nullable=False, schema=S)
    op.create_foreign_key(
        "fk_derogatory_unit_unit_id_unit", "derogatory_unit", "unit", ["unit_id"], ["id"],
        source_schema=S, referent_schema=S,
    )  # fmt: skip
    op.drop_index("uq_derogatory_unit_active", table_name="derogatory_unit", schema=S)
    op.create_index(
        "uq_derogatory_unit_active", "derogatory_unit", ["unit_id"], unique=True, schema=S,
        postgresql_where=sa.text("remediated_at IS NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_derogatory_unit_country_unit_key", "derogatory_unit", ["country", "unit_key"],
        schema=S,
    )  # fmt: skip
    op.add_column("vetting_case", sa.Column("unit_id", sa.Uuid()), schema=S)
    op.add_column(
        "vetting_case",
        sa.Column("unit_match", sa.String(20), server_default="unregistered", nullable=False),
        schema=S,
    )
    op.create_check_constraint(
        op.f("ck_vetting_case_unit_match"), "vetting_case",
        "unit_match IN ('registered', 'by_name', 'unregistered', 'ambiguous')", schema=S,
    )  # fmt: skip
    op.create_index("ix_vetting_case_unit_id", "vetting_case", ["unit_id"], schema=S)
    op.create_index(
        "ix_vetting_case_country_unit_key", "vetting_case", ["country", "unit_key"], schema=S
    )


def downgrade() -> None:
    op.drop_index("ix_vetting_case_country_unit_key", table_name="vetting_case", schema=S)
    op.drop_index("ix_vetting_case_unit_id", table_name="vetting_case", schema=S)
    op.drop_constraint(op.f("ck_vetting_case_unit_match"), "vetting_case", schema=S)
    op.drop_column("vetting_case", "unit_match", schema=S)
    op.drop_column("vetting_case", "unit_id", schema=S)
    op.drop_index("ix_derogatory_unit_country_unit_key", table_name="derogatory_unit", schema=S)
    op.drop_index("uq_derogatory_unit_active", table_name="derogatory_unit", schema=S)
    op.create_index(
        "uq_derogatory_unit_active", "derogatory_unit", ["country", "unit_key"], unique=True,
        schema=S, postgresql_where=sa.text("remediated_at IS NULL"),
    )  # fmt: skip
    op.drop_constraint("fk_derogatory_unit_unit_id_unit", "derogatory_unit", schema=S)
    op.drop_column("derogatory_unit", "include_subunits", schema=S)
    op.drop_column("derogatory_unit", "unit_id", schema=S)
    op.drop_table("unit", schema=S)

"""The catalog's read generation: one counter every committed change of what course reads show
increments, so a process's cache of course reads knows, with one tiny read, whether an entry is
still current (ADR 0120).

Bumped in the writing transaction itself by triggers (never by application code, so no write
path can forget): any change of `course`, `institution` or `tuition_rate`, and the changes of
`course_class` that course search filters on (a class added or removed, its course, start
date, fiscal year, or whether it is cancelled). Seat counts (`seat_counts` updates the class
row on every hold) do not bump it. It is a table row, not a sequence: `nextval` is visible
before the commit, which would let a reader label old data with the new generation.

Revision ID: catalog_0003
Revises: catalog_platform_v2
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0003"
down_revision = "catalog_platform_v2"
branch_labels = None
depends_on = None

SCHEMA = "catalog"
STATEMENT_TABLES = ("course", "institution", "tuition_rate")


def upgrade() -> None:
    op.create_table(
        "read_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("id", name="pk_read_generation"),
        sa.CheckConstraint("id = 1", name="ck_read_generation_single_row"),
        schema=SCHEMA,
    )
    op.execute("INSERT INTO catalog.read_generation (id, generation) VALUES (1, 1)")
    op.execute(
        """
        CREATE FUNCTION catalog.bump_read_generation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE catalog.read_generation SET generation = generation + 1 WHERE id = 1;
            RETURN NULL;
        END $$;
        """
    )
    for table in STATEMENT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_bumps_read_generation "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {SCHEMA}.{table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.bump_read_generation()"
        )
    op.execute(
        f"CREATE TRIGGER course_class_bumps_read_generation "
        f"AFTER INSERT OR DELETE OR TRUNCATE ON {SCHEMA}.course_class "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.bump_read_generation()"
    )
    op.execute(
        f"CREATE TRIGGER course_class_change_bumps_read_generation "
        f"AFTER UPDATE ON {SCHEMA}.course_class FOR EACH ROW "
        "WHEN (OLD.masl_id IS DISTINCT FROM NEW.masl_id "
        "OR OLD.start_date IS DISTINCT FROM NEW.start_date "
        "OR OLD.fiscal_year IS DISTINCT FROM NEW.fiscal_year "
        "OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled')) "
        f"EXECUTE FUNCTION {SCHEMA}.bump_read_generation()"
    )


def downgrade() -> None:
    op.execute(
        f"DROP TRIGGER IF EXISTS course_class_change_bumps_read_generation ON {SCHEMA}.course_class"
    )
    op.execute(
        f"DROP TRIGGER IF EXISTS course_class_bumps_read_generation ON {SCHEMA}.course_class"
    )
    for table in STATEMENT_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_bumps_read_generation ON {SCHEMA}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.bump_read_generation()")
    op.drop_table("read_generation", schema=SCHEMA)

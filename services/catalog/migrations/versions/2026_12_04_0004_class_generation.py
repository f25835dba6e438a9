"""A second read generation, for the class list (ADR 0155): row 2 of `read_generation` counts
committed changes of any class row - seat counts included - so a process can keep rendered
class lists (with their free seats) and know with the same tiny read whether one is current.

Seat counts change on every hold, so the counter is bumped by a DEFERRED constraint trigger: at
commit, after every other lock of the transaction is taken. Concurrent holds queue on row 2
only for the instant of their commits, and no lock is taken after it, so it adds no deadlock.
Row 1 (catalog_0003) keeps counting what course reads show; a seat change does not touch it.

Revision ID: catalog_0004
Revises: catalog_0003
Create Date: 2026-12-04
"""

from alembic import op

revision = "catalog_0004"
down_revision = "catalog_0003"
branch_labels = None
depends_on = None

SCHEMA = "catalog"


def _drop_check_constraints() -> None:
    """The table's CHECK (catalog_0003 named it through the naming convention)."""
    op.execute(
        """
        DO $$
        DECLARE name text;
        BEGIN
            FOR name IN SELECT conname FROM pg_constraint
                        WHERE conrelid = 'catalog.read_generation'::regclass AND contype = 'c'
            LOOP
                EXECUTE format('ALTER TABLE catalog.read_generation DROP CONSTRAINT %I', name);
            END LOOP;
        END $$;
        """
    )


def upgrade() -> None:
    _drop_check_constraints()
    op.execute(
        "ALTER TABLE catalog.read_generation ADD CONSTRAINT ck_read_generation_known_rows "
        "CHECK (id IN (1, 2))"
    )
    op.execute("INSERT INTO catalog.read_generation (id, generation) VALUES (2, 1)")
    op.execute(
        """
        CREATE FUNCTION catalog.bump_class_generation() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE catalog.read_generation SET generation = generation + 1 WHERE id = 2;
            RETURN NULL;
        END $$;
        """
    )
    op.execute(
        f"CREATE CONSTRAINT TRIGGER course_class_bumps_class_generation "
        f"AFTER INSERT OR UPDATE OR DELETE ON {SCHEMA}.course_class "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION {SCHEMA}.bump_class_generation()"
    )


def downgrade() -> None:
    op.execute(
        f"DROP TRIGGER IF EXISTS course_class_bumps_class_generation ON {SCHEMA}.course_class"
    )
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.bump_class_generation()")
    op.execute("DELETE FROM catalog.read_generation WHERE id = 2")
    _drop_check_constraints()
    op.execute(
        "ALTER TABLE catalog.read_generation ADD CONSTRAINT ck_read_generation_single_row "
        "CHECK (id = 1)"
    )

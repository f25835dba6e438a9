"""Travel orders can be recalled; courses carry the catalog's E-IMET end date.

An issued order stays immutable: the trigger now lets exactly one of two things happen to it,
once - it is superseded by a newer version, or it is recalled (time, reason code, the gate
items that failed). The current order of a nomination is the one neither superseded nor
recalled. `course.eimet_certified_through` is the last day of the E-IMET certification as the
catalog publishes it; rows applied before the catalog published it get the catalog's default
rule (5 years, through the day before the anniversary) until the next course event.

Revision ID: nomination_0004
Revises: nomination_0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "nomination_0004"
down_revision = "nomination_0003"
branch_labels = None
depends_on = None

SCHEMA = "nomination"

_IMMUTABLE_V2 = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.travel_order_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    fixed text[] := ARRAY['superseded_at', 'recalled_at', 'recall_reason', 'recall_detail'];
BEGIN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'an issued travel order cannot be deleted'; END IF;
    IF OLD.superseded_at IS NOT NULL OR OLD.recalled_at IS NOT NULL THEN
        RAISE EXCEPTION 'a superseded or recalled travel order never changes';
    END IF;
    IF (to_jsonb(NEW) - fixed) <> (to_jsonb(OLD) - fixed) THEN
        RAISE EXCEPTION 'an issued travel order is immutable: issue a new version';
    END IF;
    IF NEW.superseded_at IS NOT NULL AND NEW.recalled_at IS NULL AND NEW.recall_reason IS NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.recalled_at IS NOT NULL AND NEW.recall_reason IS NOT NULL AND NEW.superseded_at IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a travel order is either superseded or recalled, once';
END $$;
"""

_IMMUTABLE_V1 = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.travel_order_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'an issued travel order cannot be deleted'; END IF;
    IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
       OR (to_jsonb(NEW) - 'superseded_at') <> (to_jsonb(OLD) - 'superseded_at') THEN
        RAISE EXCEPTION 'an issued travel order is immutable: issue a new version';
    END IF;
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.add_column(
        "travel_order", sa.Column("recalled_at", sa.DateTime(timezone=True)), schema=SCHEMA
    )
    op.add_column("travel_order", sa.Column("recall_reason", sa.String(40)), schema=SCHEMA)
    op.add_column("travel_order", sa.Column("recall_detail", postgresql.JSONB()), schema=SCHEMA)
    op.create_check_constraint(
        op.f("ck_travel_order_superseded_or_recalled"), "travel_order",
        "superseded_at IS NULL OR recalled_at IS NULL", schema=SCHEMA,
    )  # fmt: skip
    op.create_check_constraint(
        op.f("ck_travel_order_recall_has_reason"), "travel_order",
        "(recalled_at IS NULL) = (recall_reason IS NULL)", schema=SCHEMA,
    )  # fmt: skip
    op.drop_index("uq_travel_order_current", table_name="travel_order", schema=SCHEMA)
    op.create_index(
        "uq_travel_order_current", "travel_order", ["nomination_id"], unique=True, schema=SCHEMA,
        postgresql_where=sa.text("superseded_at IS NULL AND recalled_at IS NULL"),
    )  # fmt: skip
    op.create_index(
        "ix_travel_order_recalled_at", "travel_order", ["recalled_at", "id"], schema=SCHEMA,
        postgresql_where=sa.text("recalled_at IS NOT NULL"),
    )  # fmt: skip
    op.execute(_IMMUTABLE_V2)
    op.add_column("course", sa.Column("eimet_certified_through", sa.Date()), schema=SCHEMA)
    op.execute(
        "UPDATE nomination.course SET eimet_certified_through = "
        "(eimet_certified_on + interval '5 years')::date - 1 WHERE eimet_certified_on IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("course", "eimet_certified_through", schema=SCHEMA)
    # The older schema knows no recall: a recalled order is kept, as superseded at its recall.
    op.execute(f"ALTER TABLE {SCHEMA}.travel_order DISABLE TRIGGER travel_order_immutable")
    op.execute(
        "UPDATE nomination.travel_order SET superseded_at = recalled_at "
        "WHERE recalled_at IS NOT NULL"
    )
    op.execute(f"ALTER TABLE {SCHEMA}.travel_order ENABLE TRIGGER travel_order_immutable")
    op.execute(_IMMUTABLE_V1)
    op.drop_index("ix_travel_order_recalled_at", table_name="travel_order", schema=SCHEMA)
    op.drop_index("uq_travel_order_current", table_name="travel_order", schema=SCHEMA)
    op.create_index(
        "uq_travel_order_current", "travel_order", ["nomination_id"], unique=True, schema=SCHEMA,
        postgresql_where=sa.text("superseded_at IS NULL"),
    )  # fmt: skip
    for name in ("ck_travel_order_recall_has_reason", "ck_travel_order_superseded_or_recalled"):
        op.drop_constraint(op.f(name), "travel_order", schema=SCHEMA)
    for column in ("recall_detail", "recall_reason", "recalled_at"):
        op.drop_column("travel_order", column, schema=SCHEMA)

"""Catalog tables: institutions, courses, tuition, classes, seats, early releases.

Seat counters on `course_class` are maintained by the trigger `seat_counts` from the seat
rows, and `ck_course_class_capacity_not_exceeded` refuses more held + confirmed seats than
capacity, whatever the application does (ADR 0010).

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None

SCHEMA = "catalog"
RELEASE_REASONS = "('withdrawn', 'cancelled', 'vetting_denied', 'hold_expired', 'class_cancelled', 'released_by_manager')"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "institution",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("implementing_agency", sa.String(20), nullable=False),
        sa.Column("government_quarters", sa.Boolean(), nullable=False),
        sa.Column("government_mess", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_institution"),
        sa.CheckConstraint(
            "implementing_agency IN ('army', 'air_force', 'navy', 'marine_corps', 'coast_guard', 'other_dod')",
            name="ck_institution_implementing_agency",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_institution_lower_name",
        "institution",
        [sa.text("lower(name)")],
        unique=True,
        schema=SCHEMA,
    )
    op.create_table(
        "course",
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("duration_weeks", sa.Numeric(5, 1), nullable=False),
        sa.Column("english_test", sa.String(10)),
        sa.Column("english_min_score", sa.Integer()),
        sa.Column("eimet_certified_on", sa.Date()),
        sa.Column("dedicated_international", sa.Boolean(), nullable=False),
        sa.Column("min_class_size", sa.Integer(), nullable=False),
        sa.Column("max_class_size", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("masl_id", name="pk_course"),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            [f"{SCHEMA}.institution.id"],
            name="fk_course_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint("masl_id ~ '^[BDPMZQ][0-9]{6}$'", name="ck_course_masl_format"),
        sa.CheckConstraint(
            "category IN ('pme', 'technical', 'english_language', 'other')",
            name="ck_course_category",
        ),
        sa.CheckConstraint("duration_weeks > 0", name="ck_course_duration_positive"),
        sa.CheckConstraint(
            "(english_test IS NULL AND english_min_score IS NULL) OR "
            "(english_test = 'ecl' AND english_min_score BETWEEN 0 AND 100) OR "
            "(english_test = 'toefl_ibt' AND english_min_score BETWEEN 0 AND 120)",
            name="ck_course_english_requirement",
        ),
        sa.CheckConstraint(
            "min_class_size >= 1 AND max_class_size >= min_class_size", name="ck_course_class_size"
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_course_institution_id", "course", ["institution_id"], schema=SCHEMA)
    op.create_index("ix_course_category", "course", ["category"], schema=SCHEMA)
    op.create_table(
        "tuition_rate",
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("masl_id", "fiscal_year", name="pk_tuition_rate"),
        sa.ForeignKeyConstraint(
            ["masl_id"],
            [f"{SCHEMA}.course.masl_id"],
            name="fk_tuition_rate_masl_id_course",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("amount >= 0", name="ck_tuition_rate_amount_not_negative"),
        schema=SCHEMA,
    )
    op.create_table(
        "course_class",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), server_default=sa.text("'open'"), nullable=False),
        sa.Column("seats_held", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("seats_confirmed", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("seats_waitlisted", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "last_waitlist_seq", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("cancel_reason", sa.String(500)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_course_class"),
        sa.ForeignKeyConstraint(
            ["masl_id"],
            [f"{SCHEMA}.course.masl_id"],
            name="fk_course_class_masl_id_course",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(
            "status IN ('open', 'full', 'closed', 'cancelled')", name="ck_course_class_status"
        ),
        sa.CheckConstraint(
            "report_date <= start_date AND start_date <= end_date", name="ck_course_class_schedule"
        ),
        sa.CheckConstraint("capacity >= 1", name="ck_course_class_capacity_positive"),
        sa.CheckConstraint(
            "seats_held >= 0 AND seats_confirmed >= 0 AND seats_waitlisted >= 0",
            name="ck_course_class_seat_counts_not_negative",
        ),
        sa.CheckConstraint(
            "seats_held + seats_confirmed <= capacity", name="ck_course_class_capacity_not_exceeded"
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_course_class_masl_id_start_date",
        "course_class",
        ["masl_id", "start_date"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_course_class_start_date_id", "course_class", ["start_date", "id"], schema=SCHEMA
    )
    op.create_table(
        "seat",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3)),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("waitlist_seq", sa.BigInteger()),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True)),
        sa.Column(
            "promoted_from_waitlist", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("backfills_nomination_id", sa.Uuid()),
        sa.Column("released_from", sa.String(12)),
        sa.Column("release_reason", sa.String(30)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("held_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_seat"),
        sa.ForeignKeyConstraint(
            ["class_id"],
            [f"{SCHEMA}.course_class.id"],
            name="fk_seat_class_id_course_class",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("class_id", "nomination_id", name="uq_seat_class_id_nomination_id"),
        sa.CheckConstraint(
            "status IN ('held', 'confirmed', 'waitlisted', 'released')", name="ck_seat_status"
        ),
        sa.CheckConstraint(
            "status <> 'held' OR hold_expires_at IS NOT NULL", name="ck_seat_hold_has_expiry"
        ),
        sa.CheckConstraint(
            "status <> 'waitlisted' OR waitlist_seq IS NOT NULL", name="ck_seat_waitlist_has_seq"
        ),
        sa.CheckConstraint(
            "(status = 'released') = (release_reason IS NOT NULL) AND "
            f"(release_reason IS NULL OR release_reason IN {RELEASE_REASONS})",
            name="ck_seat_release_reason",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_seat_active_nomination_id",
        "seat",
        ["nomination_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('held', 'confirmed', 'waitlisted')"),
    )
    op.create_index(
        "ix_seat_class_id_waitlist_seq",
        "seat",
        ["class_id", "waitlist_seq"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'waitlisted'"),
    )
    op.create_index(
        "ix_seat_hold_expires_at",
        "seat",
        ["hold_expires_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'held'"),
    )
    op.create_index(
        "ix_seat_class_id_created_at_id", "seat", ["class_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_table(
        "nomination_release",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("nomination_id", name="pk_nomination_release"),
        sa.CheckConstraint(f"reason IN {RELEASE_REASONS}", name="ck_nomination_release_reason"),
        schema=SCHEMA,
    )
    # The class's seat counters follow its seat rows; the capacity check above applies to
    # every change, so no code path can overbook a class.
    op.execute(
        """
        CREATE FUNCTION catalog.seat_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE catalog.course_class SET
                    seats_held = seats_held - (OLD.status = 'held')::int,
                    seats_confirmed = seats_confirmed - (OLD.status = 'confirmed')::int,
                    seats_waitlisted = seats_waitlisted - (OLD.status = 'waitlisted')::int
                WHERE id = OLD.class_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE catalog.course_class SET
                    seats_held = seats_held + (NEW.status = 'held')::int,
                    seats_confirmed = seats_confirmed + (NEW.status = 'confirmed')::int,
                    seats_waitlisted = seats_waitlisted + (NEW.status = 'waitlisted')::int
                WHERE id = NEW.class_id;
            END IF;
            RETURN NULL;
        END $$;
        """
    )
    op.execute(
        f"CREATE TRIGGER seat_counts AFTER INSERT OR DELETE OR UPDATE OF status, class_id ON {SCHEMA}.seat "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.seat_counts()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS seat_counts ON {SCHEMA}.seat")
    op.execute(f"DROP FUNCTION IF EXISTS {SCHEMA}.seat_counts()")
    op.drop_table("nomination_release", schema=SCHEMA)
    op.drop_table("seat", schema=SCHEMA)
    op.drop_table("course_class", schema=SCHEMA)
    op.drop_table("tuition_rate", schema=SCHEMA)
    op.drop_table("course", schema=SCHEMA)
    op.drop_table("institution", schema=SCHEMA)

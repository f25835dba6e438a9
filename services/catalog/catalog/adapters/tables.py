"""Catalog tables, all in the `catalog` schema.

Seat counters on `course_class` are kept by the database itself: a trigger on `seat` (created
by migration catalog_0002) adds and subtracts as seat rows change status, and the check
constraint `ck_course_class_capacity_not_exceeded` refuses any change that would put more
held + confirmed seats in a class than its capacity (ADR 0010).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("catalog")
platform = platform_tables(metadata)

AGENCIES = "('army', 'air_force', 'navy', 'marine_corps', 'coast_guard', 'other_dod')"
CATEGORIES = "('pme', 'technical', 'english_language', 'other')"
CLASS_STATUSES = "('open', 'full', 'closed', 'cancelled')"
SEAT_STATUSES = "('held', 'confirmed', 'waitlisted', 'released')"
RELEASE_REASONS = (
    "('withdrawn', 'cancelled', 'vetting_denied', 'hold_expired', 'class_cancelled', "
    "'released_by_manager')"
)


def _timestamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


institution = Table(
    "institution",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("location", String(200), nullable=False),
    Column("implementing_agency", String(20), nullable=False),
    Column("government_quarters", Boolean, nullable=False),
    Column("government_mess", Boolean, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    CheckConstraint(f"implementing_agency IN {AGENCIES}", name="implementing_agency"),
)
Index("uq_institution_lower_name", func.lower(institution.c.name), unique=True)

course = Table(
    "course",
    metadata,
    Column("masl_id", String(7), primary_key=True),
    Column("title", String(300), nullable=False),
    Column(
        "institution_id", Uuid, ForeignKey("institution.id", ondelete="RESTRICT"), nullable=False
    ),
    Column("category", String(20), nullable=False),
    Column("duration_weeks", Numeric(5, 1), nullable=False),
    Column("english_test", String(10)),
    Column("english_min_score", Integer),
    Column("eimet_certified_on", Date),
    Column("dedicated_international", Boolean, nullable=False),
    Column("min_class_size", Integer, nullable=False),
    Column("max_class_size", Integer, nullable=False),
    Column("description", Text, nullable=False, server_default=text("''")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    CheckConstraint("masl_id ~ '^[BDPMZQ][0-9]{6}$'", name="masl_format"),
    CheckConstraint(f"category IN {CATEGORIES}", name="category"),
    CheckConstraint("duration_weeks > 0", name="duration_positive"),
    CheckConstraint(
        "(english_test IS NULL AND english_min_score IS NULL) OR "
        "(english_test = 'ecl' AND english_min_score BETWEEN 0 AND 100) OR "
        "(english_test = 'toefl_ibt' AND english_min_score BETWEEN 0 AND 120)",
        name="english_requirement",
    ),
    CheckConstraint("min_class_size >= 1 AND max_class_size >= min_class_size", name="class_size"),
    Index("ix_course_institution_id", "institution_id"),
    Index("ix_course_category", "category"),
)

tuition_rate = Table(
    "tuition_rate",
    metadata,
    Column(
        "masl_id", String(7), ForeignKey("course.masl_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("fiscal_year", Integer, primary_key=True),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

course_class = Table(
    "course_class",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("masl_id", String(7), ForeignKey("course.masl_id", ondelete="RESTRICT"), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("status", String(10), nullable=False, server_default=text("'open'")),
    Column("seats_held", Integer, nullable=False, server_default=text("0")),
    Column("seats_confirmed", Integer, nullable=False, server_default=text("0")),
    Column("seats_waitlisted", Integer, nullable=False, server_default=text("0")),
    Column("last_waitlist_seq", BigInteger, nullable=False, server_default=text("0")),
    Column("cancel_reason", String(500)),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_timestamps(),
    CheckConstraint(f"status IN {CLASS_STATUSES}", name="status"),
    CheckConstraint("report_date <= start_date AND start_date <= end_date", name="schedule"),
    CheckConstraint("capacity >= 1", name="capacity_positive"),
    CheckConstraint(
        "seats_held >= 0 AND seats_confirmed >= 0 AND seats_waitlisted >= 0",
        name="seat_counts_not_negative",
    ),
    CheckConstraint("seats_held + seats_confirmed <= capacity", name="capacity_not_exceeded"),
    Index("ix_course_class_masl_id_start_date", "masl_id", "start_date"),
    Index("ix_course_class_start_date_id", "start_date", "id"),
)

seat = Table(
    "seat",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("class_id", Uuid, ForeignKey("course_class.id", ondelete="RESTRICT"), nullable=False),
    Column("nomination_id", Uuid, nullable=False),
    Column("country", String(3)),
    Column("status", String(12), nullable=False),
    Column("waitlist_seq", BigInteger),
    Column("hold_expires_at", DateTime(timezone=True)),
    Column("promoted_from_waitlist", Boolean, nullable=False, server_default=text("false")),
    Column("backfills_nomination_id", Uuid),
    Column("released_from", String(12)),
    Column("release_reason", String(30)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("held_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("released_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("class_id", "nomination_id"),
    CheckConstraint(f"status IN {SEAT_STATUSES}", name="status"),
    CheckConstraint("status <> 'held' OR hold_expires_at IS NOT NULL", name="hold_has_expiry"),
    CheckConstraint("status <> 'waitlisted' OR waitlist_seq IS NOT NULL", name="waitlist_has_seq"),
    CheckConstraint(
        f"(status = 'released') = (release_reason IS NOT NULL) AND "
        f"(release_reason IS NULL OR release_reason IN {RELEASE_REASONS})",
        name="release_reason",
    ),
    # A nomination occupies at most one active place in the whole catalog.
    Index(
        "uq_seat_active_nomination_id",
        "nomination_id",
        unique=True,
        postgresql_where=text("status IN ('held', 'confirmed', 'waitlisted')"),
    ),
    Index(
        "ix_seat_class_id_waitlist_seq",
        "class_id",
        "waitlist_seq",
        postgresql_where=text("status = 'waitlisted'"),
    ),
    Index("ix_seat_hold_expires_at", "hold_expires_at", postgresql_where=text("status = 'held'")),
    Index("ix_seat_class_id_created_at_id", "class_id", "created_at", "id"),
)

nomination_release = Table(
    "nomination_release",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("reason", String(30), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"reason IN {RELEASE_REASONS}", name="reason"),
)

# Incremented by triggers in the writing transactions: row 1 on every change of what course
# reads show (migration catalog_0003, ADR 0120), row 2 on every change of a class row, seat
# counts included (catalog_0004, ADR 0155); the read cache compares them per request.
read_generation = Table(
    "read_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", BigInteger, nullable=False, server_default=text("1")),
    CheckConstraint("id IN (1, 2)", name="known_rows"),
)

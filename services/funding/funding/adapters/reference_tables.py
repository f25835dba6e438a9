"""Reference data (every configurable number of the cost model and penalty rules) and the
local read model of the catalog's courses and classes (from its state-carrying events)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)

from funding.adapters.tables import metadata


def _versioned() -> list[Column[Any]]:
    return [
        Column("version", Integer, nullable=False, server_default=text("1")),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


course = Table(
    "course",
    metadata,
    Column("masl_id", String(7), primary_key=True),
    Column("title", Text, nullable=False),
    Column("category", String(30), nullable=False),
    Column("dedicated_international", Boolean, nullable=False),
    Column("institution_name", Text, nullable=False),
    Column("government_quarters", Boolean, nullable=False),
    Column("government_mess", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("catalog_version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

course_tuition = Table(
    "course_tuition",
    metadata,
    Column("masl_id", String(7), ForeignKey(course.c.masl_id, ondelete="CASCADE"), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    PrimaryKeyConstraint("masl_id", "fiscal_year"),
)

course_class = Table(
    "course_class",
    metadata,
    Column("class_id", Uuid, primary_key=True),
    Column("masl_id", String(7), nullable=False, index=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("catalog_version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

seat_refill = Table(
    "seat_refill",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("class_id", Uuid, nullable=False),
    Column("refilled_by", Uuid, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

tla_rate = Table(
    "tla_rate",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("government_quarters", Boolean, nullable=False),
    Column("government_mess", Boolean, nullable=False),
    Column("with_dependents", Boolean, nullable=False),
    Column("lodging_per_day", Numeric(14, 2), nullable=False),
    Column("meals_per_day", Numeric(14, 2), nullable=False),
    *_versioned(),
    UniqueConstraint("government_quarters", "government_mess", "with_dependents"),
    CheckConstraint("lodging_per_day >= 0 AND meals_per_day >= 0", name="rates_not_negative"),
)

travel_cost = Table(
    "travel_cost",
    metadata,
    Column("country", String(3), primary_key=True),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("note", Text),
    *_versioned(),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    CheckConstraint("country ~ '^[A-Z]{3}$'", name="country_code"),
)

penalty_rule = Table(
    "penalty_rule",
    metadata,
    Column("code", String(50), primary_key=True),
    Column("description", Text, nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("initiated_by", String(20), nullable=False),
    Column("course_kind", String(20), nullable=False),
    Column("within_days_before_start", Integer),
    Column("percent_of_tuition", Numeric(5, 2), nullable=False),
    Column("prorate_by_attendance", Boolean, nullable=False),
    Column("waived_when_refilled", Boolean, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    *_versioned(),
    CheckConstraint("percent_of_tuition >= 0 AND percent_of_tuition <= 100", name="percent_range"),
    CheckConstraint("trigger IN ('cancellation', 'non_completion')", name="trigger"),
    CheckConstraint("initiated_by IN ('country', 'us_government', 'any')", name="initiated_by"),
    CheckConstraint("course_kind IN ('dedicated', 'non_dedicated', 'any')", name="course_kind"),
)

funding_parameter = Table(
    "funding_parameter",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Numeric(14, 2), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("description", Text, nullable=False),
    *_versioned(),
    CheckConstraint("value >= 0", name="value_not_negative"),
)

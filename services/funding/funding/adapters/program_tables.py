"""Country programs (ADR 0115): a program per country and fiscal year, its training lines, the
fills of each line by obligations (estimate vs actual), exceptions for requests outside the
program, and the year-end runs (ADR 0117)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
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
from sqlalchemy.dialects.postgresql import JSONB

from funding.adapters.tables import _stamps, funding_request, metadata, money, obligation

country_program = Table(
    "country_program",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("approved_by", String(200)),
    Column("approved_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    UniqueConstraint("country", "fiscal_year"),
    CheckConstraint("country ~ '^[A-Z]{3}$'", name="country_code"),
    CheckConstraint("status IN ('planned', 'approved')", name="status"),
)

LINE_STATUSES = "('planned', 'approved', 'partially_filled', 'filled', 'cancelled')"
program_line = Table(
    "program_line",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("program_id", Uuid, ForeignKey(country_program.c.id), nullable=False),
    Column("masl_id", String(7), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("priority", String(1), nullable=False),
    Column("work_control_number", String(30), nullable=False),
    Column("funding_source", String(10), nullable=False),
    Column("category", String(30)),
    Column("tuition", Numeric(14, 2)),
    Column("travel", Numeric(14, 2)),
    Column("living_allowance", Numeric(14, 2)),
    Column("cost_problem", String(50)),
    Column("costed_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),
    Column("filled", Integer, nullable=False, server_default=text("0")),
    money("obligated", default=True),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    UniqueConstraint("program_id", "work_control_number"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("filled >= 0 AND filled <= quantity", name="filled_within_quantity"),
    CheckConstraint("priority IN ('A', 'B', 'D')", name="priority"),
    CheckConstraint(f"status IN {LINE_STATUSES}", name="status"),
    CheckConstraint(
        "priority <> 'D' OR status IN ('planned', 'cancelled')", name="deferred_never_approved"
    ),
    Index(None, "program_id"),
    Index(None, "masl_id"),
)

program_line_fill = Table(
    "program_line_fill",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("line_id", Uuid, ForeignKey(program_line.c.id), nullable=False),
    Column("request_id", Uuid, nullable=False, unique=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("obligation_id", Uuid, ForeignKey(obligation.c.id), nullable=False),
    money("estimated"),
    money("actual"),
    Column("difference", Numeric(14, 2), nullable=False),
    Column("filled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("difference = actual - estimated", name="difference_is_actual_less_estimate"),
    Index(None, "line_id"),
)

program_exception = Table(
    "program_exception",
    metadata,
    Column("request_id", Uuid, ForeignKey(funding_request.c.request_id), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

year_end_run = Table(
    "year_end_run",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("result", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "fiscal_year", "created_at"),
)

"""Funding tables, all in the `funding` schema (SQLAlchemy Core).

Funds: `appropriation` (per fiscal year) with its `tranche`s (period of availability),
`allocation` (country ceiling per fiscal year; its balances are kept in step with the ledger),
`allocation_change` (reprogramming history, append-only), `funding_request`, `obligation` (at
most one active per nomination: a partial unique index) and `ledger_entry` (append-only).
Read model of the catalog and reference data live in `reference_tables`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
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

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("funding")
platform = platform_tables(metadata)


def money(name: str, *, default: bool = False) -> Column[Any]:
    return Column(
        name, Numeric(14, 2), nullable=False, server_default=text("0") if default else None
    )


def _stamps() -> list[Column[Any]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


appropriation = Table(
    "appropriation",
    metadata,
    Column("fiscal_year", Integer, primary_key=True, autoincrement=False),
    money("amount"),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    # First day the funds may be obligated: the fiscal year's first day, or earlier when a
    # funding officer recorded advance availability (who, when, why).
    Column("available_from", Date, nullable=False),
    Column("availability_reason", Text),
    Column("availability_set_by", String(200)),
    Column("availability_set_at", DateTime(timezone=True)),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

tranche = Table(
    "tranche",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("fiscal_year", Integer, ForeignKey(appropriation.c.fiscal_year), nullable=False),
    money("amount"),
    Column("available_until", Date, nullable=False),
    money("drawn", default=True),
    UniqueConstraint("fiscal_year", "available_until"),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("drawn >= 0 AND drawn <= amount", name="drawn_within_amount"),
)

allocation = Table(
    "allocation",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, ForeignKey(appropriation.c.fiscal_year), nullable=False),
    money("amount"),
    money("obligated", default=True),
    money("charged", default=True),
    money("lapsed", default=True),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    UniqueConstraint("country", "fiscal_year"),
    CheckConstraint("country ~ '^[A-Z]{3}$'", name="country_code"),
    CheckConstraint(
        "obligated >= 0 AND charged >= 0 AND lapsed >= 0", name="balances_not_negative"
    ),
    CheckConstraint("obligated + charged + lapsed <= amount", name="anti_deficiency"),
)

allocation_change = Table(
    "allocation_change",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("allocation_id", Uuid, ForeignKey(allocation.c.id), nullable=False),
    Column("previous_amount", Numeric(14, 2)),
    money("new_amount"),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("request_id", String(200)),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "allocation_id", "id"),
)

OBLIGATION_STATUSES = "('active', 'released', 'completed', 'terminated')"
obligation = Table(
    "obligation",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("request_id", Uuid, nullable=False),
    Column("allocation_id", Uuid, ForeignKey(allocation.c.id), nullable=False),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("class_id", Uuid, nullable=False),
    Column("masl_id", String(7), nullable=False),
    Column("course_category", String(30), nullable=False),
    Column("dedicated", Boolean, nullable=False),
    Column("class_start_date", Date, nullable=False),
    Column("course_days", Integer, nullable=False),
    Column("funding_source", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    money("amount"),
    money("tuition"),
    money("travel"),
    money("living_allowance"),
    money("outstanding"),
    money("penalty_amount", default=True),
    Column("penalty_rule", String(50)),
    Column("penalty_refundable", Boolean, nullable=False, server_default=text("false")),
    money("returned_amount", default=True),
    money("lapsed_amount", default=True),
    Column("obligated_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("close_reason", Text),
    Column("version", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    CheckConstraint(f"status IN {OBLIGATION_STATUSES}", name="status"),
    CheckConstraint("outstanding >= 0 AND outstanding <= amount", name="outstanding_within_amount"),
    CheckConstraint("amount = tuition + travel + living_allowance", name="amount_is_cost"),
    Index(
        "uq_obligation_active_nomination",
        "nomination_id",
        unique=True,
        postgresql_where=text("status = 'active'"),
    ),
    Index(None, "country", "fiscal_year", "created_at"),
    Index(None, "nomination_id"),
)

REQUEST_STATUSES = (
    "('pending_reference_data', 'pending_availability', 'pending_program_exception', "
    "'obligated', 'rejected', 'duplicate', 'withdrawn')"
)
funding_request = Table(
    "funding_request",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("class_id", Uuid, nullable=False),
    Column("masl_id", String(7), nullable=False),
    Column("funding_source", String(10), nullable=False),
    Column("with_dependents", Boolean, nullable=False),
    Column("status", String(30), nullable=False),
    Column("reason", String(50)),
    Column("obligation_id", Uuid, ForeignKey(obligation.c.id)),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("decided_at", DateTime(timezone=True)),
    Column("cause_event_id", String(200)),
    CheckConstraint(f"status IN {REQUEST_STATUSES}", name="status"),
    Index(None, "nomination_id"),
    Index(None, "class_id", postgresql_where=text("status = 'pending_reference_data'")),
    Index(None, "masl_id", postgresql_where=text("status = 'pending_reference_data'")),
    Index(None, "fiscal_year", postgresql_where=text("status = 'pending_availability'")),
)

LEDGER_KINDS = (
    "('appropriation', 'allocation', 'obligation', 'deobligation', "
    "'penalty', 'adjustment', 'lapse')"
)
ledger_entry = Table(
    "ledger_entry",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("posted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("kind", String(20), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("country", String(3)),
    Column("from_account", String(20), nullable=False),
    Column("to_account", String(20), nullable=False),
    money("amount"),
    Column("tranche_id", Uuid, ForeignKey(tranche.c.id)),
    Column("obligation_id", Uuid, ForeignKey(obligation.c.id)),
    Column("nomination_id", Uuid),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("request_id", String(200)),
    Column("cause_event_id", String(200)),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("from_account <> to_account", name="two_accounts"),
    CheckConstraint(f"kind IN {LEDGER_KINDS}", name="kind"),
    Index(None, "fiscal_year", "country", "seq"),
    Index(None, "obligation_id"),
)

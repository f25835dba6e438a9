"""Reporting tables, all in the `reporting` schema: the read model fed by the public topics.

Every table is keyed by what the producing topic keys its events by, so events of different
topics may arrive in any order: facts of one nomination from the nomination, funding and
vetting topics live in separate tables and meet only in the queries. `country_reference` is
reference data (names, regions, the FMTR exclusion list), seeded by the migration and kept by
administrators through the API. No personal data: candidates are ids (a unit name is an
organisation's).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("reporting")
platform = platform_tables(metadata)


def money(name: str) -> Column[Any]:
    return Column(name, Numeric(14, 2), nullable=False, server_default=text("0"))


country_reference = Table(
    "country_reference",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(40), nullable=False),
    Column("fmtr_excluded", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

course = Table(
    "course",
    metadata,
    Column("masl_id", String(20), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("category", String(40), nullable=False),
    Column("institution", String(300), nullable=False),
    Column("location", String(300), nullable=False),
    Column("version", Integer, nullable=False),
)

nomination = Table(
    "nomination",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("masl_id", String(20), nullable=False),
    Column("class_id", Uuid, nullable=False),
    Column("candidate_id", Uuid),
    Column("state", String(40), nullable=False),
    Column("state_since", DateTime(timezone=True), nullable=False),
    Column("trained", Boolean, nullable=False, server_default=text("false")),
    Column("completed", Boolean),
    Column("days_attended", Integer),
    Column("unit_name", Text),  # the candidate's unit (organisational, not personal), latest
    Index("ix_nomination_fy_country", "fiscal_year", "country"),
)

state_span = Table(
    "state_span",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("state", String(40), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True)),
    Index("ix_state_span_nomination", "nomination_id", "left_at"),
)
# The funnel's exact median (ADR 0140): the longest / shortest stay of a tenth-of-a-day bucket.
Index("ix_state_span_ended_stay", state_span.c.state,
      state_span.c.left_at - state_span.c.entered_at,
      postgresql_where=state_span.c.left_at.is_not(None))  # fmt: skip
# Stuck stays entered on the day of the threshold (ADR 0140).
Index("ix_state_span_open_entered", state_span.c.entered_at,
      postgresql_where=state_span.c.left_at.is_(None))  # fmt: skip

training_line = Table(
    "training_line",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("masl_id", String(20), nullable=False),
    money("amount"),
    money("tuition"),
    money("travel"),
    money("living_allowance"),
    money("returned"),
    money("lapsed"),
    money("penalties_charged"),
    money("penalties_refunded"),
    Index("ix_training_line_fy_country", "fiscal_year", "country"),
)

allocation = Table(
    "allocation",
    metadata,
    Column("allocation_id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
)

vetting_case = Table(
    "vetting_case",
    metadata,
    Column("case_id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, nullable=False),
    Column("country", String(3), nullable=False),
    Column("opened_on", Date),
    Column("due_on", Date),
    Column("decided_on", Date),
    Column("outcome", String(20)),
    Index("ix_vetting_case_country_opened", "country", "opened_on"),
    Index("ix_vetting_case_nomination", "nomination_id"),
)

topic_position = Table(
    "topic_position",
    metadata,
    Column("topic", String(200), primary_key=True),
    Column("newest_event_at", DateTime(timezone=True), nullable=False),
    Column("events_applied", BigInteger, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

READ_MODEL = (course, nomination, state_span, training_line, allocation, vetting_case,
              topic_position)  # fmt: skip

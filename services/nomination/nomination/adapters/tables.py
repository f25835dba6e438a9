"""Nomination tables, all in the `nomination` schema.

Invariants the database itself guards (so concurrent requests cannot break them):
- one candidate per (country, passport number): `uq_candidate_country_passport_number`;
- one open nomination per candidate and class (drafts included): `uq_nomination_candidate_open`;
- one ACTIVE nomination per person (fingerprint) and class, whatever candidate record it uses:
  `uq_nomination_person_active` (partial unique index: the duplicate rule of SPEC section 6);
- every state and sub-status is one of the machine's values (check constraints);
- travel orders are immutable versions: unique (nomination, version), one current (neither
  superseded nor recalled) per nomination; a trigger lets an order be superseded or recalled,
  once, and nothing else.
Course and class rows are a read model of catalog events, applied only when newer (`version`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    ARRAY,
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
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from nomination.domain.states import ACTIVE, TERMINAL, Funding, Seat, State, Vetting
from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("nomination")
platform = platform_tables(metadata)


def _one_of(column: str, values: Iterable[object]) -> str:
    listed = ", ".join(f"'{v}'" for v in sorted(str(x) for x in values))
    return f"{column} IN ({listed})"


ACTIVE_SQL = _one_of("status", ACTIVE)
OPEN_SQL = f"NOT ({_one_of('status', TERMINAL)})"

course = Table(
    "course",
    metadata,
    Column("masl_id", String(7), primary_key=True),
    Column("title", Text, nullable=False),
    Column("category", String(30), nullable=False),
    Column("institution_name", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("english_test", String(10)),
    Column("english_min_score", Integer),
    Column("eimet_certified_on", Date),
    Column("dedicated_international", Boolean, nullable=False),
    Column("duration_weeks", Numeric(5, 1), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("eimet_certified_through", Date),
)

course_class = Table(
    "course_class",
    metadata,
    Column("class_id", Uuid, primary_key=True),
    Column("masl_id", String(7), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_course_class_masl_id", "masl_id"),
)

# Units' registry identity, as vetting announces them (`vetting.unit_registered`).
unit = Table(
    "unit",
    metadata,
    Column("unit_id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("name", String(300), nullable=False),
    Column("parent_unit_id", Uuid),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

country = Table(
    "country",
    metadata,
    Column("iso3", String(3), primary_key=True),
    Column("name", Text, nullable=False),
    Column("sanctioned", Boolean, nullable=False, server_default=text("false")),
    Column("sanctions_reason", Text),
    Column("ecl_exempt_fiscal_years", ARRAY(Integer), nullable=False, server_default=text("'{}'")),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", String(200), nullable=False),
)

country_revision = Table(
    "country_revision",
    metadata,
    Column("iso3", String(3), ForeignKey("country.iso3"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("sanctioned", Boolean, nullable=False),
    Column("sanctions_reason", Text),
    Column("ecl_exempt_fiscal_years", ARRAY(Integer), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("changed_by", String(200), nullable=False),
    PrimaryKeyConstraint("iso3", "version"),
)

candidate = Table(
    "candidate",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("family_names", String(100), nullable=False),
    Column("given_names", String(100), nullable=False),
    Column("sex", String(1)),
    Column("date_of_birth", Date),
    Column("place_of_birth", String(100)),
    Column("service", String(30)),
    Column("rank", String(100)),
    Column("pay_grade", String(5)),
    Column("unit_name", String(200)),
    Column("position", String(200)),
    Column("passport_number", String(20)),
    Column("english_tests", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("person_fingerprint", String(64)),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200), nullable=False),
    # Grows with every change of a vetted field: a decision on an older revision is stale.
    Column("vetted_revision", Integer, nullable=False, server_default=text("0")),
    # The unit's registry identity (vetting's), when the SCO chose a registered unit.
    Column("unit_id", Uuid),
    UniqueConstraint("country", "passport_number"),
    Index("ix_candidate_country_created_at_id", "country", "created_at", "id"),
)

nomination = Table(
    "nomination",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("candidate_id", Uuid, ForeignKey("candidate.id"), nullable=False),
    Column("class_id", Uuid, nullable=False),
    Column("masl_id", String(7), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("funding_source", String(5), nullable=False),
    Column("with_dependents", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(30), nullable=False),
    Column("seat_status", String(20), nullable=False, server_default=Seat.NONE.value),
    Column("vetting_status", String(20), nullable=False, server_default=Vetting.NONE.value),
    Column("funding_status", String(20), nullable=False, server_default=Funding.NONE.value),
    Column("status_reason", Text),
    Column("vetting_case_id", Uuid),
    Column("vetting_valid_until", Date),
    Column("hold_expires_at", DateTime(timezone=True)),
    Column("waitlist_position", Integer),
    Column("funding_request_id", Uuid),
    Column("obligation_id", Uuid),
    Column("obligated_amount", Numeric(14, 2)),
    Column("penalty_amount", Numeric(14, 2)),
    # The living-allowance line funding obligated (printed on the travel order).
    Column("living_allowance", Numeric(14, 2)),
    Column("tla_lodging_per_day", Numeric(14, 2)),
    Column("tla_meals_per_day", Numeric(14, 2)),
    Column("tla_incidentals_per_day", Numeric(14, 2)),
    Column("tla_days", Integer),
    Column("compensations", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("person_fingerprint", String(64)),
    Column("medical_cleared_on", Date),
    Column("medical_reference", String(100)),
    Column("security_screened_on", Date),
    Column("security_reference", String(100)),
    Column("data_complete_on", Date),
    Column("training_started_on", Date),
    Column("training_ended_on", Date),
    Column("days_attended", Integer),
    Column("submitted_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint(_one_of("status", State), name="status"),
    CheckConstraint(_one_of("seat_status", Seat), name="seat_status"),
    CheckConstraint(_one_of("vetting_status", Vetting), name="vetting_status"),
    CheckConstraint(_one_of("funding_status", Funding), name="funding_status"),
    CheckConstraint("funding_source IN ('eimet', 'imet')", name="funding_source"),
    Index("ix_nomination_country_created_at_id", "country", "created_at", "id"),
    Index("ix_nomination_created_at_id", "created_at", "id"),
    # The list filtered by state, newest first (migration 0008, ADR 0125).
    Index("ix_nomination_country_status_created_at_id", "country", "status", "created_at", "id"),
    Index("ix_nomination_status_created_at_id", "status", "created_at", "id"),
    Index("ix_nomination_class_id", "class_id"),
    Index("ix_nomination_candidate_id", "candidate_id"),
    Index(
        "uq_nomination_candidate_open",
        "candidate_id",
        "class_id",
        unique=True,
        postgresql_where=text(OPEN_SQL),
    ),
    Index(
        "uq_nomination_person_active",
        "class_id",
        "person_fingerprint",
        unique=True,
        postgresql_where=text(ACTIVE_SQL),
    ),
)

nomination_history = Table(
    "nomination_history",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("nomination_id", Uuid, ForeignKey("nomination.id"), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("kind", String(20), nullable=False),
    Column("from_state", String(30)),
    Column("to_state", String(30)),
    Column("reason", Text),
    Column("actor", String(200), nullable=False),
    Column("cause_event_id", String(200)),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    CheckConstraint(
        "kind IN ('transition', 'fact', 'decision', 'compensation', 'document')", name="kind"
    ),
    Index("ix_nomination_history_nomination_id_id", "nomination_id", "id"),
)

travel_order = Table(
    "travel_order",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, ForeignKey("nomination.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("number", String(40), nullable=False),
    Column("content", JSONB, nullable=False),
    Column("content_digest", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", String(200), nullable=False),
    Column("superseded_at", DateTime(timezone=True)),
    Column("recalled_at", DateTime(timezone=True)),
    Column("recall_reason", String(40)),
    Column("recall_detail", JSONB),
    UniqueConstraint("nomination_id", "version"),
    UniqueConstraint("number", "version"),
    CheckConstraint("superseded_at IS NULL OR recalled_at IS NULL", name="superseded_or_recalled"),
    CheckConstraint("(recalled_at IS NULL) = (recall_reason IS NULL)", name="recall_has_reason"),
    Index(
        "uq_travel_order_current",
        "nomination_id",
        unique=True,
        postgresql_where=text("superseded_at IS NULL AND recalled_at IS NULL"),
    ),
    Index(
        "ix_travel_order_recalled_at",
        "recalled_at",
        "id",
        postgresql_where=text("recalled_at IS NOT NULL"),
    ),
)

ito_serial = Table(
    "ito_serial",
    metadata,
    Column("country", String(3), primary_key=True),
    Column("last_serial", Integer, nullable=False),
)

# Bulk imports as jobs (ADR 0128): the job (one upload) and its rows (input until done, then
# the row's result). The `jobs` role's worker claims a queued job, or a running one whose lease
# lapsed (its process died), with FOR UPDATE SKIP LOCKED and commits each chunk's effects, row
# results and progress in one transaction: a resumed job carries on from the first pending row.
import_job = Table(
    "import_job",
    metadata,
    Column("id", Uuid, primary_key=True),
    # The uploader's scope (its country, or '*') and sha256 of (submit flag, body): a re-upload
    # of the same file while the first is unfinished (or finished with no rejection) is that job.
    Column("scope", String(3), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("submit", Boolean, nullable=False),
    Column("actor", JSONB, nullable=False),
    Column("status", String(16), nullable=False, server_default=text("'queued'")),
    Column("rows_total", Integer, nullable=False),
    Column("rows_done", Integer, nullable=False, server_default=text("0")),
    Column("created", Integer, nullable=False, server_default=text("0")),
    Column("existing", Integer, nullable=False, server_default=text("0")),
    Column("rejected", Integer, nullable=False, server_default=text("0")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("claimed_by", String(200)),
    Column("lease_until", DateTime(timezone=True)),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('completed', 'failed', 'queued', 'running')", name="status"),
    Index("ix_import_job_fingerprint", "scope", "fingerprint"),
    Index(
        "ix_import_job_unfinished",
        "created_at",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
)

import_row = Table(
    "import_row",
    metadata,
    Column("job_id", Uuid, ForeignKey("import_job.id", ondelete="CASCADE"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("input", JSONB),  # the row as uploaded; erased once the row has its result
    Column("status", String(16), nullable=False, server_default=text("'pending'")),
    Column("candidate_id", Uuid),
    Column("nomination_id", Uuid),
    Column("nomination_status", String(40)),
    Column("errors", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    PrimaryKeyConstraint("job_id", "line", name="pk_import_row"),
    CheckConstraint("status IN ('created', 'existing', 'pending', 'rejected')", name="status"),
)

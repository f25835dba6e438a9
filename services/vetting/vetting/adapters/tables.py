"""Vetting tables, all in the `vetting` schema.

- `vetting_case`: one per nomination (unique `nomination_id`: redelivered or repeated
  `nomination.submitted` events cannot open a second case). Its status and current-result
  columns are a cache of what the decision history derives, rewritten under the case's row lock
  in the transaction that appends to the history.
- `decision` and `decision_confirmation`: append-only (triggers refuse UPDATE and DELETE). One
  confirmation per decision, never by the vetter who filed it (CHECK).
- `unit`: a security-force unit's registry identity (country + normalized name + parent);
  candidates reference it (ADR 0063).
- `derogatory_unit`: the registry; every entry names a unit (optionally with its subunits), at
  most one active (unremediated) entry per unit (partial unique index). Remediation closes an
  entry; rows are never deleted.
- `closed_nomination`: nominations withdrawn or cancelled, so a late `nomination.submitted`
  opens nothing and the expiry job leaves their approvals alone.
No personal data: the candidate is an id and a keyed fingerprint computed by nomination.
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
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables

metadata = make_metadata("vetting")
platform = platform_tables(metadata)

CASE_STATUSES = "('open', 'pending_confirmation', 'approved', 'suspended', 'denied', 'cancelled')"
UNIT_MATCHES = "('registered', 'by_name', 'unregistered', 'ambiguous')"
NO_PARENT = "'00000000-0000-0000-0000-000000000000'::uuid"

unit = Table(
    "unit",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("parent_id", Uuid, ForeignKey("unit.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    # The identity: country + normalized name + parent (no parent counts as one value).
    Index(
        "uq_unit_identity",
        "country",
        "name_key",
        text(f"coalesce(parent_id, {NO_PARENT})"),
        unique=True,
    ),
    Index("ix_unit_country_name_key", "country", "name_key"),
    Index("ix_unit_parent_id", "parent_id"),
)
RESULTS = "('approved', 'suspended', 'denied', 'cancelled', 'reopened')"

vetting_case = Table(
    "vetting_case",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("nomination_id", Uuid, nullable=False, unique=True),
    Column("candidate_id", Uuid, nullable=False),
    # Text: whatever length the nomination event carries is stored (the contract sets none).
    Column("person_fingerprint", Text, nullable=False),
    Column("country", String(3), nullable=False),
    Column("unit_name", Text, nullable=False),
    Column("unit_key", Text, nullable=False),
    Column("class_id", Uuid, nullable=False),
    Column("report_date", Date, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("cycle_started_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("flagged_possible_duplicate", Boolean, nullable=False),
    Column("possible_duplicate_of", Uuid),
    # The current result, derived from the decision history (see module docstring).
    Column("status", String(30), nullable=False),
    Column("reason_code", String(40)),
    Column("decided_at", DateTime(timezone=True)),
    Column("valid_until", Date),
    Column("registry_entry_id", Uuid),
    Column("reused_from_case_id", Uuid),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Which revision of the candidate's vetted facts the case decides on (nomination counts).
    Column("vetted_revision", Integer, nullable=False, server_default=text("0")),
    # The unit's registry identity and how the case was linked to it (ADR 0063).
    Column("unit_id", Uuid),
    Column("unit_match", String(20), nullable=False, server_default="unregistered"),
    CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),
    CheckConstraint(f"unit_match IN {UNIT_MATCHES}", name="unit_match"),
    CheckConstraint(
        "status <> 'approved' OR valid_until IS NOT NULL", name="approved_has_validity"
    ),
    Index("ix_vetting_case_candidate_id", "candidate_id"),
    Index("ix_vetting_case_person_fingerprint", "person_fingerprint"),
    Index("ix_vetting_case_opened_at", "opened_at", "id"),
    Index("ix_vetting_case_status_due_on", "status", "due_on"),
    Index("ix_vetting_case_country_opened_at", "country", "opened_at"),
    Index("ix_vetting_case_unit_id", "unit_id"),
    Index("ix_vetting_case_country_unit_key", "country", "unit_key"),
    Index(
        "ix_vetting_case_approved_valid_until",
        "valid_until",
        postgresql_where=text("status = 'approved'"),
    ),
)

decision = Table(
    "decision",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("case_id", Uuid, ForeignKey(vetting_case.c.id), nullable=False),
    Column("result", String(20), nullable=False),
    Column("reason_code", String(40), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("decided_on", Date, nullable=False),
    Column("cycle_started_on", Date, nullable=False),
    Column("first_in_cycle", Boolean, nullable=False),
    Column("automatic", Boolean, nullable=False),
    Column("requires_confirmation", Boolean, nullable=False),
    Column("valid_until", Date),
    Column("reused_from_case_id", Uuid),
    Column("registry_entry_id", Uuid),
    CheckConstraint(f"result IN {RESULTS}", name="result"),
    CheckConstraint("length(btrim(rationale)) > 0", name="rationale_given"),
    Index("ix_decision_case_id", "case_id", "seq"),
)

decision_confirmation = Table(
    "decision_confirmation",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("decision_id", Uuid, ForeignKey(decision.c.id), nullable=False, unique=True),
    Column("outcome", String(20), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("confirmed_by", String(200), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_on", Date, nullable=False),
    Column("valid_until", Date),
    CheckConstraint("outcome IN ('confirmed', 'rejected')", name="outcome"),
    CheckConstraint("confirmed_by <> decided_by", name="second_vetter"),
    CheckConstraint("length(btrim(rationale)) > 0", name="rationale_given"),
)

derogatory_unit = Table(
    "derogatory_unit",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("country", String(3), nullable=False),
    Column("unit_name", String(300), nullable=False),
    Column("unit_key", String(300), nullable=False),
    Column("source_reference", String(300), nullable=False),
    Column("summary", Text),
    Column("added_by", String(200), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("remediated_at", DateTime(timezone=True)),
    Column("remediated_by", String(200)),
    Column("remediation_notes", Text),
    Column("remediation_reference", String(300)),
    Column("version", Integer, nullable=False),
    Column("unit_id", Uuid, ForeignKey(unit.c.id), nullable=False),
    Column("include_subunits", Boolean, nullable=False, server_default=text("false")),
    CheckConstraint(
        "(remediated_at IS NULL) = (remediation_notes IS NULL)", name="remediation_complete"
    ),
    Index(
        "uq_derogatory_unit_active",
        "unit_id",
        unique=True,
        postgresql_where=text("remediated_at IS NULL"),
    ),
    Index("ix_derogatory_unit_country_unit_key", "country", "unit_key"),
    Index("ix_derogatory_unit_added_at", "added_at", "id"),
)

closed_nomination = Table(
    "closed_nomination",
    metadata,
    Column("nomination_id", Uuid, primary_key=True),
    Column("reason", String(40), nullable=False),
    Column("closed_at", DateTime(timezone=True), nullable=False),
)

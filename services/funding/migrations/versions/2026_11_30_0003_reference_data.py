"""Reference data and the catalog read model, with the default (ILLUSTRATIVE) reference values.

Every configurable number of the cost model and of the penalty rules is a row here, changeable
through the API by a funding officer: the TLA matrix (lodging and meals per day by government
quarters / mess / dependents), the flat incidentals rate ($11 a day), the default round-trip
travel cost, the PME planning share (50%) and the cancellation / non-completion rules. Travel
costs per country are demo data (`funding.seed`).

Revision ID: funding_0003
Revises: funding_0002
Create Date: 2026-11-30
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "funding_0003"
down_revision = "funding_0002"
branch_labels = None
depends_on = None

S = "funding"
_NS = uuid.UUID("6f1c3f52-8a55-4f0e-9a43-3f0d2b7c1e11")

# (government quarters, government mess, with dependents) -> (lodging, meals) per day, USD.
TLA_MATRIX = {
    (True, True, False): ("30.00", "15.00"),
    (True, False, False): ("30.00", "55.00"),
    (False, True, False): ("120.00", "15.00"),
    (False, False, False): ("120.00", "55.00"),
    (True, True, True): ("150.00", "40.00"),
    (True, False, True): ("150.00", "80.00"),
    (False, True, True): ("180.00", "40.00"),
    (False, False, True): ("180.00", "80.00"),
}
PARAMETERS = [
    (
        "incidentals_per_day",
        "11.00",
        "usd_per_day",
        "Flat incidentals added to the TLA for every course day",
    ),
    (
        "default_travel_cost",
        "2800.00",
        "usd",
        "Round-trip travel when the country has no travel cost of its own",
    ),
    (
        "pme_minimum_percent",
        "50.00",
        "percent",
        "Share of a country's ceiling expected on PME lines (planning check)",
    ),
]
# code, description, trigger, initiated_by, course_kind, within days, percent, prorate, waived on refill, priority
PENALTY_RULES = [
    (
        "us_government_cancellation",
        "Cancellations initiated by the U.S. (e.g. the class was cancelled) carry no charge",
        "cancellation",
        "us_government",
        "any",
        None,
        "0.00",
        False,
        False,
        10,
    ),
    (
        "dedicated_course_cancellation",
        "Dedicated (all-international) course: 100% of tuition unless the seat is refilled",
        "cancellation",
        "country",
        "dedicated",
        None,
        "100.00",
        False,
        True,
        20,
    ),
    (
        "late_cancellation",
        "Other courses: 50% of tuition when the country cancels less than 60 days before the start",
        "cancellation",
        "country",
        "non_dedicated",
        60,
        "50.00",
        False,
        False,
        30,
    ),
    (
        "non_completion",
        "A student who does not finish is charged tuition prorated by the days attended",
        "non_completion",
        "any",
        "any",
        None,
        "100.00",
        True,
        False,
        10,
    ),
]


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def upgrade() -> None:
    _create_read_model()
    tla = op.create_table(
        "tla_rate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("government_quarters", sa.Boolean(), nullable=False),
        sa.Column("government_mess", sa.Boolean(), nullable=False),
        sa.Column("with_dependents", sa.Boolean(), nullable=False),
        sa.Column("lodging_per_day", sa.Numeric(14, 2), nullable=False),
        sa.Column("meals_per_day", sa.Numeric(14, 2), nullable=False),
        *_versioned(),
        sa.CheckConstraint(
            "lodging_per_day >= 0 AND meals_per_day >= 0", name="ck_tla_rate_rates_not_negative"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tla_rate"),
        sa.UniqueConstraint(
            "government_quarters",
            "government_mess",
            "with_dependents",
            name="uq_tla_rate_government_quarters_government_mess_with_dependents",
        ),
        schema=S,
    )
    op.create_table(
        "travel_cost",
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.Text()),
        *_versioned(),
        sa.CheckConstraint("amount >= 0", name="ck_travel_cost_amount_not_negative"),
        sa.CheckConstraint("country ~ '^[A-Z]{3}$'", name="ck_travel_cost_country_code"),
        sa.PrimaryKeyConstraint("country", name="pk_travel_cost"),
        schema=S,
    )
    rules = op.create_table(
        "penalty_rule",
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("initiated_by", sa.String(20), nullable=False),
        sa.Column("course_kind", sa.String(20), nullable=False),
        sa.Column("within_days_before_start", sa.Integer()),
        sa.Column("percent_of_tuition", sa.Numeric(5, 2), nullable=False),
        sa.Column("prorate_by_attendance", sa.Boolean(), nullable=False),
        sa.Column("waived_when_refilled", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_versioned(),
        sa.CheckConstraint(
            "percent_of_tuition >= 0 AND percent_of_tuition <= 100",
            name="ck_penalty_rule_percent_range",
        ),
        sa.CheckConstraint(
            "trigger IN ('cancellation', 'non_completion')", name="ck_penalty_rule_trigger"
        ),
        sa.CheckConstraint(
            "initiated_by IN ('country', 'us_government', 'any')",
            name="ck_penalty_rule_initiated_by",
        ),
        sa.CheckConstraint(
            "course_kind IN ('dedicated', 'non_dedicated', 'any')",
            name="ck_penalty_rule_course_kind",
        ),
        sa.PrimaryKeyConstraint("code", name="pk_penalty_rule"),
        schema=S,
    )
    params = op.create_table(
        "funding_parameter",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.Numeric(14, 2), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_versioned(),
        sa.CheckConstraint("value >= 0", name="ck_funding_parameter_value_not_negative"),
        sa.PrimaryKeyConstraint("name", name="pk_funding_parameter"),
        schema=S,
    )
    op.bulk_insert(tla, [
        {"id": uuid.uuid5(_NS, f"tla:{gq}:{gm}:{dep}"), "government_quarters": gq, "government_mess": gm,
         "with_dependents": dep, "lodging_per_day": lodging, "meals_per_day": meals}
        for (gq, gm, dep), (lodging, meals) in TLA_MATRIX.items()
    ])  # fmt: skip
    op.bulk_insert(params, [
        {"name": n, "value": v, "unit": u, "description": d} for n, v, u, d in PARAMETERS
    ])  # fmt: skip
    op.bulk_insert(rules, [
        {"code": c, "description": d, "trigger": t, "initiated_by": i, "course_kind": k,
         "within_days_before_start": w, "percent_of_tuition": p, "prorate_by_attendance": pr,
         "waived_when_refilled": wr, "priority": prio, "active": True}
        for c, d, t, i, k, w, p, pr, wr, prio in PENALTY_RULES
    ])  # fmt: skip


def _create_read_model() -> None:
    op.create_table(
        "course",
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("dedicated_international", sa.Boolean(), nullable=False),
        sa.Column("institution_name", sa.Text(), nullable=False),
        sa.Column("government_quarters", sa.Boolean(), nullable=False),
        sa.Column("government_mess", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("masl_id", name="pk_course"),
        schema=S,
    )
    op.create_table(
        "course_tuition",
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.ForeignKeyConstraint(
            ["masl_id"],
            [f"{S}.course.masl_id"],
            name="fk_course_tuition_masl_id_course",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("masl_id", "fiscal_year", name="pk_course_tuition"),
        schema=S,
    )
    op.create_table(
        "course_class",
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("masl_id", sa.String(7), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("catalog_version", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("class_id", name="pk_course_class"),
        schema=S,
    )
    op.create_index("ix_course_class_masl_id", "course_class", ["masl_id"], schema=S)
    op.create_table(
        "seat_refill",
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("refilled_by", sa.Uuid(), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("nomination_id", name="pk_seat_refill"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("funding_parameter", "penalty_rule", "travel_cost", "tla_rate",
                  "seat_refill", "course_class", "course_tuition", "course"):  # fmt: skip
        op.drop_table(table, schema=S)

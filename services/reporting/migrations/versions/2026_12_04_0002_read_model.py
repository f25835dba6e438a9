"""The read model (courses, nominations and their state spans, training lines, allocations,
vetting cases, topic positions) and the country reference data with the FMTR exclusion list.

Excluded from the Foreign Military Training Report by law unless asked: the NATO members,
Australia, Japan and New Zealand. Regions are the geographic combatant commands. The list is
reference data: administrators change it through `PUT /api/v1/reports/countries/{code}`.

Revision ID: reporting_0002
Revises: reporting_0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None

S = "reporting"

NATO = {
    "ALB": "Albania", "BEL": "Belgium", "BGR": "Bulgaria", "CAN": "Canada", "HRV": "Croatia",
    "CZE": "Czechia", "DNK": "Denmark", "EST": "Estonia", "FIN": "Finland", "FRA": "France",
    "DEU": "Germany", "GRC": "Greece", "HUN": "Hungary", "ISL": "Iceland", "ITA": "Italy",
    "LVA": "Latvia", "LTU": "Lithuania", "LUX": "Luxembourg", "MNE": "Montenegro",
    "NLD": "Netherlands", "MKD": "North Macedonia", "NOR": "Norway", "POL": "Poland",
    "PRT": "Portugal", "ROU": "Romania", "SVK": "Slovakia", "SVN": "Slovenia", "ESP": "Spain",
    "SWE": "Sweden", "TUR": "Türkiye", "GBR": "United Kingdom", "USA": "United States",
}  # fmt: skip
NATO_REGION = {"CAN": "NORTHCOM", "USA": "NORTHCOM"}
EXCLUDED_OTHERS = {"AUS": ("Australia", "INDOPACOM"), "JPN": ("Japan", "INDOPACOM"),
                   "NZL": ("New Zealand", "INDOPACOM")}  # fmt: skip
OTHERS = {
    "AFRICOM": {"GHA": "Ghana", "KEN": "Kenya", "MAR": "Morocco", "MLI": "Mali",
                "NGA": "Nigeria", "SEN": "Senegal", "TUN": "Tunisia"},
    "CENTCOM": {"JOR": "Jordan"},
    "EUCOM": {"GEO": "Georgia", "UKR": "Ukraine"},
    "INDOPACOM": {"BGD": "Bangladesh", "IDN": "Indonesia", "LKA": "Sri Lanka",
                  "MNG": "Mongolia", "NPL": "Nepal", "PHL": "Philippines", "THA": "Thailand",
                  "VNM": "Viet Nam"},
    "NORTHCOM": {"MEX": "Mexico"},
    "SOUTHCOM": {"COL": "Colombia", "DOM": "Dominican Republic", "ECU": "Ecuador",
                 "GTM": "Guatemala", "HND": "Honduras", "PER": "Peru", "SLV": "El Salvador"},
}  # fmt: skip


def _money(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Numeric(14, 2), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    countries = op.create_table(
        "country_reference",
        sa.Column("code", sa.String(3), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("fmtr_excluded", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        schema=S,
    )  # fmt: skip
    op.create_table(
        "course",
        sa.Column("masl_id", sa.String(20), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("institution", sa.String(300), nullable=False),
        sa.Column("location", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        schema=S,
    )
    op.create_table(
        "nomination",
        sa.Column("nomination_id", sa.Uuid(), primary_key=True),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("masl_id", sa.String(20), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("candidate_id", sa.Uuid()),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trained", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("completed", sa.Boolean()),
        sa.Column("days_attended", sa.Integer()),
        schema=S,
    )
    op.create_index("ix_nomination_fy_country", "nomination", ["fiscal_year", "country"], schema=S)
    op.create_table(
        "state_span",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index(
        "ix_state_span_nomination", "state_span", ["nomination_id", "left_at"], schema=S
    )
    op.create_table(
        "training_line",
        sa.Column("nomination_id", sa.Uuid(), primary_key=True),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("masl_id", sa.String(20), nullable=False),
        *(_money(n) for n in ("amount", "tuition", "travel", "living_allowance", "returned",
                              "lapsed", "penalties_charged", "penalties_refunded")),
        schema=S,
    )  # fmt: skip
    op.create_index(
        "ix_training_line_fy_country", "training_line", ["fiscal_year", "country"], schema=S
    )
    op.create_table(
        "allocation",
        sa.Column("allocation_id", sa.Uuid(), primary_key=True),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        schema=S,
    )
    op.create_table(
        "vetting_case",
        sa.Column("case_id", sa.Uuid(), primary_key=True),
        sa.Column("nomination_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(3), nullable=False),
        sa.Column("opened_on", sa.Date()),
        sa.Column("due_on", sa.Date()),
        sa.Column("decided_on", sa.Date()),
        sa.Column("outcome", sa.String(20)),
        schema=S,
    )
    op.create_index(
        "ix_vetting_case_country_opened", "vetting_case", ["country", "opened_on"], schema=S
    )
    op.create_table(
        "topic_position",
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("newest_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events_applied", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        schema=S,
    )  # fmt: skip
    rows = [
        {"code": c, "name": n, "region": NATO_REGION.get(c, "EUCOM"), "fmtr_excluded": True}
        for c, n in NATO.items()
    ]
    rows += [
        {"code": c, "name": n, "region": r, "fmtr_excluded": True}
        for c, (n, r) in EXCLUDED_OTHERS.items()
    ]
    rows += [
        {"code": c, "name": n, "region": region, "fmtr_excluded": False}
        for region, names in OTHERS.items()
        for c, n in names.items()
    ]
    op.bulk_insert(countries, rows)


def downgrade() -> None:
    for name in (
        "topic_position",
        "vetting_case",
        "allocation",
        "training_line",
        "state_span",
        "nomination",
        "course",
        "country_reference",
    ):
        op.drop_table(name, schema=S)  # fmt: skip

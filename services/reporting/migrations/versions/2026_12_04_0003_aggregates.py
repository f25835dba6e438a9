"""Pre-aggregated projections of the read model (ADR 0140), filled from the facts already
there; indexes for the funnel's exact median and stuck stays, and for a nomination's cases.

The tables are filled by the same statements the projections use to keep them
(`reporting.adapters.aggregates.statements`, every nomination, added once).

Revision ID: reporting_0003
Revises: reporting_0002
Create Date: 2026-12-04
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "reporting_0003"
down_revision = "reporting_0002"
branch_labels = None
depends_on = None

S = "reporting"
SUMS = ("tuition", "travel", "living_allowance", "kept", "net", "lapsed", "penalties")
TABLES: dict[str, tuple[list[tuple[str, Any]], list[tuple[str, Any]]]] = {
    # name: (key columns, measure columns)
    "line_total": (
        [("fiscal_year", sa.Integer()), ("country", sa.String(3)), ("masl_id", sa.String(20)),
         ("nomination_country", sa.String(3)), ("trained", sa.Boolean())],
        [("lines", sa.BigInteger()), *((n, sa.Numeric(16, 2)) for n in SUMS)],
    ),
    "fmtr_student": (
        [("fiscal_year", sa.Integer()), ("country", sa.String(3)), ("masl_id", sa.String(20)),
         ("student", sa.Text())],
        [("nominations", sa.BigInteger())],
    ),
    "fmtr_country_student": (
        [("fiscal_year", sa.Integer()), ("country", sa.String(3)), ("student", sa.Text())],
        [("nominations", sa.BigInteger())],
    ),
    "fmtr_cell": (
        [("fiscal_year", sa.Integer()), ("country", sa.String(3)), ("masl_id", sa.String(20))],
        [("students", sa.BigInteger()), ("trained_lines", sa.BigInteger())],
    ),
    "fmtr_country": (
        [("fiscal_year", sa.Integer()), ("country", sa.String(3))],
        [("students", sa.BigInteger())],
    ),
    "funnel_count": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("state", sa.String(40))],
        [("nominations", sa.BigInteger())],
    ),
    "funnel_stay": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("state", sa.String(40)),
         ("tenth", sa.Integer())],
        [("stays", sa.BigInteger())],
    ),
    "funnel_open": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("state", sa.String(40)),
         ("entered_on", sa.Date())],
        [("stays", sa.BigInteger())],
    ),
    "turnaround_month": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("month", sa.String(7))],
        [("opened", sa.BigInteger()), ("open", sa.BigInteger())],
    ),
    "turnaround_due": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("month", sa.String(7)),
         ("due_on", sa.Date())],
        [("cases", sa.BigInteger())],
    ),
    "turnaround_days": (
        [("country", sa.String(3)), ("fiscal_year", sa.Integer()), ("month", sa.String(7)),
         ("days", sa.Integer())],
        [("cases", sa.BigInteger())],
    ),
}  # fmt: skip


def upgrade() -> None:
    for name, (keys, measures) in TABLES.items():
        op.create_table(
            name,
            *(sa.Column(k, kind, nullable=False) for k, kind in keys),
            *(sa.Column(m, kind, nullable=False) for m, kind in measures),
            sa.PrimaryKeyConstraint(*(k for k, _ in keys), name=f"pk_{name}"),
            schema=S,
        )
    op.execute(
        f"CREATE INDEX ix_state_span_ended_stay ON {S}.state_span (state, (left_at - entered_at))"
        " WHERE left_at IS NOT NULL"
    )
    op.execute(
        f"CREATE INDEX ix_state_span_open_entered ON {S}.state_span (entered_at)"
        " WHERE left_at IS NULL"
    )
    op.create_index("ix_vetting_case_nomination", "vetting_case", ["nomination_id"], schema=S)
    from reporting.adapters.aggregates import everything, statements

    bind = op.get_bind()
    for stmt in statements(everything, 1, only=TABLES):  # not the tables added later
        bind.execute(stmt)


def downgrade() -> None:
    op.drop_index("ix_vetting_case_nomination", "vetting_case", schema=S)
    op.execute(f"DROP INDEX {S}.ix_state_span_open_entered")
    op.execute(f"DROP INDEX {S}.ix_state_span_ended_stay")
    for name in reversed(TABLES):
        op.drop_table(name, schema=S)

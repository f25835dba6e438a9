"""The read model's pre-aggregated projections (ADR 0140): what the reports read at scale.

Each table holds additive counts and sums of the facts (`tables.py`), kept by the projections
in the same transaction as the facts (`adapters/aggregates.py`), so a report reads rows per
group, not rows per nomination. `country = '*'` / `fiscal_year = 0` rows of the funnel tables
are the same counts over every country / every fiscal year (so an unfiltered funnel reads a
few thousand rows). `fiscal_year = 0` in the turnaround tables: the case's nomination is not
known (yet). Rows whose counts went back to zero stay; the reports skip them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, Numeric, String, Table, Text

from reporting.adapters.tables import metadata


def _key(name: str, kind: Any) -> Column[Any]:
    return Column(name, kind, primary_key=True)


def _count(name: str) -> Column[Any]:
    return Column(name, BigInteger, nullable=False)


def _sum(name: str) -> Column[Any]:
    return Column(name, Numeric(16, 2), nullable=False)


SUMS = ("tuition", "travel", "living_allowance", "kept", "net", "lapsed", "penalties")

line_total = Table(
    "line_total",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _key("masl_id", String(20)),
    # the country of the line's nomination of the same fiscal year; '' while none is known
    _key("nomination_country", String(3)),
    _key("trained", Boolean),
    _count("lines"),
    *(_sum(n) for n in SUMS),
)

fmtr_student = Table(
    "fmtr_student",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _key("masl_id", String(20)),
    _key("student", Text),
    _count("nominations"),
)

fmtr_country_student = Table(
    "fmtr_country_student",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _key("student", Text),
    _count("nominations"),
)

# The units of the trained students per activity: trained nominations per unit (a refcount;
# the FMTR lists the units whose count is above zero)
fmtr_unit = Table(
    "fmtr_unit",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _key("masl_id", String(20)),
    _key("unit_name", Text),
    _count("students"),
)

fmtr_cell = Table(
    "fmtr_cell",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _key("masl_id", String(20)),
    _count("students"),
    _count("trained_lines"),
)

fmtr_country = Table(
    "fmtr_country",
    metadata,
    _key("fiscal_year", Integer),
    _key("country", String(3)),
    _count("students"),
)

funnel_count = Table(
    "funnel_count",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("state", String(40)),
    _count("nominations"),
)

funnel_stay = Table(
    "funnel_stay",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("state", String(40)),
    _key("tenth", Integer),  # the stay in days, rounded half up to a tenth, times ten
    _count("stays"),
)

funnel_open = Table(
    "funnel_open",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("state", String(40)),
    _key("entered_on", Date),  # UTC day
    _count("stays"),
)

turnaround_month = Table(
    "turnaround_month",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("month", String(7)),
    _count("opened"),
    _count("open"),
)

turnaround_due = Table(
    "turnaround_due",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("month", String(7)),
    _key("due_on", Date),
    _count("cases"),  # open cases due that day
)

turnaround_days = Table(
    "turnaround_days",
    metadata,
    _key("country", String(3)),
    _key("fiscal_year", Integer),
    _key("month", String(7)),
    _key("days", Integer),  # working days to the first result
    _count("cases"),
)

AGGREGATE_TABLES = (line_total, fmtr_student, fmtr_country_student, fmtr_unit, fmtr_cell,
                    fmtr_country, funnel_count, funnel_stay, funnel_open, turnaround_month,
                    turnaround_due, turnaround_days)  # fmt: skip

"""Report tables and charts for the rendering tests, shaped like the FMTR."""

from __future__ import annotations

from decimal import Decimal

from reporting.adapters.rendering import ChartSpec, Column, ReportTable

COUNTRIES = (
    "Bosnia and Herzegovina",
    "Democratic Republic of the Congo",
    "Saint Vincent and the Grenadines",
    "Côte d'Ivoire",
    "Türkiye",
    "Viet Nam",
    "Papua New Guinea",
    "Kenya",
    "Peru",
    "Trinidad and Tobago",
)
FMTR_COLUMNS = (
    Column("country", "Country"),
    Column("masl", "MASL"),
    Column("course", "Course title"),
    Column("school", "Schoolhouse and location"),
    Column("trained", "Number trained", "int"),
    Column("units", "Units"),
    Column("cost", "Total cost (USD)", "money"),
)


def fmtr_rows(n: int) -> tuple[dict[str, object], ...]:
    return tuple(
        {
            "country": COUNTRIES[i % len(COUNTRIES)],
            "masl": f"B1{i:05d}",
            "course": "Infantry Officer Basic & Leadership <Advanced>"
            if i % 7 == 0
            else "Logistics",
            "school": "Fort Moore, GA",
            "trained": 1 + i % 5,
            "units": f"Bn {1 + i % 3}" if i % 4 else None,
            "cost": Decimal("12345.67") * (i % 9) + Decimal(i) / 100,
        }
        for i in range(n)
    )


def fmtr_table(n: int = 120, columns: tuple[Column, ...] = FMTR_COLUMNS) -> ReportTable:
    rows = tuple({c.key: r[c.key] for c in columns if c.key in r} for r in fmtr_rows(n))
    money_keys = [c.key for c in columns if c.kind == "money"]
    totals: dict[str, object] = {k: sum((r[k] for r in rows), Decimal(0)) for k in money_keys}
    return ReportTable(
        title="Foreign Military Training Report",
        subtitle="Training activities by country",
        fiscal_year=2026,
        columns=columns,
        rows=rows,
        totals=totals,
        notes=("NATO members, Australia, Japan and New Zealand are excluded by law.",),
    )


def cost_chart(categories: tuple[str, ...] = COUNTRIES, kind: str = "stacked_bar") -> ChartSpec:
    n = len(categories)
    return ChartSpec(
        kind=kind,  # type: ignore[arg-type]
        title="FMTR FY2026: total cost by country",
        categories=categories,
        series={
            "Tuition": tuple(Decimal(10_000 + 1_000 * i) for i in range(n)),
            "Travel": tuple(2_000 + 150 * i for i in range(n)),
            "TLA": tuple(Decimal("3500.25") + i for i in range(n)),
        },
        y_label="USD",
    )

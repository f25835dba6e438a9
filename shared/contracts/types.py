"""Value types used by the published contracts (events and HTTP), shared by every service."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints

COUNTRY_RE = re.compile(r"^[A-Z]{3}$")
MASL_RE = re.compile(r"^[BDPMZQ][0-9]{6}$")

CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$", min_length=3, max_length=3),
    Field(description="ISO 3166-1 alpha-3 country code", examples=["GTM"]),
]

MaslId = Annotated[
    str,
    StringConstraints(pattern=r"^[BDPMZQ][0-9]{6}$"),
    Field(
        description=(
            "Military Articles and Services List number: implementing-agency letter "
            "(B Army, D Air Force, P Navy, M Marine Corps, Z Coast Guard, Q other DoD) + 6 digits"
        ),
        examples=["D177014"],
    ),
]

FiscalYear = Annotated[
    int,
    Field(
        ge=1990, le=2100, description="U.S. federal fiscal year (FY2026 = 2025-10-01..2026-09-30)"
    ),
]


def _two_places(value: Decimal) -> Decimal:
    quantized = value.quantize(Decimal("0.01"))
    if quantized != value:
        raise ValueError("money has at most 2 decimal places")
    return quantized


Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, description="USD amount with 2 decimal places"),
    AfterValidator(_two_places),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]


def fiscal_year_of(day: date) -> int:
    """The fiscal year a calendar date falls in: FY N runs from Oct 1 of N-1 to Sep 30 of N."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(fiscal_year - 1, 10, 1), date(fiscal_year, 9, 30)

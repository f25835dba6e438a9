"""Value types used by the published contracts (events and HTTP), shared by every service."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, get_args

from pydantic import (
    AfterValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

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


UNKNOWN_CODE_KEY = "x-unknown-reads-as"


@dataclass(frozen=True)
class OpenCode:
    """Marks a `Literal` of reason codes as an OPEN code set: `Annotated[Codes, OpenCode()]`.

    - Validation reads any string outside the set as `unknown` ("other"). Records published
      before a field became a code hold free text, and a newer producer may know codes an
      older reader does not: neither may poison a consumer. It also means no free text can
      ever be published through such a field - it leaves the producer as `unknown`.
    - The JSON Schema is the enum plus `x-unknown-reads-as`, which the contract check
      (`shared.contracts.compat`) reads: codes may be added to an open set (readers map new
      ones to `unknown`), and a plain string may become one (a narrowing every reader of the
      old schema accepts). docs/adr/0057.
    """

    unknown: str = "other"

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        codes = frozenset(get_args(source))
        if self.unknown not in codes:
            raise TypeError(f"an open code set must contain its fallback {self.unknown!r}")
        unknown = self.unknown

        def read(value: Any) -> Any:
            return unknown if isinstance(value, str) and value not in codes else value

        return core_schema.no_info_before_validator_function(read, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema[UNKNOWN_CODE_KEY] = self.unknown
        return json_schema

"""Country reference data schemas."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from nomination.entrypoints.http.schemas.common import Reason, Strict, Text100
from shared.contracts.types import FiscalYear


class CountryPut(Strict):
    """The whole reference record of a country (PUT replaces it; a new version is kept)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Guatemala",
                    "sanctioned": False,
                    "ecl_exempt_fiscal_years": [],
                }
            ]
        },
    )

    name: Text100
    sanctioned: bool = False
    sanctions_reason: Reason | None = None
    ecl_exempt_fiscal_years: list[FiscalYear] = Field(default_factory=list, max_length=50)


class CountryPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "iso3": "GHA",
                    "name": "Ghana",
                    "sanctioned": False,
                    "sanctions_reason": None,
                    "ecl_exempt_fiscal_years": [2026, 2027],
                    "version": 3,
                    "updated_at": "2026-11-30T12:00:00Z",
                    "updated_by": "admin-jdoe",
                    "nominations_cancelled": None,
                }
            ]
        }
    )

    iso3: str
    name: str
    sanctioned: bool
    sanctions_reason: str | None
    ecl_exempt_fiscal_years: list[int]
    version: int
    updated_at: datetime
    updated_by: str
    nominations_cancelled: int | None = Field(
        None, description="On a PUT that imposed sanctions: how many nominations were cancelled"
    )


class CountryList(BaseModel):
    items: list[CountryPublic]


class CountryRevisionPublic(BaseModel):
    version: int
    name: str
    sanctioned: bool
    sanctions_reason: str | None
    ecl_exempt_fiscal_years: list[int]
    changed_at: datetime
    changed_by: str


class CountryRevisions(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "iso3": "GHA",
                    "items": [
                        {
                            "version": 1,
                            "name": "Ghana",
                            "sanctioned": False,
                            "sanctions_reason": None,
                            "ecl_exempt_fiscal_years": [2026],
                            "changed_at": "2025-10-01T09:00:00Z",
                            "changed_by": "admin-jdoe",
                        },
                        {
                            "version": 2,
                            "name": "Ghana",
                            "sanctioned": False,
                            "sanctions_reason": None,
                            "ecl_exempt_fiscal_years": [2026, 2027],
                            "changed_at": "2026-11-30T12:00:00Z",
                            "changed_by": "admin-jdoe",
                        },
                    ],
                }
            ]
        }
    )

    iso3: str
    items: list[CountryRevisionPublic]

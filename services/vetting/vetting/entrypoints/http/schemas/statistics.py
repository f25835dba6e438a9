"""Bodies of `/statistics`: workload and turnaround, per country and overall."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from shared.contracts.types import CountryCode

COUNTRY_STATISTICS: JsonDict = {
    "country": "GTM",
    "open": 12,
    "pending_confirmation": 1,
    "suspended": 2,
    "overdue": 3,
    "decisions_counted": 41,
    "median_working_days_to_decision": 6.0,
}
STATISTICS: JsonDict = {
    "as_of": "2026-11-30",
    "open": 12,
    "pending_confirmation": 1,
    "suspended": 2,
    "overdue": 3,
    "median_working_days_to_decision": 6.0,
    "by_country": [COUNTRY_STATISTICS],
}


class CountryStatistics(BaseModel):
    country: CountryCode
    open: int
    pending_confirmation: int
    suspended: int
    overdue: int
    decisions_counted: int = Field(description="Human first decisions in the median")
    median_working_days_to_decision: float | None

    model_config = ConfigDict(json_schema_extra={"examples": [COUNTRY_STATISTICS]})


class StatisticsPublic(BaseModel):
    as_of: date
    open: int
    pending_confirmation: int
    suspended: int
    overdue: int
    median_working_days_to_decision: float | None
    by_country: list[CountryStatistics]

    model_config = ConfigDict(json_schema_extra={"examples": [STATISTICS]})

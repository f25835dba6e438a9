"""The configurable numbers of the business rules (DOMAIN.md marks them *configurable*)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    ecl_validity_days: int = 105
    toefl_validity_days: int = 730
    data_complete_days_before_report: int = 16

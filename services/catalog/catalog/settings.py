"""Catalog service settings (environment variables prefixed `CATALOG_`).

Every business number the catalog uses is here (or in reference data), never a literal in code.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from catalog.domain.course import EimetPolicy
from catalog.domain.seats import HoldPolicy
from shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", frozen=True)

    db_schema: str = "catalog"
    http_port: int = 8001

    hold_lead_days: int = Field(
        16,
        ge=0,
        le=365,
        description="A seat hold expires this many days before the class report date "
        "(student data must be complete 16 days before reporting).",
    )
    min_hold_hours: int = Field(
        24,
        ge=1,
        le=24 * 90,
        description="A new hold lasts at least this long from the moment it is placed.",
    )
    eimet_recertification_years: int = Field(
        5, ge=1, le=20, description="An E-IMET certification must be renewed after this many years."
    )
    eimet_recertification_warning_days: int = Field(
        180,
        ge=0,
        le=3650,
        description="A course is flagged `eimet_recertification_due` this many days before its "
        "certification lapses.",
    )
    default_report_days_before_start: int = Field(
        3, ge=0, le=120, description="Report date of a class when the manager does not give one."
    )
    hold_expiry_interval_seconds: float = Field(
        60.0, gt=0.0, le=3600.0, description="How often the hold-expiry job looks for lapsed holds."
    )
    hold_expiry_batch_size: int = Field(
        100, ge=1, le=10_000, description="Classes the hold-expiry job reads at a time."
    )

    def eimet_policy(self) -> EimetPolicy:
        """The E-IMET certification rule (published with every course as its end date)."""
        return EimetPolicy(
            validity_years=self.eimet_recertification_years,
            warning_days=self.eimet_recertification_warning_days,
        )

    def hold_policy(self) -> HoldPolicy:
        """How long a seat hold lasts (report date minus lead days, at least min hours)."""
        return HoldPolicy(lead_days=self.hold_lead_days, min_hours=self.min_hold_hours)

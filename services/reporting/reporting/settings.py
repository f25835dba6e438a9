"""Reporting service settings (environment variables prefixed `REPORTING_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", frozen=True)

    db_schema: str = "reporting"
    http_port: int = 8005

    stuck_after_days: int = Field(
        30, ge=1, le=365, description="A nomination this many days in one open state is stuck."
    )
    rebuild_batch_size: int = Field(
        500, ge=1, le=10_000, description="Records fetched per round while rebuilding."
    )

"""Funding service settings (environment variables prefixed `FUNDING_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FundingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDING_", extra="ignore", frozen=True)

    db_schema: str = "funding"
    http_port: int = 8004
    pending_reference_timeout_hours: float = Field(
        72.0,
        gt=0,
        le=24 * 365,
        description="A funding request still waiting for its class/course facts after this long "
        "is rejected with `class_unknown` (the catalog never announced the class).",
    )
    pending_sweep_seconds: float = Field(
        300.0, gt=0, le=86_400, description="How often the job looks for such stale requests."
    )

"""Funding service settings (environment variables prefixed `FUNDING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FundingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDING_", extra="ignore", frozen=True)

    db_schema: str = "funding"
    http_port: int = 8004

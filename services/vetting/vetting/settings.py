"""Vetting service settings (environment variables prefixed `VETTING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VettingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VETTING_", extra="ignore", frozen=True)

    db_schema: str = "vetting"
    http_port: int = 8003

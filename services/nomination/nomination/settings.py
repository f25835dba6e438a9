"""Nomination service settings (environment variables prefixed `NOMINATION_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NominationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOMINATION_", extra="ignore", frozen=True)

    db_schema: str = "nomination"
    http_port: int = 8002

"""Catalog service settings (environment variables prefixed `CATALOG_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", frozen=True)

    db_schema: str = "catalog"
    http_port: int = 8001

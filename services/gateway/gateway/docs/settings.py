"""Settings of the gateway's documentation: environment variables `GATEWAY_DOCS_*`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DocsSettings(BaseSettings):
    """How often the services' OpenAPI documents are fetched, and the broker shown to readers.

    The docs UIs need no setting: the gateway serves Swagger UI and Redoc itself
    (`gateway.docs.pages`), so they work offline and load nothing from another origin.
    """

    model_config = SettingsConfigDict(env_prefix="GATEWAY_DOCS_", extra="ignore", frozen=True)

    openapi_ttl_seconds: float = Field(
        60.0, gt=0, le=86_400, description="Refetch the services' documents after this long."
    )
    openapi_retry_seconds: float = Field(
        5.0, gt=0, le=3600, description="Refetch sooner while a service did not answer."
    )
    fetch_timeout_seconds: float = Field(
        5.0, gt=0, le=120, description="Longest wait for one service's /openapi.json."
    )
    kafka_server: str | None = Field(
        None,
        description="Broker address shown to event consumers; default: KAFKA_BOOTSTRAP_SERVERS.",
    )

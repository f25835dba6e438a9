"""Settings of the gateway's documentation: environment variables `GATEWAY_DOCS_*`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CDN = "https://cdn.jsdelivr.net/npm"


class DocsSettings(BaseSettings):
    """How often the services' OpenAPI documents are fetched, and where the docs UIs load from.

    Swagger UI and Redoc are JavaScript applications loaded by the browser from these URLs (a
    public CDN by default). Where the browser cannot reach it (an air-gapped network), host the
    `swagger-ui-dist` and `redoc` files on a reachable web server and point these URLs at them;
    `/openapi.json`, `/asyncapi.json` and `/asyncapi` need nothing from outside.
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
    swagger_js_url: str = f"{CDN}/swagger-ui-dist@5/swagger-ui-bundle.js"
    swagger_css_url: str = f"{CDN}/swagger-ui-dist@5/swagger-ui.css"
    redoc_js_url: str = f"{CDN}/redoc@2/bundles/redoc.standalone.js"
    favicon_url: str = "data:,"
    kafka_server: str | None = Field(
        None,
        description="Broker address shown to event consumers; default: KAFKA_BOOTSTRAP_SERVERS.",
    )

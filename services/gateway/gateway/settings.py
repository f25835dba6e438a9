"""Gateway settings: environment variables with the `GATEWAY_` prefix, read when it starts."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import PlatformSettings


class GatewaySettings(BaseSettings):
    """Where the gateway listens, where the services are, and how long it waits for them."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    catalog_url: str = "http://127.0.0.1:8001"
    nomination_url: str = "http://127.0.0.1:8002"
    vetting_url: str = "http://127.0.0.1:8003"
    funding_url: str = "http://127.0.0.1:8004"
    connect_timeout_seconds: float = Field(
        2.0, gt=0, le=60, description="Getting a pooled connection or opening a new one."
    )
    read_timeout_seconds: float = Field(
        30.0, gt=0, le=600, description="Longest silence while waiting for upstream bytes."
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=0, description="Largest request body.")
    pool_size: int = Field(100, ge=1, le=10_000, description="Connections per upstream.")
    upstream_keepalive_seconds: float = Field(
        # Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection before the
        # service closes it under a request in flight.
        4.0, gt=0, le=300,
    )  # fmt: skip
    readiness_timeout_seconds: float = Field(1.0, gt=0, le=30)
    key_dir: Path = Field(
        Path("var/keys"),
        description="Dev signing keys; their jwks.json verifies tokens when AUTH_JWKS_* is unset.",
    )
    forwarded_allow_ips: str | None = Field(
        None,
        description="Load balancers in front of the gateway whose X-Forwarded-* to trust.",
    )

    @field_validator("catalog_url", "nomination_url", "vetting_url", "funding_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an upstream URL starts with http:// or https://")
        return value.rstrip("/")

    @cached_property
    def platform(self) -> PlatformSettings:
        return PlatformSettings()

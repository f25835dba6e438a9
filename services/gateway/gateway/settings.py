"""Gateway settings: environment variables with the `GATEWAY_` prefix, read when it starts."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.settings import PlatformSettings

# The docs pages (Swagger UI, Redoc, AsyncAPI) load every script, style sheet, font and image
# from the gateway itself (gateway.docs.pages) and run no inline script (ADR 0058). Beyond
# 'self' only: data: images and fonts embedded in the bundles' style sheets, the blob: web
# worker of Redoc's search, and the hash of the EMPTY string in style-src - Redoc's
# styled-components creates an empty <style> element and fills it through the CSSOM
# (insertRule, which CSP does not govern); no inline style with content is allowed.
# Checked in headless Chromium: Swagger UI, Redoc and /asyncapi render with no violation but
# one decorative inline style of Redoc and its footer logo from cdn.redoc.ly (both blocked).
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
DOCS_CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self' {EMPTY_STYLE_HASH}; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class GatewaySettings(BaseSettings):
    """Where the gateway listens, where the services are, and how long it waits for them."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    admin_host: str = Field(
        "127.0.0.1",
        description="Where /readyz and /metrics listen: never the public door (ADR 0055).",
    )
    admin_port: int = Field(9000, ge=0, le=65535, description="The admin listener's port.")
    catalog_url: str = "http://127.0.0.1:8001"
    nomination_url: str = "http://127.0.0.1:8002"
    vetting_url: str = "http://127.0.0.1:8003"
    funding_url: str = "http://127.0.0.1:8004"
    reporting_url: str = "http://127.0.0.1:8005"
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
    keep_alive_seconds: float = Field(
        # Longer than the idle timeout of the clients' pools and load balancers (httpx 5 s,
        # aiohttp 15 s, AWS ALB 60 s): the side that closes an idle connection must be the
        # client, or a request sent as the gateway closes it fails with a connection reset.
        75.0, gt=0, le=3600,
        description="How long an idle client connection stays open.",
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
    # --- client registrations and the token endpoint (docs/adr/0008) ---
    database_url: SecretStr | None = Field(
        None,
        description="The gateway's own role (schema `gateway`: client registrations). "
        "Unset: no client-credentials token endpoint.",
    )
    db_pool_size: int = Field(5, ge=1, le=50)
    public_url: str | None = Field(
        None, description="Public base URL for the discovery document (default: the request's)."
    )
    token_ttl_seconds: int = Field(900, ge=1, le=3600, description="Client-credentials tokens.")
    revocation_refresh_seconds: float = Field(
        2.0, gt=0, le=60,
        description="How often the revoked client ids are reloaded: a revoked client's tokens "
        "are refused by every replica within about this long.",
    )  # fmt: skip
    token_requests_per_minute_per_client: int = Field(
        30, ge=1, description="FAILED token requests per client_id (brute force)."
    )
    token_requests_per_minute_per_address: int = Field(
        120, ge=1, description="Token requests per remote address."
    )
    # --- rate limits of proxied requests, per verified subject and gateway instance ---
    rate_limit_per_second: float = Field(
        100.0, ge=0, description="Sustained requests per second per caller; 0 turns it off."
    )
    rate_limit_burst: int = Field(200, ge=1, description="Requests a caller may send at once.")
    # --- browser-facing edge: CORS and security headers ---
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma list of origins allowed to call the API from a browser; `*` any.",
    )
    cors_allow_credentials: bool = False
    cors_max_age_seconds: int = Field(600, ge=0, le=86400)
    security_headers: bool = Field(True, description="nosniff, no-referrer, DENY, CSP, ...")
    hsts_max_age_seconds: int = Field(
        0, ge=0, description="Strict-Transport-Security max-age; 0 sends none (HTTP-only dev)."
    )
    api_cache_control: str = Field("no-store", description="Cache-Control of API answers.")
    api_content_security_policy: str = API_CSP
    docs_content_security_policy: str = Field(DOCS_CSP, description="CSP of HTML pages.")

    @field_validator("catalog_url", "nomination_url", "vetting_url", "funding_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an upstream URL starts with http:// or https://")
        return value.rstrip("/")

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip().rstrip("/") for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"a CORS origin is scheme://host[:port] or *, got {origin!r}")
        return value

    @cached_property
    def platform(self) -> PlatformSettings:
        return PlatformSettings()

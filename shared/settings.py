"""Settings: environment variables only, read when a process starts (never at import).

`PlatformSettings` are shared by every process (broker, auth, logging; no prefix).
Each service subclasses `ServiceSettings` with its own prefix, e.g. `FUNDING_DATABASE_URL`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["dev", "test", "production"]


class PlatformSettings(BaseSettings):
    """What every process of the system shares."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    imet_env: Environment = Field("dev", description="dev, test or production")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_topic_prefix: str = Field(
        "", description="Prepended to every topic name; isolates test runs on one broker."
    )
    kafka_topic_partitions: int = Field(4, ge=1, le=256)
    kafka_request_timeout_ms: int = Field(5000, ge=500)
    kafka_fetch_max_wait_ms: int = Field(20, ge=1, le=1000)
    consumer_idle_poll_seconds: float = Field(
        5.0, gt=0.0, le=60.0,
        description="An idle (paused) consumer fetches once this often anyway: the wait of an "
        "event from a producer that does not NOTIFY (relays do; tests' direct producers not)",
    )  # fmt: skip
    kafka_replication_factor: int = Field(1, ge=1, le=10, description="For `imet topics`")
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    # Authentication: services verify bearer JWTs against a JWKS (a file in dev, a URL in
    # production - the gateway's own or an external OIDC issuer's).
    auth_issuer: str = "imet-dev"
    auth_audience: str = "imet-pipeline"
    auth_jwks_file: Path | None = None
    auth_jwks_url: str | None = None
    auth_leeway_seconds: int = Field(30, ge=0, le=300)
    # An external OIDC issuer for people, trusted BESIDE the gateway's own issuer (agency
    # systems, client credentials). A token is checked against the issuer its `iss` names,
    # with that issuer's keys only; an unknown `iss` is refused (docs/adr/0008).
    auth_oidc_issuer: str | None = Field(None, description="`iss` of the external issuer")
    auth_oidc_jwks_url: str | None = Field(None, description="JWKS URL of the external issuer")
    auth_oidc_audience: str | None = Field(
        None, description="`aud` the external tokens must carry (default: AUTH_AUDIENCE)"
    )
    auth_oidc_roles_claim: str = Field(
        "roles", description="Claim with the roles; dotted for nested (realm_access.roles)"
    )
    auth_oidc_country_claim: str = Field("country", description="Claim with the ISO3 country")
    auth_oidc_algorithms: str = Field("RS256", description="Comma list of accepted JWS algs")
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _production_needs_real_auth(self) -> PlatformSettings:
        if self.imet_env == "production" and not (self.auth_jwks_url or self.auth_jwks_file):
            raise ValueError("production needs AUTH_JWKS_URL (or AUTH_JWKS_FILE)")
        if bool(self.auth_oidc_issuer) != bool(self.auth_oidc_jwks_url):
            raise ValueError("AUTH_OIDC_ISSUER and AUTH_OIDC_JWKS_URL go together")
        if self.auth_oidc_issuer is not None and self.auth_oidc_issuer == self.auth_issuer:
            raise ValueError("AUTH_OIDC_ISSUER must differ from AUTH_ISSUER (the gateway's own)")
        if (
            self.imet_env == "production"
            and self.auth_oidc_jwks_url
            and not self.auth_oidc_jwks_url.startswith("https://")
        ):
            raise ValueError("production fetches AUTH_OIDC_JWKS_URL over https only")
        return self


class ServiceSettings(BaseSettings):
    """Per-service settings; subclasses set `env_prefix` (e.g. `CATALOG_`)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: SecretStr = Field(
        ..., description="The service's own role: postgresql://<role>:<pw>@host:port/db"
    )
    db_schema: str = Field(..., description="The service's schema; also its search_path")
    db_pool_size: int = Field(10, ge=1, le=100)
    db_pool_overflow: int = Field(10, ge=0, le=100)
    # Contention queues in the process, bounded (shared/db/admission.py, ADR 0011): at most
    # `db_max_transactions` units of work in the database at once (default and ceiling: the
    # pool size), each waiting at most `db_queue_timeout_seconds` for its turn (then 503 +
    # Retry-After); a lock wait inside PostgreSQL ends after `db_lock_timeout_seconds`.
    db_max_transactions: int | None = Field(None, ge=1, le=100)
    db_queue_timeout_seconds: float = Field(20.0, gt=0.0, le=3600.0)
    db_lock_timeout_seconds: float = Field(10.0, gt=0.0, le=3600.0)
    # The client gives up on one statement after this (above the lock timeout: a lock wait
    # must end as the database's 55P03 refusal, not as a client-side timeout).
    db_command_timeout_seconds: float = Field(30.0, gt=0.0, le=3600.0)
    # An Idempotency-Key whose first attempt died (a crash mid-request) is taken over after
    # this; it must exceed the longest legitimate request (admission wait + work).
    idempotency_stale_seconds: float = Field(60.0, ge=5.0, le=3600.0)
    http_host: str = "127.0.0.1"
    http_port: int = Field(8001, ge=0, le=65535)
    # Messaging (shared/messaging, docs/delivery-guarantees.md).
    consumer_retry_attempts: int = Field(
        3, ge=1, le=20, description="Tries of a record whose reaction fails, then the DLQ"
    )
    consumer_retry_backoff_seconds: float = Field(0.2, ge=0.0, le=60.0)
    consumer_transient_attempts: int = Field(
        8, ge=1, le=100,
        description="Tries of a record whose reaction times out or meets contention while the "
        "database answers, then the DLQ (an unreachable database is retried without limit)",
    )  # fmt: skip
    consumer_batch_size: int = Field(200, ge=1, le=5000)
    consumer_rebalance_seconds: float = Field(
        5.0, gt=0.0, le=60.0, description="Lease scan when no join/leave was announced"
    )
    consumer_idle_pause_seconds: float = Field(
        0.5, gt=0.0, le=60.0, description="Stop fetching after this long without records"
    )
    relay_batch_size: int = Field(500, ge=1, le=10000)
    relay_poll_seconds: float = Field(
        5.0, gt=0.0, le=60.0, description="Outbox scan when no NOTIFY arrived (a safety net)"
    )
    relay_handover_after_seconds: float = Field(
        30.0, gt=0.0, le=3600.0, description="A leader that cannot publish this long stands by"
    )
    lock_heartbeat_seconds: float = Field(2.0, gt=0.0, le=60.0)
    lock_session_timeout_seconds: float = Field(
        10.0, ge=1.0, le=600.0,
        description="The server ends a lock session silent this long (a vanished pod)",
    )  # fmt: skip
    outbox_retention_days: float = Field(7.0, gt=0.0, description="Published outbox rows kept")
    inbox_retention_days: float = Field(
        14.0, gt=0.0, description="The replay horizon: inbox rows kept past their partition"
    )
    retention_interval_seconds: float = Field(3600.0, gt=0.0)
    retention_batch_size: int = Field(1000, ge=1, le=100000)

    @model_validator(mode="after")
    def _heartbeat_within_session_timeout(self) -> ServiceSettings:
        if self.lock_heartbeat_seconds * 2 > self.lock_session_timeout_seconds:
            raise ValueError("LOCK_HEARTBEAT_SECONDS must be at most half the session timeout")
        return self

    @property
    def admission_limit(self) -> int:
        """Units of work admitted at once: never more than the pool holds without overflow."""
        return min(self.db_max_transactions or self.db_pool_size, self.db_pool_size)

    @cached_property
    def platform(self) -> PlatformSettings:
        return PlatformSettings()

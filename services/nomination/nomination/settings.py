"""Nomination service settings (environment variables prefixed `NOMINATION_`).

Every number the business rules use is here (with the default DOMAIN.md gives), never a literal
in code. `NOMINATION_PERSON_FINGERPRINT_KEY` is the HMAC secret of the person fingerprint that
`nomination.submitted` carries (ADR 0005): dev and test may use the documented dev value, a
production process refuses to start with it or without one.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from nomination.domain.rules import Rules
from nomination.service_layer.config import Config
from shared.settings import ServiceSettings

DEV_FINGERPRINT_KEY = "imet-dev-only-person-fingerprint-key-do-not-use-in-production"


class NominationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOMINATION_", extra="ignore", frozen=True)

    db_schema: str = "nomination"
    http_port: int = 8002

    person_fingerprint_key: SecretStr = Field(
        SecretStr(DEV_FINGERPRINT_KEY),
        description="HMAC-SHA256 key of the person fingerprint (ADR 0005); required in production",
    )
    ecl_validity_days: int = Field(
        105, ge=1, le=3650, description="An ECL score is valid this long"
    )
    toefl_validity_days: int = Field(
        730, ge=1, le=3650, description="A TOEFL iBT score is valid this long"
    )
    data_complete_days_before_report: int = Field(
        16,
        ge=0,
        le=365,
        description="Student data must be complete this many days before the report date",
    )
    import_max_rows: int = Field(
        5000, ge=1, le=100_000, description="Rows accepted in one bulk import"
    )
    import_chunk_rows: int = Field(
        50, ge=1, le=5000, description="Rows of an import job committed per transaction"
    )
    import_lease_seconds: float = Field(
        30.0, gt=0, le=3600,
        description="An import job whose worker has not renewed its lease this long is resumed",
    )  # fmt: skip
    import_poll_seconds: float = Field(
        2.0, gt=0, le=600, description="How often the jobs role looks for an import to (re)start"
    )
    import_wait_max_seconds: float = Field(
        20.0, ge=0, le=25,
        description="Longest `Prefer: wait` honoured on an upload; below the gateway's 30 s",
    )  # fmt: skip

    @model_validator(mode="after")
    def _production_needs_a_real_fingerprint_key(self) -> NominationSettings:
        key = self.person_fingerprint_key.get_secret_value()
        if self.platform.imet_env == "production" and (key == DEV_FINGERPRINT_KEY or len(key) < 32):
            raise ValueError(
                "production needs NOMINATION_PERSON_FINGERPRINT_KEY, a secret of 32+ characters"
            )
        return self

    def config(self) -> Config:
        """The business-rule parameters and secrets, as the use cases take them."""
        rules = Rules(
            ecl_validity_days=self.ecl_validity_days,
            toefl_validity_days=self.toefl_validity_days,
            data_complete_days_before_report=self.data_complete_days_before_report,
        )
        return Config(
            fingerprint_key=self.person_fingerprint_key.get_secret_value().encode(),
            rules=rules,
            import_max_rows=self.import_max_rows,
        )

"""Vetting service settings (environment variables prefixed `VETTING_`)."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings
from vetting.domain.decision import DecisionPolicy


class VettingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VETTING_", extra="ignore", frozen=True)

    db_schema: str = "vetting"
    http_port: int = 8003

    approval_validity_months: int = Field(
        12, ge=1, le=60, description="How long an approval clears a person (months)."
    )
    turnaround_working_days: int = Field(
        10, ge=1, le=120, description="Target turnaround: due date = opened + N working days."
    )
    unit_block_policy: Literal["deny", "review"] = Field(
        "deny",
        description="A case whose unit is on the registry is denied, or suspended for review.",
    )
    two_person_rule: bool = Field(
        False,
        description="Denials and approvals of flagged cases need a second vetter's confirmation.",
    )
    business_timezone: str = Field(
        "America/New_York",
        description="Where the vetting office's calendar day is counted (due dates, validity).",
    )
    expiry_interval_seconds: float = Field(
        3600.0, gt=0, le=86400, description="How often the expiry job looks for lapsing approvals."
    )
    revet_lead_days: int = Field(
        30,
        ge=0,
        le=365,
        description=(
            "An approval that lapses before the report date is re-opened this many days before "
            "it lapses (0: on the day it lapses)."
        ),
    )
    expiry_batch_size: int = Field(
        200, ge=1, le=5000, description="Cases re-opened per transaction."
    )
    candidate_url_template: str = Field(
        "/api/v1/nominations/candidates/{candidate_id}",
        description="Where a vetter reads the person's details (nomination service API).",
    )

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("candidate_url_template")
    @classmethod
    def _has_placeholder(cls, value: str) -> str:
        if "{candidate_id}" not in value:
            raise ValueError("candidate_url_template must contain {candidate_id}")
        return value

    def policy(self) -> DecisionPolicy:
        return DecisionPolicy(
            validity_months=self.approval_validity_months,
            turnaround_working_days=self.turnaround_working_days,
            two_person_rule=self.two_person_rule,
            unit_block_policy=self.unit_block_policy,
        )

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)

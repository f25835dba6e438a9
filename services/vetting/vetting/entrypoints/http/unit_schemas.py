"""Request and response bodies of `/api/v1/vetting/units` (units' registry identity)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.types import CountryCode
from shared.http.pagination import Page
from vetting.entrypoints.http.schemas import Line


class UnitCreate(BaseModel):
    country: CountryCode
    name: Line = Field(description="Compared ignoring case and spacing")
    parent_unit_id: UUID | None = Field(None, description="The unit it belongs to, if any")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"country": "GTM", "name": "Batallón de Infantería 12",
                          "parent_unit_id": None}]
        },
    )  # fmt: skip


class UnitPublic(BaseModel):
    unit_id: UUID
    country: CountryCode
    name: str
    parent_unit_id: UUID | None
    created_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"unit_id": "2f6b9f9e-5b0e-4d6f-9a53-2b1e0f7f1a10", "country": "GTM",
                          "name": "Batallón de Infantería 12", "parent_unit_id": None,
                          "created_at": "2026-12-02T15:04:05Z"}]
        }
    )  # fmt: skip


class UnitPage(Page[UnitPublic]):
    pass

"""Bodies of `/units`: a security-force unit's registry identity (ADR 0063)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.types import CountryCode
from shared.http.pagination import Page
from vetting.domain.units import Unit
from vetting.entrypoints.http.schemas.common import Line


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


def unit_public(item: Unit | Mapping[str, Any]) -> UnitPublic:
    """A unit from the domain or from a listed row."""
    if isinstance(item, Unit):
        return UnitPublic(
            unit_id=item.id, country=item.country, name=item.name,
            parent_unit_id=item.parent_id, created_at=item.created_at,
        )  # fmt: skip
    return UnitPublic(
        unit_id=item["id"], country=item["country"], name=item["name"],
        parent_unit_id=item["parent_id"], created_at=item["created_at"],
    )  # fmt: skip

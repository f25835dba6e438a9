"""Bodies of `/registry`: listing a unit, recording its remediation, an entry as shown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from shared.contracts.types import CountryCode
from shared.http.pagination import Page
from vetting.domain.registry import RegistryEntry
from vetting.entrypoints.http.schemas.common import ENTRY_ID, Line, LongText

REGISTRY_CREATE: JsonDict = {
    "country": "GTM",
    "unit_name": "Example Task Force 7",
    "source_reference": "INVEST case 2026-0142",
    "summary": "Credible reports of extrajudicial killings in 2025.",
}
REMEDIATION_CREATE: JsonDict = {
    "remediation_notes": "Perpetrators prosecuted; unit reconstituted.",
    "remediation_reference": "DRL memo 2026-88",
}
REGISTRY_ENTRY: JsonDict = {
    "entry_id": ENTRY_ID,
    "country": "GTM",
    "unit_name": "Example Task Force 7",
    "source_reference": "INVEST case 2026-0142",
    "summary": "Credible reports of extrajudicial killings in 2025.",
    "active": True,
    "added_by": "vetter-ana",
    "added_at": "2026-11-02T09:15:00Z",
    "remediated_at": None,
    "remediated_by": None,
    "remediation_notes": None,
    "remediation_reference": None,
}


class RegistryEntryCreate(BaseModel):
    country: CountryCode
    unit_id: UUID | None = Field(None, description="The unit's registry identity")
    unit_name: Line | None = Field(
        None, description="Without unit_id: the unit by name (and parent), registered if new"
    )
    parent_unit_id: UUID | None = None
    include_subunits: bool = Field(False, description="The entry also covers the unit's subunits")
    source_reference: Line = Field(description="Where the derogatory information comes from")
    summary: LongText | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REGISTRY_CREATE]})

    @model_validator(mode="after")
    def _names_a_unit(self) -> RegistryEntryCreate:
        if (self.unit_id is None) == (self.unit_name is None):
            raise ValueError("give the unit's unit_id or its unit_name (one of the two)")
        if self.unit_id is not None and self.parent_unit_id is not None:
            raise ValueError("parent_unit_id goes with unit_name, not with unit_id")
        return self


class RemediationCreate(BaseModel):
    remediation_notes: LongText
    remediation_reference: Line | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REMEDIATION_CREATE]})


class RegistryEntryPublic(BaseModel):
    entry_id: UUID
    country: CountryCode
    unit_name: str
    source_reference: str
    summary: str | None
    active: bool
    added_by: str
    added_at: datetime
    remediated_at: datetime | None
    remediated_by: str | None
    remediation_notes: str | None
    remediation_reference: str | None
    unit_id: UUID | None = None
    include_subunits: bool = False

    model_config = ConfigDict(json_schema_extra={"examples": [REGISTRY_ENTRY]})


class RegistryEntryPage(Page[RegistryEntryPublic]):
    pass


_ENTRY_FIELDS = (
    "id", "country", "unit_name", "source_reference", "summary", "added_by", "added_at",
    "remediated_at", "remediated_by", "remediation_notes", "remediation_reference", "unit_id",
    "include_subunits",
)  # fmt: skip


def registry_public(entry: RegistryEntry | Mapping[str, Any]) -> RegistryEntryPublic:
    """An entry from the domain or from a listed row."""
    data = (
        dict(entry) if isinstance(entry, Mapping) else {f: getattr(entry, f) for f in _ENTRY_FIELDS}
    )
    return RegistryEntryPublic(
        entry_id=data["id"],
        active=data["remediated_at"] is None,
        **{k: v for k, v in data.items() if k in RegistryEntryPublic.model_fields},
    )

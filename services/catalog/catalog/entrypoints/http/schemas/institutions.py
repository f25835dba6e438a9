"""Institution bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from catalog.domain.course import Institution
from catalog.domain.masl import Agency
from catalog.entrypoints.http.schemas.common import NO_NUL, PatchBody, RequestBody
from shared.http.pagination import Page

Name = Annotated[
    str,
    Field(
        min_length=1, max_length=200, pattern=NO_NUL, description="Unique name of the schoolhouse"
    ),
]
Location = Annotated[
    str,
    Field(min_length=1, max_length=200, pattern=NO_NUL, description="Installation, city and state"),
]

_EXAMPLE: dict[str, Any] = {
    "name": "Defense Language Institute English Language Center",
    "location": "Joint Base San Antonio-Lackland, TX",
    "implementing_agency": "air_force",
    "government_quarters": True,
    "government_mess": True,
}


class InstitutionCreate(RequestBody):
    name: Name
    location: Location
    implementing_agency: Agency = Field(
        description="Military department (or other DoD) running the schoolhouse"
    )
    government_quarters: bool = Field(
        False, description="Government quarters available (lowers TLA lodging)"
    )
    government_mess: bool = Field(False, description="Government mess available (lowers TLA meals)")

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class InstitutionUpdate(PatchBody):
    name: Name | None = None
    location: Location | None = None
    implementing_agency: Agency | None = None
    government_quarters: bool | None = None
    government_mess: bool | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset()
    model_config = ConfigDict(json_schema_extra={"examples": [{"government_mess": False}]})


class InstitutionPublic(BaseModel):
    id: UUID
    name: str
    location: str
    implementing_agency: Agency
    government_quarters: bool
    government_mess: bool
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0f1e9e-7a43-4f55-9d0b-0c6a3c7f2a11",
                    **_EXAMPLE,
                    "version": 1,
                    "created_at": "2026-11-28T09:00:00Z",
                    "updated_at": "2026-11-28T09:00:00Z",
                }
            ]
        }
    )

    @classmethod
    def of(cls, item: Institution) -> InstitutionPublic:
        return cls(
            id=item.id,
            name=item.name,
            location=item.location,
            implementing_agency=item.implementing_agency,
            government_quarters=item.government_quarters,
            government_mess=item.government_mess,
            version=item.version,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class InstitutionPage(Page[InstitutionPublic]):
    pass

"""Invitational Travel Order schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from nomination.domain.travel_order import OrderStatus, RecallReason
from shared.http.pagination import Page


class TravelOrderPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nomination_id": "c2a4e0f3-3333-4b4c-a2f1-1d2e3f4a5b33",
                    "number": "GTM-D-000123-2701",
                    "version": 2,
                    "current": True,
                    "status": "current",
                    "issued_at": "2026-12-02T15:04:05Z",
                    "issued_by": "sco-gtm-jdoe",
                    "superseded_at": None,
                    "recalled_at": None,
                    "recall_reason": None,
                    "recall_missing": [],
                    "content": {
                        "course": {"masl_id": "D177014", "title": "PME Preparation"},
                        "school": {"name": "DLIELC", "location": "JBSA-Lackland, TX"},
                        "class": {"report_date": "2027-01-29", "start_date": "2027-02-01"},
                        "funding": {"source": "imet", "obligation_id": "9b1d..."},
                    },
                    "redacted": False,
                    "pdf": "/api/v1/nominations/c2a4e0f3-3333-4b4c-a2f1-1d2e3f4a5b33/ito/2.pdf",
                }
            ]
        }
    )

    nomination_id: UUID
    number: str = Field(examples=["GTM-D-000123-2701"])
    version: int
    current: bool = Field(description="True only while the order is in force (status current)")
    status: OrderStatus = Field(
        description="current; superseded (a newer version replaced it); recalled (a fact behind "
        "it stopped being true: never usable again)"
    )
    issued_at: datetime
    issued_by: str = Field(description="The issuing SCO")
    superseded_at: datetime | None
    recalled_at: datetime | None = None
    recall_reason: RecallReason | None = Field(None, description="Why it was recalled")
    recall_missing: list[str] = Field(
        default_factory=list, description="The gate items that no longer held when it was recalled"
    )
    content: dict[str, Any] = Field(
        description="Student, course, school, dates, funding; student details withheld if redacted"
    )
    redacted: bool
    pdf: str = Field(description="Where to download this version as PDF")


class TravelOrderList(BaseModel):
    items: list[TravelOrderPublic]


class TravelOrderPage(Page[TravelOrderPublic]):
    """A country's travel orders, newest first."""

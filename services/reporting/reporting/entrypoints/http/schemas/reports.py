"""A report on the wire: its tables with typed columns; money as decimal strings."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

JsonCell = str | int | list[str] | None
FilterValue = str | int | bool | None


class ColumnPublic(BaseModel):
    key: str
    title: str
    kind: Literal["text", "integer", "money", "number", "percent", "date", "list"]


class TablePublic(BaseModel):
    name: str
    title: str
    columns: list[ColumnPublic]
    rows: list[dict[str, JsonCell]] = Field(description="One object per row, by column key")
    totals: dict[str, JsonCell] | None = None


class ReportPublic(BaseModel):
    kind: str
    title: str
    filters: dict[str, FilterValue]
    notes: list[str] = Field(default_factory=list)
    tables: list[TablePublic]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "fmtr",
                    "title": "Foreign Military Training Report, fiscal year 2026",
                    "filters": {"fiscal_year": 2026, "include_excluded": False},
                    "notes": [],
                    "tables": [
                        {
                            "name": "countries",
                            "title": "Students trained and cost per country",
                            "columns": [
                                {"key": "country", "title": "Country", "kind": "text"},
                                {"key": "students_trained", "title": "Students trained",
                                 "kind": "integer"},
                                {"key": "total_cost", "title": "Total cost", "kind": "money"},
                            ],
                            "rows": [{"country": "GTM", "students_trained": 12,
                                      "total_cost": "412500.00"}],
                            "totals": None,
                        }
                    ],
                }
            ]
        }
    }  # fmt: skip


class TopicStatusPublic(BaseModel):
    topic: str
    newest_event_at: datetime | None = Field(description="Newest event time applied")
    events_applied: int


class StatusPublic(BaseModel):
    as_of: datetime
    topics: list[TopicStatusPublic]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "as_of": "2026-12-04T10:00:00Z",
                    "topics": [
                        {
                            "topic": "imet.nomination.events",
                            "newest_event_at": "2026-12-04T09:59:58Z",
                            "events_applied": 48211,
                        }
                    ],
                }
            ]
        }
    }


class CountryPut(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=1, max_length=40, examples=["SOUTHCOM"])
    fmtr_excluded: bool = Field(
        False, description="Left out of the FMTR unless asked (NATO, AUS, JPN, NZL)"
    )


class CountryPublic(CountryPut):
    code: str


class CountryPage(BaseModel):
    items: list[CountryPublic]
    next_cursor: str | None = Field(None, description="Always null: the whole list in one page")

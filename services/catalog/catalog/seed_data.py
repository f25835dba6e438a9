"""Demo reference data: real schoolhouses and representative (illustrative) courses.

The data lives in `reference/institutions.csv` and `reference/courses.csv`. The schoolhouses
and their locations are real; the MASL numbers, tuition, class sizes and schedules are
ILLUSTRATIVE, chosen to look like the program's (D177014 DLIELC PME Preparation, P177022
Advanced Language Proficiency as in DOMAIN.md) - not official MASL entries, and every seeded
course says so in its description (`demo: true`). `class_starts` are month-day pairs within a
fiscal year; the loader places them in the current and the next fiscal year, so the demo stays
current. `tuition_usd` is the current fiscal year's rate; the next year's is escalated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from catalog.domain.course import CourseCategory, EnglishTest
from catalog.domain.masl import Agency

REFERENCE = Path(__file__).resolve().parent / "reference"
DEMO_NOTE = "demo: true - illustrative data, not an official MASL entry."
TUITION_ESCALATION = Decimal("1.03")  # next fiscal year's demo rate over this year's


@dataclass(frozen=True)
class InstitutionSpec:
    key: str
    name: str
    location: str
    agency: Agency
    quarters: bool
    mess: bool


@dataclass(frozen=True)
class CourseSpec:
    masl_id: str
    title: str
    institution: str
    category: CourseCategory
    weeks: str
    english: tuple[EnglishTest, int] | None
    tuition: str
    starts: tuple[tuple[int, int], ...]
    size: tuple[int, int]
    capacity: int
    report_days: int
    dedicated: bool
    eimet_years_ago: float | None
    note: str


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _flag(value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false, got {value!r}")
    return value == "true"


def _institution(row: dict[str, str]) -> InstitutionSpec:
    return InstitutionSpec(
        key=row["key"],
        name=row["name"],
        location=row["location"],
        agency=Agency(row["implementing_agency"]),
        quarters=_flag(row["government_quarters"]),
        mess=_flag(row["government_mess"]),
    )


def _course(row: dict[str, str]) -> CourseSpec:
    english = None
    if row["english_test"]:
        english = (EnglishTest(row["english_test"]), int(row["english_min_score"]))
    starts = tuple(
        (int(month), int(day))
        for month, day in (pair.split("-") for pair in row["class_starts"].split())
    )
    years_ago = row["eimet_certified_years_ago"]
    return CourseSpec(
        masl_id=row["masl_id"],
        title=row["title"],
        institution=row["institution"],
        category=CourseCategory(row["category"]),
        weeks=row["duration_weeks"],
        english=english,
        tuition=row["tuition_usd"],
        starts=starts,
        size=(int(row["min_class_size"]), int(row["max_class_size"])),
        capacity=int(row["class_capacity"]),
        report_days=int(row["report_days_before_start"]),
        dedicated=_flag(row["dedicated_international"]),
        eimet_years_ago=float(years_ago) if years_ago else None,
        note=row["note"],
    )


@cache
def institutions() -> tuple[InstitutionSpec, ...]:
    return tuple(_institution(r) for r in _rows("institutions.csv"))


@cache
def courses() -> tuple[CourseSpec, ...]:
    return tuple(_course(r) for r in _rows("courses.csv"))

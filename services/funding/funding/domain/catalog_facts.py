"""What funding knows of the catalog: courses (with tuition per fiscal year) and classes.

Catalog events carry the full state and a version; a state is applied only when it is newer
than what is known, so redelivered or reordered events never move the model backwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class CourseState:
    masl_id: str
    title: str
    category: str
    dedicated_international: bool
    institution_name: str
    government_quarters: bool
    government_mess: bool
    active: bool
    version: int
    tuition: dict[int, Decimal]


@dataclass(frozen=True)
class ClassState:
    class_id: uuid.UUID
    masl_id: str
    fiscal_year: int
    start_date: date
    end_date: date
    report_date: date
    status: str
    version: int


@dataclass(frozen=True)
class LineReference:
    """What funding knows of a class and its course: enough to cost a training line."""

    class_id: uuid.UUID
    masl_id: str
    class_fiscal_year: int
    start_date: date
    end_date: date
    category: str
    dedicated: bool
    government_quarters: bool
    government_mess: bool

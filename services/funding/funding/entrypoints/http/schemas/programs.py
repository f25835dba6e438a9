"""Bodies of `/programs`, `/requests/{id}/program-exception`, `/year-end-runs` (ADR 0115-0117)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import Reason, with_example
from shared.contracts.types import CountryCode, FiscalYear, MaslId, Money
from shared.http.pagination import Page

PriorityCode = Literal["A", "B", "D"]
WorkControlNumber = Annotated[
    str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
]
Quantity = Annotated[int, Field(ge=1, le=500)]


class LineCreate(BaseModel):
    model_config = with_example(
        masl_id="D177014", quantity=2, priority="A", work_control_number="GT-26-001"
    )
    masl_id: MaslId
    quantity: Quantity
    priority: PriorityCode = Field(description="A must fund, B fund if money, D deferred")
    work_control_number: WorkControlNumber
    funding_source: Literal["imet", "eimet"] = "imet"


class ProgramCreate(BaseModel):
    model_config = with_example(
        country="GTM",
        fiscal_year=2027,
        lines=[
            {"masl_id": "D177014", "quantity": 2, "priority": "A", "work_control_number": "GT-1"}
        ],
    )
    country: CountryCode
    fiscal_year: FiscalYear
    lines: list[LineCreate] = Field(default_factory=list, max_length=200)


class LineUpdate(BaseModel):
    model_config = with_example(priority="B")
    quantity: Quantity | None = None
    priority: PriorityCode | None = None
    status: Literal["cancelled"] | None = Field(None, description="`cancelled` cancels the line")


class LinePublic(BaseModel):
    model_config = with_example(
        id="5b0e7c1e-0000-4000-8000-000000000001",
        masl_id="D177014",
        quantity=2,
        priority="A",
        work_control_number="GT-27-001",
        funding_source="imet",
        category="pme",
        unit_cost="25936.00",
        estimated_cost="51872.00",
        status="approved",
        filled=1,
        obligated="25936.00",
        version=3,
    )
    id: UUID
    masl_id: str
    quantity: int
    priority: PriorityCode
    work_control_number: str
    funding_source: str
    category: str | None
    tuition: Money | None
    travel: Money | None
    living_allowance: Money | None
    unit_cost: Money | None = Field(description="One student: tuition + travel + TLA")
    estimated_cost: Money | None = Field(description="unit_cost x quantity")
    cost_problem: str | None = Field(description="Why the line could not be costed")
    costed_at: datetime | None
    status: str
    filled: int
    obligated: Money
    version: int


class ProgramSummary(BaseModel):
    model_config = with_example(
        id="7c9e6679-0000-4000-8000-000000000002",
        country="GTM",
        fiscal_year=2027,
        status="approved",
        created_by="sco-gtm",
        version=2,
    )
    id: UUID
    country: str
    fiscal_year: int
    status: str
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    version: int


class ProgramPublic(ProgramSummary):
    ceiling: Money | None
    approved_total: Money = Field(description="A and B lines, not cancelled")
    pme_total: Money
    priority_a_total: Money
    lines: list[LinePublic]


class ProgramPage(Page[ProgramSummary]):
    pass


class LineExecution(BaseModel):
    model_config = with_example(
        line_id="5b0e7c1e-0000-4000-8000-000000000001",
        work_control_number="GT-27-001",
        masl_id="D177014",
        priority="A",
        status="partially_filled",
        planned_quantity=2,
        planned_cost="51872.00",
        filled=1,
        released=0,
        estimated_filled="25936.00",
        actual_obligated="25936.00",
        difference="0.00",
        obligated_now="25936.00",
    )
    line_id: UUID
    work_control_number: str
    masl_id: str
    priority: str
    status: str
    planned_quantity: int
    planned_cost: Money
    filled: int
    released: int = Field(description="Fills whose obligation was released since")
    estimated_filled: Money = Field(description="The estimate of the filled students")
    actual_obligated: Money = Field(description="What their obligations were recorded at")
    difference: Decimal = Field(description="actual - estimate (negative: cheaper)")
    obligated_now: Money = Field(description="Still outstanding on those obligations")


class ProgramExecution(BaseModel):
    program_id: UUID
    country: str
    fiscal_year: int
    status: str
    ceiling: Money | None
    planned_total: Money
    planned_quantity: int
    filled: int
    obligated_total: Money
    difference_total: Decimal
    lines: list[LineExecution]


class ProgramException(BaseModel):
    model_config = with_example(reason="Emergency backfill approved at the SCTW")
    reason: Reason


class YearEndRunCreate(BaseModel):
    model_config = with_example(fiscal_year=2027, dry_run=True, reason="FY2027 year-end review")
    fiscal_year: FiscalYear
    dry_run: bool = True
    reason: Reason
    countries: list[CountryCode] | None = Field(
        None, max_length=300, description="Only these countries (default: every approved program)"
    )


class YearEndCountry(BaseModel):
    model_config = with_example(
        country="GTM",
        ceiling="120000.00",
        obligated="41872.00",
        expected="51872.00",
        unused="26256.00",
        shortfall="0.00",
    )
    country: str
    ceiling: Money
    obligated: Money
    expected: Money
    unused: Money
    shortfall: Money


class YearEndPullBack(BaseModel):
    country: str
    allocation_id: UUID
    amount: Money


class YearEndGrant(BaseModel):
    country: str
    allocation_id: UUID
    line_id: UUID
    work_control_number: str
    amount: Money


class YearEndRunPublic(BaseModel):
    run_id: UUID
    fiscal_year: int
    dry_run: bool
    pulled_back: Money
    redistributed: Money
    left_unallocated: Money
    countries: list[YearEndCountry]
    pull_backs: list[YearEndPullBack]
    grants: list[YearEndGrant]

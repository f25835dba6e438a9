"""A fast loader of nomination history straight into the tables (COPY), not through the API.

`load(conn, start, count, ...)` appends nominations number `start` .. `start + count - 1`
(deterministic: the same numbers give the same rows) to what the measured endpoints read:
- `nomination.candidate`, `nomination.nomination`, `nomination.nomination_history` (two
  transitions each), `nomination.travel_order` for the nominations that got one;
- the reporting read model: `reporting.nomination`, `reporting.state_span` (the path through
  the states), `reporting.training_line` (what funding obligated), `reporting.vetting_case`,
  and once `reporting.allocation` (per country and fiscal year) and `reporting.course`;
- the reporting read model's pre-aggregated projections (ADR 0140), by the statements the
  projections keep them with (`reporting.adapters.aggregates.statements`), for the ids just
  loaded (`aggregate`, once per level).

Consistent with the constraints: one candidate per nomination (so the open/active uniqueness
indexes hold), a distinct passport number and person fingerprint each, sub-statuses that match
the state (a completed nomination holds a confirmed seat, an approved case and an obligation),
every state and sub-status one of the machine's values. 130 countries (the reference data's
codes, filled up with synthetic `Z..` codes), fiscal years 2022-2026 (past years settled: mostly
completed; the current year still in the pipeline), classes and courses of the demo catalog.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from reporting.adapters.aggregates import as_sql, statements

FISCAL_YEARS = (2022, 2023, 2024, 2025, 2026)
CURRENT_FY = 2026
N_COUNTRIES = 130
UTC = dt.UTC

# Final states of a settled (past) fiscal year and of the current one, with weights.
PAST_MIX = {
    "completed": 78, "withdrawn": 6, "cancelled": 4, "vetting_denied": 3,
    "training_terminated": 2, "funding_rejected": 1, "draft": 1, "waitlisted": 5,
}  # fmt: skip
CURRENT_MIX = {
    "draft": 4, "submitted": 5, "vetting": 14, "waitlisted": 10, "vetting_suspended": 1,
    "funding": 6, "funding_rejected": 2, "ready_for_travel": 12, "in_training": 12,
    "completed": 22, "training_terminated": 1, "vetting_denied": 3, "withdrawn": 5,
    "cancelled": 3,
}  # fmt: skip
# state -> (seat, vetting, funding)
SUB = {
    "draft": ("none", "none", "none"),
    "submitted": ("held", "none", "none"),
    "vetting": ("held", "pending", "none"),
    "waitlisted": ("waitlisted", "pending", "none"),
    "vetting_suspended": ("held", "suspended", "none"),
    "funding": ("held", "approved", "requested"),
    "funding_rejected": ("held", "approved", "rejected"),
    "ready_for_travel": ("confirmed", "approved", "obligated"),
    "in_training": ("confirmed", "approved", "obligated"),
    "completed": ("confirmed", "approved", "obligated"),
    "training_terminated": ("confirmed", "approved", "obligated"),
    "vetting_denied": ("released", "denied", "none"),
    "withdrawn": ("released", "approved", "deobligated"),
    "cancelled": ("released", "cancelled", "none"),
}
# The path through the states that ends in each state (the funnel's spans).
PATH = {
    "draft": ["draft"],
    "submitted": ["submitted"],
    "vetting": ["submitted", "vetting"],
    "waitlisted": ["submitted", "vetting", "waitlisted"],
    "vetting_suspended": ["submitted", "vetting", "vetting_suspended"],
    "funding": ["submitted", "vetting", "funding"],
    "funding_rejected": ["submitted", "vetting", "funding", "funding_rejected"],
    "ready_for_travel": ["submitted", "vetting", "funding", "ready_for_travel"],
    "in_training": ["submitted", "vetting", "funding", "ready_for_travel", "in_training"],
    "completed": ["submitted", "vetting", "funding", "ready_for_travel", "in_training",
                  "completed"],
    "training_terminated": ["submitted", "vetting", "funding", "ready_for_travel",
                            "in_training", "training_terminated"],
    "vetting_denied": ["submitted", "vetting", "vetting_denied"],
    "withdrawn": ["submitted", "vetting", "funding", "ready_for_travel", "withdrawn"],
    "cancelled": ["submitted", "vetting", "cancelled"],
}  # fmt: skip
OBLIGATED = {"ready_for_travel", "in_training", "completed", "training_terminated", "withdrawn"}
TRAINED = {"in_training", "completed", "training_terminated"}
CASE_OUTCOME = {"pending": None, "approved": "approved", "denied": "denied",
                "suspended": "suspended", "cancelled": None}  # fmt: skip


@dataclass(frozen=True)
class Catalog:
    countries: list[str]
    classes: list[tuple[uuid.UUID, str]]  # (class id, MASL)


async def catalog(conn: asyncpg.Connection) -> Catalog:
    """The countries and classes the history uses (read once, before the first load)."""
    found = await conn.fetch(
        "SELECT code FROM reporting.country_reference WHERE NOT fmtr_excluded ORDER BY code"
    )
    codes = [r["code"] for r in found]
    codes = codes[:N_COUNTRIES]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    filler = (f"Z{a}{b}" for a in letters for b in letters)
    while len(codes) < N_COUNTRIES:
        code = next(filler)
        if code not in codes:
            codes.append(code)
    classes = [(r["id"], r["masl_id"]) for r in await conn.fetch(
        "SELECT id, masl_id FROM catalog.course_class ORDER BY id")]  # fmt: skip
    if not classes:
        raise RuntimeError("the catalog has no classes (demo data not seeded?)")
    return Catalog(codes, classes)


def _uuid(kind: int, n: int) -> uuid.UUID:
    return uuid.UUID(int=(kind << 120) | (0xB << 76) | n)  # deterministic, distinct per kind


def _state(rng: random.Random, fy: int) -> str:
    mix = CURRENT_MIX if fy == CURRENT_FY else PAST_MIX
    return rng.choices(list(mix), weights=list(mix.values()))[0]


async def load(conn: asyncpg.Connection, cat: Catalog, start: int, count: int) -> dict[str, int]:
    """Append nominations `start` .. `start + count - 1`; rows written per table."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        k: [] for k in ("candidate", "nomination", "history", "order", "r_nomination", "span",
                        "line", "case")
    }  # fmt: skip
    for n in range(start, start + count):
        _one(n, cat, rows)
    async with conn.transaction():
        await _copy(conn, "nomination", "candidate", rows["candidate"], CANDIDATE_COLUMNS)
        await _copy(conn, "nomination", "nomination", rows["nomination"], NOMINATION_COLUMNS)
        await _copy(conn, "nomination", "nomination_history", rows["history"], HISTORY_COLUMNS)
        await _copy(conn, "nomination", "travel_order", rows["order"], ORDER_COLUMNS)
        await _copy(conn, "reporting", "nomination", rows["r_nomination"], R_NOMINATION_COLUMNS)
        await _copy(conn, "reporting", "state_span", rows["span"], SPAN_COLUMNS)
        await _copy(conn, "reporting", "training_line", rows["line"], LINE_COLUMNS)
        await _copy(conn, "reporting", "vetting_case", rows["case"], CASE_COLUMNS)
    return {k: len(v) for k, v in rows.items()}


async def aggregate(conn: asyncpg.Connection, start: int, count: int) -> None:
    """Add nominations `start` .. `start + count - 1` (already loaded) to the read model's
    pre-aggregated projections, with the statements the projections use (ADR 0140); once per
    level, in one transaction (cheaper than per chunk: each aggregate row is written once)."""
    first, last = _uuid(1, start), _uuid(1, start + count - 1)
    async with conn.transaction():
        for stmt in statements(lambda column: column.between(first, last), 1):
            await conn.execute(as_sql(stmt))


async def load_reference(conn: asyncpg.Connection, cat: Catalog) -> None:
    """Allocations per country and fiscal year, and the courses the reports name."""
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    await conn.executemany(
        "INSERT INTO reporting.allocation (allocation_id, country, fiscal_year, amount)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [(_uuid(9, i * 10 + j), c, fy, Decimal(rng.randrange(200, 3000) * 1000))
         for i, c in enumerate(cat.countries) for j, fy in enumerate(FISCAL_YEARS)],
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO reporting.course (masl_id, title, category, institution, location, version)"
        " SELECT masl_id, title, category, 'Schoolhouse', 'Location', 1 FROM catalog.course"
        " ON CONFLICT DO NOTHING"
    )


CANDIDATE_COLUMNS = ("id", "country", "family_names", "given_names", "sex", "date_of_birth",
                     "service", "rank", "passport_number", "person_fingerprint", "version",
                     "created_at", "updated_at", "created_by", "vetted_revision")  # fmt: skip
NOMINATION_COLUMNS = (
    "id", "country", "candidate_id", "class_id", "masl_id", "fiscal_year", "funding_source",
    "status", "seat_status", "vetting_status", "funding_status", "vetting_case_id",
    "obligated_amount", "penalty_amount", "person_fingerprint", "submitted_at", "created_at",
    "updated_at", "created_by", "version", "training_started_on", "training_ended_on",
)  # fmt: skip
HISTORY_COLUMNS = ("nomination_id", "occurred_at", "kind", "from_state", "to_state", "actor")
ORDER_COLUMNS = ("id", "nomination_id", "version", "number", "content", "content_digest",
                 "issued_at", "issued_by")  # fmt: skip
R_NOMINATION_COLUMNS = ("nomination_id", "country", "fiscal_year", "masl_id", "class_id",
                        "candidate_id", "state", "state_since", "trained", "completed",
                        "days_attended")  # fmt: skip
SPAN_COLUMNS = ("nomination_id", "state", "entered_at", "left_at")
LINE_COLUMNS = ("nomination_id", "country", "fiscal_year", "masl_id", "amount", "tuition",
                "travel", "living_allowance", "returned", "penalties_charged")  # fmt: skip
CASE_COLUMNS = ("case_id", "nomination_id", "country", "opened_on", "due_on", "decided_on",
                "outcome")  # fmt: skip


def _one(n: int, cat: Catalog, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    rng = random.Random(n)  # noqa: S311 - reproducible test data
    country = cat.countries[n % N_COUNTRIES if rng.random() < 0.5 else
                            int(rng.paretovariate(1.2)) % N_COUNTRIES]  # fmt: skip
    fy = FISCAL_YEARS[n % len(FISCAL_YEARS)]
    class_id, masl = cat.classes[rng.randrange(len(cat.classes))]
    state = _state(rng, fy)
    seat, vetting, funding = SUB[state]
    nid, cid = _uuid(1, n), _uuid(2, n)
    fy_start = dt.datetime(fy - 1, 10, 1, tzinfo=UTC)
    created = fy_start + dt.timedelta(seconds=rng.randrange(0, 200 * 86400))
    fingerprint = hashlib.sha256(f"person-{n}".encode()).hexdigest()
    rows["candidate"].append((
        cid, country, f"FAMILY{n}", "Given", "M" if n % 3 else "F", dt.date(1985, 1, 1),
        "army", "Captain", f"P{n:09d}", fingerprint, 1, created, created, "loader", 0,
    ))  # fmt: skip
    # The path through the states, with a few days in each.
    path = PATH[state]
    t = created + dt.timedelta(hours=rng.randrange(1, 72))
    spans = []
    for i, s in enumerate(path):
        stay = dt.timedelta(days=rng.uniform(0.5, 20), hours=rng.randrange(24))
        left = t + stay if i < len(path) - 1 else None
        spans.append((nid, s, t, left))
        if left is not None:
            t = left
    state_since = spans[-1][2]
    submitted = spans[0][2] if state != "draft" else None
    obligated = state in OBLIGATED
    amount = Decimal(rng.randrange(8, 90) * 1000) if obligated else None
    penalty = Decimal(rng.randrange(1, 20) * 100) if state == "withdrawn" else None
    case_id = _uuid(3, n) if vetting != "none" else None
    started = (state_since.date() if state == "in_training" else
               spans[4][2].date() if state in TRAINED else None)  # fmt: skip
    ended = state_since.date() if state in ("completed", "training_terminated") else None
    rows["nomination"].append((
        nid, country, cid, class_id, masl, fy, "eimet" if n % 7 == 0 else "imet", state, seat,
        vetting, funding, case_id, amount, penalty, fingerprint, submitted, created,
        state_since, "loader", len(path) + 1, started, ended,
    ))  # fmt: skip
    rows["history"].append((nid, created, "transition", None, "draft", "loader"))
    if state != "draft":
        rows["history"].append((nid, state_since, "transition", path[-2] if len(path) > 1
                                else "draft", state, "loader"))  # fmt: skip
    if state in ("ready_for_travel", "in_training", "completed", "training_terminated"):
        content = json.dumps({"nomination_id": str(nid), "country": country, "masl_id": masl})
        rows["order"].append((
            _uuid(4, n), nid, 1, f"{country}-{fy}-{n:07d}", content,
            hashlib.sha256(content.encode()).hexdigest(), spans[3][2], "loader",
        ))  # fmt: skip
    rows["r_nomination"].append((
        nid, country, fy, masl, class_id, cid, state, state_since, state in TRAINED,
        True if state == "completed" else False if state == "training_terminated" else None,
        rng.randrange(5, 60) if state in TRAINED else None,
    ))  # fmt: skip
    rows["span"].extend(spans)
    if obligated and amount is not None:
        tuition = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
        travel = (amount * Decimal("0.25")).quantize(Decimal("0.01"))
        returned = amount - (penalty or 0) if state == "withdrawn" else Decimal(0)
        living = amount - tuition - travel
        rows["line"].append((nid, country, fy, masl, amount, tuition, travel, living, returned,
                             penalty or Decimal(0)))  # fmt: skip
    if case_id is not None:
        opened = spans[1][2].date() if len(spans) > 1 else created.date()
        outcome = CASE_OUTCOME[vetting]
        decided = opened + dt.timedelta(days=rng.randrange(2, 40)) if outcome else None
        rows["case"].append((case_id, nid, country, opened, opened + dt.timedelta(days=14),
                             decided, outcome))  # fmt: skip


async def _copy(
    conn: asyncpg.Connection, schema: str, table: str, records: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
) -> None:  # fmt: skip
    if records:
        await conn.copy_records_to_table(
            table, schema_name=schema, records=records, columns=list(columns)
        )

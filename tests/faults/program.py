"""A country program of 1,000+ nominations pushed through the gateway as its users would.

Shape (`Shape`): C countries, P persons each, K classes of identical cost. Phase A imports one
nomination per person (bulk import, submitted); a vetter decides each case through the API -
most approved, `denied` persons denied. Phase B imports every approved person into the other
K-1 classes: vetting reuses the still-valid approval at once, so no further decisions are
needed and the stream is fast. Realistic outcomes follow from the numbers: a class takes
`capacity` students (the rest wait), an allocation pays for `affordable` lines per country
(the rest are rejected for insufficient funds).

Every request that changes something carries an `Idempotency-Key`, and a failure that may be
transient (5xx, a dropped connection, `idempotency-in-progress`) is retried with the SAME key
until a final answer: what a careful client does, and what lets a fault test kill an API
process mid-request. Every status the client saw is counted (`statuses`) for the report.
`Program.expected` is the oracle the invariant checks hold the pipeline to.
"""

from __future__ import annotations

import asyncio
import random
import string
import time
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.driver import FUNDING, NOMINATIONS, VETTING, ApiError, Driver, until
from tests.helpers.timing import scaled

# A 5xx frees the Idempotency-Key (the service stored nothing): a retry with it runs again.
RETRIABLE = {500, 502, 503, 504}
SETTLED = {"ready_for_travel", "funding_rejected", "waitlisted", "vetting_denied"}
NOT_YET_KNOWN = {"class-unknown", "course-unknown"}


@dataclass(frozen=True)
class Shape:
    countries: int = 8
    persons: int = 15  # per country
    denied: int = 2  # persons per country a vetter denies
    classes: int = 10
    capacity: int = 90  # seats per class
    affordable: int = 100  # training lines each country's allocation pays for
    rows_per_import: int = 60

    @property
    def nominations(self) -> int:
        approved = self.persons - self.denied
        return self.countries * (self.persons + approved * (self.classes - 1))


@dataclass(frozen=True)
class Person:
    country: str
    passport: str
    family_names: str
    given_names: str
    date_of_birth: date
    denied: bool


@dataclass
class ImportCall:
    """One bulk import as the client saw it: every attempt's status, the final answer."""

    country: str
    key: str
    rows: list[dict[str, Any]]
    statuses: list[int] = field(default_factory=list)
    answer: dict[str, Any] | None = None
    replayed: bool = False


@dataclass
class Program:
    driver: Driver
    shape: Shape
    countries: list[str] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    fiscal_year: int = 0
    line_cost: Decimal = Decimal(0)
    persons: list[Person] = field(default_factory=list)
    # nomination id -> (country, class id, denied person)
    expected: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    imports: list[ImportCall] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)  # every answer the client got
    # A 5xx other than 502/503/504 is a defect the fault uncovered: what was asked and answered.
    server_errors: list[str] = field(default_factory=list)

    # --- setup -------------------------------------------------------------------------
    async def prepare(self) -> None:
        """Classes, appropriation, countries and allocations; the classes known downstream."""
        s, d = self.shape, self.driver
        self.classes = [
            await d.course_with_class(capacity=s.capacity, tuition="15000.00")
            for _ in range(s.classes)
        ]
        self.fiscal_year = self.classes[0]["fiscal_year"]
        await d.appropriation(self.fiscal_year, amount="900000000.00")
        self.countries = [await d.country() for _ in range(s.countries)]
        costs = {await self._estimate(k["id"], self.countries[0]) for k in self.classes}
        if len(costs) != 1:
            raise AssertionError(f"the classes must cost the same per line: {costs}")
        self.line_cost = costs.pop()
        for country in self.countries:
            await d.allocation(country, self.fiscal_year, self.line_cost * s.affordable)
        self.persons = [
            _person(country, denied=i < s.denied)
            for country in self.countries
            for i in range(s.persons)
        ]

    async def _estimate(self, class_id: str, country: str) -> Decimal:
        async def probe() -> Decimal | None:
            r = await self.driver.client.post(
                f"{FUNDING}/estimates",
                headers=self.driver.headers("funding_officer"),
                json={"class_id": class_id, "country": country, "with_dependents": False},
            )
            return Decimal(r.json()["total"]) if r.status_code == 200 else None

        return await until(probe, what="the class in funding's read model")  # type: ignore[no-any-return]

    # --- phase A: first nominations and the vetters' decisions --------------------------
    async def first_nominations(self) -> None:
        rows = {c: [self._row(p, self.classes[i % len(self.classes)])
                    for i, p in enumerate(self._of(c))] for c in self.countries}  # fmt: skip
        await _gather(4, [self.import_rows(c, r) for c, r in rows.items()])

    async def decide_all(self) -> None:
        """Every phase-A case decided by a vetter: approved, or denied for the denied persons."""
        denied = {n for n, (_, _, is_denied) in self.expected.items() if is_denied}
        cases: dict[str, str] = {}
        wanted = set(self.expected)

        async def all_open() -> bool:
            for country in self.countries:
                cases.update(await self._open_cases(country))
            return wanted <= cases.keys()

        await until(all_open, what="a vetting case for every first nomination", timeout=180)
        await _gather(
            8,
            [
                self._decide(cases[n], "denied" if n in denied else "approved")
                for n in sorted(wanted)
            ],
        )

    async def _open_cases(self, country: str) -> dict[str, str]:
        found: dict[str, str] = {}
        cursor = None
        while True:
            params: dict[str, Any] = {"country": country, "status": "open", "limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = await self.driver.call("GET", f"{VETTING}/cases", "vetter", params=params)
            found.update({c["nomination_id"]: c["case_id"] for c in page["items"]})
            cursor = page["next_cursor"]
            if not cursor:
                return found

    async def _decide(self, case_id: str, result: str) -> None:
        reason = "derogatory_information" if result == "denied" else "cleared"
        body = {"result": result, "reason_code": reason, "rationale": f"fault suite: {result}"}
        await self.send("POST", f"{VETTING}/cases/{case_id}/decisions", "vetter", None, body)

    # --- phase B: the approved persons in every other class ------------------------------
    def later_rows(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(country, rows) import batches, classes interleaved so waitlists form everywhere."""
        batches: list[tuple[str, list[dict[str, Any]]]] = []
        k = len(self.classes)
        for country in self.countries:
            people = [p for p in self._of(country) if not p.denied]
            first = {p: i % k for i, p in enumerate(self._of(country))}
            rows = [
                self._row(p, self.classes[(first[p] + step) % k])
                for step in range(1, k)
                for p in people
            ]
            size = self.shape.rows_per_import
            batches += [(country, rows[i : i + size]) for i in range(0, len(rows), size)]
        random.Random(len(batches)).shuffle(batches)
        return batches

    async def later_nominations(self, concurrency: int = 3) -> None:
        await _gather(concurrency, [self.import_rows(c, rows) for c, rows in self.later_rows()])

    # --- requests ----------------------------------------------------------------------
    async def import_rows(self, country: str, rows: list[dict[str, Any]]) -> None:
        """One bulk import (submit=true), retried with its key; rows the nomination service
        cannot place yet (class not yet in its read model) are imported again."""
        pending = rows
        deadline = time.monotonic() + scaled(120)
        while pending:
            call = ImportCall(country, f"import-{uuid.uuid4()}", pending)
            self.imports.append(call)
            answer = await self.send(
                "POST", f"{NOMINATIONS}/imports", "sco", country, {"rows": pending},
                params={"submit": "true"}, call=call, prefer="wait=20",
            )  # fmt: skip
            again = []
            for line, row in zip(answer["lines"], pending, strict=True):
                if line["status"] == "rejected":
                    codes = {e.get("code") for e in line["errors"]}
                    if not codes <= NOT_YET_KNOWN:
                        raise ApiError(f"import row rejected: {line['errors']}")
                    again.append(row)
                else:
                    self._expect(line["nomination_id"], country, row)
            pending = again
            if pending:
                if time.monotonic() > deadline:
                    raise ApiError(f"{len(pending)} rows still rejected: {answer['lines'][:2]}")
                await asyncio.sleep(0.5)

    async def send(
        self,
        method: str,
        path: str,
        role: str,
        country: str | None,
        body: dict[str, Any],
        *,
        params: dict[str, str] | None = None,
        call: ImportCall | None = None,
        timeout: float = 180.0,
        prefer: str | None = None,
    ) -> Any:
        """A state-changing request with an Idempotency-Key, retried with the same key while
        the answer may be transient. Returns the final JSON answer (2xx); a `202` import job
        (ADR 0128: `prefer="wait=N"` lets the API answer 200 once it finished) is polled to
        its end and the completed job is the answer."""
        key = call.key if call else f"fault-{uuid.uuid4()}"
        headers = {**self.driver.headers(role, country), "Idempotency-Key": key}
        if prefer:
            headers["Prefer"] = prefer
        deadline = time.monotonic() + scaled(timeout)
        while True:
            try:
                r = await self.driver.client.request(
                    method, path, headers=headers, json=body, params=params
                )
                status = r.status_code
            except httpx.TransportError:
                r, status = None, 0
            self.statuses[status] += 1
            if r is not None and status >= 500 and status not in (502, 503, 504):
                self.server_errors.append(f"{method} {path} -> {status}: {r.text[:400]}")
            if call is not None:
                call.statuses.append(status)
            transient = status == 0 or status in RETRIABLE or (
                status == 409 and r is not None and "idempotency-in-progress" in r.text
            )  # fmt: skip
            if r is not None and not transient:
                if status not in (200, 201, 202):
                    raise ApiError(f"{method} {path} -> {status}: {r.text[:600]}")
                answer = r.json()
                if status == 202:  # an import job still running after `Prefer: wait` (ADR 0128)
                    answer = await self.finished_job(r.headers["location"], headers, deadline)
                if call is not None:
                    call.replayed = r.headers.get("idempotent-replayed") == "true"
                    call.answer = answer
                return answer
            if time.monotonic() > deadline:
                raise ApiError(f"{method} {path}: no final answer in {timeout}s ({status})")
            await asyncio.sleep(0.5)

    async def finished_job(self, url: str, headers: dict[str, str], deadline: float) -> Any:
        """Poll an import job until it completed (transient answers retried, like `send`)."""
        read = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
        while True:
            try:
                r = await self.driver.client.get(url, headers=read)
                status = r.status_code
            except httpx.TransportError:
                r, status = None, 0
            self.statuses[status] += 1
            if r is not None and status == 200:
                job = r.json()
                if job["status"] == "completed":
                    return job
                if job["status"] == "failed":
                    raise ApiError(f"import job {url} failed: {job.get('error')}")
            elif r is not None and status not in RETRIABLE:
                raise ApiError(f"GET {url} -> {status}: {r.text[:600]}")
            if time.monotonic() > deadline:
                raise ApiError(f"GET {url}: the import job did not finish in time")
            await asyncio.sleep(0.5)

    # --- reading back ------------------------------------------------------------------
    async def nominations(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for country in self.countries:
            cursor = None
            while True:
                params: dict[str, Any] = {"country": country, "limit": 200}
                if cursor:
                    params["cursor"] = cursor
                page = await self.driver.call("GET", NOMINATIONS, "admin", params=params)
                found += page["items"]
                cursor = page["next_cursor"]
                if not cursor:
                    break
        return found

    async def settled(self, *, stall: float = 120.0) -> list[dict[str, Any]]:
        """Poll until every nomination of the program is in a final state, or until none has
        moved for `stall` seconds (scaled): a busy machine settles slower, never red, while a
        pipeline that stopped moving ends the wait. (A fixed 300 s deadline failed a scenario
        with 513 nominations still advancing through funding under load average 30.)"""
        seen: Counter[str] = Counter()
        moved = time.monotonic()
        while True:
            everything = await self.nominations()
            pending = [n for n in everything if n["status"] not in SETTLED]
            if not pending and len(everything) >= len(self.expected):
                return everything
            states = Counter(str(n["status"]) for n in everything)
            if states != seen:
                seen, moved = states, time.monotonic()
            elif time.monotonic() - moved > scaled(stall):
                return everything
            await asyncio.sleep(1.0)

    # --- helpers -----------------------------------------------------------------------
    def _of(self, country: str) -> list[Person]:
        return [p for p in self.persons if p.country == country]

    def _expect(self, nomination_id: str, country: str, row: dict[str, Any]) -> None:
        denied = any(
            p.denied
            for p in self.persons
            if p.country == country and p.passport == row["passport_number"]
        )
        self.expected[nomination_id] = (country, row["class_id"], denied)

    def _row(self, person: Person, klass: dict[str, Any]) -> dict[str, Any]:
        today = self.driver.today
        return {
            "family_names": person.family_names,
            "given_names": person.given_names,
            "country": person.country,
            "passport_number": person.passport,
            "sex": "F",
            "date_of_birth": person.date_of_birth.isoformat(),
            "place_of_birth": "Capital",
            "service": "army",
            "rank": "Captain",
            "pay_grade": "O-3",
            "unit_name": "1st Infantry Brigade",
            "position": "Company commander",
            "english_test": "ecl",
            "english_score": 85,
            "english_test_date": (today - timedelta(days=10)).isoformat(),
            "class_id": klass["id"],
            "fiscal_year": klass["fiscal_year"],
            "funding_source": "imet",
            "medical_cleared_on": today.isoformat(),
            "medical_reference": "MED-" + uuid.uuid4().hex[:6],
            "security_screened_on": today.isoformat(),
            "security_reference": "SEC-" + uuid.uuid4().hex[:6],
        }


def _person(country: str, *, denied: bool) -> Person:
    """A unique person: names, birth date and passport never shared with another candidate
    (a shared fingerprint would flag a possible duplicate and stop the approval's reuse)."""
    letters = string.ascii_uppercase
    return Person(
        country=country,
        passport="P" + uuid.uuid4().hex[:10].upper(),
        family_names="FAULT " + "".join(random.choices(letters, k=10)),
        given_names="".join(random.choices(letters, k=8)).title(),
        date_of_birth=date(1975, 1, 1) + timedelta(days=random.randint(0, 9000)),
        denied=denied,
    )


async def _gather(limit: int, coroutines: list[Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coroutines))

"""Drive the pipeline through the gateway as its users do: each role with its own token."""

from __future__ import annotations

import asyncio
import random
import string
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from shared.contracts.types import fiscal_year_of
from tests.helpers.timing import scaled
from tests.helpers.waiting import gave_up

CATALOG = "/api/v1/catalog"
NOMINATIONS = "/api/v1/nominations"
VETTING = "/api/v1/vetting"
FUNDING = "/api/v1/funding"
SETTLED = {
    "ready_for_travel",
    "funding_rejected",
    "waitlisted",
    "vetting_denied",
    "vetting_suspended",
    "withdrawn",
    "cancelled",
    "completed",
    "training_terminated",
    "in_training",
}


class ApiError(AssertionError):
    pass


_COUNTRIES_GIVEN: set[str] = set()


def new_country() -> str:
    """A country code no other test of this run uses (test data; the reference data accepts
    it). All e2e tests share one process and one stack: remembering the codes handed out is
    what makes them unique (40 random draws of 676 codes collide more often than not)."""
    while True:
        code = "X" + "".join(random.choices(string.ascii_uppercase, k=2))
        if code not in _COUNTRIES_GIVEN:
            _COUNTRIES_GIVEN.add(code)
            return code


_MASLS_GIVEN: set[str] = set()


def new_masl(letter: str = "D") -> str:
    """A MASL number no other test of this process was given. The fault suite's scenarios share
    one catalog for the whole session: random numbers alone collided once in CI (409
    course-exists while preparing a scenario), so the numbers handed out are remembered."""
    while True:
        masl = letter + "".join(random.choices(string.digits, k=6))
        if masl not in _MASLS_GIVEN:
            _MASLS_GIVEN.add(masl)
            return masl


@dataclass
class Driver:
    client: httpx.AsyncClient
    token: Any  # (role, country=None) -> str
    today: date = field(default_factory=date.today)

    def headers(self, role: str, country: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, country)}", **extra}

    async def call(
        self,
        method: str,
        path: str,
        role: str,
        country: str | None = None,
        *,
        expect: int | tuple[int, ...] = (200, 201),
        **kw: Any,
    ) -> Any:
        headers = {**self.headers(role, country), **kw.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kw)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise ApiError(f"{method} {path} -> {response.status_code}: {response.text[:800]}")
        return (
            response.json()
            if response.content and "json" in response.headers.get("content-type", "")
            else response
        )

    async def import_job(
        self,
        body: dict[str, Any],
        country: str,
        *,
        submit: bool = False,
        timeout: float = 60.0,
        on_progress: Any = None,
    ) -> Any:
        """Upload a bulk import (`202` + `Location`, ADR 0128) and poll the job until it ended;
        the finished job (`on_progress(job)` sees every poll)."""
        accepted = await self.call(
            "POST", f"{NOMINATIONS}/imports", "sco", country, expect=202, json=body,
            params={"submit": "true"} if submit else None,
        )  # fmt: skip
        url = f"{NOMINATIONS}/imports/{accepted['id']}"

        async def probe() -> Any:
            job = await self.call("GET", url, "sco", country)
            if on_progress is not None:
                on_progress(job)
            return job if job["status"] in ("completed", "failed") else None

        return await until(probe, what=f"import {accepted['id']} finished", timeout=timeout)

    # --- reference data -----------------------------------------------------------------
    async def country(self, iso3: str | None = None) -> str:
        iso3 = iso3 or new_country()
        await self.call(
            "PUT",
            f"{NOMINATIONS}/countries/{iso3}",
            "admin",
            json={"name": f"Testland {iso3}", "sanctioned": False},
        )
        return iso3

    async def appropriation(self, fiscal_year: int, amount: str = "110000000.00") -> None:
        existing = await self.client.get(
            f"{FUNDING}/appropriations/{fiscal_year}", headers=self.headers("funding_officer")
        )
        if existing.status_code == 200:
            return
        until = date(fiscal_year + 1, 9, 30).isoformat()
        await self.call(
            "PUT",
            f"{FUNDING}/appropriations/{fiscal_year}",
            "funding_officer",
            expect=(200, 201, 409, 428),
            json={"amount": amount, "tranches": [{"amount": amount, "available_until": until}]},
        )

    async def allocation(
        self, country: str, fiscal_year: int, amount: Decimal | str
    ) -> dict[str, Any]:
        return await self.call(
            "POST",
            f"{FUNDING}/allocations",
            "funding_officer",
            json={
                "country": country,
                "fiscal_year": fiscal_year,
                "amount": str(amount),
                "reason": "e2e allocation",
            },
        )

    async def course_with_class(
        self,
        *,
        capacity: int = 10,
        tuition: str = "20000.00",
        dedicated: bool = False,
        start_in_days: int = 75,
        weeks: int = 8,
        min_ecl: int = 70,
        category: str = "technical",
    ) -> dict[str, Any]:
        """A fresh schoolhouse, course (tuition for the class's FY and the next) and open class.
        `fiscal_year` is the year whose funds pay for it: the class's own, or this year's for a
        class starting in the first quarter of the next one (fifth quarter, ADR 0061) - next
        year's funds could not be obligated before 1 October."""
        start = self.today + timedelta(days=start_in_days)
        end = start + timedelta(weeks=weeks) - timedelta(days=1)
        fy = fiscal_year_of(start)
        if fy == fiscal_year_of(self.today) + 1 and start.month in (10, 11, 12):
            fy -= 1
        school = await self.call(
            "POST",
            f"{CATALOG}/institutions",
            "catalog_manager",
            json={
                "name": f"E2E School {uuid.uuid4().hex[:8]}",
                "location": "Lackland AFB, TX",
                "implementing_agency": "air_force",
                "government_quarters": True,
                "government_mess": True,
            },
        )
        masl = new_masl()
        await self.call(
            "POST",
            f"{CATALOG}/courses",
            "catalog_manager",
            json={
                "masl_id": masl,
                "title": f"E2E course {masl}",
                "institution_id": school["id"],
                "category": category,
                "duration_weeks": str(weeks),
                "english_requirement": {"test": "ecl", "min_score": min_ecl},
                "dedicated_international": dedicated,
                "min_class_size": 1,
                "max_class_size": max(capacity, 1),
                "tuition": [
                    {"fiscal_year": fy, "amount": tuition},
                    {"fiscal_year": fy + 1, "amount": tuition},
                ],
            },
        )
        klass = await self.call(
            "POST",
            f"{CATALOG}/classes",
            "catalog_manager",
            json={
                "masl_id": masl,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "capacity": capacity,
            },
        )
        return {**klass, "masl_id": masl, "fiscal_year": fy}

    # --- nominations ---------------------------------------------------------------------
    async def nominate(
        self,
        country: str,
        klass: dict[str, Any],
        *,
        submit: bool = True,
        unit: str = "1st Infantry Brigade",
        ecl: int = 85,
        person: dict[str, Any] | None = None,
        funding_source: str = "imet",
    ) -> dict[str, Any]:
        """Register a candidate (`person` overrides its fields) and nominate it for `klass`."""
        candidate = await self.call(
            "POST",
            f"{NOMINATIONS}/candidates",
            "sco",
            country,
            json={
                "family_names": "TESTER " + uuid.uuid4().hex[:8].upper(),
                "given_names": "Alex",
                "country": country,
                "sex": "M",
                "date_of_birth": (
                    date(1985, 1, 1) + timedelta(days=random.randint(0, 3000))
                ).isoformat(),
                "place_of_birth": "Capital",
                "service": "army",
                "rank": "Captain",
                "pay_grade": "O-3",
                "unit_name": unit,
                "position": "Company commander",
                "passport_number": "P" + uuid.uuid4().hex[:8].upper(),
                "english_tests": [
                    {
                        "test": "ecl",
                        "score": ecl,
                        "taken_on": (self.today - timedelta(days=10)).isoformat(),
                    }
                ],
                **(person or {}),
            },
        )
        screening = {
            "recorded_on": self.today.isoformat(),
            "reference": "E2E-" + uuid.uuid4().hex[:6],
        }
        nomination = await self.call(
            "POST",
            NOMINATIONS,
            "sco",
            country,
            json={
                "candidate_id": candidate["id"],
                "class_id": klass["id"],
                "masl_id": klass["masl_id"],
                "fiscal_year": klass["fiscal_year"],
                "funding_source": funding_source,
                "medical_clearance": screening,
                "security_screening": screening,
            },
        )
        return await self.submit(nomination["id"], country) if submit else nomination

    async def submit(self, nomination_id: str, country: str) -> dict[str, Any]:
        """Submit; while the nomination service has not yet heard of a brand-new class (events
        are asynchronous) the door answers `class-unknown`: retry as a client would."""
        path = f"{NOMINATIONS}/{nomination_id}/submit"

        async def attempt() -> dict[str, Any] | None:
            r = await self.client.post(path, headers=self.headers("sco", country))
            if r.status_code == 200:
                return dict(r.json())
            if r.status_code == 422 and "class-unknown" in r.text:
                return None
            raise ApiError(f"POST {path} -> {r.status_code}: {r.text[:800]}")

        return await until(attempt, what=f"submission of {nomination_id}")

    async def nomination(self, nomination_id: str, country: str) -> dict[str, Any]:
        return await self.call("GET", f"{NOMINATIONS}/{nomination_id}", "sco", country)

    async def wait_status(
        self, nomination_id: str, country: str, *wanted: str, timeout: float = 60.0
    ) -> dict[str, Any]:
        timeout = scaled(timeout)
        deadline = time.monotonic() + timeout
        while True:
            current = await self.nomination(nomination_id, country)
            if current["status"] in wanted:
                return current
            if time.monotonic() > deadline:
                raise ApiError(
                    f"nomination {nomination_id} is {current['status']} "
                    f"({current.get('status_reason')}), not {wanted} after {timeout}s"
                )
            await asyncio.sleep(0.2)

    async def wait_compensated(
        self, nomination_id: str, country: str, *steps: str
    ) -> dict[str, Any]:
        """Wait until the owning services confirmed the named compensation steps."""

        async def probe() -> dict[str, Any] | None:
            current = await self.nomination(nomination_id, country)
            done = all(current["compensations"].get(step) == "confirmed" for step in steps)
            return current if done else None

        return await until(probe, what=f"compensations {steps} of {nomination_id}")

    async def case_of(self, nomination_id: str) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            page = await self.call(
                "GET", f"{VETTING}/cases", "vetter", params={"nomination_id": nomination_id}
            )
            return page["items"][0] if page["items"] else None

        return await until(probe, what=f"vetting case of {nomination_id}")

    async def decide(
        self, nomination_id: str, result: str, reason_code: str = "cleared"
    ) -> dict[str, Any]:
        case = await self.case_of(nomination_id)
        return await self.call(
            "POST",
            f"{VETTING}/cases/{case['case_id']}/decisions",
            "vetter",
            json={
                "result": result,
                "reason_code": reason_code,
                "rationale": f"e2e decision: {result}",
            },
        )

    async def balance(self, country: str, fiscal_year: int) -> dict[str, Any]:
        return await self.call(
            "GET", f"{FUNDING}/balances/{country}/{fiscal_year}", "funding_officer"
        )


async def until(probe: Any, *, what: str, timeout: float = 60.0, interval: float = 0.2) -> Any:
    """Call `probe` until it returns something truthy; fail saying what it waited for."""
    limit = scaled(timeout)
    started = time.monotonic()
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() - started > limit:
            raise ApiError(gave_up(what, time.monotonic() - started, result))
        await asyncio.sleep(interval)

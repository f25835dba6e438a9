"""A full set of real objects of one country, made through the gateway by each role.

Country A gets: a candidate and a nomination taken to `ready_for_travel` with its travel order
issued, its vetting case and decision, its funding obligation, allocation (set, then
reprogrammed), balance and ledger entries; a second nomination submitted then withdrawn; a
registry entry added then remediated. Around it: a course and classes (one updated then
cancelled), an appropriation set for a fiscal year of its own, and country B, whose SCO plays
the attacker. Every state change is made once, here, so the object walk and the audit checks
read the same world.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, VETTING, Driver


@dataclass
class World:
    country: str  # A
    other_country: str  # B: its SCO is the attacker
    fiscal_year: int
    candidate: dict[str, Any]
    nomination: dict[str, Any]  # ready_for_travel, ITO issued
    withdrawn: dict[str, Any]  # submitted, then withdrawn by its SCO
    travel_order: dict[str, Any]
    case: dict[str, Any]
    decision: dict[str, Any]
    obligation: dict[str, Any]
    allocation: dict[str, Any]  # after the reprogramming
    registry_entry: dict[str, Any]  # remediated
    klass: dict[str, Any]  # the class of the nominations
    cancelled_class: dict[str, Any]  # scheduled, updated, cancelled
    institution_id: str
    masl_id: str
    appropriation_year: int
    unit: dict[str, Any]  # a unit of A with its registry identity
    program: dict[str, Any]  # A's training program, drafted by its SCO (planned)
    request_id: str  # the funding request of the nomination
    import_id: str  # a bulk import job of A's SCO (ADR 0128)
    reference: dict[str, str] = field(default_factory=dict)  # rate_id, code, name

    def secrets(self) -> dict[str, str]:
        """Values that only someone allowed to see country A's objects can know (not ids: a
        404 may echo the id the caller sent)."""
        return {
            "candidate family name": self.candidate["family_names"],
            "passport number": self.candidate["passport_number"],
            "travel order number": self.travel_order["number"],
            "unit name": self.candidate["unit_name"],
        }

    def ids(self) -> dict[str, str]:
        """Ids of country A's country-scoped objects (a list must not return them to B)."""
        return {
            "nomination": self.nomination["id"],
            "withdrawn nomination": self.withdrawn["id"],
            "candidate": self.candidate["id"],
            "case": self.case["case_id"],
            "decision": self.decision["decision_id"],
            "obligation": self.obligation["id"],
            "allocation": self.allocation["id"],
            "unit": self.unit["unit_id"],
            "program": self.program["id"],
            "import": self.import_id,
        }


async def etag_of(driver: Driver, path: str, role: str, country: str | None = None) -> str:
    response = await driver.client.get(path, headers=driver.headers(role, country))
    response.raise_for_status()
    return response.headers["ETag"]


async def build_world(driver: Driver) -> World:
    a, b = await driver.country(), await driver.country()
    etag = await etag_of(driver, f"{NOMINATIONS}/countries/{a}", "admin")
    await driver.call(
        "PUT", f"{NOMINATIONS}/countries/{a}", "admin", headers={"If-Match": etag},
        json={"name": f"Testland {a}", "sanctioned": False, "ecl_exempt_fiscal_years": []},
    )  # fmt: skip

    klass = await driver.course_with_class(capacity=4, tuition="18500.00")
    fy = klass["fiscal_year"]
    course = await driver.call("GET", f"{CATALOG}/courses/{klass['masl_id']}", "catalog_manager")
    etag = await etag_of(driver, f"{CATALOG}/courses/{klass['masl_id']}", "catalog_manager")
    await driver.call(
        "PATCH", f"{CATALOG}/courses/{klass['masl_id']}", "catalog_manager",
        headers={"If-Match": etag},
        json={"tuition": [{"fiscal_year": fy + 1, "amount": "19000.00"}]},
    )  # fmt: skip
    cancelled_class = await _class_updated_then_cancelled(driver, klass)

    await driver.appropriation(fy)
    appropriation_year = await _appropriation_of_its_own(driver)
    allocation = await driver.allocation(a, fy, "750000.00")
    etag = await etag_of(driver, f"{FUNDING}/allocations/{allocation['id']}", "funding_officer")
    allocation = await driver.call(
        "PATCH", f"{FUNDING}/allocations/{allocation['id']}", "funding_officer",
        headers={"If-Match": etag}, json={"amount": "800000.00", "reason": "security: reprogram"},
    )  # fmt: skip

    unit = f"Security Test Battalion {uuid.uuid4().hex[:8]}"
    nomination = await driver.nominate(a, klass, unit=unit)
    await driver.wait_status(nomination["id"], a, "vetting")
    case = await driver.case_of(nomination["id"])
    decision = await driver.decide(nomination["id"], "approved")
    await driver.wait_status(nomination["id"], a, "ready_for_travel")
    travel_order = await driver.call("POST", f"{NOMINATIONS}/{nomination['id']}/ito", "sco", a)
    candidate = await driver.call(
        "GET", f"{NOMINATIONS}/candidates/{nomination['candidate_id']}", "sco", a
    )
    obligations = await driver.call(
        "GET", f"{FUNDING}/obligations", "funding_officer",
        params={"nomination_id": nomination["id"]},
    )  # fmt: skip

    withdrawn = await driver.nominate(a, klass, unit=unit)
    withdrawn = await driver.call(
        "POST", f"{NOMINATIONS}/{withdrawn['id']}/withdraw", "sco", a,
        json={"reason": "security test: withdrawn"},
    )  # fmt: skip

    entry = await driver.call(
        "POST", f"{VETTING}/registry", "vetter",
        json={"country": a, "unit_name": f"Security Test Task Force {uuid.uuid4().hex[:6]}",
              "source_reference": "SEC-TEST-1", "summary": "Security test entry."},
    )  # fmt: skip
    entry = await driver.call(
        "POST", f"{VETTING}/registry/{entry['entry_id']}/remediation", "vetter",
        json={"remediation_notes": "Security test remediation.",
              "remediation_reference": "SEC-TEST-2"},
    )  # fmt: skip

    registered_unit = await driver.call(
        "POST", f"{VETTING}/units", "vetter",
        json={"country": a, "name": f"Security Test Company {uuid.uuid4().hex[:6]}"},
    )  # fmt: skip

    program = await driver.call(
        "POST", f"{FUNDING}/programs", "sco", a,
        json={"country": a, "fiscal_year": fy, "lines": [
            {"masl_id": klass["masl_id"], "quantity": 2, "priority": "A",
             "work_control_number": "SEC-1"}]},
    )  # fmt: skip
    requests = await driver.call(
        "GET", f"{FUNDING}/requests", "funding_officer",
        params={"nomination_id": nomination["id"]},
    )  # fmt: skip

    return World(
        country=a,
        other_country=b,
        fiscal_year=fy,
        candidate=candidate,
        nomination=await driver.nomination(nomination["id"], a),
        withdrawn=withdrawn,
        travel_order=travel_order,
        case=case,
        decision=decision,
        obligation=obligations["items"][0],
        allocation=allocation,
        registry_entry=entry,
        klass=klass,
        cancelled_class=cancelled_class,
        institution_id=course["institution"]["id"],
        masl_id=klass["masl_id"],
        appropriation_year=appropriation_year,
        unit=registered_unit,
        program=program,
        request_id=requests["items"][0]["request_id"],
        # An import of one line the service rejects (an upload without a row is a 422): the
        # job exists, nothing else does.
        import_id=(await driver.import_job({"rows": [_REJECTED_LINE | {"country": a}]}, a))["id"],
        reference=await _reference_keys(driver),
    )


_REJECTED_LINE: dict[str, Any] = {
    "family_names": "NOBODY", "given_names": "Rejected", "passport_number": "SEC000001",
    "class_id": "not-a-uuid",
}  # fmt: skip


async def _class_updated_then_cancelled(driver: Driver, klass: dict[str, Any]) -> dict[str, Any]:
    start = driver.today + timedelta(days=90)
    made = await driver.call(
        "POST", f"{CATALOG}/classes", "catalog_manager",
        json={"masl_id": klass["masl_id"], "start_date": start.isoformat(),
              "end_date": (start + timedelta(weeks=8, days=-1)).isoformat(), "capacity": 4},
    )  # fmt: skip
    path = f"{CATALOG}/classes/{made['id']}"
    etag = await etag_of(driver, path, "catalog_manager")
    await driver.call(
        "PATCH", path, "catalog_manager", headers={"If-Match": etag}, json={"capacity": 3}
    )
    etag = await etag_of(driver, path, "catalog_manager")
    cancelled: dict[str, Any] = await driver.call(
        "POST", f"{path}/cancel", "catalog_manager", headers={"If-Match": etag},
        json={"reason": "security test: cancelled"},
    )  # fmt: skip
    return cancelled


async def _appropriation_of_its_own(driver: Driver) -> int:
    """Set (create) an appropriation for a far fiscal year nobody else uses."""
    for _ in range(20):
        year = random.randint(2060, 2099)
        path = f"{FUNDING}/appropriations/{year}"
        existing = await driver.client.get(path, headers=driver.headers("funding_officer"))
        if existing.status_code == 404:
            await driver.call(
                "PUT", path, "funding_officer", expect=201,
                json={"amount": "1000000.00",
                      "tranches": [{"amount": "1000000.00", "available_until": f"{year}-09-30"}]},
            )  # fmt: skip
            return year
    raise AssertionError("no free fiscal year for the appropriation")


async def _reference_keys(driver: Driver) -> dict[str, str]:
    """Real keys of the funding reference data (seeded by the migration)."""
    rates = await driver.call("GET", f"{FUNDING}/reference/tla-rates", "funding_officer")
    rules = await driver.call("GET", f"{FUNDING}/reference/penalty-rules", "funding_officer")
    params = await driver.call("GET", f"{FUNDING}/reference/parameters", "funding_officer")
    return {
        "rate_id": rates["items"][0]["id"],
        "code": rules["items"][0]["code"],
        "name": params["items"][0]["name"],
    }

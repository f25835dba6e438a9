"""Every state change the pipeline made is in the owning service's audit trail: who (actor and
roles), what (action on which entity) and, for changes, the state before and after.

The changes are those the shared `world` made through the gateway (see world.py); the trail
is read through the gateway with an auditor token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from imet.stack import Stack
from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, VETTING
from tests.security.world import World


@dataclass(frozen=True)
class Expected:
    audit: str  # the owning service's audit route
    entity_type: str
    entity_id: Callable[[World], str]
    action: str
    role: str
    sco_of_a: bool = False  # the actor is country A's SCO
    before: bool = True  # a change: the state before is recorded too


def _actor(role: str, world: World, sco_of_a: bool) -> str:
    return f"dev-{role}-{world.country.lower()}" if sco_of_a else f"dev-{role}"


def _nomination(w: World) -> str:
    return str(w.nomination["id"])


USE_CASES: dict[str, Expected] = {
    "an SCO registers a candidate": Expected(
        NOMINATIONS, "candidate", lambda w: w.candidate["id"], "candidate.created", "sco",
        sco_of_a=True, before=False),
    "an SCO creates a nomination": Expected(
        NOMINATIONS, "nomination", _nomination, "nomination.created", "sco", sco_of_a=True,
        before=False),
    "an SCO submits a nomination": Expected(
        NOMINATIONS, "nomination", _nomination, "nomination.submitted", "sco", sco_of_a=True),
    "an SCO withdraws a nomination": Expected(
        NOMINATIONS, "nomination", lambda w: w.withdrawn["id"], "nomination.withdrawn", "sco",
        sco_of_a=True),
    "an SCO issues the travel order": Expected(
        NOMINATIONS, "nomination", _nomination, "travel_order.issued", "sco", sco_of_a=True,
        before=False),
    "an admin registers a country": Expected(
        NOMINATIONS, "country", lambda w: w.country, "country.created", "admin", before=False),
    "an admin changes a country": Expected(
        NOMINATIONS, "country", lambda w: w.country, "country.changed", "admin"),
    "a vetter decides a case": Expected(
        VETTING, "vetting_case", lambda w: w.case["case_id"], "case.decided", "vetter"),
    "a vetter puts a unit on the registry": Expected(
        VETTING, "derogatory_unit", lambda w: w.registry_entry["entry_id"], "registry.added",
        "vetter", before=False),
    "a vetter records a unit's remediation": Expected(
        VETTING, "derogatory_unit", lambda w: w.registry_entry["entry_id"],
        "registry.remediated", "vetter"),
    "a funding officer sets an appropriation": Expected(
        FUNDING, "appropriation", lambda w: str(w.appropriation_year), "appropriation.set",
        "funding_officer", before=False),
    "a funding officer sets an allocation": Expected(
        FUNDING, "allocation", lambda w: w.allocation["id"], "allocation.set",
        "funding_officer", before=False),
    "a funding officer reprograms an allocation": Expected(
        FUNDING, "allocation", lambda w: w.allocation["id"], "allocation.changed",
        "funding_officer"),
    "a catalog manager adds a schoolhouse": Expected(
        CATALOG, "institution", lambda w: w.institution_id, "institution.created",
        "catalog_manager", before=False),
    "a catalog manager publishes a course": Expected(
        CATALOG, "course", lambda w: w.masl_id, "course.published", "catalog_manager",
        before=False),
    "a catalog manager changes a course": Expected(
        CATALOG, "course", lambda w: w.masl_id, "course.updated", "catalog_manager"),
    "a catalog manager schedules a class": Expected(
        CATALOG, "class", lambda w: w.cancelled_class["id"], "class.scheduled",
        "catalog_manager", before=False),
    "a catalog manager changes a class": Expected(
        CATALOG, "class", lambda w: w.cancelled_class["id"], "class.updated", "catalog_manager"),
    "a catalog manager cancels a class": Expected(
        CATALOG, "class", lambda w: w.cancelled_class["id"], "class.cancelled",
        "catalog_manager"),
}  # fmt: skip


async def _trail(
    client: httpx.AsyncClient, token: str, expected: Expected, entity_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{expected.audit}/audit",
        params={"entity_type": expected.entity_type, "entity_id": entity_id, "limit": 100},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.parametrize("use_case", list(USE_CASES))
async def test_a_state_change_is_audited_with_who_what_and_before_after(
    stack: Stack, world: World, e2e_token: Any, gateway: httpx.AsyncClient, use_case: str
) -> None:
    expected = USE_CASES[use_case]
    entity_id = expected.entity_id(world)

    trail = await _trail(gateway, e2e_token("auditor"), expected, entity_id)

    rows = [r for r in trail if r["action"] == expected.action]
    assert len(rows) == 1, f"{expected.action} rows of {entity_id}: {trail}"
    row = rows[0]
    assert row["actor"] == _actor(expected.role, world, expected.sco_of_a)
    assert expected.role in row["actor_roles"]
    assert row["actor_country"] == (world.country if expected.sco_of_a else None)
    assert row["entity_id"] == entity_id
    assert row["occurred_at"]
    assert row["after"]
    if expected.before:
        assert row["before"]
        assert row["before"] != row["after"]


async def test_the_audit_trail_holds_no_personal_data_of_the_candidate(
    world: World, e2e_token: Any, gateway: httpx.AsyncClient
) -> None:
    auditor = {"Authorization": f"Bearer {e2e_token('auditor')}"}

    response = await gateway.get(
        f"{NOMINATIONS}/audit", params={"entity_id": world.candidate["id"], "limit": 100},
        headers=auditor,
    )  # fmt: skip

    assert response.status_code == 200
    assert response.json()["items"], "the candidate's creation is audited"
    for personal in ("passport_number", "date_of_birth", "family_names"):
        assert str(world.candidate[personal]) not in response.text, personal

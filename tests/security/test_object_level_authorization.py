"""Object-level authorization (BOLA): an SCO of country B walks EVERY `{...}` route of the API
with the real ids of country A's objects, and every list with country A's filters.

Expected: never a 2xx on a country-scoped object and never a body that leaks it; a single
country-scoped object answers 404 exactly like an id that does not exist (not 403, which would
confirm it exists); routes an SCO may not use at all may answer 403; lists return none of A's
items. Routes whose objects are not country-scoped are on an explicit allow-list with a reason
(`policy.NOT_COUNTRY_SCOPED`); the walk asserts it covered every `{...}` route of the spec.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from imet.stack import Stack
from tests.e2e.driver import FUNDING, NOMINATIONS, VETTING
from tests.helpers.timing import scaled
from tests.security.api import Route, api_spec, routes
from tests.security.policy import NOT_COUNTRY_SCOPED, sco_may_call
from tests.security.world import World

PROBLEM = "application/problem+json"
# List filters that point at country A's objects; each is tried on its own.
LIST_PROBES = ("country", "nomination_id", "candidate_id", "obligation_id", "class_id")


def object_values(world: World) -> dict[str, str]:
    """Path parameter name -> the real value of country A's object it names."""
    return {
        "nomination_id": world.nomination["id"],
        "candidate_id": world.candidate["id"],
        "case_id": world.case["case_id"],
        "decision_id": world.decision["decision_id"],
        "obligation_id": world.obligation["id"],
        "allocation_id": world.allocation["id"],
        "entry_id": world.registry_entry["entry_id"],
        "unit_id": world.unit["unit_id"],
        "iso3": world.country,
        "country": world.country,
        "fiscal_year": str(world.fiscal_year),
        "version": str(world.travel_order["version"]),
        "class_id": world.klass["id"],
        "institution_id": world.institution_id,
        "masl_id": world.masl_id,
        "program_id": world.program["id"],
        "line_id": world.program["lines"][0]["id"],
        "request_id": world.request_id,
        "import_id": world.import_id,
        "dlq_id": "imet.catalog.events.dlq:0:0",  # admins only: refused before any lookup
        **world.reference,
    }


def unknown_values(world: World) -> dict[str, str]:
    """The same parameters naming nothing that exists (B's own country has no allocation)."""
    values = object_values(world)
    return {
        name: (str(uuid.uuid4()) if name.endswith("_id") and name != "masl_id" else value)
        for name, value in values.items()
    } | {"iso3": world.other_country, "country": world.other_country}


def list_probe_values(world: World) -> dict[str, str]:
    return {
        "country": world.country,
        "nomination_id": world.nomination["id"],
        "candidate_id": world.candidate["id"],
        "obligation_id": world.obligation["id"],
        "class_id": world.klass["id"],
    }


def attack_bodies(world: World) -> dict[str, Any]:
    """Bodies that WOULD succeed if the object check were missing (for writes an SCO may do)."""
    screening = {"recorded_on": "2026-01-05", "reference": "BOLA-1"}
    return {
        f"PATCH {NOMINATIONS}/{{nomination_id}}": {"medical_clearance": screening},
        f"PATCH {NOMINATIONS}/candidates/{{candidate_id}}": {"position": "Mallory"},
        f"POST {NOMINATIONS}/{{nomination_id}}/withdraw": {"reason": "bola"},
        f"POST {NOMINATIONS}/{{nomination_id}}/cancel": {"reason": "bola"},
        f"POST {NOMINATIONS}/{{nomination_id}}/terminate": {"days_attended": 1, "reason": "bola"},
        f"POST {VETTING}/cases/{{case_id}}/decisions": {
            "result": "denied", "reason_code": "derogatory_information", "rationale": "bola",
        },
        f"POST {VETTING}/cases/{{case_id}}/decisions/{{decision_id}}/confirmation": {
            "outcome": "rejected", "rationale": "bola",
        },
        f"POST {VETTING}/registry/{{entry_id}}/remediation": {
            "remediation_notes": "bola", "remediation_reference": "bola",
        },
        f"PATCH {FUNDING}/allocations/{{allocation_id}}": {"amount": "1.00", "reason": "bola"},
        f"POST {FUNDING}/programs/{{program_id}}/lines": {
            "masl_id": world.masl_id, "quantity": 1, "priority": "B",
            "work_control_number": "BOLA-1",
        },
        f"PATCH {FUNDING}/programs/{{program_id}}/lines/{{line_id}}": {"status": "cancelled"},
        f"POST {FUNDING}/requests/{{request_id}}/program-exception": {"reason": "bola"},
        f"PUT {NOMINATIONS}/countries/{{iso3}}": {"name": "Pwned", "sanctioned": True},
    }  # fmt: skip


async def current_etags(client: httpx.AsyncClient, world: World, admin: str) -> dict[str, str]:
    """If-Match values for the updates (the current ETags, read by an admin)."""
    paths = {
        "nomination_id": f"{NOMINATIONS}/{world.nomination['id']}",
        "candidate_id": f"{NOMINATIONS}/candidates/{world.candidate['id']}",
        "allocation_id": f"{FUNDING}/allocations/{world.allocation['id']}",
        "iso3": f"{NOMINATIONS}/countries/{world.country}",
    }
    auth = {"Authorization": f"Bearer {admin}"}
    return {name: (await client.get(path, headers=auth)).headers["ETag"]
            for name, path in paths.items()}  # fmt: skip


@dataclass
class Outcome:
    route: str
    status: int
    expected: frozenset[int]
    problems: list[str]


def expected_statuses(route: Route) -> frozenset[int]:
    if route.key in NOT_COUNTRY_SCOPED:
        if not route.changes_state and sco_may_call(route.key):
            return frozenset({200, 404})  # reference data: read like anyone
        return frozenset({403})
    return frozenset({404}) if sco_may_call(route.key) else frozenset({403, 404})


def _leaks(response: httpx.Response, world: World) -> list[str]:
    text = response.text
    found = [f"leaks the {what}" for what, value in world.secrets().items() if value in text]
    if not 200 <= response.status_code < 300 and response.headers.get("content-type") != PROBLEM:
        found.append(f"a {response.status_code} that is not problem+json")
    if response.status_code >= 500:
        found.append("a server error")
    return found


def _problem_type(response: httpx.Response) -> str | None:
    if response.headers.get("content-type") != PROBLEM:
        return None
    kind: str | None = response.json().get("type")
    return kind


async def _walk_route(
    client: httpx.AsyncClient,
    route: Route,
    world: World,
    attacker: dict[str, str],
    etags: dict[str, str],
) -> Outcome:
    expected = expected_statuses(route)
    headers = dict(attacker)
    etag_param = next((p for p in route.path_params if p in etags), None)
    if route.method in ("PATCH", "PUT") and etag_param is not None:
        headers["If-Match"] = etags[etag_param]
    body = attack_bodies(world).get(route.key)
    url = route.url(object_values(world))
    response = await client.request(route.method, url, headers=headers, json=body)
    problems = _leaks(response, world)
    if response.status_code not in expected:
        problems.append(f"status {response.status_code}, expected {sorted(expected)}")
    if expected == {404} and response.status_code == 404:
        unknown = await client.request(
            route.method, route.url(unknown_values(world)), headers=headers, json=body
        )
        same = (unknown.status_code, _problem_type(unknown))
        if same != (404, _problem_type(response)):
            problems.append(f"distinguishable from a missing object: {same}")
    return Outcome(route.key, response.status_code, expected, problems)


async def test_an_sco_of_another_country_reaches_none_of_a_countrys_objects_on_any_route(
    stack: Stack, world: World, e2e_token: Any
) -> None:
    spec = api_spec(stack)
    templated = [r for r in routes(spec) if r.path_params]
    attacker = {"Authorization": f"Bearer {e2e_token('sco', world.other_country)}"}

    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=scaled(30.0)) as client:
        etags = await current_etags(client, world, e2e_token("admin"))
        outcomes = [await _walk_route(client, r, world, attacker, etags) for r in templated]
        after = await client.get(
            f"{NOMINATIONS}/{world.nomination['id']}",
            headers={"Authorization": f"Bearer {e2e_token('sco', world.country)}"},
        )
    print("\nBOLA walk (SCO of B on A's objects):")
    for o in outcomes:
        print(f"  {o.status}  {o.route}  {'; '.join(o.problems) or 'ok'}")

    failures = {o.route: o.problems for o in outcomes if o.problems}
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert {o.route for o in outcomes} == {r.key for r in templated}
    assert len(outcomes) >= 50, f"only {len(outcomes)} templated routes walked"
    assert sum(o.expected == {404} for o in outcomes) >= 20
    assert set(NOT_COUNTRY_SCOPED) <= {r.key for r in templated}, "stale allow-list entries"
    assert after.json()["status"] == "ready_for_travel"
    assert after.json()["medical_clearance"]["reference"] != "BOLA-1"


async def test_an_sco_of_another_country_finds_none_of_a_countrys_items_in_any_list(
    stack: Stack, world: World, e2e_token: Any
) -> None:
    spec = api_spec(stack)
    lists = [r for r in routes(spec) if r.method == "GET" and not r.path_params
             and not r.is_health]  # fmt: skip
    attacker = {"Authorization": f"Bearer {e2e_token('sco', world.other_country)}"}
    probes = list_probe_values(world)
    forbidden = set(world.ids().values()) | set(world.secrets().values())

    outcomes: dict[str, tuple[int, list[str]]] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=scaled(30.0)) as client:
        for route in lists:
            tried = [p for p in LIST_PROBES if p in route.query_params] or [None]
            for probe in tried:
                params = {probe: probes[probe]} if probe else {}
                response = await client.get(route.path, params=params, headers=attacker)
                problems = [f"leaks {v}" for v in forbidden if v in response.text]
                if response.status_code == 200:
                    items = response.json().get("items", [])
                    if any(isinstance(i, dict) and i.get("country") == world.country
                           for i in items):  # fmt: skip
                        problems.append("returns items of country A")
                elif response.status_code not in (403, 404):
                    problems.append(f"status {response.status_code}")
                outcomes[f"GET {route.path}?{probe or ''}"] = (response.status_code, problems)
    print("\nList walk (SCO of B filtering on A):")
    for key, (status, problems) in outcomes.items():
        print(f"  {status}  {key}  {'; '.join(problems) or 'ok'}")

    failures = {k: p for k, (_, p) in outcomes.items() if p}
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert {k.split("?")[0] for k in outcomes} == {r.key for r in lists}
    assert sum(k.endswith("?country") for k in outcomes) >= 8


def body_references(world: World) -> dict[str, dict[str, Any]]:
    """Requests whose BODY names country A or its objects (no path parameter to walk)."""
    a, candidate = world.country, world.candidate
    return {
        f"POST {NOMINATIONS}": {
            "candidate_id": candidate["id"], "class_id": world.klass["id"],
            "fiscal_year": world.fiscal_year, "funding_source": "imet",
        },
        f"POST {NOMINATIONS}/candidates": {
            "family_names": "MALLORY", "given_names": "Eve", "country": a,
            "passport_number": "M1234567",
        },
        f"POST {NOMINATIONS}/imports": {"rows": [{
            "family_names": candidate["family_names"], "given_names": candidate["given_names"],
            "country": a, "passport_number": candidate["passport_number"],
            "class_id": world.klass["id"], "fiscal_year": world.fiscal_year,
            "funding_source": "imet",
        }]},
        f"POST {FUNDING}/estimates": {"class_id": world.klass["id"], "country": a},
        f"POST {FUNDING}/programs": {"country": a, "fiscal_year": world.fiscal_year},
    }  # fmt: skip


async def test_an_sco_of_another_country_cannot_act_on_a_countrys_objects_named_in_a_body(
    stack: Stack, world: World, e2e_token: Any
) -> None:
    attacker = {
        "Authorization": f"Bearer {e2e_token('sco', world.other_country)}",
        "Prefer": "wait=20",  # the import answers 200 with its finished job (ADR 0128)
    }

    answers: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=scaled(30.0)) as client:
        for key, body in body_references(world).items():
            method, path = key.split(" ", 1)
            answers[key] = await client.request(method, path, json=body, headers=attacker)

    imported = answers.pop(f"POST {NOMINATIONS}/imports")
    assert {
        k: r.status_code for k, r in answers.items() if r.status_code not in (403, 404, 422)
    } == {}
    assert imported.status_code == 200
    summary = imported.json()
    assert (summary["created"], summary["existing"], summary["rejected"]) == (0, 0, 1)
    assert summary["lines"][0]["candidate_id"] is None
    assert {k: _leaks(r, world) for k, r in [*answers.items(), ("imports", imported)]
            if _leaks(r, world)} == {}  # fmt: skip

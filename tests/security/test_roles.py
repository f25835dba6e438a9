"""Role checks: every state-changing route refuses (403 problem+json) each role that may not
perform it, whatever the object: the check comes before any lookup or validation.

The table of who may write what is `policy.WRITERS` (from the README and the services' role
dependencies); the walk asserts it covers exactly the non-GET routes of the API.
"""

from __future__ import annotations

from typing import Any

import httpx

from imet.stack import Stack
from tests.security.api import api_spec, by_key, routes, syntactic_url
from tests.security.policy import READ_ONLY_NON_GET, ROLES, WRITERS

PROBLEM = "application/problem+json"


def _token_of(e2e_token: Any, role: str) -> str:
    token: str = e2e_token(role, "GTM" if role == "sco" else None)
    return token


def _refused(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and response.headers.get("content-type") == PROBLEM
        and response.json().get("status") == 403
    )


async def test_the_role_table_covers_every_state_changing_route_of_the_api(stack: Stack) -> None:
    spec = api_spec(stack)

    writes = {r.key for r in routes(spec) if r.changes_state}

    assert set(WRITERS) | set(READ_ONLY_NON_GET) == writes
    assert not set(WRITERS) & set(READ_ONLY_NON_GET)


async def test_every_state_changing_route_refuses_every_role_that_may_not_perform_it(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    known = by_key(routes(api_spec(stack)))
    cases = [(known[key], role) for key, allowed in WRITERS.items()
             for role in ROLES if role not in allowed]  # fmt: skip

    answers: dict[str, int] = {}
    for route, role in cases:
        headers = {"Authorization": f"Bearer {_token_of(e2e_token, role)}"}
        response = await gateway.request(route.method, syntactic_url(route), headers=headers)
        if not _refused(response):
            answers[f"{route.key} as {role}"] = response.status_code

    assert answers == {}
    assert len(cases) >= 140, f"only {len(cases)} (route, role) pairs checked"


async def test_an_auditor_changes_nothing_anywhere(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    writes = [r for r in routes(api_spec(stack))
              if r.changes_state and r.key not in READ_ONLY_NON_GET]  # fmt: skip
    auditor = {"Authorization": f"Bearer {_token_of(e2e_token, 'auditor')}"}

    answers = {}
    for route in writes:
        response = await gateway.request(route.method, syntactic_url(route), headers=auditor)
        answers[route.key] = response.status_code if not _refused(response) else 403

    assert {key: status for key, status in answers.items() if status != 403} == {}
    assert len(answers) >= 35, f"only {len(answers)} state-changing routes tried"

"""Defense in depth: every service authenticates every request itself, gateway or not.

Each service's routes are read from the service's own `/openapi.json` and called straight on
the service's port, bypassing the gateway: without a token, and with tokens forged with a key
the stack does not trust. Everything but the health routes must answer 401 problem+json.
"""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import SigningKey, generate_key, load_private_keys
from imet.stack import Stack
from tests.helpers.timing import scaled
from tests.security.api import SERVICES, Route, routes, service_spec, syntactic_url

PROBLEM = "application/problem+json"
# Routes (besides health) each service documented when this walk was written: the walk must
# never shrink silently (a spec that fails to load, a router left out).
DOCUMENTED_ROUTES = {"catalog": 17, "nomination": 26, "vetting": 11, "funding": 30}


def forged_tokens(stack: Stack) -> dict[str, str]:
    """Admin tokens the stack must not accept: signed by a key it never saw (under that key's
    own id, and claiming the id of the stack's real key), unsigned (`alg: none`), and signed
    by the stack's real key but expired."""
    trusted = load_private_keys(stack.key_dir).current
    foreign = generate_key()
    impostor = SigningKey(trusted.kid, foreign.algorithm, foreign.private_key)
    tokens = {
        name: TokenIssuer(key, "imet-dev", "imet-pipeline").issue("mallory", ["admin"])
        for name, key in (("unknown key", foreign), ("trusted key id", impostor))
    }
    claims = jwt.decode(tokens["unknown key"], options={"verify_signature": False})
    tokens["alg none"] = jwt.encode(claims, None, algorithm="none", headers={"kid": trusted.kid})
    tokens["expired, real key"] = TokenIssuer(trusted, "imet-dev", "imet-pipeline").issue(
        "mallory", ["admin"], ttl=-3600
    )
    return tokens


def _call(client: httpx.Client, route: Route, headers: dict[str, str]) -> httpx.Response:
    return client.request(route.method, syntactic_url(route), headers=headers)


def _refusal_problems(response: httpx.Response) -> list[str]:
    problems = []
    if response.status_code != 401:
        problems.append(f"status {response.status_code}")
    if response.headers.get("content-type") != PROBLEM:
        problems.append(f"content-type {response.headers.get('content-type')}")
    elif response.json().get("status") != 401:
        problems.append("problem status is not 401")
    if not response.headers.get("www-authenticate", "").startswith("Bearer"):
        problems.append("no WWW-Authenticate: Bearer challenge")
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_a_service_refuses_a_request_without_a_token_or_with_a_forged_one(
    stack: Stack, service: str
) -> None:
    spec = service_spec(stack, service)
    protected = [r for r in routes(spec, public=True) if not r.is_health]
    attempts: dict[str, dict[str, str]] = {
        "no token": {},
        **{f"forged ({how})": {"Authorization": f"Bearer {token}"}
           for how, token in forged_tokens(stack).items()},
        "not a JWT": {"Authorization": "Bearer not-a-jwt"},
        "another scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }  # fmt: skip

    failures: dict[str, Any] = {}
    with httpx.Client(
        base_url=f"http://127.0.0.1:{stack.options.ports[service]}", timeout=scaled(30)
    ) as client:
        for route in protected:
            for attempt, headers in attempts.items():
                response = _call(client, route, headers)
                wrong = _refusal_problems(response)
                if wrong:
                    failures[f"{route.key} [{attempt}]"] = (wrong, response.text[:200])

    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert len(protected) >= DOCUMENTED_ROUTES[service], f"{service}: {len(protected)} routes"


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_liveness_route_of_a_service_answers_without_a_token(
    stack: Stack, service: str
) -> None:
    spec = service_spec(stack, service)
    prefix = f"/api/v1/{'nominations' if service == 'nomination' else service}"

    health = [r for r in routes(spec, public=True) if r.is_health]
    with httpx.Client(
        base_url=f"http://127.0.0.1:{stack.options.ports[service]}", timeout=scaled(30)
    ) as client:
        answers = {r.path: client.get(r.path).status_code for r in health}

    # Readiness names the failing dependencies: admins only under the public prefix (the
    # orchestrator asks the root `/readyz` of the service port instead).
    assert answers == {f"{prefix}/healthz": 200, f"{prefix}/readyz": 401}

"""Property-based fuzzing of the whole public API through the gateway (schemathesis 4).

Every operation of the API document (`api.api_spec`) gets generated requests, schema-valid
(positive) and schema-violating (negative), sent to the gateway with an ADMIN token (the role
that reaches the most code). Asserted for every response: no 5xx, and every 4xx is an
RFC 9457 `application/problem+json` document - except the OAuth2 token endpoint's errors,
which RFC 6749 fixes as `application/json` with an `error` code (checked as such). Nothing is
excluded.

The run is one test so that it can assert its own size (>= 1,000 cases); it prints its
duration (about 1,700 cases in 25 s on a quiet 2-core box). No shrinking: every failure is
kept with a curl command to replay it. This file sorts after the others in the `e2e` group on
purpose: the fuzzer creates and changes reference data at random (countries, appropriations,
allocations of random countries, ...), which the earlier tests must not see.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from imet.stack import Stack
from tests.helpers.timing import scaled
from tests.security.api import api_spec

PROBLEM = "application/problem+json"
EXAMPLES_PER_OPERATION_AND_MODE = 10
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


# The token endpoint answers errors as RFC 6749 section 5.2 requires (`application/json` with
# an `error` code), which every OAuth2 client library parses; its rate limit is problem+json.
TOKEN_PATH = "/api/v1/auth/token"
OAUTH_ERRORS = {
    "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
    "unsupported_grant_type", "invalid_scope",
}  # fmt: skip


def _is_oauth_error(response: schemathesis.Response) -> bool:
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type != "application/json" or response.status_code not in (400, 401):
        return False
    body = response.json()
    return isinstance(body, dict) and body.get("error") in OAUTH_ERRORS


def _violations(path: str, response: schemathesis.Response) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"server error {response.status_code}")
    content_type = (response.headers.get("content-type") or [""])[0]
    oauth = path == TOKEN_PATH and _is_oauth_error(response)
    if 400 <= response.status_code < 500 and content_type != PROBLEM and not oauth:
        found.append(f"{response.status_code} as {content_type or 'no content type'}")
    return found


@dataclass
class Run:
    """What the fuzzing sent and found."""

    base_url: str
    headers: dict[str, str]
    session: requests.Session
    statuses: list[int] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    nothing_to_violate: list[str] = field(default_factory=list)

    def fuzz(self, operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> None:
        @settings(
            max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def send(case: schemathesis.Case) -> None:
            response = case.call(
                base_url=self.base_url,
                session=self.session,
                headers=self.headers,
                timeout=scaled(30),
            )
            self.statuses.append(response.status_code)
            wrong = _violations(operation.path, response)
            if wrong:
                self.failures.setdefault(
                    f"{operation.label} [{mode}] {'; '.join(wrong)}",
                    f"{case.as_curl_command(headers=self.headers)[:2000]}\n    -> "
                    f"{response.content[:300]!r}",
                )

        try:
            send()
        except Unsatisfiable:
            # Nothing to violate (no parameters, no body): no negative case exists.
            if mode is not schemathesis.GenerationMode.NEGATIVE:
                raise
            self.nothing_to_violate.append(operation.label)


@pytest.mark.timeout(900)  # ~35 s alone; several times that beside two busy test workers
def test_generated_requests_never_cause_a_server_error_and_every_4xx_is_a_problem_document(
    stack: Stack, e2e_token: Any
) -> None:
    schema = schemathesis.openapi.from_dict(api_spec(stack))
    operations = [result.ok() for result in schema.get_all_operations()]
    admin = {"Authorization": f"Bearer {e2e_token('admin')}"}
    started = time.monotonic()

    with requests.Session() as session:
        run = Run(stack.gateway_url, admin, session)
        for operation in operations:
            for mode in MODES:
                run.fuzz(operation, mode)
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(run.statuses)} cases over {len(operations)} operations in "
        f"{elapsed:.1f} s; statuses seen: {sorted(set(run.statuses))}; no negative cases "
        f"(nothing to violate) for: {run.nothing_to_violate}"
    )

    assert not run.failures, "\n".join(f"{k}\n    {v}" for k, v in run.failures.items())
    assert len(run.statuses) >= 1000
    assert len(operations) >= 80
    # Only operations without any input may lack negative cases (health, JWKS, discovery).
    inputless = {
        op.label for op in operations
        if not op.definition.raw.get("parameters") and not op.definition.raw.get("requestBody")
    }  # fmt: skip
    assert set(run.nothing_to_violate) <= inputless

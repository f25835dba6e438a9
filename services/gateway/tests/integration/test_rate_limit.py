"""Per-caller rate limits at the gateway: 429 with Retry-After, recovery, health exempt."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.signing.issuer import TokenIssuer
from tests.helpers.timing import scaled

# One token every few seconds: the bucket cannot refill while a test makes its few calls, however
# slow the machine (scaled), so what is refused does not depend on how fast the calls are.
SECONDS_PER_TOKEN = scaled(2.5)


@pytest.fixture(scope="module")
def limited_gateway(start_gateway: Any) -> Iterator[str]:
    with start_gateway(rate_limit_per_second=1 / SECONDS_PER_TOKEN, rate_limit_burst=3) as url:
        yield url


def _bearer(issuer: TokenIssuer, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue(subject, ['auditor'])}"}


async def test_a_caller_over_its_burst_gets_429_with_retry_after_then_recovers(
    limited_gateway: str, issuer: TokenIssuer
) -> None:
    headers = _bearer(issuer, "busy-client")
    async with httpx.AsyncClient(base_url=limited_gateway, timeout=scaled(10)) as http:
        burst = [await http.get("/api/v1/catalog/courses", headers=headers) for _ in range(3)]

        refused = await http.get("/api/v1/catalog/courses", headers=headers)
        await asyncio.sleep(float(refused.headers["retry-after"]))
        recovered = await http.get("/api/v1/catalog/courses", headers=headers)

    assert [r.status_code for r in burst] == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= math.ceil(SECONDS_PER_TOKEN)
    assert recovered.status_code == 200


async def test_one_callers_limit_does_not_slow_another(
    limited_gateway: str, issuer: TokenIssuer
) -> None:
    greedy, other = _bearer(issuer, "greedy-client"), _bearer(issuer, "other-client")
    async with httpx.AsyncClient(base_url=limited_gateway, timeout=scaled(10)) as http:
        for _ in range(4):
            await http.get("/api/v1/catalog/courses", headers=greedy)

        response = await http.get("/api/v1/catalog/courses", headers=other)

    assert response.status_code == 200


async def test_health_paths_are_never_rate_limited(limited_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=limited_gateway, timeout=scaled(10)) as http:
        statuses = {(await http.get("/api/v1/catalog/healthz")).status_code for _ in range(10)}

    assert statuses == {200}
